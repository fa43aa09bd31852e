"""One concrete request path for a route's regular expression.

The verdict table checks one example path per route, built from the regex itself: literal text
as it is, the first alternative of each ``|``, the fewest repetitions allowed (at least one for
``+``), ``x`` for a character class that admits it. ``/api/contents(?P<path>(?:/[^/]+)+|/?)``
gives ``/api/contents/x``. The example is then matched against the regex again; a pattern too
unusual for this walk gets no example (and the verdict "unknown").

The walk reads the parse tree of Python's own regex compiler (``re._parser``, the module behind
``re.compile`` since Python 3.11) rather than re-parsing regexes by hand.
"""

from __future__ import annotations

import importlib
import re
from typing import Any

try:
    _parser: Any = importlib.import_module("re._parser")
except ImportError:  # pragma: no cover - a future Python that moves it: every verdict is "unknown"
    _parser = None

_CANDIDATES = "x0_-a."
_MAX_NODES = 10_000


def example_path(pattern: str) -> str | None:
    """A path that ``pattern`` (a tornado route regex) matches in full, or None.

    >>> example_path(r"/api/sessions/(?P<session_id>\\w+-\\w+-\\w+-\\w+-\\w+)")
    '/api/sessions/x-x-x-x-x'
    """
    if _parser is None:  # pragma: no cover - see the import
        return None
    try:
        regex = re.compile(pattern)
        budget = [_MAX_NODES]
        text = _emit(_parser.parse(pattern), budget)
    except (re.error, _Unsupported, RecursionError):
        return None
    for candidate in (text, "/" + text):
        if candidate.startswith("/") and regex.fullmatch(candidate):
            return candidate
    return None


class _Unsupported(Exception):
    """A regex construct the walk does not produce text for."""


def _emit(items: Any, budget: list[int], repeated: bool = False) -> str:
    return "".join(_item(op, arg, budget, repeated) for op, arg in items)


def _item(op: Any, arg: Any, budget: list[int], repeated: bool) -> str:
    budget[0] -= 1
    if budget[0] < 0:
        raise _Unsupported("regex too large")
    name = str(op)
    if name == "LITERAL":
        return chr(arg)
    if name in ("NOT_LITERAL", "ANY", "IN", "CATEGORY"):
        # A lone "." in a route is an unescaped dot (/api/spec.yaml); repeated, any character.
        return "." if name == "ANY" and not repeated else _char(op, arg)
    if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
        low, _high, sub = arg
        return str(_emit(sub, budget, repeated=True) * low)
    if name in ("SUBPATTERN", "ATOMIC_GROUP"):
        return _emit(arg[-1] if name == "SUBPATTERN" else arg, budget, repeated)
    if name == "BRANCH":
        return _emit(arg[1][0], budget, repeated)
    if name in ("AT", "ASSERT", "ASSERT_NOT"):
        return ""
    raise _Unsupported(name)


def _char(op: Any, arg: Any) -> str:
    """A character the single-character node ``(op, arg)`` accepts."""
    one = re.compile(_parser_source(op, arg))
    for char in _CANDIDATES:
        if one.fullmatch(char):
            return char
    raise _Unsupported("character class without a simple member")


def _parser_source(op: Any, arg: Any) -> str:
    """Regex source for one single-character node, rebuilt from its parse tree."""
    name = str(op)
    if name == "ANY":
        return "."
    if name == "LITERAL":
        return re.escape(chr(arg))
    if name == "NOT_LITERAL":
        return "[^" + re.escape(chr(arg)) + "]"
    if name == "CATEGORY":
        return _category(arg)
    if name == "IN":
        negate = bool(arg) and str(arg[0][0]) == "NEGATE"
        items = arg[1:] if negate else arg
        return "[" + ("^" if negate else "") + "".join(_set_item(o, a) for o, a in items) + "]"
    raise _Unsupported(name)


def _set_item(op: Any, arg: Any) -> str:
    name = str(op)
    if name == "LITERAL":
        return re.escape(chr(arg))
    if name == "RANGE":
        return re.escape(chr(arg[0])) + "-" + re.escape(chr(arg[1]))
    if name == "CATEGORY":
        return _category(arg)
    raise _Unsupported(name)


_CATEGORIES = {
    "CATEGORY_DIGIT": r"\d",
    "CATEGORY_NOT_DIGIT": r"\D",
    "CATEGORY_SPACE": r"\s",
    "CATEGORY_NOT_SPACE": r"\S",
    "CATEGORY_WORD": r"\w",
    "CATEGORY_NOT_WORD": r"\W",
}


def _category(arg: Any) -> str:
    source = _CATEGORIES.get(str(arg))
    if source is None:
        raise _Unsupported(str(arg))
    return source
