import pytest

from tests.accounts import factories

FACTORIES = [
    factories.UserFactory,
    factories.TamFactory,
    factories.AgentFactory,
    factories.SuperuserFactory,
    factories.BusinessCalendarFactory,
    factories.OpeningWindowFactory,
    factories.CalendarExceptionFactory,
    factories.AccountFactory,
    factories.MembershipFactory,
    factories.ContactFactory,
]


@pytest.mark.django_db
@pytest.mark.parametrize("factory", FACTORIES, ids=lambda f: f.__name__)
def test_every_factory_builds_valid_objects(factory):
    obj = factory()
    obj.full_clean()


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["CaseFactory", "CaseEventFactory", "OnCallShiftFactory"])
def test_every_case_factory_builds_valid_objects(name):
    from tests.cases import factories as case_factories

    obj = getattr(case_factories, name)()
    obj.full_clean()
