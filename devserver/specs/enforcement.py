"""Enforcement in a tornado server (the dev server's worker, or any Jupyter server).

Every request is checked before routing: ``enforce()`` puts one rule at the head of the
application's default router. Its matcher answers "no match" for a request that passes, so
routing goes on exactly as before; for a refused request it matches and routes to a handler that
answers 403 with a JSON body naming the rule. One rule per key (an app's name): enforcing the
same key again swaps the rule's checker in place, so a reloaded app never stacks rules.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from urllib.parse import quote

from tornado import httputil, web
from tornado.routing import Matcher, Rule

from .gate import Gate
from .matcher import SpecFilter
from .verdict import Verdict, first_refusal

#: Response header of a refusal, naming the rule (also in the JSON body, except for HEAD).
REFUSED_HEADER = "X-Refused-By-Spec"


class Enforcement:
    """The check behind one enforcement rule; ``gate`` may be replaced at any time."""

    def __init__(self, key: str, gate: Gate) -> None:
        self.key = key
        self.gate = gate

    def check(self, method: str, path: str) -> Verdict:
        return self.gate.check(method, path)


class SpecRuleMatcher(Matcher):
    """Matches exactly the requests its enforcement refuses."""

    def __init__(self, enforcement: Enforcement) -> None:
        self.enforcement = enforcement

    def match(self, request: httputil.HTTPServerRequest) -> dict[str, object] | None:
        verdict = self.enforcement.check(request.method or "GET", request.path)
        if verdict.allowed:
            return None
        # The rule itself has no target_kwargs, so tornado passes these on to the handler.
        return {"target_kwargs": {"verdict": verdict}}

    def __repr__(self) -> str:
        return f"SpecRuleMatcher({self.enforcement.key!r})"


class RefusedHandler(web.RequestHandler):
    """Answers a refused request: 403 and the rule that refused it, whatever the method."""

    def initialize(self, verdict: Verdict) -> None:
        self.verdict = verdict

    def check_xsrf_cookie(self) -> None:
        """Nothing is changed by a refusal, and an XSRF error would hide which rule refused."""

    def prepare(self) -> None:
        self.set_status(403)
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        # A HEAD answer has no body: the header says the same, percent-encoded to stay latin-1.
        self.set_header(REFUSED_HEADER, quote(self.verdict.rule, safe=" /{}:._-,'()"))
        body = {"error": "refused by an OpenAPI spec", "message": self.verdict.rule}
        self.finish(json.dumps({**body, **self.verdict.to_json()}))


def enforce(
    web_app: web.Application,
    specs: SpecFilter | Sequence[SpecFilter] | object,
    base_url: str = "/",
    key: str | None = None,
    exempt: Sequence[str] = (),
) -> Enforcement:
    """Check every request of ``web_app`` against ``specs`` before routing.

    ``specs`` is a SpecFilter, a list of them, or an ExtensionApp (class or instance) with
    ``_allowed_spec`` / ``_blocked_spec`` / ``_slash_encoder``. ``key`` (default: the filters'
    names) identifies the rule: enforcing the same key again replaces its checks in place.
    Paths under ``{base_url}{e}`` for each ``e`` in ``exempt`` are never refused.

    >>> enforce(serverapp.web_app, MyExtensionApp, serverapp.base_url)  # doctest: +SKIP
    """
    filters = _filters(specs)
    key = key or ",".join(f.name for f in filters)
    return install_enforcement(web_app, Enforcement(key, Gate(filters, base_url, exempt)))


def install_enforcement(web_app: web.Application, enforcement: Enforcement) -> Enforcement:
    """Put ``enforcement`` first in routing, replacing the one with the same key if any."""
    for matcher in spec_matchers(web_app):
        if matcher.enforcement.key == enforcement.key:
            matcher.enforcement = enforcement
            return enforcement
    web_app.default_router.rules.insert(0, Rule(SpecRuleMatcher(enforcement), RefusedHandler))
    return enforcement


def remove_enforcement(web_app: web.Application, key: str) -> None:
    """Stop enforcing the rule ``key`` (no error when there is none)."""
    rules = web_app.default_router.rules
    rules[:] = [
        r
        for r in rules
        if not (isinstance(r.matcher, SpecRuleMatcher) and r.matcher.enforcement.key == key)
    ]


def spec_matchers(web_app: web.Application) -> list[SpecRuleMatcher]:
    """The enforcement rules' matchers of ``web_app``, in the order tornado tries them."""
    return [
        r.matcher for r in web_app.default_router.rules if isinstance(r.matcher, SpecRuleMatcher)
    ]


def verdict_of(web_app: web.Application, method: str, path: str) -> Verdict | None:
    """What the enforcement rules of ``web_app`` decide for a request; None when none is installed.

    This asks the very rules that routing asks, so a verdict table built with it matches what
    real requests get.
    """
    return first_refusal(m.enforcement.check(method, path) for m in spec_matchers(web_app))


def _filters(specs: object) -> list[SpecFilter]:
    if isinstance(specs, SpecFilter):
        return [specs]
    if isinstance(specs, Sequence) and all(isinstance(s, SpecFilter) for s in specs):
        return list(specs)
    app_filter = SpecFilter.from_app(specs)
    if app_filter is None:
        raise TypeError(f"{specs!r} is neither a SpecFilter nor an ExtensionApp with specs")
    return [app_filter]
