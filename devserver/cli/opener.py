"""Runs in the CLI and the pytest plugin: one HTTP(S) request to a dev server (stdlib only).

``http.client`` rather than ``urllib.request``: a dev server is reached over http or https and
nothing else (no ``file:``, no ``ftp:``), and straight (no ``http_proxy`` between the CLI and
127.0.0.1). What callers rely on is kept from ``urlopen``: an error status raises
``urllib.error.HTTPError`` (its ``code`` and body readable), a redirect is followed as urllib
does, and the connection closes once the response is read.
"""

from __future__ import annotations

import urllib.error
from http.client import HTTPConnection, HTTPResponse, HTTPSConnection
from urllib.parse import urljoin, urlsplit

from devserver.errors import ServerNotFound

#: urllib's limit on redirects in a row.
MAX_REDIRECTS = 10
REDIRECTS = frozenset({301, 302, 303, 307, 308})


def open_url(
    url: str, headers: dict[str, str], timeout: float, method: str = "GET"
) -> HTTPResponse:
    """The response to ``method url`` (an empty body for POST); a status outside 2xx raises
    ``urllib.error.HTTPError``, a connection failure ``OSError``, any scheme but http(s)
    ServerNotFound."""
    response = _request(url, headers, timeout, method)
    for _ in range(MAX_REDIRECTS):
        location = response.getheader("Location")
        if location is None or not _follows(response.status, method):
            break
        response.close()
        url = urljoin(url, location)
        method = "HEAD" if method == "HEAD" else "GET"
        response = _request(url, headers, timeout, method)
    if not 200 <= response.status < 300:
        raise urllib.error.HTTPError(url, response.status, response.reason, response.msg, response)
    return response


def _follows(status: int, method: str) -> bool:
    """urllib's rule: any redirect of a GET or HEAD, a 301/302/303 of a POST (as a GET)."""
    return status in REDIRECTS and (
        method in ("GET", "HEAD") or (status in (301, 302, 303) and method == "POST")
    )


def _request(url: str, headers: dict[str, str], timeout: float, method: str) -> HTTPResponse:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ServerNotFound(f"not an http(s) URL: {url}")
    kind = HTTPSConnection if parts.scheme == "https" else HTTPConnection
    connection = kind(parts.netloc, timeout=timeout)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request(
            method,
            target,
            body=b"" if method == "POST" else None,
            headers={**headers, "Connection": "close"},
        )
        response = connection.getresponse()
    except BaseException:
        connection.close()
        raise
    # As urllib does: the response owns the socket from here; closing it closes the connection.
    if connection.sock is not None:
        connection.sock.close()
        connection.sock = None
    return response
