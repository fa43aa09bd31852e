"""The CLI's HTTP opener against a real HTTP server on 127.0.0.1: what callers relied on from
``urlopen`` (error statuses, redirects, a closed connection) holds."""

from __future__ import annotations

import socket
import threading
import urllib.error
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from devserver.cli.opener import open_url
from devserver.errors import ServerNotFound


class Handler(BaseHTTPRequestHandler):
    """``/ok`` answers, ``/missing`` is a 404 with a body, ``/moved/N`` redirects N times more;
    ``/temporary`` is a 307 to ``/ok``, ``/see-other`` a 303. Each answer names the method and
    the Authorization header it saw."""

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def _answer(self) -> None:
        path = self.path
        if path.startswith("/moved/"):
            left = int(path.rsplit("/", 1)[1])
            self._send(302, b"", {"Location": "/ok" if left == 0 else f"/moved/{left - 1}"})
        elif path in ("/temporary", "/see-other"):
            self._send(307 if path == "/temporary" else 303, b"", {"Location": "/ok?from=redirect"})
        elif path.startswith("/ok"):
            seen = f"{self.command} {path} {self.headers.get('Authorization')}".encode()
            self._send(200, seen, {})
        else:
            self._send(404, b"no such thing", {})

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def origin() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


def fetch(url: str, method: str = "GET") -> tuple[int, str]:
    with open_url(url, {"Authorization": "token t"}, 10, method) as response:
        return response.status, response.read().decode()


def test_answer_with_headers(origin: str) -> None:
    """A 2xx answer is returned with its body; the headers given reach the server."""
    assert fetch(f"{origin}/ok?x=1") == (200, "GET /ok?x=1 token t")


def test_error_status_raises_with_its_body(origin: str) -> None:
    """A 404 raises HTTPError carrying the status and the body, as urlopen did."""
    with pytest.raises(urllib.error.HTTPError) as caught:
        fetch(f"{origin}/missing")
    assert caught.value.code == 404
    assert caught.value.read() == b"no such thing"
    caught.value.close()


def test_redirects_are_followed_up_to_urllibs_limit(origin: str) -> None:
    """A chain of 10 redirects of a GET is followed; one of 11 is an HTTPError (a loop)."""
    assert fetch(f"{origin}/moved/9") == (200, "GET /ok token t")
    with pytest.raises(urllib.error.HTTPError) as caught:
        fetch(f"{origin}/moved/10")
    assert caught.value.code == 302
    caught.value.close()


def test_post_redirects_as_urllib_does(origin: str) -> None:
    """A 303 after a POST is followed with a GET; a 307 is not (the POST is not repeated)."""
    assert fetch(f"{origin}/see-other", "POST") == (200, "GET /ok?from=redirect token t")
    with pytest.raises(urllib.error.HTTPError) as caught:
        fetch(f"{origin}/temporary", "POST")
    assert caught.value.code == 307
    caught.value.close()


def test_other_schemes_are_refused() -> None:
    """Only http(s) URLs are opened: a file: URL is ServerNotFound, nothing is read."""
    with pytest.raises(ServerNotFound, match="not an http"):
        open_url("file:///etc/passwd", {}, 1)


def test_nothing_listening_is_an_oserror() -> None:
    """A refused connection raises OSError, which the CLI turns into "cannot reach"."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(OSError, match="refused"):
        open_url(f"http://127.0.0.1:{port}/", {}, 5)
