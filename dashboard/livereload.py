"""Open pages reload themselves after an edit.

A tornado ``OutputTransform`` adds ``<script src=".../livereload.js" data-extension="NAME" defer>``
before the last ``</body>`` of every complete ``text/html`` 200 response outside the dashboard,
NAME being the extension whose route served the page. The script listens to the event stream
(shared by all tabs, see ``static/events-worker.js``) and reloads the page after a ``change`` of
that extension's templates or static files, a successful ``reload`` of that extension, or a
worker restart; another extension's edits leave it alone. A page whose visitor is not logged in
gets the script too, but the stream refuses it (403) and the script stays idle.

tornado builds the transforms of each request from ``Application.transforms`` when the request
arrives, so adding one to a running server applies from the next request on.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import ClassVar

from tornado import httputil, web

MARKER = b"</body>"


def inject_script(body: bytes, script_url: str, extension: str | None = None) -> bytes:
    """``body`` with the script tag before its last ``</body>``, or unchanged without one.

    >>> inject_script(b"<body>hi</body>", "/s.js")
    b'<body>hi<script src="/s.js" defer></script></body>'
    >>> inject_script(b"</body>", "/s.js", "greeter_app")
    b'<script src="/s.js" data-extension="greeter_app" defer></script></body>'
    """
    at = body.rfind(MARKER)
    if at < 0:
        return body
    owner = f' data-extension="{html.escape(extension)}"' if extension else ""
    tag = f'<script src="{script_url}"{owner} defer></script>'.encode()
    return body[:at] + tag + body[at:]


def no_owner(path: str) -> str | None:
    """The owner lookup of a transform installed without one: pages reload on restarts only."""
    return None


class LiveReloadTransform(web.OutputTransform):
    """Injects the live-reload script; one subclass per server carries its URLs."""

    script_url: ClassVar[str] = ""
    skip_prefix: ClassVar[str] = ""
    devserver_livereload: ClassVar[bool] = True
    #: The extension whose route serves a path (None: the server's own).
    owner_of: ClassVar[Callable[[str], str | None]] = staticmethod(no_owner)

    def __init__(self, request: httputil.HTTPServerRequest) -> None:
        self._path = request.path or ""
        self._active = not self._path.startswith(self.skip_prefix)

    def transform_first_chunk(
        self,
        status_code: int,
        headers: httputil.HTTPHeaders,
        chunk: bytes,
        finishing: bool,
    ) -> tuple[int, httputil.HTTPHeaders, bytes]:
        if self._applies(status_code, headers, finishing):
            chunk = inject_script(chunk, self.script_url, type(self).owner_of(self._path))
            if "Content-Length" in headers:
                headers["Content-Length"] = str(len(chunk))
        return status_code, headers, chunk

    def _applies(self, status_code: int, headers: httputil.HTTPHeaders, finishing: bool) -> bool:
        # A streamed page (not finishing in its first chunk) or an encoded one is left alone.
        return (
            self._active
            and finishing
            and status_code == 200
            and headers.get("Content-Type", "").startswith("text/html")
            and "Content-Encoding" not in headers
        )


def install(
    web_app: web.Application,
    script_url: str,
    skip_prefix: str,
    owner_of: Callable[[str], str | None] = no_owner,
) -> None:
    """Put the transform first (before gzip, which would hide the HTML), replacing an earlier
    one: a reloaded dashboard installs it again."""
    transform = type(
        "LiveReloadTransform",
        (LiveReloadTransform,),
        {"script_url": script_url, "skip_prefix": skip_prefix, "owner_of": staticmethod(owner_of)},
    )
    web_app.transforms[:] = [
        t for t in web_app.transforms if not getattr(t, "devserver_livereload", False)
    ]
    web_app.transforms.insert(0, transform)
