"""One concrete request path for a route's regular expression.

The verdict table checks one example path per route, built from the regex itself: literal text
as it is, the first alternative of each ``|``, the fewest repetitions allowed (at least one for
``+``), ``x`` for a character class that admits it. ``/api/contents(?P<path>(?:/[^/]+)+|/?)``
gives ``/api/contents/x``. The example is then matched against the regex again; a pattern too
unusual for this walk gets no example (and the verdict "unknown").

The walk reads the parse tree of Python's own regex compiler through ``devserver.regex_tree``
rather than re-parsing regexes by hand.
"""

from __future__ import annotations

import re

from devserver.regex_tree import (
    REPEATS,
    SINGLE_CHAR,
    ZERO_WIDTH,
    Node,
    Unsupported,
    char_regex,
    parse,
)

_CANDIDATES = "x0_-a."
_MAX_NODES = 10_000


def example_path(pattern: str) -> str | None:
    """A path that ``pattern`` (a tornado route regex) matches in full, or None.

    >>> example_path(r"/api/sessions/(?P<session_id>\\w+-\\w+-\\w+-\\w+-\\w+)")
    '/api/sessions/x-x-x-x-x'
    """
    try:
        regex = re.compile(pattern)
        budget = [_MAX_NODES]
        text = _emit(parse(pattern), budget)
    except (re.error, Unsupported, RecursionError):
        return None
    for candidate in (text, "/" + text):
        if candidate.startswith("/") and regex.fullmatch(candidate):
            return candidate
    return None


def _emit(nodes: list[Node], budget: list[int], repeated: bool = False) -> str:
    return "".join(_item(node, budget, repeated) for node in nodes)


def _item(node: Node, budget: list[int], repeated: bool) -> str:
    budget[0] -= 1
    if budget[0] < 0:
        raise Unsupported("regex too large")
    if node.kind == "LITERAL":
        return node.char
    if node.kind in SINGLE_CHAR:
        # A lone "." in a route is an unescaped dot (/api/spec.yaml); repeated, any character.
        return "." if node.kind == "ANY" and not repeated else _char(node)
    if node.kind in REPEATS:
        low, _high, body = node.repeat
        return _emit(body, budget, repeated=True) * low
    if node.kind in ("SUBPATTERN", "ATOMIC_GROUP"):
        return _emit(node.children, budget, repeated)
    if node.kind == "BRANCH":
        return _emit(node.branches[0], budget, repeated)
    if node.kind in ZERO_WIDTH:
        return ""
    raise Unsupported(node.kind)


def _char(node: Node) -> str:
    """A character the single-character ``node`` accepts."""
    one = re.compile(char_regex(node))
    for char in _CANDIDATES:
        if one.fullmatch(char):
            return char
    raise Unsupported("character class without a simple member")
