"""Parsing raw mail (cases.email.parse), loop detection (loops), our Message-IDs (ids) and fingerprints.

Pure functions, no database: real client shapes from mail_corpus, Polish charsets labelled right and
wrong, broken encoded-words, header injection, hostile HTML and bytes that are not mail at all.
"""

import re

import pytest

from cases.email import ids, loops
from cases.email.ingest import fingerprint
from cases.email.parse import parse, split_quoted
from tests.cases import mail_corpus as m

# --- what each client's reply turns into: the new text, and the quote collapsed under it ------------


@pytest.mark.parametrize(
    ("build", "text", "quote_starts"),
    [
        (
            m.gmail_reply,
            "Hi,\n\nthe bounces stopped at 11:20 but started again at 11:45.\n\nThanks,\nAlice",
            "On Tue, 24 Nov 2026 at 09:58, Acme Support <support@acme.portal.test> wrote:",
        ),
        (
            m.outlook_reply,
            "Hello,\n\nThe MTA log from this morning is attached.\n\nRegards,\nArthur",
            "From: Acme Support <support@acme.portal.test>\nSent: Tuesday, November 24, 2026 9:58 AM",
        ),
        (
            m.apple_mail,
            "Done — the DKIM selector is s2026. Screenshot of the DNS console attached.\n\nAlice",
            "> On 24 Nov 2026, at 10:02, Acme Support <support@acme.portal.test> wrote:",
        ),
        (
            m.thunderbird_flowed,
            "Dzień dobry,\n\npo zmianie rekordu SPF wiadomości do Gmaila przechodzą, ale Onet nadal \nodrzuca część "
            "poczty z kodem 550 5.7.1. Czy możecie sprawdzić reputację \nadresu 192.0.2.25?\n\nPozdrawiam\nArthur",
            "W dniu 24.11.2026 o 10:02, Acme Support pisze:",
        ),
        (
            m.iphone,
            "Still bouncing. I’m calling the Severity 1 line now.\n\nSent from my iPhone",
            "> On 24 Nov 2026, at 10:02, Acme Support <support@acme.portal.test> wrote:",
        ),
        (
            # The Gmail app wraps the attribution line before "wrote:"; both lines belong to the quote.
            m.android_gmail,
            "Restarted the MTA, no change.",
            "On Tue, 24 Nov 2026, 10:02 Acme Support, <support@acme.portal.test>\nwrote:",
        ),
    ],
    ids=["gmail", "outlook", "apple-mail", "thunderbird", "iphone", "android-gmail"],
)
def test_each_clients_reply_gives_the_new_text_and_collapses_the_quote(build, text, quote_starts):
    parsed = parse(build())
    assert parsed.text == text
    assert parsed.quoted.startswith(quote_starts)
    assert parsed.defects == []


def test_headers_of_a_gmail_reply():
    parsed = parse(
        m.gmail_reply(
            cc="Arthur <ARTHUR@acme.test>",
            in_reply_to="<C1.E7-EN-C.abc@portal.test>",
            references="<first@portal.test>\n <c1.e7-en-c.abc@portal.test>\n <third@mail.gmail.com>",
        )
    )
    assert parsed.message_id == "caj8kr3p+vq2xz=lr5wuq0m9nfh1tq@mail.gmail.com"
    assert parsed.senders == ["alice@acme.test"]
    assert parsed.sender == "alice@acme.test"
    assert parsed.recipients == ["support@acme.portal.test", "arthur@acme.test", "support@acme.portal.test"]
    assert parsed.subject == "Re: [ACME-000001] Bounces from Gmail since 9:00"
    # In-Reply-To first, then References right to left, each once.
    assert parsed.thread_ids == ["c1.e7-en-c.abc@portal.test", "third@mail.gmail.com", "first@portal.test"]


def test_apple_mails_message_id_header_spelling_and_inline_screenshot():
    parsed = parse(m.apple_mail())
    assert parsed.message_id == "8e1f6b2a-3c4d-4e5f-9a0b-1c2d3e4f5a6b@acme.test"
    [shot] = parsed.attachments
    assert (shot.name, shot.content_type) == ("Screenshot 2026-11-24 at 10.39.51.png", "image/png")
    assert shot.data.startswith(b"\x89PNG")


def test_outlook_attachments_include_winmail_dat_and_html_is_sanitised():
    parsed = parse(m.outlook_reply())
    assert [(a.name, a.content_type) for a in parsed.attachments] == [
        ("mta.log", "text/plain"),
        ("winmail.dat", "application/ms-tnef"),
    ]
    assert parsed.attachments[0].data == b"Nov 24 09:12:01 mx postfix/smtp[811]: 421 4.7.0 try later\n"
    assert "<style" not in parsed.html and "MsoNormal" not in parsed.html
    assert "The MTA log from this morning is attached." in parsed.html


def test_a_forwarded_message_is_kept_as_an_eml_attachment():
    """Forward as attachment: the message/rfc822 part is what the customer wants us to read."""
    parsed = parse(m.forwarded())
    assert parsed.text == "FYI, this is what our users get when they write to onet.pl."
    [forward] = parsed.attachments
    assert forward.name == "Undelivered Mail Returned to Sender.eml"
    assert b"550 5.7.1 Message rejected due to local policy" in forward.data


# --- Polish mail: whatever the label says, the text comes through readable ---------------------------


@pytest.mark.parametrize("build", [m.polish_cp1250, m.polish_latin2], ids=["windows-1250", "iso-8859-2"])
def test_polish_mail_in_its_declared_charset(build):
    parsed = parse(build())
    assert parsed.text == m.POLISH
    assert parsed.subject.startswith("Błąd 421 przy wysyłce")


@pytest.mark.parametrize("label", ["iso-8859-2", "iso-8859-1", "windows-1252", "utf-8", "unknown-8bit", "x-unknown"])
def test_windows_1250_text_under_a_wrong_or_unknown_label_is_repaired(label):
    assert parse(m.polish_mislabelled(label=label)).text == m.POLISH


def test_iso_8859_2_text_labelled_windows_1250_is_repaired_too():
    raw = m.polish_cp1250().replace(m.POLISH.encode("cp1250"), m.POLISH.encode("iso-8859-2"))
    assert parse(raw).text == m.POLISH


def test_a_raw_8bit_utf8_subject_is_read():
    raw = "From: alice@acme.test\nSubject: Błąd wysyłki\nMessage-ID: <u8@acme.test>\n\nTreść\n".encode()
    parsed = parse(raw)
    assert (parsed.subject, parsed.text) == ("Błąd wysyłki", "Treść")


def test_a_raw_8bit_windows_1250_subject_comes_through_readable():
    """Old webmail writes the header in windows-1250 without an encoded-word; it must not become '�'."""
    parsed = parse(m.polish_raw_header())
    assert parsed.subject == "Błąd 421 przy wysyłce"
    assert parsed.sender == "alice@acme.test"


# --- broken encoded-words, header injection, missing or doubled From -----------------------------------


@pytest.mark.parametrize(
    ("kind", "subject"),
    [
        ("bad base64", "Problem z wysyłką"),
        ("split multibyte", "Błąd"),
        ("glued to text", "Re:Błąd[ACME-000001]"),
        ("unterminated", "=?UTF-8?Q?Problem_z_wysy=C5=82k=C4"),  # kept as written: a person can read it
    ],
)
def test_broken_encoded_words_give_a_usable_subject(kind, subject):
    parsed = parse(m.broken_subject(kind))
    assert parsed.subject == subject
    assert parsed.sender == "alice@acme.test"


@pytest.mark.parametrize("kind", sorted(m.BROKEN_SUBJECTS))
def test_no_broken_encoded_word_breaks_the_rest_of_the_message(kind):
    parsed = parse(m.broken_subject(kind))
    assert parsed.text.startswith("Hi,")
    assert "\r" not in parsed.subject and "\n" not in parsed.subject


def test_a_token_in_a_glued_subject_is_still_found():
    assert ids.subject_tokens(parse(m.broken_subject("glued to text")).subject) == ["ACME-000001"]


@pytest.mark.parametrize("kind", sorted(m.CRLF_SUBJECTS))
def test_an_encoded_line_break_never_reaches_a_header_value(kind):
    parsed = parse(m.crlf_injection(kind))
    assert parsed.subject == "Invoice question Bcc: x@evil.test"
    assert "x@evil.test" not in parsed.recipients
    from_name = parse(m.crlf_injection(kind, in_from=True))
    assert "y@evil.test" not in from_name.senders + from_name.recipients
    assert from_name.senders in ([], ["alice@acme.test"])


def test_missing_from_and_two_froms_name_no_single_sender():
    assert (parse(m.without_from()).senders, parse(m.without_from()).sender) == ([], None)
    two = parse(m.two_froms())
    assert two.senders == ["alice@acme.test", "bob@globex.test"]
    assert two.sender is None


# --- bytes that are not (quite) mail --------------------------------------------------------------------

MALFORMED = {
    "empty": b"",
    "nul bytes": b"\x00" * 64,
    "garbage": m.garbage(),
    "other garbage": m.garbage(seed=7, size=20000),
    "headers only": b"From: alice@acme.test\nSubject: no body",
    "multipart without boundary": b"From: alice@acme.test\nContent-Type: multipart/mixed\n\nhello\n",
    "truncated multipart": m.with_attachments([("a.log", "text/plain", b"x" * 500)])[:-40],
    "bad base64 body": b"From: alice@acme.test\nContent-Transfer-Encoding: base64\n\n!!!not base64***\n",
    "bad quoted-printable": b"From: alice@acme.test\nContent-Transfer-Encoding: quoted-printable\n\n=ZZ=\xff=\n",
    "unknown transfer encoding": b"From: alice@acme.test\nContent-Transfer-Encoding: x-uuencode\n\nbegin 644\n",
    "header line of 100 kB": b"From: alice@acme.test\nSubject: " + b"A" * 100_000 + b"\n\nbody\n",
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_input_never_raises(name):
    parsed = parse(MALFORMED[name])
    assert isinstance(parsed.text, str)
    assert len(parsed.subject) <= 500


def test_garbage_has_no_sender_and_says_what_was_wrong():
    parsed = parse(m.garbage())
    assert parsed.senders == []
    assert parsed.defects  # shown to staff on the inbound screen


def test_html_only_mail_is_sanitised_and_read_as_text():
    parsed = parse(m.html_only())
    for dangerous in ("<script", "onerror", "onload", "onclick", "javascript:", "<iframe", "<style", "<svg"):
        assert dangerous not in parsed.html.lower()
    assert "<b>DKIM</b>" in parsed.html
    assert parsed.text == "Our DKIM check fails & mail goes to spam.\n\ndetails\n\nSelector: s2026"
    assert "document.cookie" not in parsed.text and "color: red" not in parsed.text


def test_attachment_names_are_made_safe():
    raw = m.with_attachments([("../../etc/passwd.log", "text/plain", b"root"), ("a\x00b.txt", "text/plain", b"x")])
    names = [a.name for a in parse(raw).attachments]
    assert all("/" not in n and "\x00" not in n for n in names)
    assert names[0].endswith("passwd.log")


def test_an_rfc2231_polish_filename_is_decoded():
    raw = m.with_attachments([("x.pdf", "application/pdf", b"%PDF-1.4")]).replace(
        b'filename="x.pdf"', b"filename*=utf-8''raport%20b%C5%82%C4%99d%C3%B3w.pdf"
    )
    assert [a.name for a in parse(raw).attachments] == ["raport błędów.pdf"]


# --- delivery status reports ----------------------------------------------------------------------------


@pytest.mark.parametrize("whole", [False, True], ids=["headers", "whole-message"])
def test_a_dsn_names_the_message_it_is_about(whole):
    ours = ids.message_id(42, "e7-en-c")
    parsed = parse(m.dsn_bounce(original_message_id=ours, whole_message=whole))
    assert parsed.is_report
    assert parsed.report_original_ids == [ours.strip("<>")]
    assert parsed.report_recipients == ["alice@acme.test"]
    assert parsed.report_status == "5.1.1"


def test_split_quoted_keeps_a_message_without_a_quote_whole():
    assert split_quoted("Hello\n\n> not a quote at the end, a line in the middle\nbye") == (
        "Hello\n\n> not a quote at the end, a line in the middle\nbye",
        "",
    )


# --- machine-made mail (RFC 3834) -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        ("Auto-Submitted: auto-generated\n", "Auto-Submitted: auto-generated"),
        ("Auto-Submitted: auto-replied; owner-email=x@acme.test\n", "Auto-Submitted: auto-replied"),
        ("Precedence: bulk\n", "Precedence: bulk"),
        ("Precedence: junk\n", "Precedence: junk"),
        ("Precedence: LIST\n", "Precedence: list"),
        ("X-Autoreply: yes\n", "x-autoreply header"),
        ("X-Autorespond: Out of office\n", "x-autorespond header"),
        ("X-Failed-Recipients: alice@acme.test\n", "x-failed-recipients header"),
        ("Return-Path: <>\n", "null Return-Path"),
    ],
)
def test_automatic_messages_are_recognised(extra, reason):
    assert reason in [str(r) for r in loops.automatic_reasons(parse(m.plain(extra=extra)), None)]


@pytest.mark.parametrize("envelope", ["", "<>"])
def test_the_null_envelope_sender_is_automatic(envelope):
    assert [str(r) for r in loops.automatic_reasons(parse(m.plain()), envelope)] == ["null envelope sender"]


@pytest.mark.parametrize("extra", ["", "Auto-Submitted: no\n", "Precedence: first-class\n"])
def test_a_person_writing_is_not_automatic(extra):
    assert loops.automatic_reasons(parse(m.plain(extra=extra)), "alice@acme.test") == []


def test_vacation_and_out_of_office_replies_are_auto_replies_and_a_dsn_is_a_report():
    assert loops.is_auto_reply(parse(m.outlook_oof()))
    assert loops.is_auto_reply(parse(m.gmail_vacation()))
    assert not loops.is_auto_reply(parse(m.plain(extra="Precedence: bulk\n")))
    assert "delivery status report" in [str(r) for r in loops.automatic_reasons(parse(m.dsn_bounce()), "")]


# --- our signed Message-IDs and the subject token -------------------------------------------------------


def test_our_message_id_names_its_case_and_cannot_be_forged(settings):
    mid = ids.message_id(42, "e1077-pl-c")
    assert mid.startswith("<c42.e1077-pl-c.") and mid.endswith(f"@{settings.CASE_MAIL_DOMAIN}>")
    assert ids.case_id_from(mid) == 42
    assert ids.case_id_from(mid.strip("<>").upper()) == 42  # a relay that changes case changes nothing
    assert ids.case_id_from(ids.thread_root(7)) == 7
    assert ids.case_id_from(mid.replace("<c42.", "<c43.")) is None  # another case under the same signature
    assert ids.case_id_from(re.sub(r"\.[0-9a-f]{20}@", "." + "0" * 20 + "@", mid)) is None
    assert ids.case_id_from(mid.replace(settings.CASE_MAIL_DOMAIN, "evil.test")) is None
    assert ids.case_id_from("<CAJ8kR3p@mail.gmail.com>") is None


def test_a_message_id_signed_with_another_secret_is_not_ours(settings):
    mid = ids.message_id(42, "root")
    settings.SECRET_KEY = "another-" + settings.SECRET_KEY
    assert ids.case_id_from(mid) is None
    assert ids.is_ours(mid)  # still our domain: a loop, not a reply


def test_subject_tokens():
    assert ids.subject_tokens("Re: [acme-000042] and [GLOBEX-000001]") == ["ACME-000042", "GLOBEX-000001"]
    assert ids.subject_tokens("ACME-000042 without brackets") == []


# --- fingerprints: the same message delivered twice ---------------------------------------------------


def test_the_fingerprint_ignores_headers_a_relay_adds_but_not_the_content():
    raw = m.gmail_reply()
    relayed = b"Received: from relay.acme.test by mx.portal.test; Tue, 24 Nov 2026 10:14:05 +0100\n" + raw
    assert fingerprint(relayed) == fingerprint(raw)
    assert fingerprint(m.gmail_reply(body="Something else.")) != fingerprint(raw)
    assert fingerprint(m.gmail_reply(message_id="<other@mail.gmail.com>")) != fingerprint(raw)
