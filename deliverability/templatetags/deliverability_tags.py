from django import template
from django.template.loader import render_to_string

from ..authentication.requirements import LABELS, NOT_CHECKED
from ..authentication.status import BADGE
from ..blocklists.grid import cell_key

register = template.Library()


@register.filter
def localized(finding, part: str) -> str:
    """A finding's title, detail or fix in the reader's language: ``AuthFinding.text``."""
    return finding.text(part)


@register.filter
def finding_badge(status: str) -> str:
    """The badge class of a finding's (or a requirement's) status: ok, warn, bad or neutral."""
    return BADGE.get(status, "neutral")


@register.filter
def requirement_label(status: str) -> str:
    """What the checklist says for a requirement's status."""
    return LABELS.get(status, LABELS[NOT_CHECKED])


@register.simple_tag
def grid_cell(grid, blocklist, cell) -> str:
    """One cell of the blocklist grid: ``deliverability/_cell.html`` rendered once per distinct cell of the page
    (issue 18: hundreds of cells, a handful of different ones)."""
    key = cell_key(blocklist, cell)
    if key not in grid.cells_html:
        grid.cells_html[key] = render_to_string("deliverability/_cell.html", {"blocklist": blocklist, "cell": cell})
    return grid.cells_html[key]
