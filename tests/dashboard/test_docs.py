"""The examples of docs/api.md and docs/dashboard.md run against a real dev server."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from typing import Any

import httpx

from tests.conftest import REPO, DevServer

API_DOC = REPO / "docs" / "api.md"
DASHBOARD_DOC = REPO / "docs" / "dashboard.md"


def blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", text, flags=re.DOTALL)


def test_api_examples_run(dash: DevServer) -> None:
    """Every Python example of docs/api.md runs, in order, against the server."""
    examples = blocks(API_DOC.read_text(), "python")
    assert len(examples) >= 9
    namespace: dict[str, Any] = {"URL": dash.url, "TOKEN": dash.token}
    try:
        for code in examples:
            exec(compile(code, str(API_DOC), "exec"), namespace)
    finally:
        client = namespace.get("api")
        if isinstance(client, httpx.Client):
            client.close()


def test_cli_examples_run(dash: DevServer, isolated_env: dict[str, str]) -> None:
    """Every ``$ devserver ...`` line of docs/api.md exits 0 against the server."""
    lines = [
        line.removeprefix("$ ")
        for block in blocks(API_DOC.read_text(), "console")
        for line in block.splitlines()
        if line.startswith("$ devserver ")
    ]
    assert len(lines) >= 5
    env = {**isolated_env, "DEVSERVER_URL": dash.url, "DEVSERVER_TOKEN": dash.token}
    for line in lines:
        argv = [sys.executable, "-m", "devserver", *shlex.split(line)[1:]]
        done = subprocess.run(
            argv, env=env, capture_output=True, text=True, timeout=60, check=False
        )
        assert done.returncode == 0, f"{line}: {done.stderr}"


def test_every_documented_page_exists(dash: DevServer) -> None:
    """Each page in docs/dashboard.md's table answers at its address, and ?shadowed=1 works."""
    names = re.findall(r"^\| \*\*(\w+)\*\* \|", DASHBOARD_DOC.read_text(), flags=re.MULTILINE)
    assert len(names) == 8
    for name in names:
        path = "" if name == "Overview" else name.lower()
        resp = dash.get(f"_introspect/{path}")
        assert resp.status_code == 200, name
        assert f"<h1>{name}</h1>" in resp.text
    assert dash.get("_introspect/routes", params={"shadowed": "1"}).status_code == 200
