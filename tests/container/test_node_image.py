"""The image built with node (`DEVSERVER_NODE=1`, the Dockerfile's NODE build argument), for
projects with a JupyterLab frontend (docs/frontend.md)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .conftest import build_image
from .stack import Image, run

pytestmark = [pytest.mark.container, pytest.mark.timeout(900)]


@pytest.fixture(scope="module")
def node_image(docker_engine: None) -> Iterator[Image]:
    """The image built with DEVSERVER_NODE=1, removed afterwards."""
    image = build_image(DEVSERVER_NODE="1")
    yield image
    image.remove()


def test_node_image_runs_node_and_npm_as_the_user_and_the_dev_server_finds_them(
    node_image: Image,
) -> None:
    """The image's non-root user runs node (18 or later) and npm, and the dev server picks npm
    to build and watch a frontend."""
    script = (
        "id -u; node -e 'console.log(process.versions.node)'; npm --version; "
        "python -c 'from devserver.supervisor.frontend import package_manager as m; print(m())'"
    )
    out = run("docker", "run", "--rm", "--network", "none", "--entrypoint", "/bin/sh",
              node_image.name, "-c", script).split("\n")  # fmt: skip
    uid, node, npm, manager = out[:4]
    assert uid == node_image.env["DEVSERVER_UID"] != "0"
    assert int(node.split(".")[0]) >= 18
    assert npm.split(".")[0].isdigit()
    assert manager.endswith("/npm']")
