"""The control channel and the worker spec: plain data both ways."""

from __future__ import annotations

import asyncio
import json

import pytest
from traitlets import Bool, List, Unicode
from traitlets.config import Configurable
from traitlets.config.loader import DeferredConfigList, DeferredConfigString

from devserver.protocol import (
    HEADER,
    MAX_FRAME,
    SPEC_ENV,
    ChannelError,
    WorkerSpec,
    decode,
    decode_config,
    encode,
    encode_config,
    read_message,
)


class Probe(Configurable):
    flag = Bool(True).tag(config=True)
    names = List(Unicode()).tag(config=True)


def test_command_line_values_reach_the_worker_typed() -> None:
    """Unparsed command-line values survive JSON and are parsed by the trait that takes them."""
    config = {"Probe": {"flag": DeferredConfigString("False"), "names": DeferredConfigList(["a"])}}
    wire = json.loads(json.dumps(encode_config(config)))
    probe = Probe(config=decode_config(wire))
    assert probe.flag is False
    assert probe.names == ["a"]


def test_worker_spec_round_trips_through_the_environment() -> None:
    """The spec the supervisor writes is the spec the worker reads."""
    spec = WorkerSpec(listen_fd=3, control_fd=4, port=8888, extensions=("a",), sys_path=("/x",))
    assert WorkerSpec.from_env({SPEC_ENV: spec.to_env()}) == spec


def _read_all(data: bytes) -> list[dict[str, object]]:
    """Every message of ``data`` as the channel's reader gives them."""

    async def read() -> list[dict[str, object]]:
        reader = asyncio.StreamReader()
        reader.feed_data(data)
        reader.feed_eof()
        messages = []
        while (message := await read_message(reader)) is not None:
            messages.append(message)
        return messages

    return asyncio.run(read())


def test_messages_of_any_size_cross_the_channel_whole() -> None:
    """A 1 MB message (20,000 paths, over the old 64 KiB line limit) arrives whole, in order."""
    folder = "/home/user/src/my_extension/my_extension/data"
    paths = [f"{folder}/file-{i:05}.txt" for i in range(20_000)]
    big = {"op": "changed", "kind": "static", "paths": paths}
    data = encode({"op": "ping", "id": 1}) + encode(big) + encode({"op": "ping", "id": 2})
    assert len(data) > 1_000_000
    assert _read_all(data) == [{"op": "ping", "id": 1}, big, {"op": "ping", "id": 2}]


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (HEADER.pack(6) + b"[1, 2]", "not a control message"),
        (HEADER.pack(5) + b"{nope", "not JSON"),
        (HEADER.pack(100) + b"{}", "inside a frame of 100 bytes"),
        (b"\x00\x00", "inside a frame header"),
        (HEADER.pack(MAX_FRAME + 1), "corrupt"),
    ],
)
def test_garbage_on_the_channel_raises_channel_error(data: bytes, match: str) -> None:
    """Anything but whole framed control messages is an error that names what it saw."""
    with pytest.raises(ChannelError, match=match):
        _read_all(data)


def test_decode_takes_a_frame_body() -> None:
    """decode() parses what encode() framed."""
    frame = encode({"op": "reload", "id": 1})
    assert decode(frame[HEADER.size :]) == {"op": "reload", "id": 1}
