"""Runs in the worker process (``install``) and in any process (the rest): OpenAPI spec enforcement.

jupyter_server's extension guide documents ``_allowed_spec``, ``_blocked_spec`` and
``_slash_encoder`` on an ExtensionApp, but jupyter_server never enforced them. This package does,
in the dev server and in any Jupyter server (see docs/specs.md)::

    from devserver.specs import SpecFilter, enforce

    spec_filter = SpecFilter(allowed=ALLOWED, blocked=BLOCKED, slash_encoder=ENC, name="my_app")
    spec_filter.check("GET", "/api/kernels")           # Verdict(allowed=False, rule=...)
    enforce(serverapp.web_app, spec_filter, serverapp.base_url)   # 403 for refused requests

Modules: ``document`` (spec validation, SpecError), ``params`` (parameter schemas), ``matcher``
(SpecFilter), ``gate`` (base_url, dashboard exemption), ``enforcement`` (the tornado rule),
``mixin`` (SpecEnforcingMixin), ``examples`` (example paths), ``live`` (the dev server's worker).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .document import SpecError
from .enforcement import Enforcement, enforce, remove_enforcement, verdict_of
from .gate import Gate
from .live import SpecsProvider
from .matcher import SlashEncoder, SpecFilter
from .mixin import SpecEnforcingMixin
from .verdict import Verdict

if TYPE_CHECKING:
    from jupyter_server.serverapp import ServerApp

    from devserver.agent.registry import Registry

PROVIDER_KEY = "specs"


def install(
    serverapp: ServerApp, registry: Registry, starter: str | None, enforce_all: bool
) -> None:
    """Enforce the specs of the starter app (all apps' with ``enforce_all``) and serve the
    ``specs`` section of the dashboard API. Call once, after every extension is loaded.

    Raises SpecError (a ConfigError) when a spec to enforce is not valid OpenAPI v3.
    """
    provider = SpecsProvider(serverapp, registry, starter, enforce_all)
    provider.start()
    registry.providers[PROVIDER_KEY] = provider


def refresh(registry: Registry) -> None:
    """Look at the apps' specs again, after a hot reload; never raises for an invalid spec
    (the app's requests are then all refused and the error is recorded)."""
    provider = registry.providers.get(PROVIDER_KEY)
    if isinstance(provider, SpecsProvider):
        provider.refresh()


__all__ = [
    "Enforcement",
    "Gate",
    "SlashEncoder",
    "SpecEnforcingMixin",
    "SpecError",
    "SpecFilter",
    "SpecsProvider",
    "Verdict",
    "enforce",
    "install",
    "refresh",
    "remove_enforcement",
    "verdict_of",
]
