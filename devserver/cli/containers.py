"""Find a dev server running in a container, through the Docker engine.

After ``docker compose up``, ``devserver reload NAME`` on the host needs the container's published
port, base URL and token. The service carries the label ``io.jupyter.devserver`` (compose.yaml and
docker/Dockerfile); the engine tells the rest: the host port bound to the server's port, and the
``JUPYTER_TOKEN`` / ``DEVSERVER_BASE_URL`` / ``DEVSERVER_PORT`` the container runs with.

>>> find_container_server()  # doctest: +SKIP
('http://127.0.0.1:8888/', 'a-token')
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict

from devserver.errors import ServerNotFound
from devserver.urls import server_url

LABEL = "io.jupyter.devserver"
COMPOSE_WORKDIR_LABEL = "com.docker.compose.project.working_dir"
DEFAULT_PORT = "8888"
# Seconds to wait for the engine: the CLI must not hang when no engine runs.
ENGINE_TIMEOUT = 3


class PortBinding(TypedDict, total=False):
    HostIp: str
    HostPort: str


class ContainerConfig(TypedDict, total=False):
    Env: list[str] | None
    Labels: dict[str, str] | None


class NetworkSettings(TypedDict, total=False):
    Ports: dict[str, list[PortBinding] | None] | None


class ContainerAttrs(TypedDict, total=False):
    """The part of ``docker inspect`` (the SDK's ``Container.attrs``) read here."""

    Name: str
    Config: ContainerConfig
    NetworkSettings: NetworkSettings


@dataclass(frozen=True)
class ContainerServer:
    """A dev server in a container, as reached from the host."""

    name: str
    url: str
    token: str
    workdir: str | None


def env_of(attrs: ContainerAttrs) -> dict[str, str]:
    """The container's environment (``Config.Env`` is a list of ``KEY=value``)."""
    pairs = (item.partition("=") for item in attrs.get("Config", {}).get("Env") or [])
    return {key: value for key, _, value in pairs}


def server_of(attrs: ContainerAttrs) -> ContainerServer | None:
    """The dev server that ``docker inspect`` data describes, or None if it is not reachable
    from the host (no published port, or no token to authenticate with).

    >>> ports = {"8888/tcp": [{"HostIp": "127.0.0.1", "HostPort": "9000"}]}
    >>> server_of({"Name": "/c", "Config": {"Env": ["JUPYTER_TOKEN=t"]},
    ...            "NetworkSettings": {"Ports": ports}})
    ContainerServer(name='c', url='http://127.0.0.1:9000/', token='t', workdir=None)
    """
    env = env_of(attrs)
    token = env.get("JUPYTER_TOKEN", "")
    bindings = attrs.get("NetworkSettings", {}).get("Ports", {}) or {}
    published = bindings.get(f"{env.get('DEVSERVER_PORT', DEFAULT_PORT)}/tcp") or []
    if not token or not published:
        return None
    host_ip = published[0].get("HostIp", "")
    base_url = env.get("DEVSERVER_BASE_URL", "/")
    labels = attrs.get("Config", {}).get("Labels") or {}
    return ContainerServer(
        name=attrs.get("Name", "").lstrip("/"),
        url=server_url(host_ip, int(published[0]["HostPort"]), base_url),
        token=token,
        workdir=labels.get(COMPOSE_WORKDIR_LABEL),
    )


def choose(servers: Sequence[ContainerServer], cwd: Path) -> ContainerServer | None:
    """The one server meant: the only one, else the one whose compose project holds ``cwd``.

    Raises ServerNotFound when several match equally, naming them, since guessing would send a
    reload to the wrong project.
    """
    if len(servers) <= 1:
        return servers[0] if servers else None
    here = [s for s in servers if s.workdir and cwd.resolve().is_relative_to(s.workdir)]
    if len(here) == 1:
        return here[0]
    names = ", ".join(f"{s.name} ({s.url})" for s in servers)
    raise ServerNotFound(
        f"several dev-server containers are running: {names}. "
        "Run the command from one compose project's folder, or pass --url and --token."
    )


def engine_socket_missing() -> bool:
    """Whether the engine's Unix socket plainly does not exist (the usual "no engine here").

    Checked before asking the SDK: its Unix transport leaves the socket open when the connection
    fails (docker/transport/unixconn.py), which is a ResourceWarning on every CLI call.
    """
    host = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    return host.startswith("unix://") and not Path(host.removeprefix("unix://")).exists()


def running_servers() -> list[ContainerServer]:
    """Every reachable dev-server container of the local engine; none when no engine answers."""
    if engine_socket_missing():
        return []
    # Imported on demand (most CLI calls never need the engine), and by name: for mypy, this
    # repository's docker/ folder (Dockerfile, scripts) shadows the SDK package of the same name.
    docker = importlib.import_module("docker")
    engine_error = importlib.import_module("docker.errors").DockerException

    try:
        client = docker.from_env(timeout=ENGINE_TIMEOUT)
        try:
            found = client.containers.list(filters={"label": LABEL, "status": "running"})
            servers = [server_of(c.attrs) for c in found]
        finally:
            client.close()
    except engine_error:
        return []  # no engine, or not allowed to talk to it: there is no container to find
    return [s for s in servers if s is not None]


def find_container_server(cwd: Path | None = None) -> tuple[str, str] | None:
    """``(base_url, token)`` of the dev server running in a container, or None if there is none.

    >>> find_container_server()  # doctest: +SKIP
    ('http://127.0.0.1:8888/', '6f0c...')
    """
    server = choose(running_servers(), cwd or Path.cwd())
    return (server.url, server.token) if server else None
