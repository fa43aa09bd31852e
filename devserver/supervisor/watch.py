"""Which file events are worth a look, and which folders hold server config to watch."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from jupyter_core.paths import jupyter_config_path
from watchfiles import DefaultFilter


class SourceFilter(DefaultFilter):
    """watchfiles' default filter (VCS folders, caches, editor swap files ``*.sw?``, ``*~``,
    ``.#*``, bytecode), plus build output, packaging metadata that an editable install rewrites,
    and the temporary files editors write beside the file they save: ``sed -i``'s ``sedXXXXXX``
    and vim's ``4913`` (its "can I write here?" probe).

    >>> f = SourceFilter()
    >>> [f(1, "/x/" + name) for name in ("handlers.py", "sedAb12Cd", "4913", "a.swp", "a.py~")]
    [True, False, False, False, False]
    """

    ignore_dirs: Sequence[str] = (
        *DefaultFilter.ignore_dirs,
        "build",
        "dist",
        ".ipynb_checkpoints",
        ".eggs",
    )
    ignore_entity_patterns: Sequence[str] = (
        *DefaultFilter.ignore_entity_patterns,
        r"\.egg-info$",
        r"\.tmp$",
        r"^sed[A-Za-z0-9]{6}$",
        r"^4913$",
    )


def config_dirs() -> list[Path]:
    """Jupyter's config folders, where server config files and ``jupyter_server_config.d`` live."""
    return [Path(p) for p in jupyter_config_path()]
