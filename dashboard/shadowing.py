"""Which routes can never match.

tornado tries rules in order and the first match wins, so a rule is *shadowed* when an earlier
rule on the same host matches every path the later one could match. Deciding regex inclusion
exactly is costly; instead each pattern is expanded into a handful of sample paths that exercise
its groups and repetitions (short, long, with and without slashes), and a later rule is shadowed
when one earlier rule matches all of its samples. An index by literal prefix keeps the check
near-linear for thousands of routes.

>>> find_shadowed([("/api/(.*)", ".*$"), ("/api/status", ".*$"), ("/tree", ".*$")])
{1: 0}
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Sequence
from functools import lru_cache

from devserver.regex_tree import (
    REPEATS,
    SINGLE_CHAR,
    ZERO_WIDTH,
    Node,
    Unsupported,
    char_regex,
    parse,
)

MAX_SAMPLES = 24

# Characters of various kinds to try in each variable position: a class or wildcard keeps those
# it accepts, so a sample set says "letters, digits, punctuation, slashes" where that is allowed.
_PROBE_CHARS = "x7-./%~Z_ aB"


def find_shadowed(routes: Sequence[tuple[str, str]]) -> dict[int, int]:
    """Map the index of each shadowed route to the index of the first earlier route that
    catches all its paths; ``routes`` are ``(pattern, host)`` pairs in routing order."""
    return dict(_find_shadowed(tuple(routes)))


@lru_cache(maxsize=8)
def _find_shadowed(routes: tuple[tuple[str, str], ...]) -> tuple[tuple[int, int], ...]:
    """Cached by the whole table: it only changes when an extension is (re)loaded."""
    return tuple(_compute(routes).items())


def _compute(routes: Sequence[tuple[str, str]]) -> dict[int, int]:
    analysed = [_analyse(pattern) for pattern, _ in routes]
    compiled = [regex for regex, _, _ in analysed]
    by_prefix: dict[str, list[int]] = defaultdict(list)
    shadowed: dict[int, int] = {}
    for index, (regex, prefix, samples) in enumerate(analysed):
        if samples:
            culprit = _first_catcher(index, routes[index][1], samples, routes, compiled, by_prefix)
            if culprit is not None:
                shadowed[index] = culprit
        if regex is not None:
            by_prefix[prefix].append(index)
    return shadowed


@lru_cache(maxsize=16384)
def _analyse(pattern: str) -> tuple[re.Pattern[str] | None, str, list[str]]:
    """Parse and sample each pattern once: route tables change only on reloads."""
    return _compile(pattern), literal_prefix(pattern), samples_of(pattern)


def _first_catcher(
    index: int,
    host: str,
    samples: list[str],
    routes: Sequence[tuple[str, str]],
    compiled: list[re.Pattern[str] | None],
    by_prefix: dict[str, list[int]],
) -> int | None:
    """The first earlier route on a covering host that matches every sample."""
    first = samples[0]
    candidates = sorted(
        i for n in range(len(first) + 1) for i in by_prefix.get(first[:n], ()) if i < index
    )
    for i in candidates:
        regex = compiled[i]
        if regex is None or routes[i][1] not in (".*$", host):
            continue
        if all(regex.match(s) for s in samples):
            return i
    return None


def _compile(pattern: str) -> re.Pattern[str] | None:
    try:
        # tornado's PathMatches appends "$" and uses match(): the rule must match the whole path.
        return re.compile(pattern if pattern.endswith("$") else pattern + "$")
    except re.error:
        return None


def literal_prefix(pattern: str) -> str:
    """The literal text every match of ``pattern`` starts with.

    >>> literal_prefix(r"/api/kernels/(?P<kernel_id>\\w+)")
    '/api/kernels/'
    """
    try:
        nodes = parse(pattern)
    except re.error:
        return ""
    out = []
    for node in nodes:
        if node.kind != "LITERAL":
            break
        out.append(node.char)
    return "".join(out)


def samples_of(pattern: str) -> list[str]:
    """Up to MAX_SAMPLES paths that ``pattern`` matches, spread over its variable parts.

    >>> samples_of(r"/files/(.*)")[:3]
    ['/files/', '/files/x', '/files/7']
    """
    regex = _compile(pattern)
    try:
        nodes = parse(pattern)
    except re.error:
        return []
    if regex is None:
        return []
    options = _expand(nodes)
    return [s for s in itertools.islice(options, MAX_SAMPLES * 4) if regex.match(s)][:MAX_SAMPLES]


def _expand(nodes: list[Node]) -> list[str]:
    """The sample strings for a sequence of parsed regex items (a bounded product)."""
    results = [""]
    for node in nodes:
        parts = _expand_item(node)
        if not parts:
            return []
        results = _spread_product(results, parts)
    return results


def _spread_product(left: list[str], right: list[str]) -> list[str]:
    """Combine two sample lists, varying both sides, without growing past the bound."""
    size = max(len(left), len(right))
    combos = [left[i % len(left)] + right[i % len(right)] for i in range(size)]
    extra = [a + b for a in left[:3] for b in right[:3]]
    return list(dict.fromkeys(combos + extra))[:MAX_SAMPLES]


def _expand_item(node: Node) -> list[str]:
    if node.kind in SINGLE_CHAR:
        return _single_chars(node)
    if node.kind in ZERO_WIDTH:
        return [""]
    if node.kind in ("SUBPATTERN", "ATOMIC_GROUP"):
        return _expand(node.children)
    if node.kind == "BRANCH":
        return [s for branch in node.branches for s in _expand(branch)][:MAX_SAMPLES]
    if node.kind in REPEATS:
        return _expand_repeat(*node.repeat)
    return []  # a back-reference or something rarer: give up on this pattern


def _expand_repeat(low: int, high: int, body: list[Node]) -> list[str]:
    inner = _expand(body)
    if not inner:
        return [""] if low == 0 else []
    counts = sorted({low, min(max(low, 1), high), min(max(low, 3), high)})
    out = []
    for count in counts:
        for offset in range(len(inner)):
            out.append("".join(inner[(offset + k) % len(inner)] for k in range(count)))
    return list(dict.fromkeys(out))


def _single_chars(node: Node) -> list[str]:
    """Characters one position can hold: probe characters it accepts."""
    if node.kind == "LITERAL":
        return [node.char]
    try:
        one = re.compile(char_regex(node))
    except (re.error, Unsupported):
        return []
    own = [_first_char(m) for m in node.members] if node.kind == "IN" else []
    return list(dict.fromkeys(c for c in [*_PROBE_CHARS, *own] if one.fullmatch(c)))


def _first_char(member: Node) -> str:
    """A character a class item names itself (``[ab]`` holds no probe character)."""
    if member.kind == "LITERAL":
        return member.char
    return member.bounds[0] if member.kind == "RANGE" else ""
