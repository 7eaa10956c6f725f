"""The SPF lookup tree (issue 16, DLV-1, RFC 7208 4.6.4): which include/redirect/a/mx/exists costs how many
DNS lookups, nested, with the total, the term that makes the 11th lookup, loops and void lookups; shown on
the Authentication page and printed by ``auth_check --json``. Against dnsmasq.
"""

import io
import json

import pytest
from django.core.management import call_command

from deliverability.authentication import spf
from deliverability.authentication.spf_tree import lookup_tree
from tests.deliverability.authdns import authdns_fixture  # noqa: F401

T = "tree.example"
RECORDS = {
    # 11 lookups: include:big (1) -> include:n1 (2) a:h (3) include:n2 (4) a:h (5) include:n3 (6) a:h (7) a (8);
    # include:small (9) -> include:s1 (10); mx (11): the term that crosses the limit
    T: {"TXT": [f"v=spf1 include:big.{T} include:small.{T} mx -all"], "MX": [(10, f"mx.{T}")]},
    f"big.{T}": {"TXT": [f"v=spf1 include:n1.{T} include:n2.{T} include:n3.{T} a -all"], "A": ["192.0.2.1"]},
    **{f"n{i}.{T}": {"TXT": [f"v=spf1 a:h.{T} -all"]} for i in (1, 2, 3)},
    f"h.{T}": {"A": ["192.0.2.2"]},
    f"small.{T}": {"TXT": [f"v=spf1 include:s1.{T} -all"]},
    f"s1.{T}": {"TXT": ["v=spf1 ip4:192.0.2.0/24 -all"]},
    f"mx.{T}": {"A": ["192.0.2.3"]},
    # a loop: loop -> back -> loop
    f"loop.{T}": {"TXT": [f"v=spf1 include:back.{T} -all"]},
    f"back.{T}": {"TXT": [f"v=spf1 include:loop.{T} -all"]},
    # three lookups that find nothing (the limit is 2), and a redirect beside all (ignored, costs nothing)
    f"void.{T}": {"TXT": [f"v=spf1 a:gone1.{T} a:gone2.{T} exists:gone3.{T} redirect=s1.{T} ~all"]},
    # fine: 3 lookups
    f"ok.{T}": {"TXT": [f"v=spf1 include:s1.{T} a mx redirect=small.{T}"], "A": ["192.0.2.4"]},
}


@pytest.fixture
def res(authdns):
    return authdns.serve(RECORDS).resolver()


def flat(node, depth=0):
    for term in node.get("terms", []):
        yield depth, term
        yield from flat(term, depth + 1)


def test_each_term_costs_its_lookups_nested_and_the_eleventh_is_named(res):
    tree = lookup_tree(T, res)
    assert (tree["lookups"], tree["crossed"], tree["loops"], tree["void_lookups"]) == (11, "mx", [], 0)
    top = {t["term"]: (t["cost"], t["lookups"], t["at"]) for t in tree["terms"]}
    assert top == {f"include:big.{T}": (1, 8, 1), f"include:small.{T}": (1, 2, 9), "mx": (1, 1, 11)}
    rows = [(depth, t["term"], t["lookups"]) for depth, t in flat(tree)]
    assert rows[:4] == [
        (0, f"include:big.{T}", 8),
        (1, f"include:n1.{T}", 2),
        (2, f"a:h.{T}", 1),
        (1, f"include:n2.{T}", 2),
    ]
    assert [t["term"] for _d, t in flat(tree) if t["crosses"]] == ["mx"]


def test_a_loop_and_void_lookups_are_flagged(res):
    loop = lookup_tree(f"loop.{T}", res)
    assert loop["loops"] == [f"include:loop.{T}"]
    inner = loop["terms"][0]["terms"][0]
    assert (inner["term"], inner["loop"]) == (f"include:loop.{T}", True)
    void = lookup_tree(f"void.{T}", res)
    assert void["void_lookups"] == 3 and [t["void"] for t in void["terms"]] == [True, True, True, False]
    redirect = void["terms"][-1]
    assert (redirect["term"], redirect["ignored"], redirect["cost"]) == (f"redirect=s1.{T}", True, 0)  # RFC 7208 6.1
    assert void["lookups"] == 3


def test_the_finding_carries_the_tree_and_its_count_agrees_with_the_verdict(res):
    over = spf.check_spf(T, res, kind=spf.FROM)
    assert over.status == "fail" and over.data["tree"]["lookups"] == 11 and over.data["tree"]["crossed"] == "mx"
    ok = spf.check_spf(f"ok.{T}", res, kind=spf.FROM)
    assert ok.status == "pass" and ok.data["lookups"] == ok.data["tree"]["lookups"] == 5


def test_auth_check_json_prints_the_tree(authdns, db, settings):
    settings.AUTH_TIMEOUT = 1.0
    authdns.serve(RECORDS)
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("auth_check", T, "--nameserver=127.0.0.1", f"--port={authdns.port}", "--json", stdout=out)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    tree = next(r for r in rows if r["kind"] == "spf_from")["tree"]
    assert (tree["lookups"], tree["crossed"]) == (11, "mx")
    assert tree["terms"][0]["terms"][0] == {
        "term": f"include:n1.{T}",
        "cost": 1,
        "lookups": 2,
        "at": 2,
        "void": False,
        "loop": False,
        "crosses": False,
        "error": "",
        "ignored": False,
        "record": f"v=spf1 a:h.{T} -all",
        "terms": [
            {
                "term": f"a:h.{T}",
                "cost": 1,
                "lookups": 1,
                "at": 3,
                "void": False,
                "loop": False,
                "crosses": False,
                "error": "",
                "ignored": False,
            }
        ],
    }


def test_auth_check_text_output_shows_the_tree(authdns, db, settings):
    settings.AUTH_TIMEOUT = 1.0
    authdns.serve(RECORDS)
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit):
        call_command("auth_check", T, "--nameserver=127.0.0.1", f"--port={authdns.port}", stdout=out, stderr=err)
    lines = [line.strip() for line in out.getvalue().splitlines()]
    assert "DNS lookups: 11 of 10" in lines
    assert f"include:big.{T}: 8 (#1)" in lines and f"include:n1.{T}: 2 (#2)" in lines
    assert "mx: 1 (#11) [crosses]" in lines
    assert "The 11th lookup is made by mx: see the lookup tree." in lines
