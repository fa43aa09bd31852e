"""The stopping worker's connection watch, on a real tornado HTTPServer on 127.0.0.1."""

from __future__ import annotations

import asyncio
import socket

from tornado import web
from tornado.httpclient import AsyncHTTPClient
from tornado.httpserver import HTTPServer

from devserver.agent.drain import ConnectionWatch, drain

from .conftest import wait_until_async


class Hello(web.RequestHandler):
    def get(self) -> None:
        self.write("hello")


def test_the_watch_forgets_closed_connections_and_drain_answers_then_closes() -> None:
    """Twenty requests on connections that close leave nothing in the watch (it holds no
    connection of the past); a drain then closes an idle keep-alive connection and cuts none."""

    async def scenario() -> None:
        server = HTTPServer(web.Application([("/", Hello)]))
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        sock.setblocking(False)
        server.add_sockets([sock])
        watch = ConnectionWatch(server)
        port = sock.getsockname()[1]
        url = f"http://127.0.0.1:{port}/"
        client = AsyncHTTPClient(force_instance=True)
        try:
            for _ in range(20):
                response = await client.fetch(url, headers={"Connection": "close"})
                assert response.body == b"hello"
            await wait_until_async(lambda: not server._connections, what="connections closed")
            assert watch.current == {}
            # A keep-alive connection (tornado's client closes its own): answered, then idle.
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            assert (await reader.readuntil(b"hello")).startswith(b"HTTP/1.1 200")
            await wait_until_async(lambda: len(watch.idle()) == 1, what="one idle connection")
            assert await drain(watch, deadline=2.0) == 0
            assert await reader.read() == b""  # closed by the server, not reset
            writer.close()
            assert not server._connections
            assert watch.current == {}
        finally:
            client.close()
            server.stop()

    asyncio.run(scenario())
