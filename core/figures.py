"""Several figures in one round trip (issue 18): each is an aggregate over a QuerySet of one column, and all of
them are scalar subqueries of one ``SELECT``, so a page or a health check that needs five numbers pays one trip to
PostgreSQL instead of five (on SQLite, the embedded default, one query each). The QuerySets stay the one place
their filters are written (``vitals``, the models' QuerySet methods); only the aggregate around them is said here.

    figures(backlog=("COUNT", unsent.values("pk")), oldest=("MIN", unsent.values("created_at")))
    figures(down=("EXISTS", rows.unavailable().values("pk")))
"""

from django.db import connection
from django.db.models import Max, Min, QuerySet

AGGREGATES = frozenset({"COUNT", "MIN", "MAX", "EXISTS", "NOT EXISTS"})


def _part(aggregate: str, queryset: QuerySet, n: int) -> tuple[str, list]:
    if aggregate not in AGGREGATES:
        raise ValueError(f"not an aggregate figures() knows: {aggregate}")
    sql, params = queryset.query.sql_with_params()
    if aggregate.endswith("EXISTS"):
        return f"{aggregate}({sql})", list(params)
    return f"(SELECT {aggregate}(q{n}.v) FROM ({sql}) AS q{n}(v))", list(params)  # noqa: S608 - names are ours


def figures(**wanted: tuple[str, QuerySet]) -> dict:
    """``name=(aggregate, queryset of one column)`` -> ``{name: value}``, from one statement. COUNT counts the
    rows, MIN and MAX the column's (None over no rows), EXISTS and NOT EXISTS are True or False."""
    if connection.vendor != "postgresql":
        return {name: _alone(aggregate, queryset) for name, (aggregate, queryset) in wanted.items()}
    parts, params = [], []
    for n, (aggregate, queryset) in enumerate(wanted.values()):
        sql, more = _part(aggregate, queryset, n)
        parts.append(sql)
        params += more
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        return dict(zip(wanted, cursor.fetchone(), strict=True))


def _alone(aggregate: str, queryset: QuerySet):
    """One figure by the ORM, for SQLite (the embedded default): it has no column list on a derived table and
    gives dates back as text, so each figure is its own query there."""
    if aggregate not in AGGREGATES:
        raise ValueError(f"not an aggregate figures() knows: {aggregate}")
    if aggregate == "COUNT":
        return queryset.count()
    if aggregate.endswith("EXISTS"):
        return queryset.exists() == (aggregate == "EXISTS")
    (column,) = queryset.query.values_select
    return queryset.aggregate(v=(Min if aggregate == "MIN" else Max)(column))["v"]


def any_of(*wanted: tuple[str, QuerySet]) -> bool:
    """Whether any of the (EXISTS or NOT EXISTS, queryset) holds, asked in one statement."""
    return any(figures(**{f"f{n}": pair for n, pair in enumerate(wanted)}).values())
