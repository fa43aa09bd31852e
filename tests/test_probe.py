"""The fresh-process probe (``python -m devserver.agent.probe``): each extension's verdict, its
failure included, whatever the extension's code raises."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from devserver.protocol import SPEC_ENV, WorkerSpec
from devserver.supervisor.fallback import loads_in_fresh_process


def test_probe_gives_a_verdict_per_extension(tmp_path: Path) -> None:
    """An extension that loads is ok; one that is missing, and one whose import calls
    sys.exit(), each get a failing verdict, and the probe still answers for all three."""
    (tmp_path / "exits_at_import.py").write_text("import sys\nsys.exit(3)\n")
    spec = WorkerSpec(listen_fd=-1, control_fd=-1, port=0, sys_path=(str(tmp_path),))
    env = {
        **os.environ,
        SPEC_ENV: spec.to_env(),
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
        "JUPYTER_DATA_DIR": str(tmp_path / "data"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
    }
    names = ["hello_ext", "no_such_extension_here", "exits_at_import"]
    verdicts = asyncio.run(loads_in_fresh_process(names, env))
    assert verdicts == {
        "hello_ext": True,
        "no_such_extension_here": False,
        "exits_at_import": False,
    }
