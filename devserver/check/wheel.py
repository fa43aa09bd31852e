"""Whether a wheel of the project would hold given package files.

Answered from the packaging files, without building: build backends that ship the whole package
folder; setuptools' ``package-data`` globs; then ``MANIFEST.in`` with ``include_package_data``.
Built with ``pip wheel``, the verdicts matched the wheels of the examples and of broken variants.
"""

from __future__ import annotations

from fnmatch import fnmatch
from pathlib import Path

from .meta import UNKNOWN, Metadata, cfg_list, strings


def package_data_patterns(meta: Metadata, package: str) -> tuple[list[str], bool]:
    """The package-data globs that apply to ``package``, and whether some were unreadable."""
    patterns: list[str] = []
    table = meta.table("tool", "setuptools", "package-data")
    setup_value = meta.setup.get("package_data", {})
    for source in (table, setup_value if isinstance(setup_value, dict) else {}):
        for key in (package, "*", ""):
            patterns += strings(source.get(key, []))
    for key in (package, "*"):
        patterns += cfg_list(meta.cfg_value("options.package_data", key))
    return patterns, setup_value is UNKNOWN


def include_package_data(meta: Metadata) -> bool:
    """setuptools' ``include_package_data``; it defaults to true for a ``[project]`` table."""
    value = meta.tool("setuptools", "include-package-data")
    if value is None and "include_package_data" in meta.setup:
        value = meta.setup["include_package_data"] is True
    declared = meta.cfg_value("options", "include_package_data")
    if value is None and declared is not None:
        value = declared.strip().lower() in {"true", "1", "yes", "on"}
    return bool(value) if value is not None else "project" in meta.pyproject


#: Build backends that put every file inside a package's folder into the wheel by default.
SHIPS_PACKAGE_FOLDER = ("hatchling", "flit_core", "pdm.backend", "poetry.core")


def package_files_shipped(
    meta: Metadata, package_dir: Path, package: str, files: list[Path]
) -> tuple[bool | None, str]:
    """Whether a wheel of the project holds ``files`` (inside ``package_dir``), and why.

    None means it cannot be proven without building (computed setup() arguments, setuptools-scm).
    """
    if meta.backend.startswith(SHIPS_PACKAGE_FOLDER):
        return True, f"{meta.backend.split('.')[0]} ships every file inside the package folder"
    patterns, unknown = package_data_patterns(meta, package)
    matched = {hit for pattern in patterns for hit in _glob(package_dir, pattern)}
    missing = [f for f in files if f not in matched]
    if not missing:
        return True, "listed in package data"
    if include_package_data(meta):
        missing = [f for f in missing if not manifest_includes(meta.root, f)]
        if not missing:
            return True, "MANIFEST.in lists them and include_package_data is on"
        if _uses_scm(meta):
            return None, "setuptools-scm ships the files git tracks; that is not checked here"
    first = missing[0].relative_to(package_dir).as_posix()
    if unknown or meta.setup_opaque:
        return None, f"setup() computes package_data; {first} may be missing from it"
    return False, f"{first} is not in package data (nor in MANIFEST.in with include_package_data)"


def _glob(folder: Path, pattern: str) -> list[Path]:
    try:
        return [hit for hit in folder.glob(pattern) if hit.is_file()]
    except (ValueError, NotImplementedError):  # an empty or absolute pattern matches nothing
        return []


def _uses_scm(meta: Metadata) -> bool:
    requires = strings(meta.table("build-system").get("requires", []))
    named = any("setuptools_scm" in r.replace("-", "_") for r in requires)
    return named or meta.tool("setuptools_scm") is not None or "use_scm_version" in meta.setup


def manifest_includes(root: Path, file: Path) -> bool:
    """Whether MANIFEST.in's commands, applied in order, end up including ``file``."""
    manifest = root / "MANIFEST.in"
    if not manifest.is_file():
        return False
    rel = file.relative_to(root).as_posix()
    included = False
    for line in manifest.read_text(encoding="utf-8", errors="replace").splitlines():
        command, *args = line.split("#", 1)[0].split() or [""]
        verdict = _manifest_command(command, args, rel)
        included = included if verdict is None else verdict
    return included


def _manifest_command(command: str, args: list[str], rel: str) -> bool | None:
    """True/False when ``command`` includes/excludes ``rel``; None when it does not concern it."""
    name = rel.rsplit("/", 1)[-1]
    action = command.partition("-")[0]
    folder = (args[0].rstrip("/") + "/") if args else "\0"
    concerns = {
        "include": any(fnmatch(rel, a) for a in args),
        "exclude": any(fnmatch(rel, a) for a in args),
        "recursive": rel.startswith(folder) and any(fnmatch(name, p) for p in args[1:]),
        "global": any(fnmatch(name, p) for p in args),
        "graft": rel.startswith(folder),
        "prune": rel.startswith(folder),
    }
    if not concerns.get(action, False):
        return None
    return command.endswith("include") or command == "graft"
