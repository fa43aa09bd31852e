"""Runs in the supervisor, the CLI and the spec library: the two URL rules they share.

A ``base_url`` is written one way everywhere (``/``, or ``/prefix/`` with both slashes), and the
URL a client connects to names a host it can reach (a wildcard address means "this machine";
an IPv6 literal goes in brackets, RFC 3986 section 3.2.2).
"""

from __future__ import annotations

#: Addresses that mean "every interface" when bound: a client reaches them on loopback.
WILDCARD_HOSTS = frozenset({"", "0.0.0.0", "::"})  # noqa: S104 - compared with, never bound


def normalize_base_url(value: str) -> str:
    """``value`` with one leading and one trailing slash (``/`` when empty).

    >>> [normalize_base_url(v) for v in ("", "/", "jupyter", "/a%40b", "//x//")]
    ['/', '/', '/jupyter/', '/a%40b/', '/x/']
    """
    inner = value.strip("/")
    return f"/{inner}/" if inner else "/"


def connect_host(ip: str) -> str:
    """The host part of a URL that reaches a server bound to ``ip``.

    >>> [connect_host(ip) for ip in ("0.0.0.0", "::", "", "10.0.0.2", "::1", "[::1]")]
    ['127.0.0.1', '127.0.0.1', '127.0.0.1', '10.0.0.2', '[::1]', '[::1]']
    """
    if ip in WILDCARD_HOSTS:
        return "127.0.0.1"
    return f"[{ip}]" if ":" in ip and not ip.startswith("[") else ip


def server_url(ip: str, port: int, base_url: str) -> str:
    """``http://host:port/base_url/`` for a server bound to ``ip``.

    >>> server_url("::1", 8888, "lab")
    'http://[::1]:8888/lab/'
    """
    return f"http://{connect_host(ip)}:{port}{normalize_base_url(base_url)}"
