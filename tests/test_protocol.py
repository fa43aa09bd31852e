"""The control channel and the worker spec: plain data both ways."""

from __future__ import annotations

import json

import pytest
from traitlets import Bool, List, Unicode
from traitlets.config import Configurable
from traitlets.config.loader import DeferredConfigList, DeferredConfigString

from devserver.protocol import SPEC_ENV, WorkerSpec, decode, decode_config, encode, encode_config


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


def test_messages_are_json_lines_and_bad_lines_raise() -> None:
    """One JSON object per line; anything else is a bug and says so."""
    assert decode(encode({"op": "reload", "id": 1})) == {"op": "reload", "id": 1}
    with pytest.raises(ValueError, match="not a control message"):
        decode(b"[1, 2]\n")
