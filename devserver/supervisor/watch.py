"""Which file events are worth a look."""

from __future__ import annotations

from collections.abc import Sequence

from watchfiles import DefaultFilter


class SourceFilter(DefaultFilter):
    """watchfiles' default filter (VCS folders, caches, editor swap files, bytecode), plus
    build output and packaging metadata that an editable install rewrites."""

    ignore_dirs: Sequence[str] = (
        *DefaultFilter.ignore_dirs, "build", "dist", ".ipynb_checkpoints", ".eggs",
    )  # fmt: skip
    ignore_entity_patterns: Sequence[str] = (
        *DefaultFilter.ignore_entity_patterns, r"\.egg-info$", r"\.tmp$",
    )  # fmt: skip
