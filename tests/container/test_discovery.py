"""devserver.containers: which container the host CLI talks to, from `docker inspect` data.

These need no engine: the decisions are pure functions of the engine's answers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from devserver.cli.containers import ContainerServer, choose, find_container_server, server_of
from devserver.errors import ServerNotFound


def attrs(
    env: list[str], ports: dict[str, Any] | None = None, workdir: str | None = None
) -> dict[str, Any]:
    """The parts of `docker inspect` output that discovery reads."""
    labels = {"com.docker.compose.project.working_dir": workdir} if workdir else {}
    published = {"8888/tcp": [{"HostIp": "127.0.0.1", "HostPort": "9001"}]}
    return {
        "Name": "/proj-devserver-1",
        "Config": {"Env": env, "Labels": labels},
        "NetworkSettings": {"Ports": published if ports is None else ports},
    }


def test_published_port_base_url_and_token_make_the_url() -> None:
    """The host URL uses the published port and the container's base URL; the token is its env's."""
    found = server_of(attrs(["JUPYTER_TOKEN=abc", "DEVSERVER_BASE_URL=/a%40b", "PATH=/x=y"]))
    assert found == ContainerServer("proj-devserver-1", "http://127.0.0.1:9001/a%40b/", "abc", None)


def test_all_interfaces_are_reached_through_loopback() -> None:
    """A port published on 0.0.0.0 (e.g. plain `docker run -p`) is reached on 127.0.0.1."""
    ports = {"8888/tcp": [{"HostIp": "0.0.0.0", "HostPort": "8888"}]}
    found = server_of(attrs(["JUPYTER_TOKEN=t"], ports))
    assert found is not None
    assert found.url == "http://127.0.0.1:8888/"


def test_ipv6_host_is_bracketed() -> None:
    """An IPv6 loopback binding gives a valid URL."""
    ports = {"8888/tcp": [{"HostIp": "::1", "HostPort": "8890"}]}
    found = server_of(attrs(["JUPYTER_TOKEN=t"], ports))
    assert found is not None
    assert found.url == "http://[::1]:8890/"


def test_server_port_is_read_from_the_container_env() -> None:
    """A container whose server listens on another port is found through that port's binding."""
    ports = {"9999/tcp": [{"HostIp": "127.0.0.1", "HostPort": "19999"}]}
    found = server_of(attrs(["JUPYTER_TOKEN=t", "DEVSERVER_PORT=9999"], ports))
    assert found is not None
    assert found.url == "http://127.0.0.1:19999/"


@pytest.mark.parametrize(
    ("env", "ports"),
    [
        ([], None),
        (["JUPYTER_TOKEN="], None),
        (["JUPYTER_TOKEN=t"], {}),
        (["JUPYTER_TOKEN=t"], {"8888/tcp": None}),
    ],
)
def test_unreachable_containers_are_not_servers(
    env: list[str], ports: dict[str, Any] | None
) -> None:
    """Without a token or a published port, the host cannot talk to the container."""
    assert server_of(attrs(env, ports)) is None


def server(name: str, workdir: str | None) -> ContainerServer:
    return ContainerServer(name, f"http://127.0.0.1:1/{name}/", "t", workdir)


def test_one_server_is_chosen_wherever_the_cli_runs(tmp_path: Path) -> None:
    """A single running dev-server container is the one meant, from any folder."""
    only = server("a", "/elsewhere")
    assert choose([only], tmp_path) is only
    assert choose([], tmp_path) is None


def test_several_servers_are_told_apart_by_the_compose_folder(tmp_path: Path) -> None:
    """With several containers, the one whose compose project holds the current folder wins."""
    (tmp_path / "proj" / "sub").mkdir(parents=True)
    mine, other = server("mine", str(tmp_path / "proj")), server("other", str(tmp_path / "x"))
    assert choose([other, mine], tmp_path / "proj" / "sub") is mine


def test_ambiguous_servers_are_an_error_naming_them(tmp_path: Path) -> None:
    """Several candidates and no way to choose: ServerNotFound lists them rather than guessing."""
    with pytest.raises(ServerNotFound, match=r"several dev-server containers.*a \(.*b \("):
        choose([server("a", None), server("b", None)], tmp_path)


def test_no_engine_means_no_container_server(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """When no engine answers, discovery says "none" at once instead of failing or hanging."""
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path / 'no-such.sock'}")
    assert find_container_server(tmp_path) is None
