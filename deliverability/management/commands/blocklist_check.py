"""``manage.py blocklist_check TARGET... [--zone ZONE ...] [--nameserver HOST [--port N]] [--json]``

Ad hoc checks of IPs, networks (up to /24) and domains against the catalogue's active lists (or the
zones named). With ``--json``, one object per line: target, zone, status, codes, meaning, reason.
Exit status (documented in ``--help``): 0 every answer clear, 2 something listed, 3 no list answered
conclusively, 1 a usage error. MISSION: DLV-2.
"""

import json
import sys
from argparse import RawDescriptionHelpFormatter

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.quick_exit import skip_teardown
from deliverability.blocklists.checker import check, check_health, describe, engine_settings
from deliverability.blocklists.dnsbl import Kind, Status, TargetError, expand_targets, valid_zone, zone_spec
from deliverability.engine import Engine
from deliverability.models import Blocklist

EXIT_CLEAR, EXIT_USAGE, EXIT_LISTED, EXIT_NO_ANSWER = 0, 1, 2, 3
KIND_WORDS = {Kind.IP4: "IPv4 addresses", Kind.IP6: "IPv6 addresses", Kind.DOMAIN: "domains"}

EPILOG = """exit status:
  0  every answer was clear
  1  usage error (a bad target, zone or option)
  2  at least one target is listed
  3  none listed, but some answers were not conclusive (errors, unknown answers, failed health checks):
     "clean" cannot be said of those"""


class _Parser(CommandParser):
    def error(self, message):
        if self.called_from_command_line:
            self.print_usage(sys.stderr)
            self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")
        super().error(message)


class Command(BaseCommand):
    help = "Check IP addresses and domains against DNS blocklists."
    # No system checks: they import every URLconf and view (~2.5 s of a 10,000-address run on loopback)
    # for a command that only reads the catalogue. `manage.py check` and the server still run them. MISSION: DLV-2
    requires_system_checks = []

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(
            prog_name, subcommand, epilog=EPILOG, formatter_class=RawDescriptionHelpFormatter, **kwargs
        )
        parser.__class__ = _Parser  # argparse's usage errors exit 2, which means "listed" here
        return parser

    def add_arguments(self, parser):
        parser.add_argument("targets", nargs="+", metavar="TARGET", help="IP address, network up to /24, or domain")
        parser.add_argument(
            "--zone",
            action="append",
            default=[],
            help="a catalogue zone, or any zone as ZONE or ZONE:ip4|ip6|domain (repeatable)",
        )
        parser.add_argument("--nameserver", action="append", default=[], help="resolver to ask (repeatable)")
        parser.add_argument("--port", type=int, default=None, help="port of the --nameserver resolvers")
        parser.add_argument("--json", action="store_true", help="one JSON object per line")

    def handle(self, *args, **options):
        skip_teardown()  # run by manage.py, the process ends once the output is written (core/quick_exit.py)
        if options["port"] is not None and not options["nameserver"]:
            raise CommandError("--port needs --nameserver: it is the port of the resolvers named there")
        targets = self._targets(options["targets"])
        specs = self._specs(options["zone"])
        cfg = engine_settings(options["nameserver"] or None, options["port"])
        engine = Engine(cfg)
        health = check_health(engine, specs)
        self.stderr.write(f"resolver: {describe(cfg, labelled=not options['nameserver'])}")
        if not options["zone"]:
            for bl in Blocklist.objects.needing_a_key():
                self.stderr.write(f"{bl.zone}: skipped, needs the {bl.get_key_name_display()} ({bl.name})")
        for zone, h in health.items():
            if not h.ok:
                self.stderr.write(f"{zone}: failed its health check: {h.problem}")
        self._not_applicable(targets, specs, named=bool(options["zone"]))
        statuses_seen, lines = [], []
        line = self._json_line if options["json"] else self._text_line
        for finding in check(engine, targets, specs, zone_health=health):
            statuses_seen.append(finding.result.status)
            lines.append(line(finding))
        statuses = set(statuses_seen)
        if lines:  # one write: 30,000 lines through OutputWrapper one by one cost more than the queries
            self.stdout.write("\n".join(lines))
        if Status.LISTED in statuses:
            raise SystemExit(EXIT_LISTED)
        unclear = sum(1 for status in statuses_seen if not status.conclusive)
        if unclear or not statuses_seen:
            total = len(statuses_seen)
            said = f"{unclear} of {total} answers were not conclusive" if unclear else "nothing was checked"
            self.stderr.write(f"{said}: not all clear")
            raise SystemExit(EXIT_NO_ANSWER)

    def _not_applicable(self, targets, specs, *, named: bool) -> None:
        """Say which (target, zone) pairs are not asked, rather than print nothing: every pair for zones named
        with --zone, or a target no catalogue list answers for."""
        skipped_for = {kind: [spec for spec in specs if not spec.accepts_kind(kind)] for kind in Kind}
        for target in targets:
            skipped = skipped_for[target.kind]
            if not named and len(skipped) < len(specs):
                continue
            for spec in skipped:
                wants = KIND_WORDS[spec.kind] if spec.kind != Kind.IP4 or not spec.ipv6 else "IP addresses"
                self.stderr.write(f"{target.value}: not checked on {spec.zone}, which lists {wants} only")

    @staticmethod
    def _row(finding) -> dict:
        result = finding.result
        return {
            "target": finding.target.value,
            "zone": finding.spec.zone,
            "status": result.status.value,
            "codes": list(result.codes),
            "meaning": str(result.meaning),  # the command speaks the active language
            "reason": result.reason,
        }

    def _json_line(self, finding) -> str:
        return json.dumps(self._row(finding), ensure_ascii=False)

    @staticmethod
    def _text_line(finding) -> str:
        result = finding.result
        detail = " ".join(part for part in (" ".join(result.codes), str(result.meaning), result.reason) if part)
        return f"{finding.target.value:<40} {finding.spec.zone:<32} {result.status.value:<8} {detail}"

    def _targets(self, texts):
        """Each target once: ``2001:db8::1`` and ``2001:0db8:0:0:0:0:0:1`` are one address."""
        targets = {}
        for text in texts:
            try:
                for target in expand_targets(text):
                    targets.setdefault(target, None)
            except TargetError as exc:
                raise CommandError(str(exc)) from exc
        return list(targets)

    def _specs(self, zones):
        catalogue = {bl.zone: bl for bl in Blocklist.objects.all()}
        if not zones:
            return [bl.spec() for bl in Blocklist.objects.active() if valid_zone(bl.spec().asked_zone)]
        specs = []
        for text in zones:
            zone, _sep, kind = text.partition(":")
            zone = zone.strip().strip(".").lower()
            if not valid_zone(zone):
                raise CommandError(f"{text}: not a DNS zone (like zen.spamhaus.org)")
            if zone in catalogue and not kind:
                specs.append(catalogue[zone].spec())
                continue
            try:
                specs.append(
                    zone_spec(
                        zone=zone,
                        kind=Kind(kind or "ip4"),
                        codes=[{"code": "127.0.0.2-127.0.0.255", "meaning": "listed"}],
                    )
                )
            except ValueError as exc:
                raise CommandError(f"{text}: {exc}") from exc
        return list({spec.zone: spec for spec in specs}.values())
