from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form posted without its security token (an old tab, cookies blocked): the site's own page.

    Django's default page is bare and offers no way back; this one keeps the layout and says
    what to do. The reason is for developers and stays out of the page.
    """
    return render(request, "403_csrf.html", status=403)


def bench_trivial(request: HttpRequest) -> HttpResponse:
    """The cheapest page through the same middleware: served only when BENCH_TRIVIAL_VIEW is on
    (`benchmarks/pages.py` measures every page's requests per second against it)."""
    return HttpResponse("ok", content_type="text/plain")
