import base64, json
import pytest
from django.test import Client
from accounts.models import OutboundEmail
from cases import services
from cases.email import ingest, ids
from cases.models import Case, CaseEvent, InboundMessage
from tests.accounts.factories import ContactFactory
from tests.cases import mail_corpus as m
from tests.cases.test_views import open_case


def payload(raw: bytes, b64=False, rcpt="support@acme.portal.test"):
    content = base64.b64encode(raw).decode() if b64 else raw.decode("utf-8")
    return json.dumps([{"msys": {"relay_message": {"content": {"email_rfc822": content, "email_rfc822_is_base64": b64, "headers": [], "html": "", "subject": "", "text": "", "to": [rcpt]}, "customer_id": "1", "friendly_from": "alice@acme.test", "msg_from": "alice@acme.test", "protocol": "smtp", "rcpt_to": rcpt, "webhook_id": "1"}}}])


def test_probe(world, settings, tmp_path, client):
    settings.MEDIA_ROOT = tmp_path
    case = open_case(world)
    # contact opens a case then replies
    ContactFactory(account=world.acme, email="lukasz@acme.test")
    o = ingest.receive(m.plain(frm="lukasz@acme.test", subject="Help", message_id="<c1@acme.test>"))
    print(o, list(OutboundEmail.objects.filter(reference=o.case).values_list("kind", "to")))
    OutboundEmail.objects.all().delete()
    o2 = ingest.receive(m.plain(frm="lukasz@acme.test", subject=f"Re: [{o.case}] Help", body="More", message_id="<c2@acme.test>"))
    print(o2, list(OutboundEmail.objects.filter(reference=o.case).values_list("kind", "to")))
    # contact reopen
    c = Case.objects.get(number=o.case)
    services.case_propose_resolution(case=c, actor=world.sam, summary="done")
    services.case_record_agreement(case=c, actor=world.tina, note="phone")
    o3 = ingest.receive(m.plain(frm="lukasz@acme.test", subject=f"Re: [{o.case}] Help", body="Again", message_id="<c3@acme.test>"))
    print("reopen contact", o3)
    # assign twice
    s = ingest.receive(m.plain(frm="eve@stranger.test", message_id="<s1@x.test>"))
    msg = InboundMessage.objects.get(message_id="s1@x.test")
    client.force_login(world.tina)
    r = client.post(f"/console/inbound/{msg.pk}/assign/", {"account": "acme"})
    r = client.post(f"/console/inbound/{msg.pk}/assign/", {"account": "acme"})
    print("cases with eve", Case.objects.filter(contact_email="eve@stranger.test").count())
    # replay processed
    g = ingest.receive(m.gmail_reply())
    gm = InboundMessage.objects.get(message_id__startswith="caj8kr3p")
    before = case.events.count()
    r = client.post(f"/console/inbound/{gm.pk}/replay/")
    print("replay processed adds", case.events.count() - before)
    # webhook
    c2 = Client()
    auth = "Basic " + base64.b64encode(settings.ANYMAIL["WEBHOOK_SECRET"].encode()).decode()
    raw = m.outlook_reply(message_id="<wh1@x>", subject="webhook 1")
    r = c2.post("/anymail/sparkpost/inbound/", payload(raw), content_type="application/json", HTTP_AUTHORIZATION=auth)
    st = InboundMessage.objects.get(message_id="wh1@x")
    print("webhook", r.status_code, bytes(st.raw) == raw, st.envelope_sender, st.envelope_recipient, st.result)
    raw = m.gmail_reply(message_id="<wh2@x>", subject="x" * 120)
    r = c2.post("/anymail/sparkpost/inbound/", payload(raw), content_type="application/json", HTTP_AUTHORIZATION=auth)
    st = InboundMessage.objects.get(message_id="wh2@x"); print("webhook2 same raw", bytes(st.raw) == raw)
    c3 = Client(raise_request_exception=False)
    raw = m.polish_cp1250(message_id="<wh3@x>")
    r = c3.post("/anymail/sparkpost/inbound/", payload(raw, b64=True), content_type="application/json", HTTP_AUTHORIZATION=auth)
    print("cp1250 webhook", r.status_code, InboundMessage.objects.filter(message_id="wh3@x").exists())
    raw = m.enormous(6 * 1024 * 1024, message_id="<wh4@x>")
    r = c3.post("/anymail/sparkpost/inbound/", payload(raw), content_type="application/json", HTTP_AUTHORIZATION=auth)
    print("6MB webhook", r.status_code, InboundMessage.objects.filter(message_id="wh4@x").exists())
