"""The OPAC's search door: the results page and the search box's suggestions."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from serambi.search import services
from serambi.search.templatetags.search_tags import record_url, results_url
from serambi.search.types import SearchRequest

NEW_ARRIVALS = 8
MIN_COMPLETION_LENGTH = 2
MAX_COMPLETION_LENGTH = 100


@require_safe
def results(request: HttpRequest) -> HttpResponse:
    search = SearchRequest.from_params(request.GET)
    if search.is_empty:
        # Nothing asked yet: help to ask, rather than list the whole catalogue.
        context = {"search": search, "new_arrivals": services.new_arrivals(limit=NEW_ARRIVALS)}
        return render(request, "search/results.html", context)
    result = services.search(search)
    if result.direct_record_id is not None:
        return redirect(record_url(result.direct_record_id))
    return render(request, "search/results.html", {"search": search, "result": result})


@require_safe
@cache_control(max_age=60)
def autocomplete(request: HttpRequest) -> JsonResponse:
    text = request.GET.get("q", "").strip()[:MAX_COMPLETION_LENGTH]
    completions = services.autocomplete(text) if len(text) >= MIN_COMPLETION_LENGTH else []
    suggestions = [
        {
            "kind": completion.kind,
            "text": completion.text,
            "query": completion.query,
            "url": record_url(completion.record_id)
            if completion.record_id is not None
            else results_url([("q", completion.query)]),
        }
        for completion in completions
    ]
    return JsonResponse({"suggestions": suggestions})
