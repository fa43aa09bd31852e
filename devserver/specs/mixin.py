"""Spec enforcement for an ExtensionApp in its own deployment.

No dev server needed::

    from jupyter_server.extension.application import ExtensionApp
    from devserver.specs import SpecEnforcingMixin

    class MyApp(SpecEnforcingMixin, ExtensionApp):
        name = "my_app"
        _allowed_spec = {...}

``jupyter my_app`` (the app launched standalone, jupyter_server's "starter app") then refuses
every request its specs refuse. ``c.MyApp.enforce_specs = True`` enforces them whenever the
extension is loaded, ``False`` never.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from traitlets import Bool, HasTraits

from .enforcement import Enforcement, enforce
from .matcher import SpecFilter

if TYPE_CHECKING:
    from jupyter_server.serverapp import ServerApp


class SpecEnforcingMixin(HasTraits):
    """Put before ``ExtensionApp`` in the bases; enforcement is installed in ``initialize()``."""

    # Provided by ExtensionApp, which comes after this mixin in the MRO.
    name: str
    serverapp: ServerApp

    enforce_specs = Bool(
        None,
        allow_none=True,
        help="Enforce this app's _allowed_spec/_blocked_spec: True always, False never, "
        "None (default) only when the app is launched standalone (the server's starter app).",
    ).tag(config=True)

    def initialize(self) -> None:
        parent: Any = super()  # the ExtensionApp after this mixin; HasTraits has no initialize()
        parent.initialize()
        enforce_app_specs(self)


def enforce_app_specs(app: SpecEnforcingMixin) -> Enforcement | None:
    """Enforce ``app``'s specs on its server if its ``enforce_specs`` setting says so.

    Enforcing again (a new instance of the same app, after a reload) replaces the rule in place.
    """
    wanted = app.enforce_specs
    if wanted is None:
        wanted = getattr(app.serverapp, "starter_app", None) is app
    spec_filter = SpecFilter.from_app(app)
    if not wanted or spec_filter is None:
        return None
    return enforce(app.serverapp.web_app, spec_filter, app.serverapp.base_url, key=spec_filter.name)
