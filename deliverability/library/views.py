"""The best-practice library: every signed-in person reads published articles; staff also see drafts.
MISSION: TAM-6, DLV-1. Articles are not tenant data; what is recommended is worked out per account."""

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from deliverability.library.content import in_language
from deliverability.library.content import render as render_markdown
from deliverability.library.filters import ArticleFilter
from deliverability.models import Article


@require_GET
def library(request):
    filters = ArticleFilter(request.GET, queryset=Article.objects.readable_by(request.user).select_related("author"))
    page = Paginator(in_language(filters.qs), 20).get_page(request.GET.get("page"))
    trends = in_language(Article.objects.readable_by(request.user).trends()[:40])[:8]  # MISSION: TAM-6
    return render(
        request,
        "deliverability/library.html",
        {
            "page": page,
            "filters": filters.values,
            "categories": Article.Category.choices,
            "trends": trends,
        },
    )


@require_GET
def article(request, slug):
    readable = Article.objects.readable_by(request.user)
    item = get_object_or_404(readable.select_related("author"), slug=slug)
    related = [a for a in in_language(readable.filter(category=item.category)) if a.key != item.key][:4]
    translations = readable.filter(translation_key=item.key).exclude(pk=item.pk)
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
