"""Drive `docker compose` on the project's compose.yaml as a user would, for tests and benchmarks.

Everything is offline: the base image comes from docker/base-image.sh (debootstrap), the wheels
from docker/wheelhouse.sh (built on the host). Each stack is its own compose project, with its own
port on 127.0.0.1 and its own copy of the examples, and removes what it created.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
LABEL = "io.jupyter.devserver"
PROJECT_LABEL = "com.docker.compose.project"
TOKEN = "container-token-0123456789abcdef"


class EngineMissing(RuntimeError):
    """No Docker engine or no Compose v2 to run the container tests with."""


def run(
    *cmd: str, timeout: float = 600, env: dict[str, str] | None = None, cwd: Path = REPO
) -> str:
    """Run a command; its stdout, or an AssertionError carrying its output when it fails."""
    done = subprocess.run(
        cmd, capture_output=True, text=True, timeout=timeout, env=env, cwd=cwd,
        stdin=subprocess.DEVNULL, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise AssertionError(
            f"{' '.join(cmd)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
        )
    return done.stdout


def engine_problem() -> str | None:
    """Why the container tests cannot run here, or None when they can."""
    for cmd, what in (
        (("docker", "info"), "a Docker engine"),
        (("docker", "compose", "version"), "Compose v2"),
    ):
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=20, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return f"{what} is not available ({' '.join(cmd)}: {exc}); run `make docker-engine`"
        if done.returncode != 0:
            detail = (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1]
            return f"{what} is not available ({' '.join(cmd)}: {detail}); run `make docker-engine`"
    return None


def host_ids() -> tuple[int, int]:
    """The UID/GID the image is built for: the user's own, or 1000 when running as root (CI)."""
    uid, gid = os.getuid(), os.getgid()
    return (uid or 1000, gid or 1000)


@dataclass(frozen=True)
class Image:
    """An image of the dev server built offline, and the environment that built it."""

    name: str
    env: dict[str, str]

    @classmethod
    def build(cls, **settings: str) -> Image:
        """Build the image; ``settings`` are more variables of .env.example (DEVSERVER_NODE)."""
        base = run(str(REPO / "docker/base-image.sh"), timeout=600).strip()
        python = run(str(REPO / "docker/base-image.sh"), "--python", timeout=60).strip()
        run(str(REPO / "docker/wheelhouse.sh"), python, timeout=600)
        uid, gid = host_ids()
        env = {
            "DEVSERVER_IMAGE": f"jupyter-devserver-test:{uuid.uuid4().hex[:10]}",
            "DEVSERVER_BASE_IMAGE": base,
            "DEVSERVER_PIP_ARGS": "--no-index --find-links /wheelhouse",
            "DEVSERVER_BUILD_ISOLATION": "0",
            "DEVSERVER_UID": str(uid),
            "DEVSERVER_GID": str(gid),
            **settings,
        }
        image = cls(env["DEVSERVER_IMAGE"], env)
        Stack(image, REPO, project=f"devserver-build-{uuid.uuid4().hex[:8]}").compose(
            "build", "--quiet"
        )
        return image

    def size_bytes(self) -> int:
        return int(run("docker", "image", "inspect", "-f", "{{.Size}}", self.name).strip())

    def remove(self) -> None:
        """Remove the image; AssertionError if it is still there afterwards."""
        subprocess.run(["docker", "rmi", "-f", self.name], capture_output=True, check=False)
        left = subprocess.run(
            ["docker", "image", "inspect", self.name], capture_output=True, check=False
        )
        assert left.returncode != 0, f"image {self.name} is still there"


@dataclass
class Stack:
    """One `docker compose` project of compose.yaml, on its own copy of the extensions."""

    image: Image
    extensions: Path
    project: str = field(default_factory=lambda: f"devserver-test-{uuid.uuid4().hex[:8]}")
    port: int = 0
    base_url: str = "/"
    env_file: Path | None = None
    settings: dict[str, str] = field(default_factory=dict)  # more variables of .env.example

    def __post_init__(self) -> None:
        self.client = httpx.Client(
            base_url=self.url, headers={"Authorization": f"token {TOKEN}"}, timeout=10
        )

    @classmethod
    def on_examples(cls, image: Image, workdir: Path, port: int, **kwargs: Any) -> Stack:
        """A stack on a fresh copy of the examples under ``workdir``, owned by the image's user."""
        extensions = workdir / "extensions"
        shutil.copytree(
            EXAMPLES,
            extensions,
            ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "build"),
        )
        uid, gid = int(image.env["DEVSERVER_UID"]), int(image.env["DEVSERVER_GID"])
        if os.getuid() == 0:  # as a developer's files would be: theirs, not root's
            for path in [extensions, *extensions.rglob("*")]:
                os.chown(path, uid, gid)
        (workdir / "empty.env").write_text("")
        return cls(image, extensions, port=port, env_file=workdir / "empty.env", **kwargs)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.base_url}"

    def environment(self) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DEVSERVER_", "JUPYTER_", "COMPOSE_"))
        }
        env.update(self.image.env)
        env.update(JUPYTER_TOKEN=TOKEN, DEVSERVER_EXTENSIONS=str(self.extensions),
                   DEVSERVER_PORT=str(self.port), DEVSERVER_BASE_URL=self.base_url)  # fmt: skip
        env.update(self.settings)
        return env

    def compose(self, *args: str, timeout: float = 600) -> str:
        # Its own (empty) env file: a developer's .env must not change what the tests run.
        env_file = ["--env-file", str(self.env_file)] if self.env_file else []
        return run("docker", "compose", "-p", self.project, "--project-directory", str(REPO),
                   *env_file, *args, timeout=timeout, env=self.environment())  # fmt: skip

    def up(self) -> float:
        """`docker compose up -d --wait`; the seconds until the service was healthy."""
        started = time.monotonic()
        try:
            self.compose("up", "-d", "--wait", "--no-build", timeout=180)
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n--- logs ---\n{self.logs()}") from None
        return time.monotonic() - started

    def stop(self) -> float:
        """`docker compose stop`; the seconds it took."""
        started = time.monotonic()
        self.compose("stop", timeout=120)
        return time.monotonic() - started

    def logs(self) -> str:
        try:
            return self.compose("logs", "--no-color", "devserver", timeout=60)
        except AssertionError as exc:
            return str(exc)

    def container(self) -> str:
        return self.compose("ps", "-a", "-q", "devserver").strip()

    def inspect(self, template: str) -> str:
        return run("docker", "inspect", "-f", template, self.container()).strip()

    def leftovers(self) -> list[str]:
        """Containers, networks and volumes of this project that still exist."""
        found = []
        for kind in ("container", "network", "volume"):
            ids = run("docker", kind, "ls", *(["-a"] if kind == "container" else []), "-q",
                      "--filter", f"label={PROJECT_LABEL}={self.project}").split()  # fmt: skip
            found += [f"{kind} {i}" for i in ids]
        return found

    def down(self) -> None:
        """Remove the project's containers, networks and volumes; AssertionError if any remain."""
        self.client.close()
        self.compose("down", "--volumes", "--remove-orphans", "--timeout", "30", timeout=120)
        left = self.leftovers()
        assert not left, f"compose project {self.project} left {left}"
