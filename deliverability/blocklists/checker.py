"""Check targets against lists: health probes, A queries, TXT reasons, decoding. No ORM here.

MISSION: DLV-2. Used by the sweep tasks, ``manage.py blocklist_check`` and ``bench/blocklists.py``.
"""

from collections.abc import Callable, Iterator, Sequence
from typing import NamedTuple

import dns.rdatatype
from django.conf import settings

from core.nameservers import parse as parse_nameserver
from deliverability.blocklists.dnsbl import (
    Answer,
    Kind,
    Result,
    Status,
    Target,
    ZoneSpec,
    decode,
    reversed_name,
)
from deliverability.blocklists.probes import Health, health, probe_names
from deliverability.engine import Engine, Settings, encode_name, system_nameservers


def engine_settings(nameservers: Sequence[str] | None = None, port: int | None = None) -> Settings:
    """The engine configured from settings; ``nameservers``/``port`` override them (the command's flags)."""
    port = port or settings.BLOCKLIST_PORT
    servers = list(nameservers or settings.BLOCKLIST_NAMESERVERS or system_nameservers())
    return Settings(
        nameservers=tuple(parse_nameserver(server, port) for server in servers),
        window=settings.BLOCKLIST_WINDOW,
        per_zone=settings.BLOCKLIST_PER_ZONE,
        timeout=settings.BLOCKLIST_TIMEOUT,
        retries=settings.BLOCKLIST_RETRIES,
    )


def describe(engine_cfg: Settings, *, labelled: bool = True) -> str:
    """Which resolver answered, for the page: "127.0.0.1:5353 (local rbldnsd, demo zones)". The label
    describes the configured resolver: ``labelled=False`` for one given on the command line."""
    text = ", ".join(f"{host}:{port}" for host, port in engine_cfg.nameservers)
    label = settings.BLOCKLIST_RESOLVER_LABEL if labelled else ""
    return f"{text} ({label})" if label else text


def check_health(engine: Engine, specs: Sequence[ZoneSpec]) -> dict[str, Health]:
    """RFC 5782 s.5 for every zone, in one engine run (two queries per zone)."""
    names, zones = [], []
    for spec in specs:
        names.extend(probe_names(spec))
        zones.extend([spec.zone, spec.zone])
    answers = engine.resolve(names, zones)
    return {spec.zone: health(spec, answers[2 * i], answers[2 * i + 1]) for i, spec in enumerate(specs)}


class Finding(NamedTuple):  # one per (target, list): a tuple is made in a third of a frozen dataclass's time
    target: Target
    spec: ZoneSpec
    result: Result


def check(
    engine: Engine,
    targets: Sequence[Target],
    specs: Sequence[ZoneSpec],
    *,
    zone_health: dict[str, Health] | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> Iterator[Finding]:
    """Every applicable (target, list) pair once. A zone that failed its health check is not asked:
    its pairs are ``unknown`` with the problem as their meaning."""
    if zone_health is None:
        zone_health = check_health(engine, specs)
    pairs, names, zones = [], [], []
    reversed_wire: dict[tuple[Target, bool], bytes] = {}  # a target's labels, encoded once for every list
    for spec in specs:
        problem = zone_health.get(spec.zone)
        zone_wire = encode_name(spec.asked_zone)
        accepts = {kind: spec.accepts_kind(kind) for kind in Kind}  # asked once per kind, not per target
        for target in targets:
            if not accepts[target.kind]:
                continue
            if problem is not None and not problem.ok:
                yield Finding(target, spec, Result(Status.UNKNOWN, meaning=problem.problem))
                continue
            pairs.append((target, spec))
            key = (target, spec.registered_domain)
            labels = reversed_wire.get(key)
            if labels is None:
                labels = reversed_wire[key] = encode_name(reversed_name(target, registered=key[1]))[:-1]
            names.append(labels + zone_wire)  # the wire form of query_name(target, spec)
            zones.append(spec.zone)
    results: list[Result | None] = [None] * len(pairs)
    followed: list[int] = []  # the listings whose TXT reason the A run asked, in the order it asked

    def reason_of_listing(i: int, answer: Answer) -> int | None:
        """Decoded as the answer comes: a listing's reason is asked in the same run (a second run, after
        the first, started slow again and waited out its own retransmission tail). MISSION: DLV-2"""
        result = results[i] = decode(pairs[i][1], answer)
        if result.status != Status.LISTED:
            return None
        followed.append(i)
        return dns.rdatatype.TXT

    answers = engine.resolve(names, zones, on_progress=on_progress, then=reason_of_listing)
    for i, answer in zip(followed, answers[len(pairs) :], strict=True):
        results[i] = results[i].with_reason(reason_text(answer))
    late = []  # answers truncated over UDP, which TCP brought after the run: their reasons are asked now
    for i, result in enumerate(results):
        if result is None:
            result = results[i] = decode(pairs[i][1], answers[i])
            if result.status == Status.LISTED:
                late.append(i)
    if late:
        texts = engine.resolve([names[i] for i in late], [zones[i] for i in late], rdtype=dns.rdatatype.TXT)
        for i, answer in zip(late, texts, strict=True):
            results[i] = results[i].with_reason(reason_text(answer))
    for (target, spec), result in zip(pairs, results, strict=True):
        yield Finding(target, spec, result)


def reason_text(answer: Answer) -> str:
    return " ".join(answer.texts).strip() if not answer.failure else ""
