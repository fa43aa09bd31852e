"""Runs in every process: decoded JSON read as the TypedDicts that declare it.

``devserver.protocol``, ``devserver.kernel_messages`` and ``devserver.apijson`` declare the
messages and answers; a reader that trusts the other end to keep the contract (both ends are the
same package) checks that the keys are there (``conforms``, ``known_kind``) and reads on, typed.
Values are not checked.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import NotRequired, TypeGuard, TypeVar, get_args, get_origin, get_type_hints

T = TypeVar("T")
#: A JSON value, once parsed: narrow it with ``isinstance`` before use.
JSON = dict[str, "JSON"] | list["JSON"] | str | int | float | bool | None


def conforms(data: Mapping[str, object], kind: type[T]) -> TypeGuard[T]:
    """True if ``data`` has every key the TypedDict ``kind`` requires: how a reader that trusts
    the other end to keep the contract (the same package wrote it) takes decoded JSON as ``kind``.
    The values are not checked.

    >>> from devserver.apijson import RoutesBody
    >>> conforms({"routes": []}, RoutesBody), conforms({"errors": []}, RoutesBody)
    (True, False)
    """
    klass: type = kind
    return required_keys(klass) <= data.keys()


@functools.cache
def required_keys(kind: type) -> frozenset[str]:
    """The keys the TypedDict ``kind`` requires. Under ``from __future__ import annotations``,
    Python 3.11's ``__required_keys__`` misses ``NotRequired[...]`` (it sees only a string):
    the evaluated hints tell.

    >>> from devserver.apijson import RouteJson
    >>> from devserver.protocol import ReplyMessage
    >>> sorted(required_keys(ReplyMessage)), "shadowed_by" in required_keys(RouteJson)
    (['id', 'op'], False)
    """
    hints = get_type_hints(kind, include_extras=True)
    declared: frozenset[str] = getattr(kind, "__required_keys__", frozenset())
    return frozenset(k for k in declared if get_origin(hints[k]) is not NotRequired)


def by_op(*kinds: type) -> dict[str, frozenset[str]]:
    """The keys each message kind requires, by its ``op``.

    >>> from devserver.protocol import ReloadRequest
    >>> {op: sorted(keys) for op, keys in by_op(ReloadRequest).items()}
    {'reload': ['extensions', 'op']}
    """
    return {get_args(get_type_hints(k)["op"])[0]: required_keys(k) for k in kinds}


def known_kind(message: Mapping[str, object], kinds: Mapping[str, frozenset[str]]) -> bool:
    """Whether ``message``'s ``op`` is one of ``kinds`` (see ``by_op``) and it has that kind's
    keys."""
    needs = kinds.get(str(message.get("op")))
    return needs is not None and needs <= message.keys()
