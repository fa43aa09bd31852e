"""``devserver check PATH``, the packaging checklist in a terminal.

Prints one line per item of the checklist (``devserver.check``), with the file and line to look
at and, for a failed item, what to do; ``--json`` prints the findings for scripts. Exits 0 when
no item is an error, and 2 (``ExitCode.CONFIG_ERROR``) when one is or when PATH is not an
extension project.
"""

from __future__ import annotations

import json
from pathlib import Path

from traitlets import Bool
from traitlets.config import Application

from devserver import __version__
from devserver.errors import ConfigError

from . import Finding, check_project
from .base import count


class CheckApp(Application):
    """Check an extension project against the extension guide's packaging checklist.

    Usage: devserver check PATH [--json]

    Reads the project's files and never imports or runs its code. Exits 0 when no item is an
    error, 2 when one is or when PATH is not an extension project.
    """

    name = "devserver check"
    version = __version__
    description = __doc__ or ""
    json_output = Bool(False, help="Print the findings as JSON instead of a checklist.").tag(
        config=True
    )
    # traitlets reads this class attribute; it is never mutated.
    flags = {"json": ({"CheckApp": {"json_output": True}}, "Print the findings as JSON.")}

    def start(self) -> None:
        if len(self.extra_args) != 1:
            raise ConfigError("usage: devserver check PATH (the folder of one extension project)")
        root = Path(self.extra_args[0]).resolve()
        findings = check_project(root)
        print(
            json.dumps(as_json(root, findings), indent=2)
            if self.json_output
            else render(root, findings)
        )
        errors = [f for f in findings if f.is_error]
        if errors:
            raise ConfigError(
                f"{root}: {count(len(errors), 'error')} in the packaging checklist; "
                f"first: {errors[0].message}"
            )


def as_json(root: Path, findings: list[Finding]) -> dict[str, object]:
    """The ``--json`` document: the project, the verdict and every finding."""
    return {
        "path": str(root),
        "ok": not any(f.is_error for f in findings),
        "errors": sum(f.is_error for f in findings),
        "warnings": sum(f.is_warning for f in findings),
        "findings": [f.to_json() for f in findings],
    }


def render(root: Path, findings: list[Finding]) -> str:
    """The checklist as people read it: ✓/✗, the item, where to look, what to do.

    >>> items = [Finding("loader", True, "error", "found", "a.py", 2),
    ...          Finding("loader", False, "warning", "old name", "b.py", 3, "rename")]
    >>> print(render(Path("/p"), items))
    Packaging checklist for /p
    ✓ loader  found (a.py:2)
    ✗ loader  old name [warning]
              at b.py:3
              fix: rename
    <BLANKLINE>
    1 passed, 0 errors, 1 warning
    """
    width = max((len(f.check) for f in findings), default=0)
    indent = " " * (width + 4)
    lines = [f"Packaging checklist for {root}"]
    for f in findings:
        head = f"{f.check:<{width}}  {f.message}"
        if f.ok:
            lines.append(f"✓ {head}" + (f" ({f.where})" if f.where else ""))
            continue
        lines.append(f"✗ {head} [{f.severity}]")
        lines += [f"{indent}at {f.where}"] if f.where else []
        lines += [f"{indent}fix: {f.fix}"] if f.fix else []
    errors = sum(f.is_error for f in findings)
    warnings = sum(f.is_warning for f in findings)
    lines += [
        "",
        f"{sum(f.ok for f in findings)} passed, {count(errors, 'error')}, "
        f"{count(warnings, 'warning')}",
    ]
    return "\n".join(lines)
