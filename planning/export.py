"""Planning's part of an account's data export (issue 18): warm-up plans and what was sent, migrations,
capacity, feature requests and business reviews."""

from core.export import Part

EXPORT = (
    Part("warmup_plans", "planning.WarmupPlan"),
    Part("warmup_actuals", "planning.DailyActual", account_path="plan__account"),
    Part("migration_plans", "planning.MigrationPlan"),
    Part("migration_streams", "planning.MigrationStream", account_path="plan__account"),
    Part("migration_milestones", "planning.Milestone", account_path="plan__account"),
    Part("migration_signatures", "planning.SignOff", account_path="plan__account"),
    Part("capacity_forecasts", "planning.MonthlyForecast"),
    Part("peak_events", "planning.PeakEvent"),
    Part("feature_requests", "planning.FeatureRequest"),
    Part("business_reviews", "planning.BusinessReview"),
    Part("review_actions", "planning.ActionItem", account_path="review__account"),
)
