"""PostgreSQL's side of the case search (cases/search.py): the unaccent extension, GIN indexes on both search
vectors (built CONCURRENTLY, so a running release keeps writing cases), and the vectors of existing cases,
filled in batches of ids, each its own short transaction.

The embedded default, SQLite, searches the text itself; there this migration does nothing.
"""

from django.db import migrations

BATCH = 5_000
INDEXES = [
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS casesearch_public ON cases_casesearch USING gin (public)",
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS casesearch_internal ON cases_casesearch USING gin (internal)",
]
DROP = [
    "DROP INDEX CONCURRENTLY IF EXISTS casesearch_public",
    "DROP INDEX CONCURRENTLY IF EXISTS casesearch_internal",
]
# A frozen copy of cases.search.INDEX_SQL (a migration never imports the application's code).
BACKFILL = """
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
WHERE c.id BETWEEN %s AND %s
ON CONFLICT (case_id) DO NOTHING
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        cursor.execute("SELECT coalesce(min(id), 0), coalesce(max(id), -1) FROM cases_case")
        first, last = cursor.fetchone()
        for start in range(first, last + 1, BATCH):
            cursor.execute(BACKFILL, [start, start + BATCH - 1])
        for sql in INDEXES:
            cursor.execute(sql)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in DROP:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY, and the backfill commits batch by batch

    dependencies = [("cases", "0015_case_search_and_saved_views")]
    operations = [migrations.RunPython(forwards, backwards)]
