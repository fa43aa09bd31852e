"""The typed messages of the control and kernel channels: each end takes only what it knows."""

from __future__ import annotations

import asyncio
import socket

import pytest

from devserver.agent.control import ControlChannel
from devserver.apijson import RouteJson, RoutesBody
from devserver.kernel_messages import for_supervisor, for_worker
from devserver.protocol import ReadyMessage, encode, is_request, is_worker_message, read_message
from devserver.typedjson import conforms, required_keys


@pytest.mark.parametrize(
    "message",
    [
        {"op": "ping"},
        {"id": 1, "op": "reload", "extensions": ["a"]},
        {"op": "changed", "kind": "static", "paths": ["/x"], "count": 1},
        {"op": "frontend", "extensions": [], "package": "p", "frontend": {}},
    ],
)
def test_worker_takes_every_request_kind(message: dict[str, object]) -> None:
    """Each request the supervisor sends, with its fields, is one the worker knows."""
    assert is_request(message)


@pytest.mark.parametrize(
    "message",
    [{"op": "reload"}, {"op": "changed", "kind": "static", "paths": []}, {"op": "nope"}, {}],
)
def test_worker_refuses_unknown_or_incomplete_requests(message: dict[str, object]) -> None:
    """An unknown op, or a known one missing a field its kind requires, is no request."""
    assert not is_request(message)


def test_supervisor_takes_ready_and_reply_only() -> None:
    """The supervisor knows ``ready`` (with url, pid, extensions) and ``reply`` (with id)."""
    assert is_worker_message({"op": "ready", "url": "u", "pid": 1, "extensions": {}})
    assert is_worker_message({"op": "reply", "id": 3})
    assert not is_worker_message({"op": "ready", "url": "u"})
    assert not is_worker_message({"op": "launch", "id": 1})


def test_kernel_channel_ends_take_their_own_kinds() -> None:
    """The supervisor's end takes launch/list/detach/reply, the worker's exited/final/reply."""
    launch = {
        "op": "launch",
        "kernel_id": "k",
        "kernel_name": "python3",
        "argv": ["python"],
        "env": {},
        "cwd": None,
        "connection_file": "/c.json",
    }
    assert for_supervisor(launch)
    assert not for_supervisor({"op": "launch", "kernel_id": "k"})
    assert not for_worker(launch)
    assert for_worker({"op": "exited", "kernel_id": "k", "pid": 2, "code": 0})
    assert not for_supervisor({"op": "exited", "kernel_id": "k", "pid": 2, "code": 0})


def test_not_required_keys_are_optional() -> None:
    """A key declared ``NotRequired`` is not required (Python 3.11 alone would say it is)."""
    assert "shadowed_by" not in required_keys(RouteJson)
    assert {"pattern", "order", "handler"} <= required_keys(RouteJson)
    assert conforms({"routes": []}, RoutesBody)
    assert not conforms({"route": []}, RoutesBody)


def test_incomplete_request_gets_an_error_reply() -> None:
    """The worker answers a request missing a field with an ``error`` reply carrying its id,
    and goes on answering the next one."""
    ours, theirs = socket.socketpair()

    async def exchange() -> list[dict[str, object]]:
        channel = ControlChannel(theirs.detach(), engine=None, registry=None)
        ready: ReadyMessage = {"op": "ready", "url": "http://x/", "pid": 1, "extensions": {}}
        serving = asyncio.ensure_future(channel.serve(ready))
        reader, writer = await asyncio.open_unix_connection(sock=ours)
        got = [await read_message(reader)]
        writer.write(encode({"id": 7, "op": "reload"}) + encode({"id": 8, "op": "ping"}))
        got += [await read_message(reader), await read_message(reader)]
        writer.close()
        await asyncio.wait_for(serving, 10)
        return [m for m in got if m is not None]

    ready, refused, pong = asyncio.run(exchange())
    assert ready["op"] == "ready"
    assert refused == {
        "op": "reply",
        "id": 7,
        "error": "unknown op 'reload' or missing fields",
    }
    assert pong == {"op": "reply", "id": 8}
