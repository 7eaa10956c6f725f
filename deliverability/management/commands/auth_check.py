"""``manage.py auth_check DOMAIN... [--bounce-domain D] [--dkim-selector S] [--ip IP] [--nameserver H]
[--port N] [--json]``

The sender-authentication checks of the Authentication page, ad hoc, as ``blocklist_check`` runs the
blocklists: SPF where receivers check it (the bounce domains), the From domains' own SPF, DKIM (the
selectors given, for every From domain), DMARC, alignment, MX, the bounce CNAME and reverse DNS of the IPs.
With ``--json``, one object per line: subject, kind, status, message, detail, fix, and the exact records
to publish and delete ([name, type, value]); ``files`` ([URL, content]: an MTA-STS policy to serve) and, for
SPF, ``tree`` (the DNS lookups each term costs, nested; see ``spf_tree``). Without ``--nameserver`` the
portal's resolver is asked.
Exit status: 0 nothing fails, 2 a check fails, 3 the DNS did not answer some check (and none fails),
1 a usage error. MISSION: DLV-1.
"""

import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.nameservers import parse, resolver
from deliverability.authentication import runs
from deliverability.authentication.status import FindingStatus
from deliverability.blocklists.dnsbl import Kind, TargetError, parse_target

EXIT_FAIL, EXIT_UNANSWERED = 2, 3


class Command(BaseCommand):
    help = (
        "Check sender authentication (SPF, DKIM, DMARC, alignment, MX, MTA-STS, TLS-RPT, BIMI, bounce CNAME, "
        "reverse DNS) of domains."
    )

    def add_arguments(self, parser):
        parser.add_argument("domains", nargs="+", metavar="DOMAIN", help="a From domain")
        parser.add_argument("--bounce-domain", action="append", default=[], help="bounce (return-path) domain")
        parser.add_argument("--dkim-selector", action="append", default=[], help="DKIM selector (repeatable)")
        parser.add_argument("--ip", action="append", default=[], help="sending IP: reverse DNS (repeatable)")
        parser.add_argument("--nameserver", action="append", default=[], help="resolver to ask (repeatable)")
        parser.add_argument("--port", type=int, default=None, help="the resolver's port (with --nameserver)")
        parser.add_argument("--json", action="store_true", help="one JSON object per line")

    def handle(self, *args, **options):
        if options["port"] is not None and not options["nameserver"]:
            raise CommandError("--port needs --nameserver")
        domains = [self._parse(text, domain=True) for text in options["domains"]]
        bounces = [self._parse(text, domain=True) for text in options["bounce_domain"]]
        ips = [self._parse(text, domain=False) for text in options["ip"]]
        res, described = self._resolver(options["nameserver"], options["port"])
        if not options["json"]:
            self.stderr.write(f"resolver: {described}")
        selectors = options["dkim_selector"]
        found = runs.check_all(res, from_domains=dict.fromkeys(domains, selectors), bounce_domains=bounces, ips=ips)
        for finding in found:
            self._write(finding, as_json=options["json"])
        statuses = {finding.status for finding in found}
        if FindingStatus.FAIL in statuses:
            raise SystemExit(EXIT_FAIL)
        if FindingStatus.ERROR in statuses:
            raise SystemExit(EXIT_UNANSWERED)

    def _parse(self, text: str, *, domain: bool) -> str:
        try:
            target = parse_target(text)
        except TargetError as exc:
            raise CommandError(f"{text}: {exc}") from exc
        if (target.kind == Kind.DOMAIN) != domain:
            raise CommandError(f"{text}: " + ("not a domain name" if domain else "not an IP address"))
        return target.value

    def _resolver(self, nameservers: list[str], port: int | None):
        if not nameservers:
            return runs.resolver()
        pairs = [parse(server, port or 53) for server in nameservers]
        if port is not None:
            pairs = [(host, port) for host, _port in pairs]
        described = ", ".join(f"{host}:{p}" for host, p in pairs)
        return resolver(pairs, settings.AUTH_TIMEOUT), described

    def _write(self, finding, *, as_json: bool):
        row = {
            "subject": finding.subject,
            "kind": finding.kind,
            "status": str(finding.status),
            "message": str(finding.title),  # the command speaks the active language
            "detail": str(finding.detail),
            "fix": str(finding.fix),
            "publish": finding.data.get("publish", []),
            "delete": finding.data.get("delete", []),
        }
        for key in ("files", "tree"):  # the MTA-STS policy to serve; the SPF lookup tree
            if finding.data.get(key):
                row[key] = finding.data[key]
        if as_json:
            self.stdout.write(json.dumps(row, ensure_ascii=False))
            return
        self.stdout.write(f"{row['status']:<8} {row['kind']:<10} {row['subject']:<40} {row['message']}")
        for line in row["fix"].splitlines():
            self.stdout.write(f"{'':<20}{line}")
        if row.get("tree"):
            self.stdout.write(f"{'':<20}DNS lookups: {row['tree']['lookups']} of {row['tree']['limit']}")
            self._write_terms(row["tree"]["terms"], depth=1)

    def _write_terms(self, terms: list[dict], *, depth: int):
        for term in terms:
            flags = [flag for flag in ("void", "loop", "crosses", "ignored") if term.get(flag)]
            flags += [term["error"]] if term.get("error") else []
            note = f" [{', '.join(flags)}]" if flags else ""
            self.stdout.write(f"{'':<20}{'  ' * depth}{term['term']}: {term['lookups']} (#{term['at']}){note}")
            self._write_terms(term.get("terms", []), depth=depth + 1)
