"""Which of several running dev servers a command means.

Each supervisor's runtime file names its PATHs (``projects``) and ``extensions``. With more than
one server running, the CLI takes the one whose projects contain the current folder, else the
one that has the extension the command names, else it asks for ``--url`` and lists them all.
Never the newest by mtime: that picks the other project's server from inside this one's folder.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from devserver.errors import ConfigError
from devserver.runtime import RuntimeInfo

Candidate = tuple[Path, RuntimeInfo]


def choose(live: Sequence[Candidate], cwd: Path, name: str | None = None) -> Candidate:
    """The one server of ``live`` meant from ``cwd`` (for extension ``name``).

    >>> a = (Path("a.json"), {"url": "http://a/", "pid": 1, "projects": ["/src/a"]})
    >>> b = (Path("b.json"), {"url": "http://b/", "pid": 2, "projects": ["/src/b"],
    ...                       "extensions": ["b_ext"]})
    >>> choose([a, b], Path("/src/b/pkg"))[1]["url"], choose([a, b], Path("/"), "b_ext")[1]["url"]
    ('http://b/', 'http://b/')
    """
    if len(live) == 1:
        return live[0]
    for picked in (
        [c for c in live if _contains(c[1], cwd)],
        [c for c in live if name in c[1].get("extensions", [])],
    ):
        if len(picked) == 1:
            return picked[0]
    listed = "; ".join(
        f"{info['url']} (pid {info.get('pid')}, {', '.join(info.get('projects', [])) or '?'})"
        for _, info in live
    )
    raise ConfigError(
        f"{len(live)} dev servers are running and none is the one for this folder"
        f"{f' or has {name!r}' if name else ''}: pick one with --url. Running: {listed}"
    )


def _contains(info: RuntimeInfo, cwd: Path) -> bool:
    return any(cwd.is_relative_to(p) for p in info.get("projects", []))
