from django.contrib.postgres.search import SearchVectorField
from django.db import models

from accounts.models import TenantQuerySet

from .case import Case


class CaseSearchQuerySet(TenantQuerySet):
    account_path = "case__account"


class CaseSearch(models.Model):
    """A case's search vectors (cases/search.py), beside the case so its lists never read them. PostgreSQL
    fills them and indexes them (GIN, cases/migrations/0012_case_search.py); on SQLite the table stays empty."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, primary_key=True, related_name="search_doc")
    # The subject (A), the description (B) and the public timeline (C): what customers search.
    public = SearchVectorField(null=True, blank=True)
    # The events customers never see (internal notes): searched by staff only.
    internal = SearchVectorField(null=True, blank=True)

    objects = CaseSearchQuerySet.as_manager()

    def __str__(self):
        return f"search vectors of case {self.case_id}"
