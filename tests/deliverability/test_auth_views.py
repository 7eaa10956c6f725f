"""The sender-authentication page, its htmx progress, the DKIM selectors form and the dashboard panel.

MISSION: DLV-1, DLV-4. What alice sees after a real check against dnsmasq: the failing DMARC finding with
the record to publish, the mailbox-provider checklist (what DNS cannot show is "Not checked
automatically"), and the DLV-4 sentence; the page and the panel run a fixed number of queries.
"""

import json
import re

import pytest
from django.conf import settings
from django.utils import timezone

from core.text import Msg, to_json
from deliverability.authentication import runs
from deliverability.models import AuthFinding, AuthRun, MonitoredTarget
from tests.deliverability.authdns import authdns_fixture, authdns_settings_fixture, dkim_key  # noqa: F401
from tests.deliverability.factories import DmarcAddressFactory, MonitoredTargetFactory
from tests.helpers import HTMX, messages_of, panel_text, queries_of, text, visible_text

AUTH_PAGE = "/a/acme/authentication/"
PANEL = "/a/acme/panel/authentication/"
DOMAIN = "acme-views.example"
DLV4 = (  # deliverability/_dlv4.html, the one copy (issue 16)
    "Not included: Tier 2 mediation (dedicated assistance) and deliverability strategy services. "
    "Inbox placement rates cannot be guaranteed, and the provider is not responsible for them."
)


def from_domain(account, selectors="") -> MonitoredTarget:
    return MonitoredTargetFactory(account=account, domain=True, value=DOMAIN, dkim_selectors=selectors)


def part(response, pattern: str) -> str:
    found = re.search(pattern, text(response), re.S)
    assert found, pattern
    return visible_text(found.group(0))


def checklist_rows(response) -> dict:
    table = re.search(r'<table data-testid="checklist">.*?</table>', text(response), re.S).group(0)
    rows = [visible_text(row) for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]]
    return {row.split(" All senders")[0].split(" (bulk senders) Bulk senders")[0]: row for row in rows}


def test_the_page_shows_the_failing_dmarc_check_and_its_fix(
    alice, world, authdns, authdns_settings, django_capture_on_commit_callbacks
):
    DmarcAddressFactory(account=world.acme, token="acmereports2026")
    include = authdns_settings.PROVIDER_SPF_INCLUDE
    authdns.serve(
        {
            include: {"TXT": ["v=spf1 ip4:192.0.2.0/24 -all"]},
            DOMAIN: {"TXT": [f"v=spf1 include:{include} -all"], "MX": [(10, f"mx.{DOMAIN}")]},
            f"mx.{DOMAIN}": {"A": ["203.0.113.50"]},
            f"s1._domainkey.{DOMAIN}": {"TXT": [f"v=DKIM1; k=rsa; p={dkim_key(2048)}"]},
            f"bounce.{DOMAIN}": {"CNAME": authdns_settings.PROVIDER_BOUNCE_HOST},
            authdns_settings.PROVIDER_BOUNCE_HOST: {"TXT": [f"v=spf1 include:{include} -all"]},
        }
    )
    from_domain(world.acme, "s1")
    MonitoredTargetFactory(account=world.acme, kind="domain", value=f"bounce.{DOMAIN}", role="bounce")
    with django_capture_on_commit_callbacks(execute=True):
        runs.auth_request(account=world.acme, actor=world.alice, trigger="manual")
    response = alice.get(AUTH_PAGE)
    shown = visible_text(response)
    attention = part(response, r'<ul class="findings" data-testid="attention">.*?</ul>')
    assert attention.startswith(f"DMARC: Fail {DOMAIN} No DMARC record."), attention
    rua = f"dmarc+acmereports2026@{settings.INBOUND_DOMAIN}"  # issue 19: Acme's report address in the portal
    assert f'Fix: _dmarc.{DOMAIN}. TXT "v=DMARC1; p=none; rua=mailto:{rua}"' in attention
    assert "SPF" not in attention  # passing checks are not "needing attention"
    domain = part(response, rf'<details class="auth-subject" data-testid="auth-{DOMAIN}".*?</details>')
    assert "DMARC: Fail No DMARC record." in domain and "SPF of the From domain: Pass SPF is valid." in domain
    assert domain.index("DMARC: Fail") < domain.index("SPF of the From domain: Pass")  # worst first
    bounce = part(response, rf'<details class="auth-subject" data-testid="auth-bounce.{DOMAIN}".*?</details>')
    assert "SPF (bounce domain): Pass SPF is valid and authorises our servers." in bounce
    assert f"answered by {authdns.nameserver}" in shown
    rows = checklist_rows(response)
    for requirement in (
        "Mail is sent over TLS",
        "One-click unsubscribe (RFC 8058), honoured within 2 days",
    ):
        assert rows[requirement].endswith("Not checked automatically"), rows[requirement]
    # issue 19: measured from Google Postmaster Tools once connected (tests/deliverability/postmaster/)
    spam = rows["Spam rate below 0.10%, never 0.30% or more (Gmail Postmaster Tools)"]
    assert spam.endswith("All senders Unknown: Google Postmaster Tools is not connected"), spam
    assert rows["DMARC is published (p=none is enough)"].endswith("Bulk senders Fail")
    assert rows["SPF or DKIM authenticates the mail"].endswith("All senders Pass")
    assert rows["Both SPF and DKIM pass"].endswith("Bulk senders Pass")
    assert DLV4 in shown
    world.alice.language = "pl"
    world.alice.save(update_fields=["language"])
    polish = part(alice.get(AUTH_PAGE), r'<ul class="findings" data-testid="attention">.*?</ul>')
    assert "Brak rekordu DMARC." in polish and f'_dmarc.{DOMAIN}. TXT "v=DMARC1; p=none;' in polish, polish


def test_check_now_over_htmx_returns_the_progress_and_polls_a_running_run(alice, world, settings):
    settings.AUTH_NAMESERVERS = ["127.0.0.1:9"]  # nothing to check: the account has no targets
    running = AuthRun.objects.create(account=world.acme, status="running")
    response = alice.post(f"{AUTH_PAGE}check/", headers=HTMX)  # a run under way: the same one
    assert response.status_code == 200 and "HX-Trigger" not in response
    assert f'hx-get="/a/acme/authentication/runs/{running.pk}/"' in text(response)
    assert "Checking the DNS records…" in visible_text(response)
    assert AuthRun.objects.filter(account=world.acme).count() == 1


@pytest.mark.django_db(transaction=True)
def test_check_now_over_htmx_that_finished_at_once_reloads_the_results(alice, world, settings):
    """With eager tasks the check has finished before the response: no polling, the results reload."""
    settings.AUTH_NAMESERVERS = ["127.0.0.1:9"]
    response = alice.post(f"{AUTH_PAGE}check/", headers=HTMX)
    run = AuthRun.objects.get(account=world.acme)
    assert run.status == "done"
    assert json.loads(response["HX-Trigger"]) == {"authChecked": {}}
    assert 'hx-trigger="every 1s"' not in text(response) and "Check now" in visible_text(response)


def test_check_now_without_htmx_redirects(alice, world, settings, django_capture_on_commit_callbacks):
    settings.AUTH_NAMESERVERS = ["127.0.0.1:9"]
    with django_capture_on_commit_callbacks(execute=True):
        response = alice.post(f"{AUTH_PAGE}check/", follow=True)
    assert messages_of(response) == ["The check has started."]
    assert AuthRun.objects.get(account=world.acme).status == "done"


def test_run_progress_polls_while_running_and_stops_when_finished(alice, world):
    run = AuthRun.objects.create(account=world.acme, status="running")
    url = f"{AUTH_PAGE}runs/{run.pk}/"
    polling = alice.get(url, headers=HTMX)
    assert f'hx-get="{url}"' in text(polling) and "HX-Trigger" not in polling
    AuthRun.objects.filter(pk=run.pk).update(status="done", finished_at=timezone.now())
    done = alice.get(url, headers=HTMX)
    assert 'hx-trigger="every 1s"' not in text(done) and json.loads(done["HX-Trigger"]) == {"authChecked": {}}
    other = AuthRun.objects.create(account=world.globex, status="running")
    assert alice.get(f"{AUTH_PAGE}runs/{other.pk}/", headers=HTMX).status_code == 404


def test_admin_saves_dkim_selectors_without_duplicates(alice, world):
    target = from_domain(world.acme)
    response = alice.post(f"{AUTH_PAGE}domains/{target.pk}/selectors/", {"selectors": "s1, s2 s2"}, follow=True)
    target.refresh_from_db()
    assert target.dkim_selectors == "s1 s2"
    assert messages_of(response) == [f"DKIM selectors saved for {DOMAIN}."]
    assert 'value="s1 s2"' in text(response)


def test_a_bad_selector_is_refused_and_nothing_is_stored(alice, world):
    target = from_domain(world.acme, "s1")
    response = alice.post(f"{AUTH_PAGE}domains/{target.pk}/selectors/", {"selectors": "s2 bad/sel"}, follow=True)
    target.refresh_from_db()
    assert target.dkim_selectors == "s1"
    assert messages_of(response) == ["Not a DKIM selector: bad/sel"]


@pytest.mark.parametrize("who", ["arthur", "sam", "bob"])
def test_only_admins_change_selectors(client, world, who):
    target = from_domain(world.acme, "s1")
    client.force_login(getattr(world, who))
    response = client.post(f"{AUTH_PAGE}domains/{target.pk}/selectors/", {"selectors": "evil"})
    assert response.status_code == 404
    target.refresh_from_db()
    assert target.dkim_selectors == "s1"


# --- Stored findings: the panel and query counts ---------------------------------------------------


def stored_run(account, statuses, *, subject_of=lambda i: DOMAIN) -> AuthRun:
    run = AuthRun.objects.create(account=account, status="done", finished_at=timezone.now(), resolver="127.0.0.1:53")
    kinds = ["spf", "dmarc", "mx", "alignment", "bounce", "fcrdns", "dkim"]
    rows = []
    for i, status in enumerate(statuses):
        msg = Msg("Check %(n)s is %(status)s.", {"n": i, "status": status})
        kind = kinds[i % len(kinds)]
        rows.append(
            AuthFinding(
                run=run,
                subject=f"192.0.2.{i}" if kind == "fcrdns" else subject_of(i),
                kind=kind,
                status=status,
                title=str(msg),
                fix=f"fix {i}" if status != "pass" else "",
                data={"i18n": {"title": to_json(msg), "fix": f"fix {i}" if status != "pass" else "", "detail": ""}},
            )
        )
    AuthFinding.objects.bulk_create(rows)
    return run


def test_panel_before_any_run(alice, world):
    AuthRun.objects.create(account=world.acme, status="running")  # under way: not a result yet
    assert "Not checked yet." in panel_text(alice.get(PANEL), "authentication")


def test_panel_counts_failures_worst_first(alice, world):
    stored_run(
        world.acme, ["pass", "warning", "pass", "fail", "pass", "fail", "pass"], subject_of=lambda i: f"d{i}.example"
    )
    shown = panel_text(alice.get(PANEL), "authentication")
    assert "2 failing" in shown and "1 warning" in shown and "of 7 checks" in shown, shown
    items = re.findall(r"<li>(.*?)</li>", text(alice.get(PANEL)), re.S)
    titles = [visible_text(i).split(": ", 1)[1] for i in items]
    assert sorted(titles[:2]) == ["Check 3 is fail.", "Check 5 is fail."] and titles[2:] == ["Check 1 is warning."]
    assert "All pass" not in shown


def test_panel_all_pass(alice, world):
    stored_run(world.acme, ["pass"] * 7)
    shown = panel_text(alice.get(PANEL), "authentication")
    assert "All 7 checks pass, checked 0 minutes ago." in shown, shown
    assert "failing" not in shown


def test_panel_does_not_call_unanswered_checks_passing(alice, world):
    """A run whose resolver did not answer some checks: those are unknown, not passing."""
    stored_run(world.acme, ["pass"] * 5 + ["error"] * 2)
    shown = panel_text(alice.get(PANEL), "authentication")
    assert "All 7 checks pass" not in shown, shown


def test_the_page_runs_a_fixed_number_of_queries(alice, world, django_assert_max_num_queries):
    from_domain(world.acme, "s1")
    counts = []
    for n in (5, 50):
        statuses = [("fail", "warning", "pass", "error")[i % 4] for i in range(n)]
        stored_run(world.acme, statuses, subject_of=lambda i: f"d{i % 10}.example")
        count, response = queries_of(alice, AUTH_PAGE)
        attention = part(response, r'<ul class="findings" data-testid="attention">.*?</ul>')
        assert attention.count("Fix: fix ") == sum(1 for s in statuses if s != "pass")
        assert f"Check {n - 1} is " in visible_text(response)
        counts.append(count)
        with django_assert_max_num_queries(counts[0]):
            alice.get(AUTH_PAGE)
    assert counts[0] == counts[1], counts
