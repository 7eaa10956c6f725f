"""Text from outside the portal's own code (a stream name the customer typed, a blocklist's TXT reason, what
DNS answered, an article's Markdown) reaches an HTML page or HTML mail escaped or sanitised, and a
plain-text mail verbatim. MISSION: DLV-1, DLV-2, TAM-6. The mediation text has its own module."""

import pytest
from django.utils import timezone

from accounts.models import OutboundEmail
from deliverability.authentication.runs import alert_regressions
from deliverability.blocklists import alerts
from deliverability.models import Article, AuthFinding, AuthRun
from tests.deliverability.factories import (
    ListingEventFactory,
    MessageStreamFactory,
    MonitoredTargetFactory,
    SweepFactory,
)
from tests.helpers import IMG, MESSAGE_ID, SCRIPT, assert_no_live_markup

pytestmark = pytest.mark.django_db

NAME = "Smith & Sons <EU>"  # an account name is plain text too: a subject line keeps it as it is


@pytest.fixture
def smith(world):
    world.acme.name = NAME
    world.acme.save(update_fields=["name"])
    return world


def test_a_blocklist_alert_escapes_the_html_part_and_keeps_the_text_part_verbatim(smith):
    stream = MessageStreamFactory(account=smith.acme, name=f"tx {SCRIPT}")
    target = MonitoredTargetFactory(account=smith.acme, value="192.0.2.10", stream=stream)
    sweep = SweepFactory(account=smith.acme)
    ListingEventFactory(target=target, sweep=sweep, reason=f"Listed {IMG} see {MESSAGE_ID}")

    assert alerts.send_alerts(sweep.pk) == 1
    (mail,) = OutboundEmail.objects.filter(kind="blocklist.alert")
    assert mail.subject == f"[{NAME}] 1 new blocklist listing"
    assert f"Blocklist monitoring for {NAME}\n" in mail.body
    assert f"- 192.0.2.10 (tx {SCRIPT}) — Spamhaus ZEN" in mail.body
    assert f"  Listed {IMG} see {MESSAGE_ID}\n" in mail.body
    assert_no_live_markup(mail.html_body)
    assert "Blocklist monitoring for Smith &amp; Sons &lt;EU&gt;</h2>" in mail.html_body
    assert "<code>192.0.2.10</code> (tx &lt;script&gt;alert(1)&lt;/script&gt;)" in mail.html_body
    assert "<small>Listed &lt;img src=x onerror=alert(1)&gt; see &lt;CAF=abc@mail.example&gt;</small>" in (
        mail.html_body
    )


def test_an_authentication_alert_is_plain_text_and_the_page_escapes_what_dns_said(client, smith):
    run = AuthRun.objects.create(account=smith.acme, status=AuthRun.State.DONE, finished_at=timezone.now())
    AuthFinding.objects.create(
        run=run, subject="acme.example", kind="spf", status="fail", regression=True,
        title="SPF record is invalid.", detail=f"v=spf1 {SCRIPT} -all", fix=f'acme.example. TXT "v=spf1 {IMG} -all"',
    )  # fmt: skip

    assert alert_regressions(run.pk) == 1
    (mail,) = OutboundEmail.objects.filter(kind="auth.regression")
    assert mail.subject == f"[{NAME}] 1 sender-authentication check got worse"
    assert f"Sender authentication for {NAME}: these checks" in mail.body
    assert f'acme.example. TXT "v=spf1 {IMG} -all"\n' in mail.body
    assert mail.html_body == ""

    client.force_login(smith.alice)
    page = client.get("/a/acme/authentication/").content.decode()
    assert_no_live_markup(page)
    assert "v=spf1 &lt;script&gt;alert(1)&lt;/script&gt; -all" in page
    assert "acme.example. TXT &quot;v=spf1 &lt;img src=x onerror=alert(1)&gt; -all&quot;" in page


ATTACKS = (
    f"Intro **bold**\n\n{SCRIPT}\n\n{IMG}\n\n[click](javascript:alert(1))\n\n"
    '<a href="#" onclick="alert(1)">x</a>\n\n[ok](https://example.com)\n\n'
    f"Reply to `{MESSAGE_ID}` as usual.\n"
)


@pytest.fixture
def attack_article(world):
    return Article.objects.create(
        slug="attack", title=f"Title {SCRIPT}", body=ATTACKS, category="news", status="published", author=world.tina
    )


def assert_sanitised(html: str) -> None:
    for bad in ("<script", "<img", "onerror", "onclick", "javascript:"):
        assert bad not in html, bad
    assert "<strong>bold</strong>" in html
    assert '<a href="https://example.com" rel="noopener noreferrer nofollow">ok</a>' in html
    assert "<code>&lt;CAF=abc@mail.example&gt;</code>" in html  # a Message-ID in code stays text


def test_an_article_with_markup_reaches_its_readers_sanitised(client, world, attack_article):
    client.force_login(world.arthur)
    page = client.get("/library/attack/").content.decode()
    assert_sanitised(page.split('data-testid="article"', 1)[1].split("</article>", 1)[0])
    assert "<h1>Title &lt;script&gt;alert(1)&lt;/script&gt;</h1>" in page


def test_the_admin_preview_of_an_article_is_sanitised_too(client, world, attack_article):
    client.force_login(world.root)
    page = client.get(f"/admin/deliverability/article/{attack_article.pk}/change/").content.decode()
    preview = page.split("field-preview", 1)[1].split("field-updated_at", 1)[0]
    assert_sanitised(preview)
