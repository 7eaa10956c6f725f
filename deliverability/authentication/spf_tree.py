"""The SPF lookup tree: which term of a record costs how many DNS lookups, nested (MISSION: DLV-1,
RFC 7208 4.6.4). No ORM here.

A receiver evaluating SPF may make at most 10 DNS-querying lookups in all: each ``include:``, ``a``,
``mx``, ``ptr``, ``exists:`` and ``redirect=`` costs one, and an include or a redirect adds every lookup of
the record it points at. At most 2 of them may find nothing (void lookups). ``redirect=`` beside an
``all`` is ignored (6.1) and costs nothing. A term that points back at a record being evaluated is a loop.

``lookup_tree(domain, resolver)`` walks the record as a receiver would and returns plain dicts (stored in
a finding's data, printed by ``auth_check --json``): for the record ``domain``, ``record``, ``lookups``
(its total), ``void_lookups``, ``crossed`` (the term that made the 11th lookup, or ""), ``loops`` and
``terms``; for each term ``term``, ``cost`` (its own lookup, 0 or 1), ``lookups`` (with everything below
it), ``at`` (the running count after it), ``void``, ``loop``, ``crosses``, ``ignored``, ``error`` (a code:
``dns`` the lookup failed, ``no_record``, ``several_records``, ``too_deep``; translated when shown) and,
for includes and redirects, ``record`` and ``terms`` below it. checkdmarc validates the record; it stops at the first
error, so it cannot show where the limit is crossed or which include loops: hence this walk.
"""

import dns.exception
import dns.resolver

LOOKUP_LIMIT, VOID_LIMIT = 10, 2
COUNTED = ("include", "a", "mx", "ptr", "exists", "redirect")
MAX_DEPTH = 10  # receivers stop at 10 lookups; a walk this deep has long crossed them


def spf_records(resolver, domain: str) -> list[str]:
    """The ``v=spf1`` TXT records at a name, sorted (DNS returns them in any order); a lookup that fails
    raises DNSException."""
    try:
        answer = resolver.resolve(domain, "TXT")
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        return []
    found = ["".join(s.decode("utf-8", "replace") for s in r.strings) for r in answer]
    return sorted(text for text in found if text.lower() == "v=spf1" or text.lower().startswith("v=spf1 "))


def _split(term: str) -> tuple[str, str]:
    """(the mechanism or modifier name, its domain) of a term: ``~include:x`` -> (include, x); ``a/24`` -> (a, "")."""
    body = term.lstrip("+-~?")
    if "=" in body and ":" not in body.split("=", 1)[0]:
        name, value = body.split("=", 1)
    else:
        name, _sep, value = body.partition(":")
    name = name.split("/", 1)[0].lower()
    return name, value.split("/", 1)[0].rstrip(".").lower()


class _Walk:
    def __init__(self, resolver):
        self.resolver, self.count, self.voids, self.crossed, self.loops = resolver, 0, 0, "", []

    def _answers(self, name: str, rdtypes) -> bool:
        """Whether any of the record types exists at ``name`` (False: a void lookup)."""
        for rdtype in rdtypes:
            try:
                if self.resolver.resolve(name, rdtype):
                    return True
            except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
                continue
        return False

    def record(self, domain: str, path: tuple[str, ...]) -> dict:
        node = {"domain": domain, "record": "", "terms": [], "lookups": 0, "error": ""}
        try:
            found = spf_records(self.resolver, domain)
        except dns.exception.DNSException:
            node["error"] = "dns"
            return node
        if len(found) != 1:
            node["error"] = "no_record" if not found else "several_records"
            return node
        node["record"] = found[0]
        terms = found[0].split()[1:]
        has_all = any(t.lstrip("+-~?").lower() == "all" for t in terms)
        ordered = [t for t in terms if not t.lower().startswith("redirect=")]
        ordered += [t for t in terms if t.lower().startswith("redirect=")]  # 6.1: evaluated last
        for term in ordered:
            item = self.term(term, domain, path, ignored=has_all)
            if item is not None:
                node["terms"].append(item)
                node["lookups"] += item["lookups"]
        return node

    def term(self, term: str, domain: str, path: tuple[str, ...], *, ignored: bool) -> dict | None:
        name, target = _split(term)
        if name not in COUNTED:
            return None
        item = {"term": term, "cost": 0, "lookups": 0, "at": self.count, "void": False, "loop": False}
        item.update(crosses=False, error="", ignored=False)
        if name == "redirect" and ignored:
            item["ignored"] = True  # RFC 7208 6.1: not evaluated, costs nothing
            return item
        self.count += 1
        item.update(cost=1, lookups=1, at=self.count)
        if self.count > LOOKUP_LIMIT and not self.crossed:
            self.crossed, item["crosses"] = term, True
        target = target or domain
        if "%" in target or name == "ptr":
            return item  # depends on the message (a macro, the sender's IP): no lookup to make here
        try:
            if name in ("include", "redirect"):
                self._follow(item, target, path)
            else:
                item["void"] = not self._answers(target, ("MX",) if name == "mx" else ("A", "AAAA"))
        except dns.exception.DNSException:
            item["error"] = "dns"
        if item["void"]:
            self.voids += 1
        return item

    def _follow(self, item: dict, target: str, path: tuple[str, ...]) -> None:
        if target in path:
            item["loop"] = True
            self.loops.append(item["term"])
            return
        if len(path) >= MAX_DEPTH:
            item["error"] = "too_deep"
            return
        below = self.record(target, (*path, target))
        item.update(record=below["record"], terms=below["terms"], error=below["error"])
        item["lookups"] += below["lookups"]
        item["void"] = below["error"] == "no_record"


def lookup_tree(domain: str, resolver) -> dict:
    """The record at ``domain`` with the DNS lookups each of its terms costs (see the module docstring)."""
    walk = _Walk(resolver)
    tree = walk.record(domain, (domain,))
    tree.update(void_lookups=walk.voids, crossed=walk.crossed, loops=walk.loops, limit=LOOKUP_LIMIT)
    return tree
