"""``.devcontainer/devcontainer.json``: read by the real Dev Containers CLI, on compose.yaml."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO

CLI = REPO / ".venv" / "node" / "node_modules" / ".bin" / "devcontainer"


def devcontainer_cli() -> Path:
    """The CLI that `make node-tools` installs."""
    if not CLI.exists():
        pytest.fail(f"the Dev Containers CLI is not installed at {CLI}: run `make node-tools`")
    return CLI


def test_cli_reads_the_configuration_and_it_matches_compose() -> None:
    """The Dev Containers CLI accepts the file; its service, workspace and port are compose's."""
    done = subprocess.run(
        [str(devcontainer_cli()), "read-configuration", "--workspace-folder", str(REPO)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    config = json.loads(done.stdout)["configuration"]
    compose = yaml.safe_load((REPO / "compose.yaml").read_text())
    service = compose["services"][config["service"]]
    assert config["dockerComposeFile"] == ["../compose.yaml"]
    assert config["workspaceFolder"] in [v["target"] for v in service["volumes"]]
    assert config["forwardPorts"] == [f"{config['service']}:8888"]
    assert any(p.endswith(":8888") for p in service["ports"])
    assert config["overrideCommand"] is False  # the container's main process is the dev server
    assert "JUPYTER_TOKEN" in config["postAttachCommand"]


def test_init_env_writes_a_token_once(tmp_path: Path) -> None:
    """initializeCommand makes .env with a fresh 48-hex-digit token and never rewrites it; compose
    then resolves the service with that token."""
    shutil.copytree(REPO / ".devcontainer", tmp_path / ".devcontainer")
    shutil.copy(REPO / ".env.example", tmp_path / ".env.example")
    shutil.copy(REPO / "compose.yaml", tmp_path / "compose.yaml")
    subprocess.run(["sh", ".devcontainer/init-env.sh"], cwd=tmp_path, check=True, timeout=30)
    env = (tmp_path / ".env").read_text()
    token = next(
        line.split("=", 1)[1] for line in env.splitlines() if line.startswith("JUPYTER_TOKEN=")
    )
    assert len(token) == 48
    assert int(token, 16) > 0
    subprocess.run(["sh", ".devcontainer/init-env.sh"], cwd=tmp_path, check=True, timeout=30)
    assert (tmp_path / ".env").read_text() == env
    if shutil.which("docker") is None:
        pytest.skip("no docker CLI to resolve compose.yaml with")
    resolved = subprocess.run(
        ["docker", "compose", "config", "--format", "json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    service = json.loads(resolved.stdout)["services"]["devserver"]
    assert service["environment"]["JUPYTER_TOKEN"] == token
