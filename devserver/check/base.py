"""The ``Finding`` that every step of ``devserver check`` produces.

A finding is one item of the packaging checklist, passed or failed. ``severity`` is what a failure
of that item means: an ``error`` breaks the installed extension (``devserver check`` exits 2), a
``warning`` is a step of the guide that is missing or could not be proven without running code.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    """One checklist item: which check, whether it passed, where to look and what to do.

    >>> f = Finding("config-json", False, "error", "x.json is missing", "x.json", 3, "add it")
    >>> f.is_error, f.where
    (True, 'x.json:3')
    """

    check: str
    ok: bool
    severity: Severity
    message: str
    file: str | None = None
    line: int | None = None
    fix: str = ""

    @property
    def is_error(self) -> bool:
        """A failed error-level item: the package would not work once installed."""
        return not self.ok and self.severity == "error"

    @property
    def is_warning(self) -> bool:
        return not self.ok and self.severity == "warning"

    @property
    def where(self) -> str:
        """``file:line``, ``file`` or an empty string."""
        if self.file is None:
            return ""
        return f"{self.file}:{self.line}" if self.line else self.file

    def to_json(self) -> dict[str, object]:
        return asdict(self)


def passed(
    check: str,
    message: str,
    file: str | None = None,
    line: int | None = None,
    severity: Severity = "error",
) -> Finding:
    """A passed item; ``severity`` is what its failure would have been."""
    return Finding(check, True, severity, message, file, line)


def error(
    check: str, message: str, fix: str, file: str | None = None, line: int | None = None
) -> Finding:
    return Finding(check, False, "error", message, file, line, fix)


def warning(
    check: str, message: str, fix: str, file: str | None = None, line: int | None = None
) -> Finding:
    return Finding(check, False, "warning", message, file, line, fix)


def count(n: int, noun: str) -> str:
    """``1 file``, ``2 files``."""
    return f"{n} {noun}" + ("" if n == 1 else "s")
