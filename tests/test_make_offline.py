"""`make up OFFLINE=1` on a machine without debootstrap stops at the first message."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from .conftest import REPO

# The commands the Makefile and docker/base-image.sh use, and nothing else (no debootstrap).
TOOLS = ["bash", "sh", "make", "sed", "awk", "cut", "head", "cat", "id", "sha256sum", "python3",
         "grep", "env", "printf", "tr", "dirname"]  # fmt: skip
FAKE_WHEELHOUSE = """#!/bin/sh
echo "wheelhouse $*" >> "$(dirname "$0")/../docker-calls.log"
"""
FAKE_DOCKER = """#!/bin/sh
echo "docker $*" >> "$(dirname "$0")/../docker-calls.log"
[ "$1" = image ] && [ "$2" = inspect ] && exit 1   # no base image built yet
exit 0
"""


def test_make_up_offline_without_debootstrap_stops_at_the_first_message(tmp_path: Path) -> None:
    """The missing debootstrap is said once, make exits non-zero, and no build is started."""
    for part in ("Makefile", "mk", "docker", ".env.example"):
        src = REPO / part
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, tmp_path / part)
    (tmp_path / ".env").write_text("JUPYTER_TOKEN=x\n")
    wheelhouse = tmp_path / "docker" / "wheelhouse.sh"  # would build wheels from the index
    wheelhouse.write_text(FAKE_WHEELHOUSE)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in TOOLS:
        found = shutil.which(tool)
        if found:
            (bin_dir / tool).symlink_to(found)
    docker = bin_dir / "docker"
    docker.write_text(FAKE_DOCKER)
    docker.chmod(0o755)
    env = {"PATH": str(bin_dir), "HOME": str(tmp_path)}
    done = subprocess.run(["make", "up", "OFFLINE=1"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
    out = done.stdout + done.stderr
    assert done.returncode != 0, out
    assert out.count("debootstrap is missing: apt-get install -y debootstrap") == 1, out
    calls = (tmp_path / "docker-calls.log").read_text()
    assert "compose" not in calls, calls
    assert "wheelhouse" not in calls, calls
