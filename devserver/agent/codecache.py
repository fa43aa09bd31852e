"""Compiled code of unchanged source files, kept in memory across reloads.

The worker writes no bytecode caches (``.pyc`` files are validated by whole-second mtimes and
size: a same-size edit within a second would import stale code), so a reload compiled every
module of the package again. For jupyter-lsp (35 modules, most of them language-server specs
nobody edits) compiling was half of its re-import. This loader keeps, per file, the source bytes
and the code compiled from them: a module whose source is byte-for-byte the same reuses its code
object (code objects are immutable), an edited one is compiled. Only the watched source roots use
it; everything else imports as usual.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Callable, Iterable
from importlib.machinery import (
    BYTECODE_SUFFIXES,
    EXTENSION_SUFFIXES,
    SOURCE_SUFFIXES,
    ExtensionFileLoader,
    FileFinder,
    SourceFileLoader,
    SourcelessFileLoader,
)
from pathlib import Path
from types import CodeType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer, StrPath

#: Per source file: the bytes last compiled and their code.
_CODE: dict[str, tuple[bytes, CodeType]] = {}


class CachingSourceLoader(SourceFileLoader):
    """A SourceFileLoader that compiles a file again only when its bytes changed."""

    # typeshed has source_to_code as a staticmethod on InspectLoader, a method on SourceLoader.
    def source_to_code(  # type: ignore[override]
        self,
        data: ReadableBuffer | str | ast.Module | ast.Expression | ast.Interactive,
        path: bytes | StrPath,
        *,
        _optimize: int = -1,
    ) -> CodeType:
        if isinstance(data, ast.AST):
            return super().source_to_code(data, path, _optimize=_optimize)
        key = str(path)
        raw = data.encode() if isinstance(data, str) else bytes(data)
        cached = _CODE.get(key)
        if cached is not None and cached[0] == raw:
            return cached[1]
        code = super().source_to_code(raw, path, _optimize=_optimize)
        _CODE[key] = (raw, code)
        return code


def install(roots: Iterable[str]) -> Callable[[str], FileFinder]:
    """Import the files under ``roots`` with the caching loader; the path hook is returned."""
    folders = tuple(Path(r).resolve() for r in roots)
    make_finder = FileFinder.path_hook(
        (ExtensionFileLoader, EXTENSION_SUFFIXES),
        (CachingSourceLoader, SOURCE_SUFFIXES),
        (SourcelessFileLoader, BYTECODE_SUFFIXES),
    )

    def hook(entry: str) -> FileFinder:
        path = Path(entry or ".").resolve()
        if not any(path == f or path.is_relative_to(f) for f in folders):
            raise ImportError("not a watched source root")  # the next hook takes it
        finder = make_finder(entry)
        assert isinstance(finder, FileFinder)
        return finder

    sys.path_hooks.insert(0, hook)
    sys.path_importer_cache.clear()
    return hook
