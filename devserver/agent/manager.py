"""Jupyter_server's ExtensionManager, with failures kept as data and
each extension's routes captured into a router of its own.

jupyter_server's manager turns every failure into one WARNING line and carries on. This one still
carries on (the other extensions serve), but each failure becomes an ``ErrorRecord`` with its phase
(import, link, load, start), type, message, traceback, file and line, in the registry.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import ModuleType
from typing import Any

from jupyter_server.extension.manager import ExtensionManager, ExtensionPackage
from traitlets import Any as AnyTrait
from traitlets import Dict, Float

from devserver.masking import console, secret_values

from .deadline import call_with_deadline
from .records import ErrorRecord, ExtensionRecord, Phase
from .registry import Registry
from .routing import RouteCapture


class AgentExtensionManager(ExtensionManager):
    """An ExtensionManager that records failures by phase and owns per-extension routers."""

    registry = AnyTrait()
    capture = AnyTrait(allow_none=True)
    #: The tornado settings keys each extension added while it loaded (a reload replaces them).
    settings_keys = Dict()
    #: Seconds an extension's import may take at start (``DevServer.reload_timeout``): one that
    #: hangs is a failure of that extension, and the server starts with the others.
    import_timeout = Float(5.0)

    def _registry(self) -> Registry:
        assert isinstance(self.registry, Registry)
        return self.registry

    def _fail(self, name: str, phase: Phase, exc: BaseException) -> None:
        self._registry().extension(name).state = "failed"
        self.record_failure(name, phase, exc)

    def record_failure(self, name: str, phase: Phase, exc: BaseException) -> ErrorRecord:
        """Keep ``exc`` as an error of ``name`` in ``phase``, located in its folder, and log it."""
        error = ErrorRecord.from_exception(
            name, phase, exc, source_dir(self._registry().extension(name).source)
        )
        self._registry().record_error(error)
        # The token and secret env values stay out of the terminal, and so do raw newlines and
        # escapes, which could forge a "✓ reloaded" line of the supervisor.
        # (The identity provider does not exist yet while extensions are first imported; the
        # token is also in the environment, as JUPYTER_TOKEN.)
        token = getattr(getattr(self.serverapp, "identity_provider", None), "token", None)
        message = console(error.message, secret_values([token], os.environ))
        self.log.error(
            "%s | %s failed: %s: %s (%s:%s)",
            name,
            phase,
            error.type,
            message,
            error.file,
            error.line,
        )
        return error

    def add_extension(self, extension_name: str, enabled: bool = False) -> bool:
        record = self._registry().extension(extension_name)
        record.enabled = bool(enabled)
        record.module = extension_name
        try:
            package = call_with_deadline(
                extension_name,
                lambda: ExtensionPackage(name=extension_name, enabled=enabled),
                self.import_timeout,
            )
        # SystemExit too, as in a reload: a module calling sys.exit() must not end the worker.
        except (Exception, SystemExit) as exc:  # noqa: BLE001 - user code may raise anything: recorded, not fatal
            self._fail(extension_name, "import", exc)
            return False
        self.extensions[extension_name] = package
        describe(record, package)
        return True

    def link_extension(self, name: str) -> None:
        extension = self.extensions[name]
        if self.linked_extensions.get(name, False) or not extension.enabled:
            return
        try:
            extension.link_all_points(self.serverapp)
        except Exception as exc:  # noqa: BLE001 - recorded with its traceback, the others still load
            self._fail(name, "link", exc)
            return
        self.linked_extensions[name] = True

    def load_extension(self, name: str) -> None:
        extension = self.extensions.get(name)
        record = self._registry().extension(name)
        if extension is None or not extension.enabled or record.state == "failed":
            return
        assert isinstance(self.capture, RouteCapture)
        settings = self.serverapp.web_app.settings
        before = set(settings)
        with self.capture.capturing() as rules:
            try:
                extension.load_all_points(self.serverapp)
            except Exception as exc:  # noqa: BLE001 - recorded; partial routes are not served
                self._fail(name, "load", exc)
                return
        self.capture.router(name).swap(rules)
        self.settings_keys[name] = set(settings) - before
        record.state = "loaded"
        self.log.info("%s | extension loaded with %d route rule(s)", name, len(rules))

    async def start_extension(self, name: str) -> None:
        extension = self.extensions.get(name)
        if extension is None or not extension.enabled:
            return
        if self._registry().extension(name).state == "failed":
            return
        try:
            await extension.start_all_points(self.serverapp)
        except Exception as exc:  # noqa: BLE001 - recorded with its traceback
            self._fail(name, "start", exc)


def describe(record: ExtensionRecord, package: Any) -> None:
    """Fill a record from an ``ExtensionPackage``: version, source folder, extension points."""
    record.enabled = bool(package.enabled)
    record.state = "loaded" if package.enabled else "disabled"
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
