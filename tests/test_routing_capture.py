"""Every rule an extension adds to any router of a tornado app is owned and swapped in place."""

from __future__ import annotations

from tornado import web
from tornado.httputil import HTTPHeaders, HTTPServerRequest, RequestStartLine
from tornado.routing import PathMatches, Rule

from devserver.agent.routing import RouteCapture, walk_routes


def handler(text: str) -> type[web.RequestHandler]:
    return type(f"Handler_{text}", (web.RequestHandler,), {"get": lambda self: self.write(text)})


def app() -> web.Application:
    return web.Application([(r"/core", handler("core")), (r"/(.*)", handler("404"))])


def served(application: web.Application, path: str) -> str:
    """The name of the handler class tornado would route ``path`` to."""
    start = RequestStartLine("GET", path, "HTTP/1.1")
    request = HTTPServerRequest(start_line=start, headers=HTTPHeaders({"Host": "example.org"}))
    delegate = application.find_handler(request)
    return str(delegate.handler_class.__name__)


def load(application: web.Application, capture: RouteCapture, version: str) -> None:
    """An extension that uses every way to add rules, as real ones do."""
    with capture.capturing("ext") as captured:
        application.add_handlers(".*$", [(r"/ext", handler(f"ext{version}"))])
        application.add_handlers(r"example\.org", [(r"/host", handler(f"host{version}"))])
        application.default_router.add_rules([(r"/tail", handler(f"tail{version}"))])
        wildcard = application.wildcard_router
        core, final = wildcard.rules[:-1], wildcard.rules[-1:]  # before the catch-all, as nbclassic
        wildcard.rules = []
        wildcard.add_rules([*core, Rule(PathMatches(r"/wild"), handler(f"wild{version}")), *final])
    capture.install("ext", captured)


def test_rules_added_to_every_router_are_owned_and_swapped_in_place() -> None:
    """add_handlers (any host), default_router.add_rules and wildcard_router.add_rules are all
    owned by the extension; a second load replaces them where they were, never adding copies."""
    application = app()
    capture = RouteCapture(application)
    load(application, capture, "1")
    first = [(r.pattern, r.extension) for r in walk_routes(application, False)]
    assert served(application, "/wild") == "Handler_wild1"
    load(application, capture, "2")
    second = [(r.pattern, r.extension) for r in walk_routes(application, False)]
    assert second == first, "the routes moved or were duplicated"
    assert {p for p, owner in first if owner == "ext"} == {"/ext", "/host", "/tail", "/wild"}
    assert served(application, "/ext") == "Handler_ext2"
    assert served(application, "/host") == "Handler_host2"
    assert served(application, "/tail") == "Handler_404", (
        "rules added after the catch-all stay there"
    )
    assert served(application, "/wild") == "Handler_wild2"
    assert served(application, "/core") == "Handler_core"


def test_a_failed_load_leaves_no_rule_behind() -> None:
    """Rules added by a load that then fails are taken back out of every router."""
    application = app()
    capture = RouteCapture(application)
    before = [list(application.default_router.rules), list(application.wildcard_router.rules)]
    try:
        with capture.capturing("ext"):
            application.add_handlers(".*$", [(r"/ext", handler("half"))])
            application.wildcard_router.add_rules([(r"/w", handler("half"))])
            raise RuntimeError("load failed")
    except RuntimeError:
        pass
    after = [list(application.default_router.rules), list(application.wildcard_router.rules)]
    assert after == before


def test_reserved_places_keep_start_up_order() -> None:
    """An extension that loads late (fixed after failing at start-up) serves from the place it
    would have had, ahead of extensions that sort after it."""
    application = app()
    capture = RouteCapture(application)
    capture.reserve(["a_ext", "b_ext"])
    with capture.capturing("b_ext") as b_rules:
        application.add_handlers(".*$", [(r"/same", handler("b"))])
    capture.install("b_ext", b_rules)
    assert served(application, "/same") == "Handler_b"
    with capture.capturing("a_ext") as a_rules:
        application.add_handlers(".*$", [(r"/same", handler("a"))])
    capture.install("a_ext", a_rules)
    assert served(application, "/same") == "Handler_a"
