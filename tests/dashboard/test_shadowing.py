"""Shadowed routes: a rule that never matches because an earlier rule catches all its paths."""

from __future__ import annotations

import time

from dashboard.shadowing import _compute, find_shadowed, literal_prefix, samples_of

ANY = ".*$"


def routes(*patterns: str) -> list[tuple[str, str]]:
    return [(p, ANY) for p in patterns]


def test_a_catch_all_shadows_later_routes_under_it() -> None:
    """``/api/(.*)`` first means ``/api/status`` after it never runs."""
    assert find_shadowed(routes("/api/(.*)", "/api/status", "/tree")) == {1: 0}


def test_an_identical_pattern_is_shadowed_by_the_first() -> None:
    """The second of two identical rules is shadowed."""
    assert find_shadowed(routes("/hello", "/x", "/hello")) == {2: 0}


def test_a_narrower_earlier_rule_shadows_nothing() -> None:
    """An earlier rule that matches only some of a later rule's paths does not shadow it."""
    assert find_shadowed(routes(r"/x/(\d+)", "/x/([^/]+)", "/api/([^/]+)", "/api/(.*)")) == {}


def test_a_wider_earlier_class_shadows_a_narrower_later_one() -> None:
    """``[^/]+`` before ``\\d+`` on the same prefix shadows it."""
    assert find_shadowed(routes("/k/([^/]+)", r"/k/(\d+)", r"/k/(?P<id>\w+)")) == {1: 0, 2: 0}


def test_optional_trailing_slash_and_alternatives() -> None:
    """``/a/?`` covers ``/a`` and ``/a/``; an alternation is covered only if every branch is."""
    assert find_shadowed(routes("/a/?", "/a", "/a/", "/(a|b)", "/b")) == {1: 0, 2: 0, 4: 3}


def test_hosts_are_compared() -> None:
    """A rule on another host does not shadow; a rule on any host does."""
    table = [("/x", "example.com$"), ("/x", ANY), ("/(.*)", ANY), ("/y", "other$")]
    assert find_shadowed(table) == {3: 2}


def test_broken_and_backreference_patterns_are_skipped() -> None:
    """Patterns that do not compile or cannot be sampled never count as shadowed or shadowing."""
    assert find_shadowed(routes("/(", r"/(a)\1", "/(", r"/(a)\1")) == {}


def test_helpers() -> None:
    """The literal prefix and samples follow the regex."""
    assert literal_prefix(r"/api/kernels/(?P<id>\w+)") == "/api/kernels/"
    assert literal_prefix("(") == ""
    samples = samples_of(r"/files/(.*)")
    assert "/files/" in samples
    assert any("/" in s[len("/files/") :] for s in samples)
    assert samples_of("/(") == []


def test_two_thousand_routes_are_checked_quickly() -> None:
    """Checking 2,000 routes takes well under a second once patterns are parsed."""
    table = routes(*(f"/ext{i % 50}/api/item{i}/(?P<id>[^/]+)/?" for i in range(2000)), "/(.*)")
    assert find_shadowed(table) == {}
    start = time.perf_counter()
    assert _compute(table) == {}  # the uncached check, patterns already parsed
    assert time.perf_counter() - start < 0.5
