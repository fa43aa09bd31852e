"""Jupyter_server's ExtensionManager, with failures kept as data and
each extension's routes captured into a router of its own.

jupyter_server's manager turns every failure into one WARNING line and carries on. This one still
carries on (the other extensions serve), but each failure becomes an ``ErrorRecord`` with its phase
(import, link, load, start), type, message, traceback, file and line, in the registry.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from jupyter_server.extension.manager import ExtensionManager, ExtensionPackage
from tornado.routing import Rule
from traitlets import Dict, Float, Instance

from devserver.apijson import Phase
from devserver.masking import console, secret_values
from devserver.outcomes import error_line

from . import caches
from .deadline import call_with_deadline
from .records import ErrorRecord, ExtensionRecord
from .registry import Registry
from .routing import RouteCapture


@dataclass
class _Step:
    ok: bool = True


class AgentExtensionManager(ExtensionManager):
    """An ExtensionManager that records failures by phase and owns per-extension routers."""

    registry = Instance(Registry)
    capture = Instance(RouteCapture, allow_none=True)
    #: The tornado settings keys each extension added while it loaded (a reload replaces them).
    settings_keys = Dict()
    #: Seconds an extension's import may take at start (``DevServer.reload_timeout``): one that
    #: hangs is a failure of that extension, and the server starts with the others.
    import_timeout = Float(5.0)

    @contextmanager
    def user_code(self, name: str, phase: Phase, fatal: bool = True) -> Iterator[_Step]:
        """Run a step of extension ``name``'s own code: what it raises is recorded as its failure
        in ``phase`` (``step.ok`` turns false; with ``fatal``, the extension's state too) and the
        other extensions carry on."""
        step = _Step()
        try:
            yield step
        except Exception as exc:  # noqa: BLE001 - user code may raise anything: recorded, not fatal
            step.ok = False
            if fatal:
                self.registry.extension(name).failed()
            self.record_failure(name, phase, exc)

    def record_failure(
        self, name: str, phase: Phase, exc: BaseException, publish: bool = True
    ) -> ErrorRecord:
        """Keep ``exc`` as an error of ``name`` in ``phase``, located in its folder, and log it;
        ``publish=False`` when the caller's own event carries the error (a failed reload)."""
        error = ErrorRecord.from_exception(
            name, phase, exc, source_dir(self.registry.extension(name).source)
        )
        error = self.registry.record_error(error, publish=publish)
        # The token and secret env values stay out of the terminal, and so do raw newlines and
        # escapes, which could forge a "✓ reloaded" line. (The identity provider does not exist
        # yet while extensions are first imported; the token is in the environment then.)
        token = getattr(getattr(self.serverapp, "identity_provider", None), "token", None)
        secrets = secret_values([token], os.environ)
        self.log.error("%s", console(error_line(error.to_json()), secrets))
        return error

    def add_extension(self, extension_name: str, enabled: bool = False) -> bool:
        record = self.registry.extension(extension_name)
        record.enabled = bool(enabled)
        record.module = extension_name
        with self.user_code(extension_name, "import") as step:
            package = call_with_deadline(
                extension_name,
                lambda: ExtensionPackage(name=extension_name, enabled=enabled),
                self.import_timeout,
            )
        if not step.ok:
            return False
        self.extensions[extension_name] = package
        describe(record, package)
        return True

    def link_extension(self, name: str) -> None:
        extension = self.extensions[name]
        if self.linked_extensions.get(name, False) or not extension.enabled:
            return
        with self.user_code(name, "link") as step:
            extension.link_all_points(self.serverapp)
        self.linked_extensions[name] = step.ok

    def load_extension(self, name: str) -> None:
        extension = self.extensions.get(name)
        record = self.registry.extension(name)
        if extension is None or not extension.enabled or record.state == "failed":
            return
        assert self.capture is not None  # set by WorkerApp.init_webapp, before any load
        settings = self.serverapp.web_app.settings
        before = set(settings)
        with self.capture.capturing(name) as captured, self.user_code(name, "load") as step:
            extension.load_all_points(self.serverapp)
        if not step.ok:
            return  # the routes it added before failing are not served
        self.capture.install(name, captured)
        self.settings_keys[name] = added = set(settings) - before
        caches.share_with_extension(extension, settings, added)
        record.loaded()
        self.log.info(
            "%s | extension loaded with %d route(s)", name, count_routes(list(captured.rules()))
        )

    def load_all_extensions(self) -> None:
        # Every extension gets its place first, in load order, even one that failed to import:
        # fixed later, its routes come where they would have been at start-up.
        assert self.capture is not None  # set by WorkerApp.init_webapp, before any load
        self.capture.reserve(sorted({*self.extensions, *self.registry.extensions}))
        super().load_all_extensions()  # type: ignore[no-untyped-call]

    async def start_extension(self, name: str) -> None:
        extension = self.extensions.get(name)
        if extension is None or not extension.enabled:
            return
        if self.registry.extension(name).state == "failed":
            return
        with self.user_code(name, "start"):
            await extension.start_all_points(self.serverapp)


def count_routes(rules: list[Rule]) -> int:
    """The URL rules inside captured ``add_handlers`` rules (one per call, each holding a list)."""
    return sum(len(getattr(rule.target, "rules", None) or [rule]) for rule in rules)


def describe(record: ExtensionRecord, package: ExtensionPackage) -> None:
    """Fill a record from an ``ExtensionPackage``: version, source folder, extension points."""
    record.enabled = bool(package.enabled)
    record.version = str(package.version or "")
    module = package.module
    record.source = str(package_dir(module)) if isinstance(module, ModuleType) else None
    record.points = [
        {
            "name": point.name,
            "module": point.module_name,
            "app": f"{type(point.app).__module__}.{type(point.app).__qualname__}"
            if point.app
            else None,
        }
        for point in package.extension_points.values()
    ]


def package_dir(module: ModuleType) -> Path | None:
    """The folder of a package (or the file of a plain module)."""
    file = getattr(module, "__file__", None)
    if not file:
        return None
    path = Path(file).resolve()
    return path.parent if path.name == "__init__.py" else path


def source_dir(source: str | None) -> Path | None:
    if source is None:
        return None
    path = Path(source)
    return path if path.is_dir() else path.parent
