"""Finding cases by what they say: subject, description and timeline (issue 15).

On PostgreSQL each case has two search vectors (``CaseSearch``, beside the case so lists never read them),
kept up to date by the services that write its text: ``index()``, called by ``services.common.record`` for
the opening and every timeline event with a text.

- ``public``: the subject (weight A), the description (B) and the bodies of the public timeline (C).
  Customers search this one only, so an internal note is never found by a customer.
- ``internal``: the bodies of the events customers never see (internal notes). Staff search both.

Texts are indexed with the ``simple`` configuration after ``unaccent``: no stemming (the texts are English
and Polish, often mixed), and "zolw" finds "żółw". Every word of the query (parsed as the texts were)
matches as a prefix ("webho" finds "webhook"); when nothing matches, a trigram word similarity on the
subject catches typos ("webhok"). A word found in very many cases is ranked among its ``RANK_WINDOW`` most
recent matches only: ranking reads every vector it ranks, and a list shows the first few dozen anyway.
Both vectors and the subject have GIN indexes (cases/migrations/0012_case_search.py).

On SQLite (the embedded default) every word must appear (``icontains``) in the subject, the description or
a timeline body the reader may see: slower, same rules.

A case number ("ACME-001234", "#1234", "1234") is answered exactly: ``jump()`` finds the one case it names
among those the reader sees. Matches are shown highlighted by ``highlight()``: the text is escaped first,
then the matched words are wrapped in ``<mark>``.
"""

import re
import unicodedata

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import BigIntegerField, BooleanField, CharField, Exists, F, Func, OuterRef, Q, Value
from django.db.models.functions import Upper
from django.utils.html import escape
from django.utils.safestring import mark_safe

from .models import CaseEvent, CaseSequence

CONFIG = "simple"
MAX_TERMS = 8  # more words than this add nothing but work
RANK_WINDOW = 500  # the most recent matches ranked (ten pages of the queue); the best of them first
WALK_FIRST = 2_000  # the newest cases read first for the window: a word in 25% of cases fills it there
WALK_MAX = 30_000  # the furthest a walk back goes before the GIN index is asked instead
SNIPPET = 160  # characters of text around the first match
NUMBER = re.compile(r"^#?\s*(?:(?P<prefix>[A-Za-z0-9]{1,12})-)?(?P<n>\d{1,9})$")
# Letters NFKD does not decompose (unaccent does): enough for Polish, German and the Nordic languages.
_FOLD = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ß": "s", "æ": "a", "Æ": "A"})


def postgres() -> bool:
    return connection.vendor == "postgresql"


def fold(text: str) -> str:
    """Lower case without diacritics, as ``unaccent`` + the ``simple`` configuration see words."""
    if text.isascii():  # most words: nothing to decompose (a list of 50 matches folds thousands of words)
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def terms(text: str) -> list[str]:
    """The words of a query: letters and digits only, so nothing typed is ever read as query syntax."""
    return re.findall(r"\w+", text)[:MAX_TERMS]


# --- keeping the vectors up to date ----------------------------------------------------------------------


# One statement computes both vectors from what is stored and upserts them; the bench and the migration's
# backfill run it over ranges of ids. The opening event repeats the description: left out.
INDEX_SQL = """
INSERT INTO cases_casesearch (case_id, public, internal)
SELECT c.id,
       setweight(to_tsvector('simple', unaccent(c.subject)), 'A')
       || setweight(to_tsvector('simple', unaccent(c.description)), 'B')
       || setweight(to_tsvector('simple', unaccent(coalesce((
              SELECT string_agg(e.body, ' ') FROM cases_caseevent e
              WHERE e.case_id = c.id AND e.public AND e.kind <> 'opened' AND e.body <> ''), ''))), 'C'),
       to_tsvector('simple', unaccent(coalesce((
              SELECT string_agg(e.body, ' ') FROM cases_caseevent e
              WHERE e.case_id = c.id AND NOT e.public AND e.body <> ''), '')))
FROM cases_case c
WHERE {where}
ON CONFLICT (case_id) DO UPDATE SET public = EXCLUDED.public, internal = EXCLUDED.internal
"""


def index(case_ids) -> None:
    """Recompute the search vectors of these cases from their stored text (PostgreSQL; SQLite searches the
    text itself)."""
    if not postgres():
        return
    with connection.cursor() as cursor:
        cursor.execute(INDEX_SQL.format(where="c.id = ANY(%s)"), [list(case_ids)])


def index_range(first_id: int, last_id: int) -> int:
    """Index every case with ``first_id <= id <= last_id`` (backfills, the bench); returns the rows written."""
    with connection.cursor() as cursor:
        cursor.execute(INDEX_SQL.format(where="c.id BETWEEN %s AND %s"), [first_id, last_id])
        return cursor.rowcount


# --- searching --------------------------------------------------------------------------------------------


def jump(queryset, text: str):
    """The one case a case number names, among ``queryset`` (the reader's): "ACME-001234", "#1234", "1234".
    ``None`` when the text is not a number or names no case (or several: the list shows them)."""
    text = text.strip().lstrip("#").strip()
    match = NUMBER.match(text)
    if match is None:  # a number of another shape ("F-CRIT"): only as it is written
        return queryset.filter(number=text.upper()).first() if re.fullmatch(r"[\w-]{1,32}", text) else None
    number = f"-{int(match['n']):06d}"
    if match["prefix"]:
        found = queryset.filter(number=match["prefix"].upper() + number)
    else:  # each account's prefix with this number, looked up in the unique index on number (no LIKE scan;
        # as a subquery the planner compared every case with every prefix)
        numbers = [f"{prefix}{number}" for prefix in CaseSequence.objects.values_list("prefix", flat=True)]
        if postgres():  # one array, not 1,000 parameters (quoting them cost 80 ms of CPU per search)
            found = queryset.filter(_AnyOf(F("number"), Value(numbers, output_field=ArrayField(CharField()))))
        else:
            found = queryset.filter(number__in=numbers)
    found = list(found.order_by("pk")[:2])
    return found[0] if len(found) == 1 else None


def matching(queryset, text: str, *, staff: bool):
    """Cases of ``queryset`` whose text matches, best first. ``staff``: internal notes count too."""
    words = terms(text)
    if not words:
        return queryset
    number = jump(queryset, text)
    if number is not None:
        return queryset.filter(pk=number.pk)
    if not postgres():
        return _matching_anywhere(queryset, words, staff=staff)
    lexemes = _prefix_query(text)
    if not lexemes:
        return queryset.none()
    query = SearchQuery(lexemes, config=CONFIG, search_type="raw")
    rank = SearchRank(F("search_doc__public"), query)
    if staff:
        rank = rank + SearchRank(F("search_doc__internal"), query)
    # The most recent matches; then only those are ranked, found again by primary key. Asked as two queries:
    # as one, the planner joins every case to find the window.
    found = _found(query, staff=staff)  # read off the GIN index when the walk finds the word rare
    columns = ("search_doc__public", "search_doc__internal") if staff else ("search_doc__public",)
    test = " OR ".join(f"recent.{column} @@ %s::tsquery" for column in columns)
    recent = _window(queryset, found, Walk(columns, f"({test})", [lexemes] * len(columns)))
    if recent:
        return _among(queryset, recent).annotate(rank=rank).order_by("-rank", "-created_at")
    # Nothing matched word for word: a typo or a fragment of the subject (the trigram index on UPPER(subject)),
    # in the same window of the most recent matches, newest first.
    subject = queryset.alias(subject_upper=Upper("subject", output_field=CharField()))
    typo = Q(subject_upper__trigram_word_similar=text.upper())
    walk = Walk(("subject",), "UPPER(recent.subject) %%> %s", [text.upper()])
    return _among(queryset, _window(subject, typo, walk)).order_by("-created_at")


def _found(query, *, staff: bool) -> Q:
    return Q(search_doc__public=query) | Q(search_doc__internal=query) if staff else Q(search_doc__public=query)


def _window(queryset, found: Q, walk: "Walk") -> list[int]:
    """The ids of the ``RANK_WINDOW`` most recent cases of ``queryset`` that ``found`` matches.

    PostgreSQL cannot tell a word in half the cases from a rare one when it is a prefix or a typo, and either
    guess costs: reading 18,000 matches off an index to keep 500, or walking back through every case for 14.
    So the newest ``WALK_FIRST`` cases are read first: a common word fills the window there. Otherwise what
    they held tells how far back a walk would have to go; past ``WALK_MAX`` rows the index finds the (rarer)
    matches."""
    ids = walk.run(queryset, WALK_FIRST)
    if len(ids) < RANK_WINDOW and ids:
        reach = int(RANK_WINDOW * WALK_FIRST / len(ids) * 1.5)
        if reach <= WALK_MAX:  # on from where the first walk stopped: its rows are not tested again
            ids += walk.run(queryset, reach, skip=WALK_FIRST, wanted=RANK_WINDOW - len(ids))
    if len(ids) < RANK_WINDOW:
        recent = (F("pk") + 0).desc()  # an order no index gives: the matches are read off the GIN index
        ids = serially(queryset.filter(found).order_by(recent).values_list("pk", flat=True)[:RANK_WINDOW])
    return list(ids)


# A walk reads a few thousand rows in order; past ~6,000 the planner splits it over parallel workers, whose
# start-up (20-70 ms, more on a loaded host) cost more than the walk ("zolw certyfikat" over 100,000 cases:
# 152 ms in parallel, 5 ms of it reading). The matches read off the GIN index are no different: a customer's
# rare word among their 1,000 cases of 1,000,000 took 35 ms in parallel, 3 ms of it reading. Sent in one string
# with its statement (psycopg's client-side binding, Django's default), the three statements run as one implicit
# transaction, so ``SET LOCAL`` holds for that statement alone; ``RESET`` ends it there also when a transaction is
# open (the server's default comes back).
SERIAL, RESTORE = "SET LOCAL max_parallel_workers_per_gather = 0; ", "; RESET max_parallel_workers_per_gather"


def serially(queryset) -> list:
    """The first column of each row of ``queryset``, planned without parallel workers (``SERIAL``)."""
    sql, params = queryset.query.sql_with_params()
    return _serially(sql, list(params))


def _serially(sql: str, params: list) -> list:
    with connection.cursor() as cursor:
        cursor.execute(SERIAL + sql + RESTORE, params)
        cursor.nextset()  # past the SET to the statement's rows
        return [row[0] for row in cursor.fetchall()]


class Walk:
    """The matches among the ``rows`` most recent cases of a queryset, newest first, found by reading those
    rows (``columns``) and testing each with ``condition``: the test sits outside the LIMIT, so no index
    can stand in for the walk. Exact as a window when it holds ``RANK_WINDOW`` matches. Never in parallel
    (``SERIAL``)."""

    def __init__(self, columns: tuple[str, ...], condition: str, params: list):
        self.columns, self.condition, self.params = columns, condition, params

    def run(self, queryset, rows: int, skip: int = 0, wanted: int | None = None) -> list[int]:
        """The ``wanted`` (``RANK_WINDOW``) newest matches among the ``rows`` most recent, after the ``skip``
        most recent (an earlier walk tested those)."""
        newest = queryset.order_by("-pk").values("pk", *self.columns)[skip:rows]
        sql, params = newest.query.sql_with_params()
        # The ORM's own SQL and this module's constant test; what is typed goes in as parameters.
        walk = f"SELECT recent.pk FROM ({sql}) AS recent WHERE {self.condition} ORDER BY recent.pk DESC LIMIT %s"  # noqa: S608
        return _serially(walk, [*params, *self.params, wanted or RANK_WINDOW])


def _among(queryset, ids: list[int]):
    """``queryset`` restricted to these ids, sent as one array: 500 ids as 500 parameters cost more to
    build, quote and parse than the query takes to run."""
    return queryset.filter(_AnyOf(F("pk"), Value(ids, output_field=ArrayField(BigIntegerField()))))


class _AnyOf(Func):
    """``column = ANY(array)``."""

    arg_joiner = " = ANY("
    template = "(%(expressions)s))"
    output_field = BooleanField()


# The words parsed exactly as the texts were ("relay-17", "gmail.com" stay whole), each lexeme then made a
# prefix ('webho':*). Asked once per search, so the query is a constant the planner folds, not a function
# evaluated again for every row it ranks. Whatever is typed, only lexemes reach the query.
PREFIX_QUERY_SQL = r"""SELECT regexp_replace(plainto_tsquery('simple', unaccent(%s))::text, '''( |$)', ''':*\1', 'g')"""


def _prefix_query(text: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(PREFIX_QUERY_SQL, [text])
        return cursor.fetchone()[0]


def _matching_anywhere(queryset, words, *, staff: bool):
    """SQLite: every word somewhere in the subject, the description or a timeline body the reader sees."""
    for word in words:
        events = CaseEvent.objects.filter(case=OuterRef("pk"), body__icontains=word)
        if not staff:
            events = events.filter(public=True)
        queryset = queryset.filter(
            Q(subject__icontains=word) | Q(description__icontains=word) | Exists(events.values("pk"))
        )
    return queryset


# --- showing matches -------------------------------------------------------------------------------------


def highlight(text, query: str, *, snippet: bool = False):
    """``text`` escaped, with every word that a query word begins (ignoring case and diacritics) in
    ``<mark>``. ``snippet``: only the part around the first match (the start when none)."""
    text = str(text)
    wanted = tuple(fold(w) for w in terms(query))
    if snippet:
        text = _around_first(text, wanted)
    if not wanted:
        return escape(text)
    out, last = [], 0
    for word in re.finditer(r"\w+", text):
        if fold(word.group()).startswith(wanted):
            out += [escape(text[last : word.start()]), "<mark>", escape(word.group()), "</mark>"]
            last = word.end()
    out.append(escape(text[last:]))
    return mark_safe("".join(out))  # noqa: S308 — every piece of text above is escaped


def _around_first(text: str, wanted: tuple[str, ...]) -> str:
    text = " ".join(text.split())
    start = 0
    for word in re.finditer(r"\w+", text):
        if fold(word.group()).startswith(wanted):
            start = max(0, word.start() - SNIPPET // 3)
            break
    cut = text[start : start + SNIPPET]
    return ("…" if start else "") + cut + ("…" if start + SNIPPET < len(text) else "")
