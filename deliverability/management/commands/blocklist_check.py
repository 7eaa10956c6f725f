"""``manage.py blocklist_check TARGET... [--zone ZONE ...] [--nameserver HOST] [--port N] [--json]``

Ad hoc checks of IPs, networks (up to /24) and domains against the catalogue's active lists (or the
zones named). With ``--json``, one object per line: target, zone, status, codes, meaning, reason.
MISSION: DLV-2.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from deliverability.blocklists.checker import check, check_health, describe, engine_settings
from deliverability.blocklists.dnsbl import Kind, TargetError, expand_targets, zone_spec
from deliverability.engine import Engine
from deliverability.models import Blocklist

EXIT_LISTED = 2


class Command(BaseCommand):
    help = "Check IP addresses and domains against DNS blocklists."

    def add_arguments(self, parser):
        parser.add_argument("targets", nargs="+", metavar="TARGET", help="IP address, network up to /24, or domain")
        parser.add_argument(
            "--zone",
            action="append",
            default=[],
            help="a catalogue zone, or any zone as ZONE or ZONE:ip4|ip6|domain (repeatable)",
        )
        parser.add_argument("--nameserver", action="append", default=[], help="resolver to ask (repeatable)")
        parser.add_argument("--port", type=int, default=None)
        parser.add_argument("--json", action="store_true", help="one JSON object per line")

    def handle(self, *args, **options):
        targets = []
        for text in options["targets"]:
            try:
                targets.extend(expand_targets(text))
            except TargetError as exc:
                raise CommandError(str(exc)) from exc
        specs = self._specs(options["zone"])
        cfg = engine_settings(options["nameserver"] or None, options["port"])
        engine = Engine(cfg)
        health = check_health(engine, specs)
        if not options["json"]:
            self.stderr.write(f"resolver: {describe(cfg)}")
            for zone, h in health.items():
                if not h.ok:
                    self.stderr.write(f"{zone}: failed its health check: {h.problem}")
        listed = False
        for finding in check(engine, targets, specs, zone_health=health):
            result = finding.result
            listed = listed or result.status == "listed"
            row = {
                "target": finding.target.value,
                "zone": finding.spec.zone,
                "status": result.status.value,
                "codes": list(result.codes),
                "meaning": str(result.meaning),  # the command speaks the active language
                "reason": result.reason,
            }
            if options["json"]:
                self.stdout.write(json.dumps(row, ensure_ascii=False))
            else:
                detail = " ".join(part for part in (" ".join(row["codes"]), row["meaning"], row["reason"]) if part)
                self.stdout.write(f"{row['target']:<40} {row['zone']:<32} {row['status']:<8} {detail}")
        if listed:
            raise SystemExit(EXIT_LISTED)

    def _specs(self, zones):
        catalogue = {bl.zone: bl for bl in Blocklist.objects.all()}
        if not zones:
            return [bl.spec() for bl in Blocklist.objects.active()]
        specs = []
        for text in zones:
            zone, _sep, kind = text.partition(":")
            zone = zone.strip().strip(".").lower()
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
        return specs
