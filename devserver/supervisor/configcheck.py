"""Config files that cannot be read do not restart the worker.

A save of broken JSON in ``jupyter_server_config.d``, of invalid TOML in ``pyproject.toml`` or
of a config ``.py`` with a syntax error would restart the worker into the same error (and lose
the kernels). ``unreadable()`` takes those files out of a batch, each with one short error line
``file:line:col: what``; the fix, when saved, is a change like any other and applies once.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterable
from pathlib import Path

from watchfiles import Change

from devserver.projects import PROJECT_FILES

from .plan import is_server_config

_TOML_AT = re.compile(r"\(at line (\d+), column (\d+)\)")


def unreadable(changes: Iterable[tuple[Change, str]]) -> dict[str, str]:
    """The config files of ``changes`` that cannot be parsed, each with its error line.

    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp(), "jupyter_server_config.json")
    >>> _ = path.write_text('{"ServerApp": {\\n  "ip": }\\n}')
    >>> unreadable([(Change.modified, str(path))])[str(path)].split(": ", 1)[1]
    'Expecting value (not JSON); nothing restarts until it reads'
    """
    found: dict[str, str] = {}
    for change, raw in changes:
        path = Path(raw)
        if change == Change.deleted or not _is_config(path):
            continue
        error = parse_error(path)
        if error is not None:
            found[raw] = f"{error}; nothing restarts until it reads"
    return found


def _is_config(path: Path) -> bool:
    return (
        is_server_config(path)
        or path.name in PROJECT_FILES
        or ("jupyter-config" in path.parts and path.suffix == ".json")
    )


def parse_error(path: Path) -> str | None:
    """``file:line:col: message`` if ``path`` does not parse as what its suffix says."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None  # gone again: its deletion is another change
    except (OSError, UnicodeDecodeError) as exc:
        return f"{path}: cannot be read ({exc})"
    try:
        if path.suffix == ".json":
            json.loads(text)
        elif path.suffix == ".toml":
            tomllib.loads(text)
        elif path.suffix == ".py":
            compile(text, str(path), "exec")
    except json.JSONDecodeError as exc:
        return f"{path}:{exc.lineno}:{exc.colno}: {exc.msg} (not JSON)"
    except tomllib.TOMLDecodeError as exc:
        at = _TOML_AT.search(str(exc))
        where = f":{at.group(1)}:{at.group(2)}" if at else ""
        return f"{path}{where}: {_TOML_AT.sub('', str(exc)).strip()} (not TOML)"
    except SyntaxError as exc:
        return f"{path}:{exc.lineno}:{exc.offset}: {exc.msg} (not Python)"
    return None
