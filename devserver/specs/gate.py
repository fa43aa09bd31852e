"""The check of one whole request path, ``base_url`` and all.

A ``Gate`` strips the server's ``base_url``, lets the dev server's dashboard through, and asks
each filter in turn; the first refusal is the verdict. It is what the tornado rule calls on
every request, so it does no more than string slicing and the filters' own regex matches.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from devserver.urls import normalize_base_url

from .verdict import EXEMPT, NO_SPEC, Verdict, first_refusal

#: The dev server's dashboard: its pages and API, and the static files its pages load.
DASHBOARD = ("_introspect", "static/dashboard")


class RequestFilter(Protocol):
    """What a gate asks: ``SpecFilter`` is one."""

    name: str

    def check(self, method: str, path: str) -> Verdict: ...


class Gate:
    """Filters applied below ``base_url``; paths under ``{base_url}{exempt}`` always pass
    (the dev server exempts its DASHBOARD, which sits behind the server's own authentication).

    >>> Gate([], "/a%40b/", DASHBOARD).relative("/a%40b/api/kernels")
    '/api/kernels'
    """

    def __init__(
        self,
        filters: Sequence[RequestFilter],
        base_url: str = "/",
        exempt: Sequence[str] = (),
    ) -> None:
        self.filters = tuple(filters)
        self.prefix = normalize_base_url(base_url)
        self.exempt = tuple("/" + e.strip("/") for e in exempt)

    def relative(self, path: str) -> str:
        """``path`` below base_url; a path outside base_url is left as it is (tornado answers
        it with 404 or a redirect into base_url, which is checked again)."""
        if path.startswith(self.prefix):
            return path[len(self.prefix) - 1 :]
        if path == self.prefix[:-1]:
            return "/"
        return path

    def check(self, method: str, path: str) -> Verdict:
        """The verdict on a request for the raw (percent-encoded) ``path``, query excluded."""
        rel = self.relative(path)
        for exempt in self.exempt:
            if rel == exempt or rel.startswith(exempt + "/"):
                return EXEMPT
        return first_refusal(f.check(method, rel) for f in self.filters) or NO_SPEC
