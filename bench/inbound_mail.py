"""The 5,000 varied messages of ``bench/inbound.py``: the mix, what each kind must come out as, and the
generator that writes them as raw bytes from a fixed seed (Gmail-, Outlook- and Polish-client-shaped mail,
auto-replies, DSNs, strangers, attachments)."""

import random
from dataclasses import dataclass

# (kind, share of the messages). What each kind should come out as is in EXPECTED.
MIX = [
    ("new_known", 0.17),
    ("new_critical", 0.02),
    ("new_shared_contact", 0.02),
    ("reply_message_id", 0.20),
    ("reply_references", 0.05),
    ("reply_subject_token", 0.08),
    ("auto_reply", 0.07),
    ("dsn_bounce", 0.06),
    ("unknown_sender", 0.07),
    ("stranger_with_token", 0.02),
    ("own_loop", 0.01),
    ("polish_cp1250", 0.08),
    ("html_only", 0.06),
    ("attachment_20k", 0.065),
    ("attachment_1m", 0.002),
    ("duplicate", 0.013),
    ("contact_with_login", 0.01),
]
EXPECTED = {
    "new_known": {"created"},
    "new_critical": {"created"},
    "new_shared_contact": {"created"},
    "reply_message_id": {"appended"},
    "reply_references": {"appended"},
    "reply_subject_token": {"appended"},
    "auto_reply": {"appended"},  # issue 15: on the case it answers, kept for staff (no reopening, no answer)
    "dsn_bounce": {"ignored"},
    "unknown_sender": {"quarantined"},
    "stranger_with_token": {"quarantined"},
    "own_loop": {"ignored"},
    "polish_cp1250": {"created", "appended"},
    "html_only": {"created"},
    "attachment_20k": {"created", "appended"},
    "attachment_1m": {"created", "appended"},
    "duplicate": {"ignored"},
    "contact_with_login": {"created", "appended"},
}

WORDS = (
    "bounce deferral DKIM SPF DMARC webhook API timeout SMTP injection throttling blocklist warm-up "
    "suppression template tracking unsubscribe latency TLS certificate IP pool quota 421 550 Gmail Outlook"
).split()
POLISH = [
    "Dzień dobry, od wczoraj wiadomości do Onetu i WP wracają z błędem 550.",
    "Proszę o pilną pomoc: kampania świąteczna utknęła w kolejce, żadna wiadomość nie wychodzi.",
    "Zażółć gęślą jaźń — nagłówki DKIM są źle podpisane po zmianie klucza.",
    "Czy możecie sprawdzić, dlaczego odbiorcy z domeny interia.pl zgłaszają opóźnienia?",
]


@dataclass
class World:
    acme: object
    globex: object
    senders: dict  # account slug -> addresses that may write (members and contacts)
    shared: str  # a contact of both accounts
    cases: dict  # account slug -> [(pk, number, subject)]


class Generator:
    def __init__(self, world: World, seed: int = 2026):
        self.world = world
        self.rng = random.Random(seed)
        self.n = 0
        self.made: list[tuple[str, bytes, str | None, str]] = []
        self.ack_event = 0

    # helpers
    def _mid(self, domain: str) -> str:
        self.n += 1
        return f"<bench-{self.n}.{self.rng.getrandbits(40):x}@{domain}>"

    def _subject(self) -> str:
        return " ".join(self.rng.sample(WORDS, self.rng.randint(3, 6))).capitalize()

    def _account(self) -> str:
        return "acme" if self.rng.random() < 0.65 else "globex"

    def _support(self, slug: str) -> str:
        return getattr(self.world, slug).support_email

    def _sender(self, slug: str) -> str:
        return self.rng.choice(self.world.senders[slug])

    def _case(self, slug: str):
        return self.rng.choice(self.world.cases[slug])

    def _our_id(self, case_pk: int) -> str:
        from cases.email import ids

        self.ack_event += 1
        return ids.message_id(case_pk, f"e{self.ack_event}-{self.rng.choice(['en', 'pl'])}-c")

    def _text(self) -> str:
        lines = [
            f"Since {self.rng.randint(1, 28)} Nov we see {self.rng.choice(WORDS)} problems on "
            f"{self.rng.randint(2, 40)}% of our traffic to {self.rng.choice(['Gmail', 'Outlook', 'Yahoo', 'WP'])}."
            for _ in range(self.rng.randint(1, 6))
        ]
        return "Hello,\n\n" + "\n".join(lines) + "\n\nRegards\n"

    def _quote(self, number: str, subject: str) -> str:
        return (
            f"\nOn Mon, 23 Nov 2026 at 10:{self.rng.randint(10, 59)}, Email Enterprise Support "
            f"<support@portal.test> wrote:\n> {number} · Non-critical · In progress\n>\n> {subject}\n"
            "> Reply to this email to add to the case.\n"
        )

    def _message(self, *, sender, to, subject, body, message_id=None, extra=(), subtype="plain"):
        from email.message import EmailMessage
        from email.policy import SMTP
        from email.utils import formatdate

        msg = EmailMessage(policy=SMTP)
        msg["From"] = sender
        msg["To"] = to
        msg["Subject"] = subject
        msg["Date"] = formatdate(localtime=True)
        msg["Message-ID"] = message_id or self._mid(sender.rsplit("@", 1)[-1].strip(">"))
        for name, value in extra:
            msg[name] = value
        msg.set_content(body, subtype=subtype)
        return msg

    # kinds: each returns (raw, envelope_sender, envelope_recipient)
    def new_known(self):
        slug = self._account()
        sender, to = self._sender(slug), self._support(slug)
        return self._message(sender=sender, to=to, subject=self._subject(), body=self._text()), sender, to

    def new_critical(self):
        slug = self._account()
        # Not Bob: he is known to both accounts, and the critical address does not say which one he means.
        sender = self.rng.choice([a for a in self.world.senders[slug] if a != "bob@globex.test"])
        to = "critical@portal.test"
        subject = "URGENT: " + self._subject()
        return self._message(sender=sender, to=to, subject=subject, body=self._text()), sender, to

    def new_shared_contact(self):
        slug = self._account()  # known to both accounts: the support address it was written to decides
        sender, to = self.world.shared, self._support(slug)
        return self._message(sender=sender, to=to, subject=self._subject(), body=self._text()), sender, to

    def reply_message_id(self):
        slug = self._account()
        pk, number, subject = self._case(slug)
        ours = self._our_id(pk)
        sender, to = self._sender(slug), self._support(slug)
        extra = [("In-Reply-To", ours), ("References", f"{self._our_id(pk)} {ours}")]
        body = self._text() + self._quote(number, subject)
        return (
            self._message(sender=sender, to=to, subject=f"Re: [{number}] {subject}", body=body, extra=extra),
            sender,
            to,
        )

    def reply_references(self):
        """A client that drops In-Reply-To and appends foreign IDs: only References, read right to left."""
        slug = self._account()
        pk, number, subject = self._case(slug)
        sender, to = self._sender(slug), self._support(slug)
        refs = f"{self._our_id(pk)} {self._mid('acme.test')} {self._mid('mail.example.net')}"
        body = self._text() + self._quote(number, subject)
        return (
            self._message(sender=sender, to=to, subject=f"AW: {subject}", body=body, extra=[("References", refs)]),
            sender,
            to,
        )

    def reply_subject_token(self):
        slug = self._account()
        _pk, number, subject = self._case(slug)
        sender, to = self._sender(slug), self._support(slug)
        body = self._text() + self._quote(number, subject)
        return self._message(sender=sender, to=to, subject=f"RE: [{number}] {subject}", body=body), sender, to

    def auto_reply(self):
        slug = self._account()
        pk, number, subject = self._case(slug)
        sender, to = self._sender(slug), "support@portal.test"
        extra = [("In-Reply-To", self._our_id(pk)), ("Auto-Submitted", "auto-replied")]
        if self.rng.random() < 0.3:
            extra.append(("X-Autoreply", "yes"))
        body = "I am out of the office until Monday with limited access to email.\n"
        return (
            self._message(
                sender=sender, to=to, subject=f"Automatic reply: [{number}] {subject}", body=body, extra=extra
            ),
            sender,
            to,
        )

    def dsn_bounce(self):
        """A delivery status report about one of our notifications, from the recipient's MTA (null sender)."""
        slug = self._account()
        pk, _number, _subject = self._case(slug)
        ours = self._our_id(pk) if self.rng.random() < 0.8 else self._mid("elsewhere.example")
        boundary = f"=_bounce_{self.n}_{self.rng.getrandbits(32):x}"
        gone = f"left{self.rng.randint(1, 999)}@{slug}.test"
        raw = (
            "From: Mail Delivery System <MAILER-DAEMON@mx.customer.test>\r\n"
            "To: support@portal.test\r\n"
            "Subject: Undelivered Mail Returned to Sender\r\n"
            f"Date: Mon, 23 Nov 2026 10:00:00 +0100\r\nMessage-ID: {self._mid('mx.customer.test')}\r\n"
            "Auto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n"
            f'Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"\r\n\r\n'
            f"--{boundary}\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
            "This is the mail system at host mx.customer.test. Your message could not be delivered.\r\n\r\n"
            f"--{boundary}\r\nContent-Type: message/delivery-status\r\n\r\n"
            "Reporting-MTA: dns; mx.customer.test\r\n\r\n"
            f"Final-Recipient: rfc822; {gone}\r\nOriginal-Recipient: rfc822;{gone}\r\n"
            "Action: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 user unknown\r\n\r\n"
            f"--{boundary}\r\nContent-Type: text/rfc822-headers\r\n\r\n"
            "From: Email Enterprise Support <support@portal.test>\r\n"
            f"To: {gone}\r\nSubject: Your case\r\nMessage-ID: {ours}\r\n\r\n"
            f"--{boundary}--\r\n"
        ).encode()
        return raw, "", "support@portal.test"

    def unknown_sender(self):
        slug = self._account()
        sender = f"someone{self.rng.randint(1, 10_000)}@stranger{self.rng.randint(1, 50)}.example"
        to = self._support(slug)
        return self._message(sender=sender, to=to, subject=self._subject(), body=self._text()), sender, to

    def stranger_with_token(self):
        """Someone outside the account quotes a case token (and Cc's themselves): never reaches the case."""
        slug = self._account()
        _pk, number, subject = self._case(slug)
        sender, to = f"curious{self.rng.randint(1, 99)}@competitor.example", self._support(slug)
        extra = [("Cc", sender)]
        msg = self._message(sender=sender, to=to, subject=f"Re: [{number}] {subject}", body=self._text(), extra=extra)
        return msg, sender, to

    def own_loop(self):
        slug = self._account()
        pk, number, subject = self._case(slug)
        to = self._sender(slug)
        sender = "Email Enterprise Support <support@portal.test>"
        msg = self._message(
            sender=sender,
            to=self._support(slug),
            subject=f"[{number}] {subject} — Reply",
            body="Looped notification.\n",
            message_id=self._our_id(pk),
        )
        return msg, "support@portal.test", to

    def polish_cp1250(self):
        """8-bit windows-1250 text and an encoded-word subject, as Polish Outlook installations send it."""
        from email.header import Header

        slug = self._account()
        sender, to = self._sender(slug), self._support(slug)
        headers = [f"From: {sender}", f"To: {to}"]
        body = "\r\n".join(self.rng.sample(POLISH, 2)) + "\r\n\r\nPozdrawiam\r\nZespół IT\r\n"
        if self.rng.random() < 0.5:
            pk, number, subject = self._case(slug)
            subject = f"Odp: [{number}] {subject} — pilne"
            headers += [f"In-Reply-To: {self._our_id(pk)}"]
            body += f"\r\nW dniu 23.11.2026 o 10:15, Email Enterprise Support napisał:\r\n> {number}\r\n"
        else:
            subject = "Problem z doręczaniem wiadomości — błąd 550"
        headers += [
            "Subject: " + Header(subject, "windows-1250").encode(),
            "Date: Mon, 23 Nov 2026 10:20:00 +0100",
            f"Message-ID: {self._mid(sender.rsplit('@', 1)[-1])}",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=windows-1250",
            "Content-Transfer-Encoding: 8bit",
        ]
        raw = "\r\n".join(headers).encode("ascii") + b"\r\n\r\n" + body.encode("cp1250")
        return raw, sender, to

    def html_only(self):
        slug = self._account()
        sender, to = self._sender(slug), self._support(slug)
        rows = "".join(
            f"<tr><td>{self.rng.choice(WORDS)}</td><td>{self.rng.randint(1, 999)}</td></tr>" for _ in range(8)
        )
        html = (
            f"<html><body><p>Hello,</p><p>We see <b>{self.rng.choice(WORDS)}</b> errors.</p>"
            f"<table>{rows}</table><script>alert(1)</script><img src=x onerror=alert(2)>"
            "<p>Regards<br>Ops</p></body></html>"
        )
        return self._message(sender=sender, to=to, subject=self._subject(), body=html, subtype="html"), sender, to

    def _with_attachment(self, size: int, name: str):
        slug = self._account()
        sender, to = self._sender(slug), self._support(slug)
        extra = []
        subject = self._subject()
        if self.rng.random() < 0.5:
            pk, number, case_subject = self._case(slug)
            extra = [("In-Reply-To", self._our_id(pk))]
            subject = f"Re: [{number}] {case_subject}"
        msg = self._message(sender=sender, to=to, subject=subject, body=self._text() + "Logs attached.\n", extra=extra)
        if name.endswith(".log"):
            line = b"2026-11-23T10:00:00Z smtp[123]: 4.7.0 deferred: throttled by remote host\n"
            data = (line * (size // len(line) + 1))[:size]
            msg.add_attachment(data, maintype="text", subtype="plain", filename=name)
        else:
            msg.add_attachment(self.rng.randbytes(size), maintype="application", subtype="zip", filename=name)
        return msg, sender, to

    def attachment_20k(self):
        size = self.rng.randint(15_000, 25_000)
        name = self.rng.choice([f"mail-{self.n}.log", f"trace-{self.n}.zip"])
        return self._with_attachment(size, name)

    def attachment_1m(self):
        return self._with_attachment(1_000_000, f"maillog-{self.n}.zip")

    def duplicate(self):
        """The MTA delivers a message a second time (a retry after a lost answer): same bytes."""
        if not self.made:
            return self.new_known()
        _kind, raw, sender, to = self.rng.choice(self.made[-200:])
        return raw, sender, to

    def contact_with_login(self):
        """Bob (a Globex member) writes to Acme, where he is a contact: a new case, or a reply to an Acme case."""
        sender, to = "bob@globex.test", self._support("acme")
        if self.rng.random() < 0.5:
            return self._message(sender=sender, to=to, subject=self._subject(), body=self._text()), sender, to
        _pk, number, subject = self._case("acme")
        body = self._text() + self._quote(number, subject)
        return self._message(sender=sender, to=to, subject=f"Re: [{number}] {subject}", body=body), sender, to

    def generate(self, count: int) -> list[tuple[str, bytes, str | None, str]]:
        kinds = [k for k, _ in MIX]
        weights = [w for _, w in MIX]
        for _ in range(count):
            kind = self.rng.choices(kinds, weights)[0]
            raw, sender, to = getattr(self, kind)()
            if not isinstance(raw, bytes):
                raw = raw.as_bytes()
            self.made.append((kind, raw, sender, to))
        return self.made


# -- the run --------------------------------------------------------------------------------------------------
