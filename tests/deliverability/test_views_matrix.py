"""The deliverability app's tenant matrix: every URL name routed to it, for every role.

MISSION: DLV-2. ``MATRIX`` has the shape of tests/cases/test_views.py's and covers every URL name routed to
the deliverability app; tests/portal/test_tenant_matrix.py unions it into the project-wide check. What the
pages show and do: test_views.py.
"""

import socket
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import get_resolver
from django.utils import timezone

from deliverability import services
from deliverability.models import (
    Article,
    AuthRun,
    DmarcAddress,
    DmarcReport,
    MediationRequest,
    MessageStream,
    MonitoredTarget,
    PostmasterConnection,
    SndsConnection,
    Sweep,
)
from tests.deliverability.conftest import PAGE
from tests.deliverability.dmarc import reports
from tests.deliverability.factories import DmarcRollupFactory, SweepFactory
from tests.deliverability.postmaster.factories import PostmasterConnectionFactory
from tests.deliverability.snds.factories import SndsConnectionFactory
from tests.helpers import ACME_READERS, LOGIN, ROLES, STAFF_ONLY, Row, assert_same_404, check_htmx_row, check_row, roles

# Acme's objects under fixed ids (the matrix names URLs before any object exists).
TARGET_ID, STREAM_ID, SWEEP_ID, DOMAIN_ID, AUTHRUN_ID = 910001, 910002, 910003, 910004, 910005
AUTH = "/a/acme/authentication/"
MEDIATION_ID = 910100
REFUSED_ID = 910200  # a refused DMARC report of Acme
# Changing what Acme monitors: its admin, its TAMs, a superuser; a member and a view-only agent get a 404.
ACME_MANAGERS = roles(PAGE, anonymous=LOGIN, arthur=404, sam=404, bob=404, tess=404)
# Writing and submitting a mediation request: Acme's team, its TAMs, a superuser; not a support agent.
MEDIATION_WRITERS = roles(200, anonymous=LOGIN, bob=404, tess=404, sam=404)
DMARC = "/a/acme/dmarc/"
SNDS = "/a/acme/reputation/microsoft/"


def acme_count(model):
    return lambda o: model.objects.filter(account__slug="acme").count()


MATRIX: dict[str, list[Row]] = {
    "deliverability": [
        Row("GET", lambda o: PAGE, ACME_READERS),
        Row("GET", lambda o: f"{PAGE}?show=problems", ACME_READERS),
    ],
    "deliverability-check": [
        Row(
            "POST",
            lambda o: f"{PAGE}check/",
            roles(PAGE, anonymous=LOGIN, bob=404, tess=404),
            changes=acme_count(Sweep),
        )
    ],
    "deliverability-sweep": [Row("GET", lambda o: f"{PAGE}sweeps/{SWEEP_ID}/", ACME_READERS)],
    "deliverability-history": [Row("GET", lambda o: f"{PAGE}history/", ACME_READERS)],
    "deliverability-targets": [
        Row(
            "POST",
            lambda o: f"{PAGE}targets/",
            ACME_MANAGERS,
            data=lambda o: {"targets": "192.0.2.77", "stream": "tx", "role": "from"},
            changes=acme_count(MonitoredTarget),
        )
    ],
    "deliverability-target-remove": [
        Row("POST", lambda o: f"{PAGE}targets/{TARGET_ID}/remove/", ACME_MANAGERS, changes=acme_count(MonitoredTarget))
    ],
    "deliverability-target-move": [
        Row(
            "POST",
            lambda o: f"{PAGE}targets/{TARGET_ID}/move/",
            ACME_MANAGERS,
            data=lambda o: {"stream": ""},
            changes=lambda o: MonitoredTarget.objects.get(pk=TARGET_ID).stream_id,
        )
    ],
    "deliverability-stream-remove": [
        Row("POST", lambda o: f"{PAGE}streams/{STREAM_ID}/remove/", ACME_MANAGERS, changes=acme_count(MessageStream))
    ],
    "staff-listings": [Row("GET", lambda o: "/console/listings/", STAFF_ONLY)],
    # The best-practice library (MISSION: TAM-6): every signed-in person reads; a draft only staff
    "library": [Row("GET", lambda o: "/library/", roles(200, anonymous=LOGIN))],
    "article": [
        Row("GET", lambda o: "/library/spf-dkim-dmarc/", roles(200, anonymous=LOGIN)),
        Row("GET", lambda o: "/library/draft-notes/", roles(200, anonymous=LOGIN, alice=404, arthur=404, bob=404)),
    ],
    # Tier 1 mediation (MISSION: DLV-3): any member of the account files and submits; its TAMs work it; a
    # support agent reads it but gets a 404 for the form and the submit (issue 14)
    "mediation-list": [Row("GET", lambda o: "/a/acme/mediation/", ACME_READERS)],
    "mediation-new": [
        Row("GET", lambda o: "/a/acme/mediation/new/", MEDIATION_WRITERS),
        # an incomplete form: writers see it again with its errors (no id to predict), others a 404
        Row("POST", lambda o: "/a/acme/mediation/new/", MEDIATION_WRITERS, data=lambda o: {"provider": "gmail"}),
    ],
    "mediation": [Row("GET", lambda o: f"/a/acme/mediation/{MEDIATION_ID}/", ACME_READERS)],
    "mediation-edit": [Row("GET", lambda o: f"/a/acme/mediation/{MEDIATION_ID}/edit/", MEDIATION_WRITERS)],
    "mediation-submit": [
        Row(
            "POST",
            lambda o: f"/a/acme/mediation/{MEDIATION_ID}/submit/",
            roles(f"/a/acme/mediation/{MEDIATION_ID}/", anonymous=LOGIN, bob=404, tess=404, sam=404),
            data=lambda o: {"acknowledge": "on"},
            changes=lambda o: MediationRequest.objects.get(pk=MEDIATION_ID).status,
        )
    ],
    # issue 16: the customer's team (and the TAMs) delete a draft, comment on and withdraw a request
    "mediation-delete": [
        Row(
            "POST",
            lambda o: f"/a/acme/mediation/{MEDIATION_ID}/delete/",
            roles("/a/acme/mediation/", anonymous=LOGIN, bob=404, tess=404, sam=404),
            changes=lambda o: MediationRequest.objects.filter(pk=MEDIATION_ID).count(),
        )
    ],
    "mediation-comment": [
        Row(
            "POST",
            lambda o: f"/a/acme/mediation/{MEDIATION_ID}/comment/",
            roles(f"/a/acme/mediation/{MEDIATION_ID}/", anonymous=LOGIN, bob=404, tess=404, sam=404),
            data=lambda o: {"comment": "Still bouncing."},
        )
    ],
    "mediation-withdraw": [
        Row(
            "POST",
            lambda o: f"/a/acme/mediation/{MEDIATION_ID}/withdraw/",
            roles(f"/a/acme/mediation/{MEDIATION_ID}/", anonymous=LOGIN, bob=404, tess=404, sam=404),
        )
    ],
    "staff-mediation-list": [Row("GET", lambda o: "/console/mediation/", STAFF_ONLY)],
    "staff-mediation": [
        Row(
            "GET",
            lambda o: f"/console/mediation/{MEDIATION_ID}/",
            roles(200, anonymous=LOGIN, alice=404, arthur=404, bob=404, tess=404),
        )
    ],
    # Sender authentication (MISSION: DLV-1)
    "authentication": [Row("GET", lambda o: AUTH, ACME_READERS)],
    "authentication-check": [
        Row(
            "POST",
            lambda o: f"{AUTH}check/",
            roles(AUTH, anonymous=LOGIN, bob=404, tess=404),
            changes=acme_count(AuthRun),
        )
    ],
    "authentication-run": [Row("GET", lambda o: f"{AUTH}runs/{AUTHRUN_ID}/", ACME_READERS)],
    "authentication-history": [Row("GET", lambda o: f"{AUTH}history/", ACME_READERS)],
    "authentication-past-run": [Row("GET", lambda o: f"{AUTH}history/{AUTHRUN_ID}/", ACME_READERS)],
    "authentication-selectors": [
        Row(
            "POST",
            lambda o: f"{AUTH}domains/{DOMAIN_ID}/selectors/",
            roles(AUTH, anonymous=LOGIN, arthur=404, sam=404, bob=404, tess=404),
            data=lambda o: {"selectors": "s2 s3"},
            changes=lambda o: MonitoredTarget.objects.get(pk=DOMAIN_ID).dkim_selectors,
        )
    ],
    # DMARC reports (issue 19): every reader sees them; the team and the TAMs upload; the account admin
    # and the TAMs change the report address; a support agent only reads.
    "dmarc-reports": [Row("GET", lambda o: DMARC, ACME_READERS)],
    "dmarc-domain": [Row("GET", lambda o: f"{DMARC}domains/acme.example/", ACME_READERS)],
    "dmarc-upload": [
        Row(
            "POST",
            lambda o: f"{DMARC}upload/",
            roles(DMARC, anonymous=LOGIN, bob=404, tess=404, sam=404),
            data=lambda o: {"report": SimpleUploadedFile("yahoo.xml", reports.yahoo())},
            changes=acme_count(DmarcReport),
        )
    ],
    "dmarc-rotate": [
        Row(
            "POST",
            lambda o: f"{DMARC}rotate/",
            roles(DMARC, anonymous=LOGIN, arthur=404, bob=404, tess=404, sam=404),
            changes=lambda o: DmarcAddress.objects.get(account__slug="acme").token,
        )
    ],
    # refused reports: every reader sees them with the reason; staff (TAMs and agents) count them again
    "dmarc-refused": [Row("GET", lambda o: f"{DMARC}refused/", ACME_READERS)],
    "dmarc-replay": [
        Row(
            "POST",
            lambda o: f"{DMARC}reports/{REFUSED_ID}/replay/",
            roles(f"{DMARC}refused/", anonymous=LOGIN, alice=404, arthur=404, bob=404, tess=404),
            changes=lambda o: DmarcReport.objects.get(pk=REFUSED_ID).status,
        )
    ],
    "dmarc-replay-all": [
        Row(
            "POST",
            lambda o: f"{DMARC}refused/replay/",
            roles(f"{DMARC}refused/", anonymous=LOGIN, alice=404, arthur=404, bob=404, tess=404),
            changes=lambda o: DmarcReport.objects.get(pk=REFUSED_ID).status,
        )
    ],
    # Microsoft SNDS (issue 19): every reader sees it; the account admin and the TAMs enter, test and remove
    # the key; a member and a support agent only read.
    "snds": [Row("GET", lambda o: SNDS, ACME_READERS)],
    "snds-connect": [
        Row(
            "POST",
            lambda o: f"{SNDS}key/",
            roles(200, anonymous=LOGIN, arthur=404, bob=404, tess=404, sam=404),
            data=lambda o: {"key": "matrix-key-0042"},
            changes=lambda o: SndsConnection.objects.filter(account__slug="acme", key_hint="0042").count(),
        )
    ],
    "snds-test": [
        Row(
            "POST",
            lambda o: f"{SNDS}test/",
            roles(SNDS, anonymous=LOGIN, arthur=404, bob=404, tess=404, sam=404),
            changes=lambda o: str(SndsConnection.objects.get(account__slug="acme").last_attempt_at),
        )
    ],
    "snds-remove": [
        Row(
            "POST",
            lambda o: f"{SNDS}remove/",
            roles(SNDS, anonymous=LOGIN, arthur=404, bob=404, tess=404, sam=404),
            changes=lambda o: SndsConnection.objects.filter(account__slug="acme").count(),
        )
    ],
    # Google Postmaster Tools (issue 19): every reader sees the figures; only the account admin connects (off to
    # Google: a 302 elsewhere) and disconnects; Google's redirect back without a sign-in started is a 404.
    "reputation": [Row("GET", lambda o: "/a/acme/reputation/", ACME_READERS)],
    "postmaster-connect": [
        Row("POST", lambda o: "/a/acme/reputation/postmaster/connect/", roles(404, anonymous=LOGIN, alice=302))
    ],
    "postmaster-disconnect": [
        Row(
            "POST",
            lambda o: "/a/acme/reputation/postmaster/disconnect/",
            roles(404, anonymous=LOGIN, alice="/a/acme/reputation/"),
            changes=lambda o: PostmasterConnection.objects.filter(account__slug="acme").count(),
        )
    ],
    # "Import now": the account admin and the account's TAMs queue an import (back to the page); others 404.
    "postmaster-import": [
        Row(
            "POST",
            lambda o: "/a/acme/reputation/postmaster/import/",
            roles("/a/acme/reputation/", anonymous=LOGIN, arthur=404, bob=404, tess=404, sam=404),
            changes=lambda o: str(PostmasterConnection.objects.get(account__slug="acme").import_requested_at),
        )
    ],
    "postmaster-callback": [
        Row("GET", lambda o: "/reputation/postmaster/callback/?code=c&state=s", roles(404, anonymous=LOGIN))
    ],
}
MATRIX_ROWS = [
    pytest.param(name, row, role, id=f"{name}-{row.method}-{role}")
    for name, rows in MATRIX.items()
    for row in rows
    for role in ROLES
]


@pytest.fixture
def objects(world, settings, unused_udp_port):
    # "Check now" runs the checks at once (eager Celery): against a resolver that answers nothing, quickly
    settings.AUTH_NAMESERVERS = [f"127.0.0.1:{unused_udp_port}"]
    settings.AUTH_TIMEOUT = 0.05
    MonitoredTarget.objects.create(pk=DOMAIN_ID, account=world.acme, kind="domain", value="acme.example", role="from")
    MediationRequest.objects.create(
        pk=MEDIATION_ID, account=world.acme, provider="gmail", domains=["acme.example"], bounce_text="421",
        first_seen="2026-11-20", daily_volume=1000, affected_percent=10, created_by=world.alice,
    )  # fmt: skip
    Article.objects.create(slug="draft-notes", title="Draft", body="x", category="news")
    AuthRun.objects.create(pk=AUTHRUN_ID, account=world.acme, status=AuthRun.State.DONE, finished_at=timezone.now())
    # checked ten minutes ago: "Check now" is past its cooldown
    AuthRun.objects.filter(pk=AUTHRUN_ID).update(created_at=timezone.now() - timedelta(minutes=10))
    stream = MessageStream.objects.create(pk=STREAM_ID, account=world.acme, name="tx")
    MonitoredTarget.objects.create(pk=TARGET_ID, account=world.acme, kind="ip4", value="192.0.2.10", stream=stream)
    SweepFactory(pk=SWEEP_ID, account=world.acme, finished_at=timezone.now() - timedelta(minutes=10))
    DmarcAddress.objects.create(account=world.acme)
    DmarcRollupFactory(account=world.acme, day=timezone.now().date())
    DmarcReport.objects.create(
        pk=REFUSED_ID, account=world.acme, source="upload", filename="broken.xml", raw=b"<feedback",
        sha256="0" * 64, status=DmarcReport.Status.REFUSED,
    )  # fmt: skip
    # SNDS answers nothing here (a closed port): "Test connection" records the failed attempt
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        settings.SNDS_BASE_URL = f"http://127.0.0.1:{closed.getsockname()[1]}/"
    settings.SNDS_ALLOW_NETWORKS = ["127.0.0.0/8"]
    SndsConnectionFactory(account=world.acme)
    # Postmaster Tools: Acme connected; Google (revocation) is a closed local port, answering nothing
    settings.POSTMASTER_CLIENT_ID = "portal-test"
    settings.POSTMASTER_REVOKE_URL = f"http://127.0.0.1:{unused_udp_port}/revoke"
    settings.POSTMASTER_ALLOW_NETWORKS, settings.POSTMASTER_ALLOW_HTTP = ["127.0.0.0/8"], True
    PostmasterConnectionFactory(account=world.acme, connected_by=world.alice)


def routed_to(app: str, patterns=None) -> set[str]:
    names = set()
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if hasattr(p, "url_patterns"):
            names |= routed_to(app, p.url_patterns)
        elif p.callback.__module__.startswith(f"{app}."):
            names.add(p.name)
    return names


def test_the_matrix_covers_every_deliverability_url_name():
    assert routed_to("deliverability") == set(MATRIX)


@pytest.mark.parametrize(("name", "row", "role"), MATRIX_ROWS)
def test_deliverability_matrix(client, world, objects, name, row, role):
    check_row(client, world, objects, row, role)


@pytest.mark.parametrize(("name", "row", "role"), [p for p in MATRIX_ROWS if p.values[1].method == "GET"])
def test_deliverability_matrix_with_htmx(client, world, objects, name, row, role):
    check_htmx_row(client, world, objects, row, role)


def test_another_accounts_objects_are_exactly_like_missing_ones(client, world, objects):
    services.targets_add(account=world.globex, actor=world.bob, text="203.0.113.21", stream_name="globex-tx")
    theirs = MonitoredTarget.objects.get(value="203.0.113.21")
    sweep = SweepFactory(account=world.globex)
    client.force_login(world.alice)
    assert_same_404(client, f"{PAGE}targets/{theirs.pk}/remove/", f"{PAGE}targets/999999/remove/", "post")
    assert_same_404(client, f"{PAGE}streams/{theirs.stream_id}/remove/", f"{PAGE}streams/999999/remove/", "post")
    assert_same_404(client, f"{PAGE}targets/{theirs.pk}/move/", f"{PAGE}targets/999999/move/", "post")
    assert_same_404(client, f"{PAGE}sweeps/{sweep.pk}/", f"{PAGE}sweeps/999999/")
    assert_same_404(client, "/a/globex/deliverability/", "/a/nowhere/deliverability/")
    assert MonitoredTarget.objects.filter(pk=theirs.pk, stream__name="globex-tx").exists()
    client.force_login(world.arthur)  # a member removing an existing target: like a missing one
    assert_same_404(client, f"{PAGE}targets/{TARGET_ID}/remove/", f"{PAGE}targets/999999/remove/", "post")
    for role in ("bob", "tess"):
        client.force_login(getattr(world, role))
        assert_same_404(client, f"{PAGE}sweeps/{SWEEP_ID}/", "/a/nowhere/deliverability/sweeps/1/")
        assert_same_404(client, f"{PAGE}history/", "/a/nowhere/deliverability/history/")
        assert_same_404(client, f"{PAGE}check/", "/a/nowhere/deliverability/check/", "post")
    assert Sweep.objects.filter(account=world.acme).count() == 1
    globex_run = AuthRun.objects.create(account=world.globex, status=AuthRun.State.DONE)
    client.force_login(world.alice)
    assert_same_404(client, f"{AUTH}runs/{globex_run.pk}/", f"{AUTH}runs/999999/")
    assert_same_404(client, f"{AUTH}history/{globex_run.pk}/", f"{AUTH}history/999999/")
    globex_domain = MonitoredTarget.objects.create(
        account=world.globex, kind="domain", value="globex.example", role="from"
    )
    assert_same_404(client, f"{AUTH}domains/{globex_domain.pk}/selectors/", f"{AUTH}domains/999999/selectors/", "post")


def test_another_accounts_dmarc_reports_are_like_missing_ones(client, world, objects):
    # DMARC (issue 19): another account's From domain reads like one without reports
    DmarcRollupFactory(account=world.globex, domain="globex.example", day=timezone.now().date())
    client.force_login(world.alice)
    assert_same_404(client, "/a/acme/dmarc/domains/globex.example/", "/a/acme/dmarc/domains/none.example/")
    assert_same_404(client, "/a/globex/dmarc/", "/a/nowhere/dmarc/")
    theirs = DmarcReport.objects.create(
        account=world.globex, source="upload", raw=b"x", sha256="1" * 64, status=DmarcReport.Status.REFUSED
    )
    client.force_login(world.tina)  # staff of Acme replaying Globex's report through Acme's address
    assert_same_404(
        client, f"/a/acme/dmarc/reports/{theirs.pk}/replay/", "/a/acme/dmarc/reports/999999/replay/", "post"
    )
    assert DmarcReport.objects.get(pk=theirs.pk).status == "refused"
