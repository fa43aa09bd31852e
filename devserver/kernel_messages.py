"""Runs in both the supervisor and the worker: the messages of the kernel channel, declared once
for its two ends (``devserver.supervisor.kernels`` and ``devserver.agent.kernels``; the exchange
is drawn in the first one's docstring). Frames are the control channel's
(``devserver.protocol.encode``/``read_message``); ``is_*`` check a decoded frame's kind and
fields before either end reads it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal, NotRequired, TypedDict, TypeGuard, get_args

from devserver.typedjson import by_op, known_kind


class KernelState(TypedDict, total=False):
    """What a worker knew of a kernel when it let go of it."""

    execution_state: str
    last_activity: str | None


class KernelJson(TypedDict):
    """One kernel the supervisor runs, as its table keeps it and ``list`` tells a worker."""

    kernel_id: str
    kernel_name: str
    pid: int
    connection_file: str
    argv: list[str]
    env: dict[str, str]
    cwd: str | None
    started: float
    state: KernelState


class DroppedKernel(TypedDict):
    """A kernel that exited while no worker was connected."""

    kernel_id: str
    pid: int
    code: int


class _Numbered(TypedDict):
    """The ``id`` the sending end gives a request; its reply carries it back."""

    id: NotRequired[int]


class LaunchRequest(_Numbered):
    """worker → supervisor: start this kernel process."""

    op: Literal["launch"]
    kernel_id: str
    kernel_name: str
    argv: list[str]
    env: dict[str, str]
    cwd: str | None
    connection_file: str


class ListRequest(_Numbered):
    """worker → supervisor: the kernels to adopt (the asking worker owns them from then on)."""

    op: Literal["list"]


class DetachRequest(_Numbered):
    """worker → supervisor: the worker stops and leaves these kernels running."""

    op: Literal["detach"]
    kernels: dict[str, KernelState]
    terminals: int


class FinalRequest(_Numbered):
    """supervisor → worker: this stop is the last one; shut the kernels down."""

    op: Literal["final"]


class ExitedNotice(TypedDict):
    """supervisor → worker: a kernel process exited (no reply)."""

    op: Literal["exited"]
    kernel_id: str
    pid: int
    code: int


class KernelReply(TypedDict):
    """The answer to the request with this ``id``, in either direction; ``error``: refused."""

    op: Literal["reply"]
    id: int | None
    pid: NotRequired[int]
    kernels: NotRequired[list[KernelJson]]
    dropped: NotRequired[list[DroppedKernel]]
    terminals: NotRequired[int]
    error: NotRequired[str]


#: What the supervisor's end reads, and what the worker's end reads.
ToSupervisor = LaunchRequest | ListRequest | DetachRequest | KernelReply
ToWorker = ExitedNotice | FinalRequest | KernelReply
WorkerRequest = LaunchRequest | ListRequest | DetachRequest

_TO_SUPERVISOR = by_op(*get_args(ToSupervisor))
_TO_WORKER = by_op(*get_args(ToWorker))


def for_supervisor(message: Mapping[str, object]) -> TypeGuard[ToSupervisor]:
    """True for a message the supervisor's end knows, with the fields its kind needs.

    >>> for_supervisor({"op": "list", "id": 1}), for_supervisor({"op": "exited"})
    (True, False)
    """
    return known_kind(message, _TO_SUPERVISOR)


def for_worker(message: Mapping[str, object]) -> TypeGuard[ToWorker]:
    """True for a message the worker's end knows, with the fields its kind needs."""
    return known_kind(message, _TO_WORKER)
