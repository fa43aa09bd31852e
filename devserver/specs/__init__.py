"""OpenAPI spec enforcement: a pure library, usable in any Jupyter server.

jupyter_server's extension guide documents ``_allowed_spec``, ``_blocked_spec`` and
``_slash_encoder`` on an ExtensionApp, but jupyter_server never enforced them. This package does,
in the dev server and in any Jupyter server (see docs/specs.md)::

    from devserver.specs import SpecFilter, enforce

    spec_filter = SpecFilter(allowed=ALLOWED, blocked=BLOCKED, slash_encoder=ENC, name="my_app")
    spec_filter.check("GET", "/api/kernels")           # Verdict(allowed=False, rule=...)
    enforce(serverapp.web_app, spec_filter, serverapp.base_url)   # 403 for refused requests

Modules: ``document`` (spec validation, SpecError), ``params`` (parameter schemas), ``matcher``
(SpecFilter), ``gate`` (base_url, dashboard exemption), ``enforcement`` (the tornado rule),
``mixin`` (SpecEnforcingMixin), ``examples`` (example paths). The dev server's own use of it
(kept in step with hot reloads) is ``devserver.agent.specs``.
"""

from __future__ import annotations

from .document import SpecError
from .enforcement import Enforcement, enforce, remove_enforcement, verdict_of
from .gate import Gate
from .matcher import SlashEncoder, SpecFilter
from .mixin import SpecEnforcingMixin
from .verdict import Verdict

__all__ = [
    "Enforcement",
    "Gate",
    "SlashEncoder",
    "SpecEnforcingMixin",
    "SpecError",
    "SpecFilter",
    "Verdict",
    "enforce",
    "remove_enforcement",
    "verdict_of",
]
