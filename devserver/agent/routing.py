"""One stable router per extension, so its routes can be swapped.

tornado's ``Application.add_handlers`` inserts a new rule before the last rule of the default
router (the core handlers and the 404 catch-all) and there is no way to remove or replace one
(https://github.com/tornadoweb/tornado/issues/1687). Calling it again after a reload appends
behind the old rule, and the first match wins: old code keeps serving.

So while an extension loads, its ``add_handlers`` calls are captured into an ``ExtensionRouter``
that sits at one fixed place in the default router. A reload builds a new rule list and assigns
it to that router in one statement. Routing is decided on the IOLoop thread when a request's
headers arrive, so the assignment is atomic: requests already routed finish on the old handler.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from inspect import isclass
from typing import Any

from jupyter_server.base.handlers import JupyterHandler
from tornado import web
from tornado.routing import AnyMatches, HostMatches, PathMatches, Rule, RuleRouter

from .records import RouteRecord


class ExtensionRouter(web._ApplicationRouter):
    """The routes of one extension; ``swap()`` replaces them all at once.

    ``tornado.web._ApplicationRouter`` is private but stable since tornado 4.5: it is what lets a
    rule's target be a ``RequestHandler`` class, exactly as ``add_handlers`` builds it.
    """

    def __init__(self, application: web.Application, extension: str) -> None:
        super().__init__(application, [])
        self.extension = extension

    def swap(self, rules: list[Rule]) -> None:
        """Replace every rule of this extension in a single assignment."""
        self.rules = rules


class RouteCapture:
    """Captures ``web_app.add_handlers`` while one extension loads or reloads."""

    def __init__(self, web_app: web.Application) -> None:
        self.web_app = web_app
        self.routers: dict[str, ExtensionRouter] = {}

    def router(self, extension: str) -> ExtensionRouter:
        """The extension's router, inserted before the core rule the first time it is asked for."""
        if extension not in self.routers:
            router = ExtensionRouter(self.web_app, extension)
            self.web_app.default_router.rules.insert(-1, Rule(AnyMatches(), router))
            self.routers[extension] = router
        return self.routers[extension]

    @contextmanager
    def capturing(self) -> Iterator[list[Rule]]:
        """Collect the rules of ``add_handlers`` calls made inside the block, without serving them.

        The real ``add_handlers`` runs (so jupyter_server's audit of auth decorators and tornado's
        rule processing are theirs, unchanged); the rule it inserted is then taken back out.
        """
        rules: list[Rule] = []
        app = self.web_app
        real_add_handlers = type(app).add_handlers

        def add_handlers(host_pattern: str, host_handlers: Any) -> None:
            real_add_handlers(app, host_pattern, host_handlers)
            rules.append(app.default_router.rules.pop(-2))

        app.add_handlers = add_handlers  # type: ignore[method-assign]
        try:
            yield rules
        finally:
            del app.add_handlers  # back to the class's method


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
