"""Aggregate reports shaped like the ones Google, Microsoft (Outlook.com) and Yahoo send: their element
order, namespaces, identifiers and file naming (``org!domain!begin!end.zip`` / ``.xml.gz``), for Acme's
``acme.example`` on 20 November 2026 (UTC). Sources: 192.0.2.10 and 192.0.2.11 are Acme's monitored
sending IPs (192.0.2.11 fails: its DKIM key is broken); 203.0.113.66 is a stranger sending as Acme;
198.51.100.25 forwards Acme's mail (SPF fails, DKIM survives)."""

import gzip
import io
import zipfile

BEGIN, END = 1795132800, 1795219199  # 2026-11-20 00:00:00 to 23:59:59 UTC
DAY = "2026-11-20"
GOOGLE_NAME = f"google.com!acme.example!{BEGIN}!{END}.zip"
MICROSOFT_NAME = f"enterprise.protection.outlook.com!acme.example!{BEGIN}!{END}.xml.gz"
YAHOO_NAME = f"yahoo.com!acme.example!{BEGIN}!{END}.xml"


def google(report_id="13311519843396745810", begin=BEGIN, end=END, header_from="acme.example") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8" ?>
<feedback>
  <report_metadata>
    <org_name>google.com</org_name>
    <email>noreply-dmarc-support@google.com</email>
    <extra_contact_info>https://support.google.com/a/answer/2466580</extra_contact_info>
    <report_id>{report_id}</report_id>
    <date_range>
      <begin>{begin}</begin>
      <end>{end}</end>
    </date_range>
  </report_metadata>
  <policy_published>
    <domain>acme.example</domain>
    <adkim>r</adkim>
    <aspf>r</aspf>
    <p>none</p>
    <sp>none</sp>
    <pct>100</pct>
    <np>none</np>
  </policy_published>
  <record>
    <row>
      <source_ip>192.0.2.10</source_ip>
      <count>9400</count>
      <policy_evaluated>
        <disposition>none</disposition>
        <dkim>pass</dkim>
        <spf>pass</spf>
      </policy_evaluated>
    </row>
    <identifiers>
      <header_from>{header_from}</header_from>
    </identifiers>
    <auth_results>
      <dkim>
        <domain>acme.example</domain>
        <result>pass</result>
        <selector>s2026</selector>
      </dkim>
      <spf>
        <domain>bounce.acme.example</domain>
        <result>pass</result>
      </spf>
    </auth_results>
  </record>
  <record>
    <row>
      <source_ip>192.0.2.11</source_ip>
      <count>40</count>
      <policy_evaluated>
        <disposition>none</disposition>
        <dkim>fail</dkim>
        <spf>fail</spf>
      </policy_evaluated>
    </row>
    <identifiers>
      <header_from>{header_from}</header_from>
    </identifiers>
    <auth_results>
      <dkim>
        <domain>acme.example</domain>
        <result>fail</result>
        <selector>s2025</selector>
      </dkim>
      <spf>
        <domain>mta.esp.example</domain>
        <result>pass</result>
      </spf>
    </auth_results>
  </record>
  <record>
    <row>
      <source_ip>203.0.113.66</source_ip>
      <count>12</count>
      <policy_evaluated>
        <disposition>none</disposition>
        <dkim>fail</dkim>
        <spf>fail</spf>
      </policy_evaluated>
    </row>
    <identifiers>
      <header_from>{header_from}</header_from>
    </identifiers>
    <auth_results>
      <spf>
        <domain>acme.example</domain>
        <result>softfail</result>
      </spf>
    </auth_results>
  </record>
</feedback>
""".encode()


def microsoft(report_id="9a3c5e1f0b7d4c2a8e6f1d3b5a7c9e0f") -> bytes:
    return f"""<?xml version="1.0"?>
<feedback xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <version>1.0</version>
  <report_metadata>
    <org_name>Enterprise Outlook</org_name>
    <email>dmarcreport@microsoft.com</email>
    <report_id>{report_id}</report_id>
    <date_range>
      <begin>{BEGIN}</begin>
      <end>{END + 1}</end>
    </date_range>
  </report_metadata>
  <policy_published>
    <domain>acme.example</domain>
    <adkim>r</adkim>
    <aspf>r</aspf>
    <p>none</p>
    <sp>none</sp>
    <pct>100</pct>
    <fo>0</fo>
  </policy_published>
  <record>
    <row>
      <source_ip>192.0.2.10</source_ip>
      <count>500</count>
      <policy_evaluated>
        <disposition>none</disposition>
        <dkim>pass</dkim>
        <spf>pass</spf>
      </policy_evaluated>
    </row>
    <identifiers>
      <envelope_to>outlook.com</envelope_to>
      <envelope_from>bounce.acme.example</envelope_from>
      <header_from>acme.example</header_from>
    </identifiers>
    <auth_results>
      <dkim>
        <domain>acme.example</domain>
        <selector>s2026</selector>
        <result>pass</result>
      </dkim>
      <spf>
        <domain>bounce.acme.example</domain>
        <scope>mfrom</scope>
        <result>pass</result>
      </spf>
    </auth_results>
  </record>
  <record>
    <row>
      <source_ip>198.51.100.25</source_ip>
      <count>7</count>
      <policy_evaluated>
        <disposition>none</disposition>
        <dkim>pass</dkim>
        <spf>fail</spf>
        <reason>
          <type>forwarded</type>
        </reason>
      </policy_evaluated>
    </row>
    <identifiers>
      <envelope_to>hotmail.com</envelope_to>
      <envelope_from>bounce.acme.example</envelope_from>
      <header_from>acme.example</header_from>
    </identifiers>
    <auth_results>
      <dkim>
        <domain>acme.example</domain>
        <selector>s2026</selector>
        <result>pass</result>
      </dkim>
      <spf>
        <domain>bounce.acme.example</domain>
        <scope>mfrom</scope>
        <result>fail</result>
      </spf>
    </auth_results>
  </record>
</feedback>
""".encode()


def yahoo(report_id="1795132800.398212") -> bytes:
    return f"""<?xml version="1.0"?>
<feedback>
  <report_metadata>
    <org_name>Yahoo</org_name>
    <email>dmarchelp@yahooinc.com</email>
    <report_id>{report_id}</report_id>
    <date_range>
      <begin>{BEGIN}</begin>
      <end>{END}</end>
    </date_range>
  </report_metadata>
  <policy_published>
    <domain>acme.example</domain>
    <adkim>r</adkim>
    <aspf>r</aspf>
    <p>none</p>
    <pct>100</pct>
  </policy_published>
  <record>
    <row>
      <source_ip>192.0.2.10</source_ip>
      <count>100</count>
      <policy_evaluated>
        <disposition>none</disposition>
        <dkim>pass</dkim>
        <spf>pass</spf>
      </policy_evaluated>
    </row>
    <identifiers>
      <header_from>acme.example</header_from>
    </identifiers>
    <auth_results>
      <dkim>
        <domain>acme.example</domain>
        <selector>s2026</selector>
        <result>pass</result>
      </dkim>
      <spf>
        <domain>bounce.acme.example</domain>
        <result>pass</result>
      </spf>
    </auth_results>
  </record>
</feedback>
""".encode()


# A report that declares entities (billion laughs): refused before anything is expanded.
HOSTILE = b"""<?xml version="1.0"?>
<!DOCTYPE feedback [
  <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
  <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
  <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
]>
<feedback><report_metadata><org_name>&d;</org_name><report_id>1</report_id></report_metadata></feedback>
"""

# A report cut off in the middle (a mail relay truncated it).
BROKEN = google()[:700]


def zipped(xml: bytes, name: str = "google.com!acme.example!1795132800!1795219199.xml") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        info = zipfile.ZipInfo(name, date_time=(2026, 11, 21, 0, 0, 0))
        archive.writestr(info, xml, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def gzipped(xml: bytes) -> bytes:
    return gzip.compress(xml, mtime=0)


def report_email(data: bytes, filename: str, content_type: str, *, to: str, sender="noreply-dmarc-support@google.com"):
    """The mail a reporter sends: a short text part and the report attached (as Google does)."""
    import base64

    body = base64.encodebytes(data).decode()
    return (
        f"From: {sender}\r\nTo: {to}\r\nSubject: Report domain: acme.example Submitter: google.com Report-ID: <1>\r\n"
        "Message-ID: <dmarc-1795132800@google.com>\r\nDate: Sat, 21 Nov 2026 03:04:05 -0800\r\n"
        'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b0"\r\n\r\n'
        "--b0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nThis is an aggregate report from google.com.\r\n"
        f'--b0\r\nContent-Type: {content_type}; name="{filename}"\r\n'
        f'Content-Disposition: attachment; filename="{filename}"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
        f"{body}\r\n--b0--\r\n"
    ).encode()
