"""Case mail: the HTML part escapes every string a person typed (subject, account and person names, the
message, an update's nature and expected resolution), the text part and the subject line carry them
verbatim. MISSION: NC-4, CR-4 (the customer is kept informed; what they read is what was written)."""

import pytest

from cases import services
from cases.models import Case
from tests.cases.factories import OnCallShiftFactory
from tests.cases.outbox import outbox
from tests.helpers import IMG, MESSAGE_ID, SCRIPT, assert_no_live_markup

pytestmark = pytest.mark.django_db

NAME = "Acme & Sons <EU>"


@pytest.fixture
def marked_up_case(world) -> Case:
    world.acme.name = NAME
    world.acme.save(update_fields=["name"])
    world.alice.full_name = f"Alice {IMG}"
    world.alice.save(update_fields=["full_name"])
    world.sam.full_name = f"Sam {SCRIPT}"
    world.sam.save(update_fields=["full_name"])
    return services.case_open(
        account=world.acme,
        actor=world.alice,
        subject=f"Bounces {SCRIPT}",
        description=f"Rejected: {MESSAGE_ID}\n{IMG}",
        severity=Case.Severity.CRITICAL,
        category=Case.Category.BUG,
    )


def test_an_update_mail_escapes_the_html_part_and_keeps_the_text_verbatim(world, marked_up_case):
    case = marked_up_case
    services.case_post_update(
        case=case, actor=world.sam, nature=f"Queue {SCRIPT}", expected_resolution=f"2 h {IMG}",
        body=f"Details in {MESSAGE_ID}",
    )  # fmt: skip

    (mail,) = outbox().filter(kind="case.update_posted")
    assert mail.to == ["alice@acme.test"]
    assert mail.subject == f"[{case.number}] CRITICAL: Bounces {SCRIPT} — Status update"
    assert mail.body.startswith(f"{case.number} · {NAME} · ")
    assert f"Status update — Sam {SCRIPT}\n" in mail.body
    assert f"\nDetails in {MESSAGE_ID}\n" in mail.body
    assert f"Nature of the problem: Queue {SCRIPT}\n" in mail.body
    assert f"Expected time to resolution: 2 h {IMG}\n" in mail.body

    html = mail.html_body
    assert_no_live_markup(html)
    assert f"{case.number} · Acme &amp; Sons &lt;EU&gt; · " in html
    assert "Status update — Sam &lt;script&gt;alert(1)&lt;/script&gt;</h2>" in html
    assert "<p>Details in &lt;CAF=abc@mail.example&gt;</p>" in html
    assert "<td>Queue &lt;script&gt;alert(1)&lt;/script&gt;</td>" in html
    assert "<td>2 h &lt;img src=x onerror=alert(1)&gt;</td>" in html


def test_the_tams_hear_of_a_new_case_with_the_customers_words_verbatim_and_escaped(world, marked_up_case):
    mails = outbox().filter(kind="case.opened")
    assert {address for mail in mails for address in mail.to} >= {"tina@tam.test", "tom@tam.test"}
    for mail in mails:
        assert f"Case opened — Alice {IMG}\n" in mail.body
        assert f"\nRejected: {MESSAGE_ID}\n{IMG}\n" in mail.body
        assert_no_live_markup(mail.html_body)
        assert "Case opened — Alice &lt;img src=x onerror=alert(1)&gt;</h2>" in mail.html_body
        assert "<p>Rejected: &lt;CAF=abc@mail.example&gt;<br>&lt;img src=x onerror=alert(1)&gt;</p>" in mail.html_body


def test_an_unknown_companys_call_reaches_the_agent_on_duty_in_plain_text_verbatim(world):
    OnCallShiftFactory(agent__email="olga@support.test")
    services.phone_intake_record(
        taken_by=world.sam, company_name=f"Initech {SCRIPT}", contact_name=f"Peter {IMG}",
        contact_phone="+48 600 100 200", contact_email="peter@initech.test", description=f"Bounces: {MESSAGE_ID}",
    )  # fmt: skip
    (row,) = outbox().filter(kind="case.phone_intake_unmatched")
    assert row.to == ["olga@support.test"]
    assert row.subject == f"SEVERITY 1 CALL — unknown company: Initech {SCRIPT}"
    assert f"Company: Initech {SCRIPT}\nContact: Peter {IMG}, +48 600 100 200" in row.body
    assert f"\nBounces: {MESSAGE_ID}\n" in row.body
    assert row.html_body == ""
