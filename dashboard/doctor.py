"""``POST /_introspect/api/extensions/{name}/audit``: the reload-safety audit.

Reloads the extension ``?times=N`` times (default 5, at most 50) inside the worker and answers
what the old versions left behind (``devserver.agent.audit``). ``devserver doctor NAME`` and the
pytest plugin's ``assert_reload_safe`` call it.
"""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from devserver.agent.audit import Audit

from .api import NAME
from .base import DashboardApiHandler
from .openapi import MAX_AUDIT_TIMES


class AuditApi(DashboardApiHandler):
    """Reload N times and list the leaks; 404 for an unknown name, 400 for a bad ``times``."""

    @web.authenticated
    @authorized
    async def post(self, name: str) -> None:
        raw = self.get_argument("times", "5")
        if not raw.isdigit() or not 1 <= int(raw) <= MAX_AUDIT_TIMES:
            raise web.HTTPError(400, f"times={raw!r}: give a number from 1 to {MAX_AUDIT_TIMES}")
        if self.registry.resolve(name) is None:
            raise web.HTTPError(404, f"no extension named {name!r}")
        if self.registry.reload_fn is None:
            raise web.HTTPError(503, "the reload engine is not running yet")
        self.write_json(await Audit(self.registry, name, times=int(raw)).run())


AUDIT_HANDLERS: list[tuple[str, type[web.RequestHandler]]] = [
    (f"/api/extensions/{NAME}/audit", AuditApi),
]
