"""Fixtures of the container tests: an engine (or a clear failure in CI), one image, stacks."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from ..conftest import free_port
from .stack import Image, Stack, engine_problem

StackFactory = Callable[..., Stack]


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() not in ("", "0", "false", "no")


@pytest.fixture(scope="session")
def docker_engine() -> None:
    """A Docker engine with Compose v2: in CI its absence fails the tests, elsewhere skips them."""
    problem = engine_problem()
    if problem is None:
        return
    if in_ci():
        pytest.fail(f"CI must run the container tests: {problem}")
    pytest.skip(problem)


@pytest.fixture(scope="session")
def devserver_image(docker_engine: None) -> Iterator[Image]:
    """The dev server's image, built offline once per session and removed afterwards."""
    image = build_image()
    yield image
    image.remove()


def build_image(**settings: str) -> Image:
    """``Image.build(**settings)``, skipped outside CI when debootstrap cannot run."""
    try:
        return Image.build(**settings)
    except AssertionError as exc:
        # debootstrap needs root; a developer without it can still `make up` with the defaults.
        if "needs root" in str(exc) and not in_ci():
            pytest.skip(f"the offline base image needs root to build: {str(exc).strip()[-200:]}")
        raise


def start_stack(image: Image, workdir: Path, cleanup: ExitStack, **kwargs: Any) -> Stack:
    workdir.mkdir(parents=True, exist_ok=True)
    stack = Stack.on_examples(image, workdir, free_port(), **kwargs)
    cleanup.callback(stack.down)  # registered first: a stack that fails to come up is removed too
    stack.up()
    return stack


@pytest.fixture(scope="module")
def shared_stack(
    devserver_image: Image, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    """One running stack shared by a module's tests that do not stop it."""
    with ExitStack() as cleanup:
        yield start_stack(devserver_image, tmp_path_factory.mktemp("stack"), cleanup)


@pytest.fixture
def stack_factory(devserver_image: Image, tmp_path: Path) -> Iterator[StackFactory]:
    """Start stacks of the test's own; every one is taken down afterwards."""
    with ExitStack() as cleanup:
        counter = iter(range(100))
        yield lambda **kw: start_stack(
            devserver_image, tmp_path / f"stack{next(counter)}", cleanup, **kw
        )
