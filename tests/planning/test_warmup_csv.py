"""Issue 17, actuals as people have them: a CSV file from Polish Excel (semicolons, a BOM, quoted fields,
values in any case), the empty file, the header with nothing under it, days not yet lived, figures that do
not add up, and a day sent again. MISSION: DLV-1.
"""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from planning import ingest
from tests.helpers import messages_of, visible_text
from tests.planning.factories import WarmupPlanFactory

pytestmark = pytest.mark.usefixtures("a_fixed_day")


@pytest.fixture
def plan(world):
    return WarmupPlanFactory(account=world.acme, start_date=world.acme.today() - timedelta(days=7))


def rows(plan) -> list[tuple]:
    return list(plan.actuals.order_by("day", "provider").values_list("day", "provider", "sent", "delivered", "bounced"))


def upload(client, plan, body: bytes):
    client.force_login(plan.account.memberships.get(role="admin").user)
    csv = SimpleUploadedFile("actuals.csv", body, content_type="text/csv")
    return client.post(f"{plan.get_absolute_url()}actuals/", {"file": csv}, follow=True)


def test_polish_excel_semicolons_bom_quotes_and_any_case_are_read(client, plan):
    day = plan.start_date.isoformat()
    body = (
        "\ufeffDate;Provider;SENT;Delivered;Bounced\r\n"
        + f'{day};"GMAIL";"1 200";"1\u00a0190";10\r\n'
        + f'"{day}";Outlook;800;790;"0"\r\n'
        + ";;;;\r\n"  # Excel's empty row at the end
    ).encode("utf-8")
    response = upload(client, plan, body)
    assert messages_of(response) == ["2 rows saved."]
    assert rows(plan) == [(plan.start_date, "gmail", 1_200, 1_190, 10), (plan.start_date, "microsoft", 800, 790, 0)]


def test_commas_with_quoted_thousands_still_work(plan):
    day = plan.start_date.isoformat()
    outcome = ingest.from_csv(plan, f'date,provider,sent,delivered\n{day},Yahoo,"1,200","1,100"\n')
    assert outcome.errors == [] and rows(plan) == [(plan.start_date, "yahoo", 1_200, 1_100, 0)]


def test_an_empty_file_gets_a_clear_message(client, plan):
    response = upload(client, plan, b"")
    assert messages_of(response) == ["The file is empty: it needs a header row and a row per day and provider."]
    assert ingest.from_csv(plan, "\ufeff\r\n\r\n").errors == [
        (1, "The file is empty: it needs a header row and a row per day and provider.")
    ]


@pytest.mark.parametrize("body", ["date,provider,sent\n", "\ufeffdate;provider;sent\r\n;;\r\n"])
def test_a_header_only_file_gets_a_clear_message(client, plan, body):
    response = upload(client, plan, body.encode())
    assert messages_of(response) == ["Line 2: The file has a header row but no rows of actuals under it."]
    assert not plan.actuals.exists()


def test_the_row_limit_is_on_the_form(client, plan):
    client.force_login(plan.account.memberships.get(role="admin").user)
    page = visible_text(client.get(plan.get_absolute_url()))
    assert "at most 20,000 rows and 5 MB a file" in page
    assert "separated by commas or semicolons" in page


def test_a_day_in_the_future_is_refused(plan):
    tomorrow = plan.account.today() + timedelta(days=1)
    outcome = ingest.from_csv(plan, f"date,provider,sent\n{tomorrow},gmail,100\n{plan.account.today()},gmail,100\n")
    assert outcome.saved == 1
    assert outcome.errors == [(2, f"{tomorrow} is in the future (today is {plan.account.today()}).")]
    far = ingest.from_json(plan, [{"date": "9999-12-31", "provider": "gmail", "sent": 1}])
    assert far.saved == 0 and "is in the future" in far.errors[0][1]


def test_a_day_before_the_plan_is_refused(plan):
    before = plan.start_date - timedelta(days=1)
    outcome = ingest.from_csv(plan, f"date,provider,sent\n{before},gmail,100\n")
    assert outcome.errors == [(2, f"{before} is before the plan starts ({plan.start_date}).")]


def test_delivered_bounced_and_deferred_cannot_add_up_to_more_than_sent(plan):
    day = plan.start_date
    outcome = ingest.from_csv(
        plan,
        "date,provider,sent,delivered,bounced,deferrals\n"
        f"{day},gmail,1000,900,60,50\n"  # 1,010 outcomes of 1,000 messages
        f"{day},yahoo,1000,900,50,50\n",
    )
    assert outcome.errors == [(2, "delivered + bounced + blocked + deferrals (1,010) is more than sent (1,000).")]
    assert rows(plan) == [(day, "yahoo", 1_000, 900, 50)]


def test_a_re_upload_that_replaces_a_day_says_so(client, plan):
    day = plan.start_date.isoformat()
    upload(client, plan, f"date,provider,sent\n{day},gmail,100\n{day},yahoo,50\n".encode())
    response = upload(client, plan, f"date,provider,sent\n{day},gmail,120\n{day},yahoo,50\n".encode())
    assert messages_of(response) == [
        "2 rows saved.",
        f"1 day was sent before and is replaced by this file: {day} gmail.",
    ]
    assert rows(plan)[0] == (date.fromisoformat(day), "gmail", 120, 0, 0)


def test_policy_blocks_and_rate_limits_have_their_own_columns(plan):
    day = plan.start_date
    outcome = ingest.from_csv(
        plan,
        "date;provider;sent;delivered;bounced;blocked;deferrals;rate_limited\n"
        f"{day};gmail;1000;950;10;20;20;5\n"
        f"{day};yahoo;1000;950;0;0;2;3\n",  # 3 rate limits of 2 deferrals
    )
    assert outcome.errors == [(3, "rate_limited (3) is more than deferrals (2): rate limits are deferrals.")]
    assert plan.actuals.values_list("blocked", "rate_limited").get() == (20, 5)
