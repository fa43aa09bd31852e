"""Runs in the supervisor, the CLI and the spec library: the two URL rules they share.

A ``base_url`` is written one way everywhere (``/``, or ``/prefix/`` with both slashes), and the
URL a client connects to names a host it can reach (a wildcard address means "this machine";
an IPv6 literal goes in brackets, RFC 3986 section 3.2.2).
"""

from __future__ import annotations

import ipaddress


def is_wildcard(ip: str) -> bool:
    """Whether ``ip``, bound, means "every interface" (empty, or the unspecified IPv4 or IPv6
    address): a client reaches such a server on loopback, and so can the network.

    >>> [is_wildcard(ip) for ip in ("", "0.0.0.0", "::", "::0", "127.0.0.1", "::1", "localhost")]
    [True, True, True, True, False, False, False]
    """
    if not ip:
        return True
    try:
        return ipaddress.ip_address(ip).is_unspecified
    except ValueError:  # a host name, or a bracketed literal: not a bare address
        return False


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
    if is_wildcard(ip):
        return "127.0.0.1"
    return f"[{ip}]" if ":" in ip and not ip.startswith("[") else ip


def server_url(ip: str, port: int, base_url: str) -> str:
    """``http://host:port/base_url/`` for a server bound to ``ip``.

    >>> server_url("::1", 8888, "lab")
    'http://[::1]:8888/lab/'
    """
    return f"http://{connect_host(ip)}:{port}{normalize_base_url(base_url)}"
