"""Security 17: the CLI tells a refused token from a refusal by the server's authorizer, against
a real HTTP server on 127.0.0.1 that answers as jupyter_server does."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from devserver.cli.client import ApiClient, ServerInfo
from devserver.errors import ApiError


class _Refuses(BaseHTTPRequestHandler):
    body: ClassVar[dict[str, object]] = {}

    def do_GET(self) -> None:
        raw = json.dumps(self.body).encode()
        self.send_response(403)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def refusing() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Refuses)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    ("body", "said"),
    [
        ({"error": "Forbidden", "status": 403}, "pass the right --token"),
        (
            {"error": "User 'ann' is not authorized to read on resource: devserver."},
            "its authorizer (ServerApp.authorizer_class) refused the request: User 'ann'",
        ),
    ],
)
def test_refusal_names_its_cause(
    refusing: ThreadingHTTPServer, body: dict[str, object], said: str
) -> None:
    """A bad token asks for the right one; an authorizer's refusal says the token was fine."""
    _Refuses.body = body
    url = f"http://127.0.0.1:{refusing.server_address[1]}/"
    client = ApiClient(ServerInfo(url, "tok", "--url"), timeout=5)
    with pytest.raises(ApiError) as info:
        client.get("status")
    assert said in str(info.value)
