"""Which file events are worth a look, which folders hold server config to watch, and the
watcher that feeds the changes to the supervisor."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from pathlib import Path

from jupyter_core.paths import jupyter_config_path
from watchfiles import Change, DefaultFilter

from .options import DevServer
from .watchroots import watch_split

log = logging.getLogger("devserver")


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


async def watch_changes(
    paths: list[Path],
    options: DevServer,
    stopping: asyncio.Event,
    batches: asyncio.Queue[set[tuple[Change, str]] | None],
    ignore_paths: Sequence[Path] = (),
) -> bool:
    """Put each batch of changes under ``paths`` into ``batches`` until ``stopping`` is set;
    False (and the reason logged) if watching failed, an inotify limit say."""
    try:
        await watch_split(
            paths,
            # A frontend's build output: the build's own events say when a bundle is complete.
            SourceFilter(ignore_paths=ignore_paths),
            stopping,
            batches.put_nowait,
            step=options.step_ms,
            force_polling=options.poll,
            poll_delay_ms=options.poll_delay_ms,
            rust_timeout=500,
        )
    except Exception as exc:  # noqa: BLE001 - reported, and the caller ends the dev server
        log.error("watching files failed (%s: %s); stopping", type(exc).__name__, exc)
        return False
    return True
