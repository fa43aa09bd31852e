"""A typed view of the parse tree of Python's own regex compiler (``re._parser``, the module
behind ``re.compile`` since Python 3.11), for code that reads route regexes instead of
re-parsing them by hand: the verdict table's example paths (``devserver.specs.examples``) and
the dashboard's shadowed-route check (``dashboard.shadowing``).

``re._parser`` is private and untyped; this module is the only one that touches it.

>>> [(n.kind, n.char) for n in parse("/a")]
[('LITERAL', '/'), ('LITERAL', 'a')]
>>> char_regex(parse(r"[^/\\d]")[0])
'[^/\\\\d]'
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from typing import Any

_parser: Any = importlib.import_module("re._parser")

#: Kinds of node that stand for exactly one character.
SINGLE_CHAR = frozenset({"ANY", "LITERAL", "NOT_LITERAL", "IN", "CATEGORY"})
#: Kinds of node that repeat a sub-pattern: ``repeat`` gives ``(low, high, body)``.
REPEATS = frozenset({"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"})
#: Kinds of node that match no character (anchors and look-arounds).
ZERO_WIDTH = frozenset({"AT", "ASSERT", "ASSERT_NOT"})

_CATEGORIES = {
    "CATEGORY_DIGIT": r"\d",
    "CATEGORY_NOT_DIGIT": r"\D",
    "CATEGORY_SPACE": r"\s",
    "CATEGORY_NOT_SPACE": r"\S",
    "CATEGORY_WORD": r"\w",
    "CATEGORY_NOT_WORD": r"\W",
}


class Unsupported(ValueError):
    """A construct this view does not turn into regex source (a locale category, ...)."""


@dataclass(frozen=True)
class Node:
    """One item of a parsed regex: its ``kind`` (``"LITERAL"``, ``"IN"``, ``"BRANCH"``, ...)
    and, through the typed properties, what the kind carries."""

    kind: str
    raw: Any

    @property
    def char(self) -> str:
        """The character of a LITERAL or NOT_LITERAL."""
        return chr(self.raw)

    @property
    def children(self) -> list[Node]:
        """The body of a group (SUBPATTERN or ATOMIC_GROUP)."""
        return _nodes(self.raw[-1] if self.kind == "SUBPATTERN" else self.raw)

    @property
    def branches(self) -> list[list[Node]]:
        """The alternatives of a BRANCH, in order."""
        return [_nodes(branch) for branch in self.raw[1]]

    @property
    def repeat(self) -> tuple[int, int, list[Node]]:
        """``(low, high, body)`` of a repeat; ``high`` is a huge number for "no limit"."""
        low, high, body = self.raw
        return int(low), int(high), _nodes(body)

    @property
    def members(self) -> list[Node]:
        """The items of a character class (IN): LITERAL, RANGE, CATEGORY, NEGATE first."""
        return _nodes(self.raw)

    @property
    def bounds(self) -> tuple[str, str]:
        """The first and last character of a RANGE."""
        return chr(self.raw[0]), chr(self.raw[1])

    @property
    def category(self) -> str:
        """A CATEGORY's name, e.g. ``"CATEGORY_DIGIT"``."""
        return str(self.raw)


def parse(pattern: str) -> list[Node]:
    """The top-level nodes of ``pattern``; ``re.error`` when it is not a regex."""
    return _nodes(_parser.parse(pattern))


def _nodes(items: Any) -> list[Node]:
    return [Node(str(op), arg) for op, arg in items]


def char_regex(node: Node) -> str:
    """Regex source that matches what the single-character ``node`` matches."""
    if node.kind == "ANY":
        return "."
    if node.kind == "LITERAL":
        return re.escape(node.char)
    if node.kind == "NOT_LITERAL":
        return "[^" + re.escape(node.char) + "]"
    if node.kind == "CATEGORY":
        return category_regex(node)
    if node.kind == "IN":
        return "[" + "".join(_class_member(m) for m in node.members) + "]"
    raise Unsupported(node.kind)


def _class_member(node: Node) -> str:
    """Regex source of one item inside ``[...]``: a literal or category reads as on its own."""
    if node.kind == "NEGATE":
        return "^"
    if node.kind == "RANGE":
        first, last = node.bounds
        return re.escape(first) + "-" + re.escape(last)
    if node.kind in ("LITERAL", "CATEGORY"):
        return char_regex(node)
    raise Unsupported(node.kind)


def category_regex(node: Node) -> str:
    """``\\d``, ``\\w``, ... for a CATEGORY node."""
    source = _CATEGORIES.get(node.category)
    if source is None:
        raise Unsupported(node.category)
    return source
