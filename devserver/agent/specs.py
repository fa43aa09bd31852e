"""The dev server's specs, kept in step with hot reloads (worker glue over ``devserver.specs``).

``SpecsProvider`` finds the ExtensionApps that define specs, enforces those of the starter app
(or of all apps with ``--enforce-specs``), and answers the dashboard's ``specs`` section with
the specs and a verdict table. Each enforced app gets a ``LiveEnforcement``: before checking a
request it compares the app instance the extension manager holds with the one its filter was
built from (an identity test), and rebuilds the filter when a reload put a new app there. So
a reload applies the new class's specs from the next request on, with no event to wait for.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from devserver.apijson import SpecJson, SpecsBody, VerdictRowJson
from devserver.specs.document import SpecError
from devserver.specs.enforcement import (
    Enforcement,
    RefusedHandler,
    install_enforcement,
    verdict_of,
)
from devserver.specs.examples import example_path
from devserver.specs.gate import DASHBOARD, Gate, RequestFilter
from devserver.specs.matcher import SpecFilter
from devserver.specs.verdict import NO_SPEC, Verdict

from .records import ErrorRecord

if TYPE_CHECKING:
    from jupyter_server.extension.application import ExtensionApp
    from jupyter_server.serverapp import ServerApp

    from .registry import Registry

PROVIDER_KEY = "specs"

_REFUSED_HANDLER = f"{RefusedHandler.__module__}.{RefusedHandler.__qualname__}"


@dataclass(frozen=True)
class FoundApp:
    """An ExtensionApp instance and the extension package that provides it."""

    package: str
    app: ExtensionApp

    @property
    def name(self) -> str:
        return str(self.app.name)


def find_apps(serverapp: ServerApp) -> Iterator[FoundApp]:
    """Every ExtensionApp of an enabled extension, by package then app name (a starter app
    with ``load_other_extensions = False`` disables the others)."""
    extensions = serverapp.extension_manager.extensions
    for package in sorted(extensions):
        extension = extensions[package]
        if not extension.enabled:
            continue
        apps = [p.app for p in extension.extension_points.values() if p.app is not None]
        for app in sorted(apps, key=lambda a: str(a.name)):
            yield FoundApp(package, app)


def has_specs(app: object) -> bool:
    return any(getattr(app, a, None) is not None for a in ("_allowed_spec", "_blocked_spec"))


def spec_filter(found: FoundApp) -> SpecFilter | None:
    """The app's filter; SpecError names the extension package too."""
    try:
        return SpecFilter.from_app(found.app, found.name)
    except SpecError as exc:
        raise SpecError(
            f"extension {found.package!r}: {exc.owner}", exc.place, exc.problem
        ) from exc


class FailClosed:
    """Stands for a filter whose spec became invalid on reload: every request is refused."""

    def __init__(self, name: str, error: SpecError) -> None:
        self.name = name
        self.verdict = Verdict(
            False, f"{name}'s spec is invalid, so everything is refused: {error}"
        )

    def check(self, method: str, path: str) -> Verdict:
        return self.verdict


class LiveEnforcement(Enforcement):
    """Enforces the specs of app ``name`` of extension ``package``, whichever instance is loaded."""

    def __init__(self, provider: SpecsProvider, package: str, name: str) -> None:
        super().__init__(name, Gate([], provider.base_url, DASHBOARD))
        self.provider = provider
        self.package = package
        self.seen: object = None
        self.error: SpecError | None = None

    def check(self, method: str, path: str) -> Verdict:
        self.sync()
        return self.gate.check(method, path)

    def sync(self) -> None:
        """Rebuild the gate if a reload put another app instance in the extension manager."""
        app = self.current_app()
        if app is not self.seen:
            self.rebuild(None if app is None else FoundApp(self.package, app))

    def current_app(self) -> ExtensionApp | None:
        """The app instance the extension manager holds now (a reload puts a new one there)."""
        extension = self.provider.serverapp.extension_manager.extensions.get(self.package)
        for point in () if extension is None else extension.extension_points.values():
            app: ExtensionApp | None = point.app  # jupyter_server leaves it unannotated
            if app is not None and app.name == self.key:
                return app
        return None

    def rebuild(self, found: FoundApp | None) -> None:
        """Build the gate from ``found``'s specs; an invalid spec refuses everything."""
        self.seen = None if found is None else found.app
        self.error = None
        filters: list[RequestFilter] = []
        if found is not None:
            try:
                filters = [f for f in [spec_filter(found)] if f is not None]
            except SpecError as exc:
                self.error = exc
                filters = [FailClosed(self.key, exc)]
                self.provider.record(found.package, exc)
        self.gate = Gate(filters, self.provider.base_url, DASHBOARD)


class SpecsProvider:
    """The ``specs`` section of the dashboard API, and the enforcement behind it."""

    def __init__(
        self, serverapp: ServerApp, registry: Registry, starter: str | None, enforce_all: bool
    ) -> None:
        self.serverapp = serverapp
        self.registry = registry
        self.starter = starter
        self.enforce_all = enforce_all
        self.base_url = str(serverapp.base_url)
        self.enforced: dict[str, LiveEnforcement] = {}
        #: The app instance whose specs were last checked, by app name: each is checked once.
        self.checked: dict[str, object] = {}

    def start(self) -> None:
        """Check every app's specs and enforce those that should be.

        Raises SpecError when an app to enforce has an invalid spec (the server must not start);
        an invalid spec of an app that is not enforced is recorded as an error of its extension.
        """
        self.refresh(strict=True)

    def refresh(self, strict: bool = False) -> None:
        """Look for apps with specs again (after a reload) and enforce the new ones too.

        Not strict, an enforced app whose new spec is invalid refuses every request instead of
        raising: the server keeps running and shows the error.
        """
        for found in find_apps(self.serverapp):
            if not has_specs(found.app) and found.name not in self.enforced:
                continue
            enforced = self.enforce_all or self.starter in (found.name, found.package)
            if not enforced:
                self._check_only(found)
            elif strict:
                spec_filter(found)  # raises SpecError
                self._enforce(found)
            else:
                self._enforce(found)

    def _check_only(self, found: FoundApp) -> None:
        if self.checked.get(found.name) is found.app:
            return
        self.checked[found.name] = found.app
        try:
            spec_filter(found)
        except SpecError as exc:
            self.record(found.package, exc)

    def _enforce(self, found: FoundApp) -> None:
        live = self.enforced.get(found.name) or LiveEnforcement(self, found.package, found.name)
        if live.seen is not found.app:  # a request may have brought it up to date already
            live.rebuild(found)
        self.enforced[found.name] = live
        install_enforcement(self.serverapp.web_app, live)

    def record(self, package: str, error: SpecError) -> None:
        self.registry.record_error(ErrorRecord.from_exception(package, "load", error))

    def __call__(self) -> SpecsBody:
        """``{"specs": [...], "verdicts": [...]}``, as the API serves them."""
        return {"specs": self.specs(), "verdicts": self.verdicts(), "starter": self.starter}

    def specs(self) -> list[SpecJson]:
        out: list[SpecJson] = []
        for found in find_apps(self.serverapp):
            if not has_specs(found.app):
                continue
            live = self.enforced.get(found.name)
            if live is not None:
                live.sync()
            out.append(
                {
                    "extension": found.package,
                    "app": found.name,
                    "allowed": getattr(found.app, "_allowed_spec", None),
                    "blocked": getattr(found.app, "_blocked_spec", None),
                    "slash_encoder": list(getattr(found.app, "_slash_encoder", None) or ()),
                    "enforced": live is not None,
                    "error": None if live is None or live.error is None else str(live.error),
                }
            )
        return out

    def verdicts(self) -> list[VerdictRowJson]:
        """For every route and method: what a request to an example path of it gets."""
        rows: list[VerdictRowJson] = []
        web_app = self.serverapp.web_app
        for route in self.registry.routes():
            if route.handler == _REFUSED_HANDLER:
                continue
            example = example_path(route.pattern)
            for method in route.methods:
                if example is None:
                    verdict = UNKNOWN
                else:
                    verdict = verdict_of(web_app, method, example) or NO_SPEC
                rows.append(
                    {
                        "pattern": route.pattern,
                        "method": method,
                        "extension": route.extension,
                        "example": example,
                        "verdict": "unknown" if verdict is UNKNOWN else verdict.word,
                        "rule": verdict.rule,
                    }
                )
        return rows


UNKNOWN = Verdict(True, "no example path for this pattern")


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
