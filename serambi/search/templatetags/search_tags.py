"""How the OPAC pages show a search: links that keep the query, author lines, availability."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from serambi.catalog.selectors import availability_summary
from serambi.search.types import FACETS, SORTS, Hit, SearchRequest, SearchResult

register = template.Library()

MAX_AUTHORS = 3


def record_url(record_id: int) -> str:
    """The public record page (``/katalog/<pk>/``)."""
    return reverse("opac:record", args=[record_id])


def results_url(pairs: list[tuple[str, str]]) -> str:
    """The results page for these query-string pairs."""
    path = reverse("search:results")
    return f"{path}?{urlencode(pairs)}" if pairs else path


@register.filter(name="record_url")
def record_url_filter(record: Any) -> str:
    return record_url(record.pk)


@register.simple_tag
def search_url(search: SearchRequest, **changes: Any) -> str:
    """This search with ``changes`` (``page=3``, ``q="sejarah"``), as a link."""
    return results_url(search.params(**changes))


@register.simple_tag
def toggle_url(search: SearchRequest, facet: str, value: str) -> str:
    """This search with one filter value added or taken away."""
    return results_url(search.params(toggle=(facet, value)))


@register.simple_tag
def unfiltered_url(search: SearchRequest) -> str:
    """This search without any filters: same words, same sort."""
    return results_url(SearchRequest(q=search.q, sort=search.sort).params())


@register.simple_tag
def chosen_filters(search: SearchRequest, result: SearchResult | None) -> list[dict[str, str]]:
    """The filters in force, labelled as the facets label them, each with the link that removes it.

    A value the facets no longer list (no record left with it) still shows,
    under its raw value, so that it can be removed.
    """
    labels = {
        (facet.name, value.value): value.label
        for facet in (result.facets if result else [])
        for value in facet.values
    }
    return [
        {
            "facet": str(FACETS[name]),
            "label": labels.get((name, value), value),
            "url": results_url(search.params(toggle=(name, value))),
        }
        for name, values in search.filters.items()
        for value in values
    ]


@register.filter
def authors(record: Any) -> str:
    """ "Main entry; second; third dkk.": the main entry first, at most three names."""
    contributions = sorted(
        record.contributions.all(), key=lambda c: (not c.is_main, c.position, c.pk)
    )
    names = list(dict.fromkeys(c.contributor.name for c in contributions))
    line = "; ".join(names[:MAX_AUTHORS])
    if len(names) > MAX_AUTHORS:
        line = _("%(names)s et al.") % {"names": line}
    return line


@register.filter
def availability_line(hit: Hit) -> str:
    """ "3 available at Perpustakaan Pusat, 1 at Cabang Utara", in words rather than colours."""
    return availability_summary(hit.availability)


@register.simple_tag
def page_numbers(result: SearchResult, around: int = 2) -> list[int | None]:
    """The first, last and nearby pages; ``None`` where pages are left out."""
    current, last = result.request.page, result.pages
    shown = sorted({1, last, *range(max(1, current - around), min(last, current + around) + 1)})
    numbers: list[int | None] = []
    for number in shown:
        if numbers and number - (numbers[-1] or 0) > 1:
            numbers.append(None)
        numbers.append(number)
    return numbers


@register.simple_tag
def kept_params(search: SearchRequest | None) -> list[tuple[str, str]]:
    """What a new query typed on the results page keeps: filters and page size."""
    return search.params(q="", sort="relevance", page=1) if search else []


@register.simple_tag
def useful_facets(result: SearchResult) -> list[Any]:
    """The facets worth a look: those offering at least one value."""
    return [facet for facet in result.facets if facet.values]


@register.simple_tag
def facet_groups(facet: Any, shown: int = 8) -> dict[str, Any]:
    """A facet's first values, and the rest behind "more" (opened when one of them is chosen)."""
    rest = facet.values[shown:]
    return {
        "first": facet.values[:shown],
        "rest": rest,
        "rest_chosen": any(value.selected for value in rest),
    }


@register.simple_tag
def facet_values(search: SearchRequest, facet: Any, values: list) -> str:
    """Each value of a facet as a list item: a link that adds or removes it as a filter.

    Written here rather than as an included template: a results page lists a
    hundred values or more, and including a template for each was half the
    time the page took to render.
    """
    path = reverse("search:results")
    chosen = _("(chosen; select to remove)")
    return format_html_join(
        "\n",
        '<li><a class="facet-link" href="{}"{}>'
        '<span class="facet-label">{}{}</span> '
        '<span class="facet-hits"><span aria-hidden="true">{}</span>'
        '<span class="visually-hidden">{}</span></span></a></li>',
        (
            (
                f"{path}?{urlencode(search.params(toggle=(facet.name, value.value)))}",
                mark_safe(' aria-current="true"') if value.selected else "",  # noqa: S308
                value.label,
                format_html('<span class="visually-hidden"> {}</span>', chosen)
                if value.selected
                else "",
                value.count,
                ngettext("%(counter)s result", "%(counter)s results", value.count)
                % {"counter": value.count},
            )
            for value in values
        ),
    )


@register.simple_tag
def sort_choices() -> list[tuple[str, Any]]:
    return list(SORTS.items())
