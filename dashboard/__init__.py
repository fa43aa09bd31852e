"""The ``/_introspect`` dashboard extension of the dev server.

Enabled in every worker with ``jpserver_extensions={"dashboard": True}``; see docs/dashboard.md
for the pages and docs/api.md for the JSON API.
"""

from __future__ import annotations

from devserver import __version__

from .app import DashboardApp

__all__ = ["DashboardApp", "__version__"]


def _jupyter_server_extension_points() -> list[dict[str, object]]:
    return [{"module": "dashboard", "app": DashboardApp}]
