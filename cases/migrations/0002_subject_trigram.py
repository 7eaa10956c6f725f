"""A trigram index for the case search on PostgreSQL (``subject__icontains`` is ``UPPER(subject::text) LIKE``).

The embedded default, SQLite, has no such index type; there the migration does nothing.
"""

from django.db import migrations

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS case_subject_trgm ON cases_case USING gin (UPPER(subject::text) gin_trgm_ops)",
]
DROP = ["DROP INDEX IF EXISTS case_subject_trgm"]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(run(CREATE), run(DROP))]
