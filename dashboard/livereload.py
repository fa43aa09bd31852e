"""Open pages reload themselves after an edit.

A tornado ``OutputTransform`` adds ``<script src=".../livereload.js" defer>`` before the last
``</body>`` of every complete ``text/html`` 200 response outside the dashboard. The script
listens to the event stream and reloads the page after a ``change`` (template or static edit),
a successful ``reload``, or a worker restart. A page whose visitor is not logged in gets the
script too, but the stream refuses it (403) and the script stays idle.

The script tag names the extension that serves the page (``data-extension``, from the route
table). The script then shows an error overlay while that extension's last reload failed, and
after a template or static edit it first asks for the page with the ``X-Devserver-Overlay``
header: a failed render answers with the error (``devpage``), shown in the overlay instead of
reloading into an error page. The overlay goes away with the reload that follows a fixing save.

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
    >>> inject_script(b"<body></body>", "/s.js", "my_ext")
    b'<body><script src="/s.js" data-extension="my_ext" defer></script></body>'
    """
    at = body.rfind(MARKER)
    if at < 0:
        return body
    owner = f' data-extension="{html.escape(extension)}"' if extension else ""
    tag = f'<script src="{script_url}"{owner} defer></script>'.encode()
    return body[:at] + tag + body[at:]


class LiveReloadTransform(web.OutputTransform):
    """Injects the live-reload script; one subclass per server carries its URLs."""

    script_url: ClassVar[str] = ""
    skip_prefix: ClassVar[str] = ""
    devserver_livereload: ClassVar[bool] = True

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
            chunk = inject_script(chunk, self.script_url, self.owner(self._path))
            if "Content-Length" in headers:
                headers["Content-Length"] = str(len(chunk))
        return status_code, headers, chunk

    def owner(self, path: str) -> str | None:
        """The extension serving ``path`` (``install`` gives the server's route table)."""
        return None

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
    owner_of: Callable[[str], str | None] | None = None,
) -> None:
    """Put the transform first (before gzip, which would hide the HTML), replacing an earlier
    one: a reloaded dashboard installs it again."""
    namespace: dict[str, object] = {"script_url": script_url, "skip_prefix": skip_prefix}
    if owner_of is not None:
        namespace["owner"] = lambda self, path: owner_of(path)
    transform = type("LiveReloadTransform", (LiveReloadTransform,), namespace)
    web_app.transforms[:] = [
        t for t in web_app.transforms if not getattr(t, "devserver_livereload", False)
    ]
    web_app.transforms.insert(0, transform)
