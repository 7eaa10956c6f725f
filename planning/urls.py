from django.urls import path

from . import capacity_views, features_views, migration_edit_views, migration_views, views

urlpatterns = [
    path("a/<slug:slug>/warmup/", views.plan_list, name="warmup-list"),
    path("a/<slug:slug>/warmup/new/", views.plan_new, name="warmup-new"),
    path("a/<slug:slug>/warmup/<int:pk>/", views.plan_detail, name="warmup-plan"),
    path("a/<slug:slug>/warmup/<int:pk>/actuals/", views.actuals_upload, name="warmup-actuals"),
    path("a/<slug:slug>/warmup/<int:pk>/edit/", views.plan_edit, name="warmup-edit"),
    path("a/<slug:slug>/warmup/<int:pk>/status/", views.plan_set_status, name="warmup-status"),
    path("a/<slug:slug>/api-tokens/", views.tokens, name="planning-tokens"),
    path("api/v1/warmup/<int:pk>/actuals", views.api_actuals, name="api-warmup-actuals"),
    path("a/<slug:slug>/capacity/", capacity_views.capacity, name="capacity"),
    path("a/<slug:slug>/roadmap/", features_views.roadmap, name="roadmap"),
    path("a/<slug:slug>/migration/", migration_views.migration_list, name="migration-list"),
    path("a/<slug:slug>/migration/new/", migration_views.migration_new, name="migration-new"),
    path("a/<slug:slug>/migration/<int:pk>/", migration_views.migration_detail, name="migration-plan"),
    path("a/<slug:slug>/migration/<int:pk>/plan.csv", migration_views.migration_csv, name="migration-csv"),
    path("a/<slug:slug>/migration/<int:pk>/edit/", migration_edit_views.migration_edit, name="migration-edit"),
    path("a/<slug:slug>/migration/<int:pk>/status/", migration_views.migration_status, name="migration-status"),
    path("a/<slug:slug>/roadmap/requests/<int:pk>/", features_views.request_update, name="roadmap-request"),
    path("a/<slug:slug>/roadmap/reviews/<int:pk>/actions/", features_views.action_add, name="roadmap-action"),
    path("a/<slug:slug>/roadmap/actions/<int:pk>/done/", features_views.action_done, name="roadmap-action-done"),
    path("a/<slug:slug>/capacity/<slug:kind>/<int:pk>/remove/", capacity_views.capacity_remove, name="capacity-remove"),
]
