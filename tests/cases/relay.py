"""What an inbound-mail provider sends to our webhook: SparkPost relay batches, with HTTP basic auth."""

import base64
import json


def basic_auth(credentials: str) -> dict:
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(credentials.encode()).decode()}


def sparkpost(raw: bytes, *, b64: bool = False, msg_from="alice@acme.test", rcpt_to="support@acme.portal.test") -> str:
    """SparkPost's relay webhook batch, as anymail's SparkPostInboundWebhookView reads it."""
    return json.dumps(
        [
            {
                "msys": {
                    "relay_message": {
                        "content": {
                            "email_rfc822": base64.b64encode(raw).decode() if b64 else raw.decode("utf-8"),
                            "email_rfc822_is_base64": b64,
                            "headers": [],
                            "html": "",
                            "subject": "",
                            "text": "",
                            "to": [rcpt_to],
                        },
                        "customer_id": "1337",
                        "friendly_from": msg_from,
                        "msg_from": msg_from,
                        "protocol": "smtp",
                        "rcpt_to": rcpt_to,
                        "webhook_id": "4839201967643219",
                    }
                }
            }
        ]
    )
