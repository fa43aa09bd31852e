"""A reload imports a package only from its watched folder.

When a module file of a watched package is deleted, Python's import system does not stop at the
package's folder: another finder on ``sys.meta_path`` (an editable install's, say) may find the
same module name in another copy of the project and import that. The reload would then "succeed"
serving code that is not on disk in the watched folder. ``foreign_modules`` finds such modules
after the import, so the reload fails with the old code kept.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from types import ModuleType

from .deps import in_package


def package_folder(module: ModuleType | None) -> Path | None:
    """The folder a package (or a single-file module) was imported from."""
    file = getattr(module, "__file__", None)
    if not file:
        return None
    path = Path(file).resolve()
    return path.parent if path.name == "__init__.py" or hasattr(module, "__path__") else path


def foreign_modules(
    packages: Iterable[str],
    folders: Mapping[str, Path],
    modules: Mapping[str, ModuleType],
) -> list[str]:
    """``name (file)`` of each module of ``packages`` not under the package's folder in
    ``folders`` (packages without a known folder are not checked).

    >>> import types
    >>> m = types.ModuleType("p.h"); m.__file__ = "/other/p/h.py"
    >>> foreign_modules(["p"], {"p": Path("/src/p")}, {"p.h": m})
    ['p.h (/other/p/h.py)']
    """
    found = []
    for package in packages:
        folder = folders.get(package)
        if folder is None:
            continue
        for name, module in modules.items():
            file = getattr(module, "__file__", None)
            if (
                in_package(name, package)
                and file
                and not Path(file).resolve().is_relative_to(folder)
            ):
                found.append(f"{name} ({file})")
    return found
