"""Blocklist monitoring and DKIM selectors change only through ``deliverability.services``, from the pages
and from the admin alike, each change with one audit row (STYLE: every state change audited one way)."""

from django.db import transaction

from accounts.models import AuditEvent
from deliverability import services
from deliverability.models import Article, Blocklist, MessageStream, MonitoredTarget
from tests.deliverability.factories import (
    ArticleFactory,
    BlocklistFactory,
    MessageStreamFactory,
    MonitoredTargetFactory,
)
from tests.helpers import forms_data

K = AuditEvent.Kind
TARGETS, STREAMS = "/admin/deliverability/monitoredtarget/", "/admin/deliverability/messagestream/"


def trail():
    return list(AuditEvent.objects.order_by("id").values_list("kind", "actor__email", "account__slug"))


def test_dkim_selectors_are_saved_through_the_service_and_audited(client, world):
    target = MonitoredTargetFactory(account=world.acme, domain=True, value="acme.example", dkim_selectors="s1")
    client.force_login(world.alice)
    client.post(f"/a/acme/authentication/domains/{target.pk}/selectors/", {"selectors": "s1 s2"})
    client.post(f"/a/acme/authentication/domains/{target.pk}/selectors/", {"selectors": "bad/sel"})  # refused
    client.post(f"/a/acme/authentication/domains/{target.pk}/selectors/", {"selectors": "s1, s2"})  # no change
    assert trail() == [(K.DKIM_SELECTORS_CHANGED, "alice@acme.test", "acme")]
    event = AuditEvent.objects.get()
    assert (event.details, event.target_label) == ({"before": "s1", "after": "s1 s2"}, "acme.example")


def test_the_admin_adds_changes_and_removes_targets_through_the_services(client, world):
    stream = MessageStreamFactory(account=world.acme, name="marketing")
    client.force_login(world.tina)
    response = client.post(
        f"{TARGETS}add/", {"account": world.acme.pk, "value": "192.0.2.7", "stream": stream.pk, "role": "ip"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    target = MonitoredTarget.objects.get()
    assert target.added_by == world.tina
    client.post(
        f"{TARGETS}{target.pk}/change/", {"account": world.acme.pk, "value": "192.0.2.7", "stream": "", "role": "ip"}
    )
    client.post(STREAMS, {"action": "delete_selected", "_selected_action": [stream.pk], "post": "yes"})
    client.post(TARGETS, {"action": "archive_selected", "_selected_action": [target.pk], "post": "yes"})
    assert not MonitoredTarget.objects.exists() and not MessageStream.objects.exists()
    assert trail() == [(K.MONITORING_CHANGED, "tina@tam.test", "acme")] * 4
    details = [e.details for e in AuditEvent.objects.order_by("id")]
    assert details[0] == {"added": ["192.0.2.7"]} and details[1] == {"changed": ["stream"], "value": "192.0.2.7"}
    assert details[2] == {"removed_stream": "marketing", "removed": []} and details[3] == {"removed": ["192.0.2.7"]}


def test_a_removal_and_its_audit_row_roll_back_together(world):
    target = MonitoredTargetFactory(account=world.acme)
    try:
        with transaction.atomic():
            services.target_remove(target=target, actor=world.tina)
            raise RuntimeError
    except RuntimeError:
        pass
    assert MonitoredTarget.objects.count() == 1 and not AuditEvent.objects.exists()


# --- the provider's own content: the blocklist catalogue and the library (no account) ------------------------

CATALOGUE, ARTICLES = "/admin/deliverability/blocklist/", "/admin/deliverability/article/"


def test_the_catalogue_changes_through_the_services_audited_with_no_account(client, world):
    """The catalogue is everyone's: its rows are on no account's trail; superusers read them in the admin."""
    listed = BlocklistFactory(zone="zen.bl.test", name="Zen")
    client.force_login(world.root)
    page = client.get(CATALOGUE)
    formset = page.context["cl"].formset
    (row,) = [f.prefix for f in formset.forms if f.instance.pk == listed.pk]
    data = {
        k: v for k, v in forms_data([formset.management_form, *formset.forms]).items() if k != f"{row}-enabled"
    }  # untick "enabled"

    response = client.post(CATALOGUE, {**data, "_save": "Save"})

    assert response.status_code == 302
    assert Blocklist.objects.get(pk=listed.pk).enabled is False
    response = client.post(CATALOGUE, {"action": "delete_selected", "_selected_action": [listed.pk], "post": "yes"})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert not Blocklist.objects.filter(pk=listed.pk).exists()
    assert trail() == [(K.CATALOGUE_CHANGED, "root@portal.test", None)] * 2
    details = [e.details for e in AuditEvent.objects.order_by("id")]
    assert details == [{"changed": ["enabled"], "zone": "zen.bl.test", "enabled": False}, {"removed": "zen.bl.test"}]
    client.force_login(world.tina)
    assert not AuditEvent.objects.visible_to(world.tina).exists()  # on no account's trail


def test_library_articles_are_written_and_removed_through_the_services(client, world):
    client.force_login(world.root)
    fields = {"title": "Warm-up", "slug": "warm-up", "category": "warmup", "language": "en", "status": "draft"}
    response = client.post(f"{ARTICLES}add/", {**fields, "body": "Start slowly."})
    assert response.status_code == 302, response.content.decode()[:2000]
    article = Article.objects.get(slug="warm-up")
    assert article.author == world.root
    client.post(f"{ARTICLES}{article.pk}/change/", {**fields, "status": "published", "body": "Start slowly."})
    client.post(ARTICLES, {"action": "delete_selected", "_selected_action": [article.pk], "post": "yes"})

    assert not Article.objects.filter(slug="warm-up").exists()
    assert trail() == [(K.ARTICLE_CHANGED, "root@portal.test", None)] * 3
    details = [e.details for e in AuditEvent.objects.order_by("id")]
    assert details[0] == {"added": "warm-up", "status": "draft"}
    assert details[1] == {"changed": ["status"], "slug": "warm-up", "status": "published"}
    assert details[2] == {"removed": "warm-up"}


def test_publishing_in_the_admin_stamps_the_publication_time(world):
    article = ArticleFactory(status=Article.Status.DRAFT, published_at=None, author=world.root)
    article.status = Article.Status.PUBLISHED
    with transaction.atomic():
        services.article_save(article=article, actor=world.root, changed=["status"])
    assert Article.objects.get(pk=article.pk).published_at is not None


def test_a_catalogue_change_and_its_audit_row_roll_back_together(world):
    listed = BlocklistFactory()
    pk = listed.pk  # delete() forgets it
    try:
        with transaction.atomic():
            services.blocklist_remove(blocklist=listed, actor=world.root)
            raise RuntimeError
    except RuntimeError:
        pass
    assert Blocklist.objects.filter(pk=pk).exists() and not AuditEvent.objects.exists()
