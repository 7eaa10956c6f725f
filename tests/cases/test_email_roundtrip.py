"""The email channel end to end, over real SMTP on loopback.

Alice opens a case; the acknowledgement leaves through Django's SMTP backend (the outbox drained by the
eager Celery task) and reaches an aiosmtpd server that stands in for her mailbox. Her reply is built from
the bytes that arrived, the way a mail client builds one (In-Reply-To, References, "Re:", a quoted block),
sent with smtplib to a second aiosmtpd server that plays the provider's inbound MX, and piped into the
portal with ``receive()`` exactly as the MTA pipe would: it must land on the same case.

aiosmtpd handlers run in the server's own thread, so they only collect bytes; everything that touches the
database happens on the test's thread.
"""

import email
import email.policy
import smtplib
import threading
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import pytest
from aiosmtpd.controller import Controller

from accounts.models import OutboundEmail
from cases import services
from cases.email import ids
from cases.email.ingest import receive
from cases.models import Case, CaseEvent, InboundMessage
from tests.helpers import free_port


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes  # envelope.original_content: the bytes as they came over the wire

    @property
    def message(self) -> EmailMessage:
        return email.message_from_bytes(self.raw, policy=email.policy.default)


class Collect:
    """aiosmtpd handler: keep every message; never touch the database from the server's thread."""

    def __init__(self):
        self.messages: list[Received] = []
        self.arrived = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        self.arrived.set()
        return "250 Message accepted for delivery"


def _start_server(name: str):
    handler = Collect()
    for _ in range(5):  # the port picked may be taken by someone else before we bind it: pick again
        controller = Controller(handler, hostname="127.0.0.1", port=free_port(), server_hostname=name)
        try:
            controller.start()
        except (OSError, RuntimeError, TimeoutError):
            continue
        return controller, handler
    raise RuntimeError("could not start an aiosmtpd server on loopback")


@pytest.fixture
def mailbox():
    """Alice's side of the internet: where the portal's SMTP backend delivers."""
    controller, handler = _start_server("mailbox.acme.test")
    yield controller, handler
    controller.stop()


@pytest.fixture
def inbound_mx():
    """The provider's inbound MX for the support addresses; the test pipes what it receives into the portal."""
    controller, handler = _start_server("mx.portal.test")
    yield controller, handler
    controller.stop()


def _text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    return part.get_content() if part is not None else ""


def client_reply(received: EmailMessage, *, sender: str, body: str) -> EmailMessage:
    """What a mail client sends when its user presses Reply: threading headers, "Re:", the quoted original."""
    reply = EmailMessage(policy=email.policy.SMTP)
    reply["From"] = sender
    reply["To"] = received["Reply-To"] or received["From"]
    subject = str(received["Subject"]).strip()
    reply["Subject"] = subject if subject.lower().startswith("re:") else f"Re: {subject}"
    reply["Date"] = formatdate(localtime=True)
    reply["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1])
    reply["In-Reply-To"] = received["Message-ID"]
    reply["References"] = " ".join(filter(None, [str(received["References"] or ""), str(received["Message-ID"])]))
    quoted = "\n".join(f"> {line}".rstrip() for line in _text_of(received).splitlines())
    reply.set_content(f"{body}\n\nOn {received['Date']}, {received['From']} wrote:\n{quoted}\n")
    return reply


def test_acknowledgement_goes_out_over_smtp_and_the_reply_threads_back_onto_the_case(
    world, settings, mailbox, inbound_mx, django_capture_on_commit_callbacks
):
    mailbox_controller, mailbox_handler = mailbox
    mx_controller, mx_handler = inbound_mx
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = mailbox_controller.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 10

    # 1. Alice opens a case; on commit the outbox drains (eager Celery task) through the SMTP backend.
    with django_capture_on_commit_callbacks(execute=True):
        case = services.case_open(
            account=world.acme,
            actor=world.alice,
            subject="Webhook deliveries time out since Monday",
            description="Our endpoint gets 504s from your webhook relay.",
            severity=Case.Severity.NON_CRITICAL,
            category=Case.Category.BUG,
        )
    ack = case.events.get(kind=CaseEvent.Kind.ACKNOWLEDGED)
    assert not OutboundEmail.objects.exclude(status=OutboundEmail.Status.SENT).exists()
    assert mailbox_handler.arrived.wait(5), "nothing reached the SMTP server"

    to_alice = [m for m in mailbox_handler.messages if world.alice.email in m.rcpt_tos]
    assert len(to_alice) == 1, [m.message["Subject"] for m in mailbox_handler.messages]
    delivered = to_alice[0]
    received = delivered.message
    root = ids.thread_root(case.pk)

    # 2. The acknowledgement carries our signed Message-ID, the case thread and the support address.
    message_id = str(received["Message-ID"])
    assert message_id.startswith(f"<c{case.pk}.e{ack.pk}-")
    assert ids.is_ours(message_id) and ids.case_id_from(message_id) == case.pk
    assert str(received["In-Reply-To"]) == root
    assert str(received["References"]) == root
    assert str(received["Reply-To"]) == world.acme.support_email
    assert str(received["Auto-Submitted"]) == "auto-replied"
    assert str(received["X-Auto-Response-Suppress"]) == "All"
    assert f"[{case.number}]" in str(received["Subject"])
    assert delivered.mail_from == email.utils.parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    assert [str(a.addr_spec) for a in received["To"].addresses] == [world.alice.email]

    # 3. Alice answers from her mail client; the reply travels over SMTP to the inbound MX.
    reply = client_reply(received, sender=world.alice.email, body="Thanks. It started after our proxy upgrade.")
    with smtplib.SMTP("127.0.0.1", mx_controller.port, timeout=10) as smtp:
        refused = smtp.send_message(reply)
    assert refused == {}
    assert len(mx_handler.messages) == 1
    piped = mx_handler.messages[0]
    assert piped.rcpt_tos == [world.acme.support_email]

    # 4. The MTA pipes the raw bytes into the portal (on this thread: the handler never touches the database).
    cases_before = Case.objects.count()
    outcome = receive(piped.raw, envelope_sender=piped.mail_from, envelope_recipient=piped.rcpt_tos[0])

    assert outcome.result == "appended", outcome
    assert outcome.case == case.number
    assert Case.objects.count() == cases_before
    event = case.events.filter(kind=CaseEvent.Kind.REPLY).get()
    assert event.actor == world.alice
    assert event.body == "Thanks. It started after our proxy upgrade."
    quoted = event.details["quoted"]
    assert quoted.startswith("On ") and "wrote:" in quoted.splitlines()[0]
    assert "> " in quoted and "Thanks. It started" not in quoted
    stored = InboundMessage.objects.get(case=case)
    assert stored.event == event
    assert stored.status == InboundMessage.Status.PROCESSED
    assert bytes(stored.raw) == piped.raw
    assert stored.envelope_sender == world.alice.email
    assert stored.envelope_recipient == world.acme.support_email

    # The same delivery again (an MTA retry) changes nothing.
    again = receive(piped.raw, envelope_sender=piped.mail_from, envelope_recipient=piped.rcpt_tos[0])
    assert again.result == "ignored" and again.case == case.number
    assert case.events.filter(kind=CaseEvent.Kind.REPLY).count() == 1
