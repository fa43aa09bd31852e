"""One stable router per extension and place, so its routes can be swapped.

tornado's ``Application`` routes through ``default_router``, whose last rule holds
``wildcard_router`` (jupyter_server's core handlers and its 404 catch-all). Extensions add rules
to both: ``add_handlers`` (any host pattern) inserts before that last rule, and some write to a
router directly (``wildcard_router.add_rules``, as nbclassic does, or ``default_router``). There
is no way to remove or replace a rule (https://github.com/tornadoweb/tornado/issues/1687), and the
first match wins: adding the rules again after a reload leaves the old code serving.

So while an extension loads, every rule it adds to either router is taken back out and kept in a
``Capture``; each run of new rules becomes one ``ExtensionRouter`` at that run's place, known by
the router and the rule that follows it (its *anchor*). A reload captures again and assigns each
router its new rule list in one statement. Routing is decided on the IOLoop thread when a
request's headers arrive, so the assignment is atomic: requests already routed finish on the old
handler. ``reserve()`` gives each extension its ``add_handlers`` place before any loads, so one
that fails at start-up and is fixed later serves from the place it would have had.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from inspect import isclass

from jupyter_server.base.handlers import JupyterHandler
from tornado import web
from tornado.routing import AnyMatches, HostMatches, PathMatches, Rule, RuleRouter

from .records import RouteRecord

#: The routers of a tornado Application that extensions add rules to, by name.
ROUTERS = ("default_router", "wildcard_router")
#: Where a run of rules sits: the router's name and the rule right after it (None: the end).
Place = tuple[str, Rule | None]


class ExtensionRouter(web._ApplicationRouter):
    """The routes of one extension at one place; ``swap()`` replaces them all at once.

    ``tornado.web._ApplicationRouter`` is private but stable since tornado 4.5: it is what lets a
    rule's target be a ``RequestHandler`` class, exactly as ``add_handlers`` builds it.
    """

    def __init__(self, application: web.Application, extension: str) -> None:
        super().__init__(application, [])
        self.extension = extension

    def swap(self, rules: list[Rule]) -> None:
        """Replace every rule of this extension here in a single assignment."""
        self.rules = rules


@dataclass
class Capture:
    """The rules one load of an extension added, by the place each run of them sits."""

    runs: dict[Place, list[Rule]] = field(default_factory=dict)

    def rules(self) -> Iterator[Rule]:
        for run in self.runs.values():
            yield from run

    def __len__(self) -> int:
        return sum(len(run) for run in self.runs.values())


@dataclass
class _Slot:
    extension: str
    place: Place
    router: ExtensionRouter


class RouteCapture:
    """Owns every rule extensions add to the app's routers, one ``ExtensionRouter`` per place."""

    def __init__(self, web_app: web.Application) -> None:
        self.web_app = web_app
        self.slots: list[_Slot] = []

    def _router(self, name: str) -> RuleRouter:
        router = getattr(self.web_app, name)
        assert isinstance(router, RuleRouter)
        return router

    def reserve(self, extensions: list[str]) -> None:
        """Give each extension, in load order, its ``add_handlers`` place now (empty)."""
        default = self._router("default_router")
        for name in extensions:
            self._slot(name, ("default_router", default.rules[-1]))

    def routers(self, extension: str) -> list[ExtensionRouter]:
        return [s.router for s in self.slots if s.extension == extension]

    def install(self, extension: str, capture: Capture) -> None:
        """Serve ``capture`` as all of ``extension``'s rules: each run at its place, swapped in
        one assignment; places it no longer uses are emptied."""
        for place, rules in capture.runs.items():
            self._slot(extension, place).router.swap(rules)
        for slot in self.slots:
            if slot.extension == extension and slot.place not in capture.runs:
                slot.router.swap([])

    def _slot(self, extension: str, place: Place) -> _Slot:
        found = next((s for s in self.slots if s.extension == extension and s.place == place), None)
        if found is not None:
            return found
        router_name, anchor = place
        rules = self._router(router_name).rules
        index = next((i for i, r in enumerate(rules) if r is anchor), len(rules))
        slot = _Slot(extension, place, ExtensionRouter(self.web_app, extension))
        rules.insert(index, Rule(AnyMatches(), slot.router))
        self.slots.append(slot)
        return slot

    @contextmanager
    def capturing(self, extension: str) -> Iterator[Capture]:
        """Collect the rules added to the app's routers inside the block, without serving them.

        The extension's own calls run unchanged (jupyter_server's audit of auth decorators in its
        ``add_handlers`` included), on routers as they would be without this extension's rules
        (``rules.insert(-1, ...)`` then lands where it did the first time); afterwards, success
        or not, every rule that was not there before is taken back out, and the capture says
        where each run of them was.
        """
        own = {id(s.router) for s in self.slots if s.extension == extension}
        aside: dict[str, list[tuple[int, Rule]]] = {}
        for name in ROUTERS:
            rules = self._router(name).rules
            aside[name] = [(i, r) for i, r in enumerate(rules) if id(r.target) in own]
            rules[:] = [r for r in rules if id(r.target) not in own]
        before = {name: {id(r) for r in self._router(name).rules} for name in ROUTERS}
        capture = Capture()
        try:
            yield capture
        finally:
            for name in ROUTERS:
                rules = self._router(name).rules
                for place, run in _runs(name, rules, before[name]).items():
                    capture.runs.setdefault(place, []).extend(run)
                rules[:] = [r for r in rules if id(r) in before[name]]
                for index, rule in aside[name]:  # back where they were
                    rules.insert(index, rule)


def _runs(name: str, rules: list[Rule], old: set[int]) -> dict[Place, list[Rule]]:
    """The new rules of ``rules`` (those not in ``old``), grouped by the old rule that follows."""
    runs: dict[Place, list[Rule]] = {}
    pending: list[Rule] = []
    for rule in rules:
        if id(rule) in old:
            if pending:
                runs.setdefault((name, rule), []).extend(pending)
                pending = []
        else:
            pending.append(rule)
    if pending:
        runs.setdefault((name, None), []).extend(pending)
    return runs


def routing_key(web_app: web.Application) -> list[tuple[object, object]]:
    """What the routing is made of: every rule, through every router, with its router's rule
    list. Equal keys (by identity) mean equal routing: a swap assigns a new list."""
    key: list[tuple[object, object]] = []
    stack: list[RuleRouter] = [web_app.default_router]
    while stack:
        router = stack.pop()
        key.extend((rule, router.rules) for rule in router.rules)
        stack.extend(r.target for r in router.rules if isinstance(r.target, RuleRouter))
    return key


def walk_routes(web_app: web.Application, allow_unauthenticated: bool) -> list[RouteRecord]:
    """Every URL rule of the server in the order tornado tries them, with its owner."""
    out: list[RouteRecord] = []
    _walk(web_app.default_router, None, ".*$", out, allow_unauthenticated)
    return out


def _walk(
    router: RuleRouter, owner: str | None, host: str, out: list[RouteRecord], allow_unauth: bool
) -> None:
    for rule in router.rules:
        target = rule.target
        if isinstance(target, ExtensionRouter):
            _walk(target, target.extension, host, out, allow_unauth)
        elif isinstance(target, RuleRouter):
            matcher = rule.matcher
            inner_host = matcher.host_pattern.pattern if isinstance(matcher, HostMatches) else host
            _walk(target, owner, inner_host, out, allow_unauth)
        elif isclass(target) and issubclass(target, web.RequestHandler):
            pattern = _pattern_of(rule)
            methods = implemented_methods(target)
            out.append(
                RouteRecord(
                    pattern=pattern,
                    handler=f"{target.__module__}.{target.__qualname__}",
                    extension=owner,
                    methods=methods,
                    authenticated=is_authenticated(target, methods, allow_unauth),
                    order=len(out),
                    host=host,
                )
            )


def _pattern_of(rule: Rule) -> str:
    matcher = rule.matcher
    if isinstance(matcher, PathMatches):
        return str(matcher.regex.pattern).removesuffix("$")
    return repr(matcher)


def implemented_methods(handler: type[web.RequestHandler]) -> list[str]:
    """HTTP methods the handler class really implements."""
    return [
        m
        for m in handler.SUPPORTED_METHODS
        if getattr(handler, m.lower(), None) is not web.RequestHandler._unimplemented_method
        and m != "OPTIONS"
    ]


def is_authenticated(
    handler: type[web.RequestHandler], methods: list[str], allow_unauthenticated: bool
) -> bool:
    """Whether every implemented method needs a logged-in user.

    jupyter_server 2.x refuses unauthenticated requests in ``JupyterHandler.prepare`` unless the
    method is marked ``@allow_unauthenticated`` or the server allows unauthenticated access.
    """

    def guarded(method_name: str) -> bool:
        method = getattr(handler, method_name.lower())
        # ``@ws_authenticated`` sets the marker too, to False: only a true value opens a method.
        if getattr(method, "__allow_unauthenticated", False):
            return False
        code = getattr(method, "__code__", None)
        decorated = code is not None and code.co_qualname.startswith(
            ("authenticated", "ws_authenticated")
        )
        return decorated or (issubclass(handler, JupyterHandler) and not allow_unauthenticated)

    return bool(methods) and all(guarded(m) for m in methods)
