import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.accounts.factories import AccountFactory, MembershipFactory, ContactFactory, CalendarExceptionFactory, TamFactory


def test_probe(client, world):
    client.force_login(world.alice)
    client.get("/a/acme/")
    with CaptureQueriesContext(connection) as q:
        r = client.get("/a/acme/")
    print(len(q))
    for x in q.captured_queries: print(x["sql"][:150])
    client.force_login(world.root)
    client.get("/console/")
    with CaptureQueriesContext(connection) as q:
        r = client.get("/console/")
    print(len(q))
    for x in q.captured_queries: print(x["sql"][:150])
