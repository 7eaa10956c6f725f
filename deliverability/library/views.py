"""The best-practice library: every signed-in person reads published articles; staff also see drafts.
MISSION: TAM-6, DLV-1. Articles are not tenant data; what is recommended is worked out per account."""

from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from deliverability.library.content import in_language
from deliverability.library.content import render as render_markdown
from deliverability.models import Article


def _visible(user):
    return Article.objects.all() if user.is_staff else Article.objects.published()


@require_GET
def library(request):
    qs = _visible(request.user)
    category = request.GET.get("category", "")
    if category in Article.Category.values:
        qs = qs.filter(category=category)
    tag = request.GET.get("tag", "").strip()
    if tag:
        qs = qs.filter(tags__icontains=tag)
    query = request.GET.get("q", "").strip()
    if query:
        qs = qs.filter(Q(title__icontains=query) | Q(summary__icontains=query) | Q(body__icontains=query))
    page = Paginator(in_language(qs.select_related("author")), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "deliverability/library.html",
        {
            "page": page,
            "filters": {"category": category, "tag": tag, "q": query},
            "categories": Article.Category.choices,
        },
    )


@require_GET
def article(request, slug):
    item = get_object_or_404(_visible(request.user).select_related("author"), slug=slug)
    related = [a for a in in_language(_visible(request.user).filter(category=item.category)) if a.key != item.key][:4]
    translations = _visible(request.user).filter(translation_key=item.key).exclude(pk=item.pk)
    return render(
        request,
        "deliverability/article.html",
        {
            "article": item,
            "html": mark_safe(render_markdown(item.body)),  # noqa: S308 - sanitised by nh3
            "related": related,
            "translations": translations,
        },
    )
