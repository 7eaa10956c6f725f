"""The signature as documented: the README's snippet, run as a customer would, accepts what the portal signs
and refuses a changed body, another secret, and a timestamp over 5 minutes old (a replay)."""

import html
import re
import time
from pathlib import Path

from integrations import signing

ROOT = Path(__file__).resolve().parents[2]


def snippet(text: str):
    code = re.search(r"(import hashlib, hmac, time\n.*?return any\([^\n<]*)", text, re.S).group(1)
    namespace: dict = {}
    exec(code, namespace)  # noqa: S102 - the documentation's own code, run as the customer runs it
    return namespace["verified"]


def test_the_readme_and_the_page_snippets_verify_what_the_portal_signs():
    readme = snippet((ROOT / "README.md").read_text())
    page = snippet(html.unescape((ROOT / "integrations/templates/integrations/_verify.html").read_text()))
    body, now = b'{"id": "evt_1", "type": "test"}', int(time.time())
    header = signing.header(["whsec_new", "whsec_old"], now, body)
    for verified in (readme, page):
        assert verified(header, body, "whsec_new") and verified(header, body, "whsec_old")
        assert not verified(header, body + b" ", "whsec_new")
        assert not verified(header, body, "whsec_other")
        assert not verified(signing.header(["whsec_new"], now - 301, body), body, "whsec_new")
    assert signing.verify(header, body, "whsec_new", now=now + 300)
    assert not signing.verify(header, body, "whsec_new", now=now + 301)
