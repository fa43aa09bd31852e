"""The dev error page: a 500 of an extension shows where it failed, to a logged-in user.

A tornado ``OutputTransform`` sees the first chunk of every response. When the response is a 500
written for an uncaught exception, tornado is still inside the ``except`` block of the handler's
``_execute`` (``_handle_request_exception`` -> ``send_error`` -> ``write_error`` -> ``finish``), so
``sys.exc_info()`` is that exception, and its traceback's first frame is ``_execute`` of the
handler itself. Only when the exception passed through an extension's folder and the handler has
a logged-in user, the answer becomes:

- for an HTML page: the dev error page (type, message, request line, each frame of the
  extension with the source lines around it, the whole traceback); it carries the live-reload
  script, so the page reloads itself when a save fixes the code;
- for JSON (an ``APIHandler``): the same body with a ``devserver`` field holding that data;
- for a request with the ``X-Devserver-Overlay`` header (the error overlay asking): that data.

Everything is masked (``devserver.masking``) before it leaves. ``DashboardApp.dev_error_page =
False`` turns it off.
"""

from __future__ import annotations

import json
import sys
import traceback
from pathlib import Path
from typing import ClassVar

from jinja2 import Environment
from tornado import httputil, web

from devserver.agent.records import _format, _is_under, excerpt
from devserver.agent.registry import Registry
from devserver.agent.requestlog import scrub_uri, user_name
from devserver.agent.runtime_errors import owner_of
from devserver.masking import mask_json, mask_text

from .livereload import inject_script
from .settings_view import server_secrets

OVERLAY_HEADER = "X-Devserver-Overlay"
#: Lines shown above and below each frame's line.
CONTEXT = 5


def handler_of(exc: BaseException) -> web.RequestHandler | None:
    """The handler whose ``_execute`` caught ``exc`` (the outermost frame of its traceback)."""
    tb = exc.__traceback__
    while tb is not None:
        candidate = tb.tb_frame.f_locals.get("self")
        if isinstance(candidate, web.RequestHandler):
            return candidate
        tb = tb.tb_next
    return None


def describe(exc: BaseException, extension: str, folder: Path, request: str) -> dict[str, object]:
    """The dev page's data: the error, and each frame in the extension's folder with its source."""
    frames = [
        {
            "file": frame.filename,
            "line": frame.lineno,
            "function": frame.name,
            "source": [
                {"line": n, "text": text}
                for n, text in excerpt(frame.filename, frame.lineno, CONTEXT)
            ],
        }
        for frame in traceback.extract_tb(exc.__traceback__)
        if frame.lineno and _is_under(frame.filename, folder)
    ]
    last = frames[-1] if frames else {}
    return {
        "extension": extension,
        "type": type(exc).__name__,
        "message": str(exc),
        "request": request,
        "file": last.get("file"),
        "line": last.get("line"),
        "frames": frames,
        "traceback": _format(exc, folder),
    }


class DevErrorTransform(web.OutputTransform):
    """Replaces a 500 of an extension handler by the dev error page; one subclass per server."""

    registry: ClassVar[Registry]
    script_url: ClassVar[str] = ""
    env: ClassVar[Environment]
    devserver_devpage: ClassVar[bool] = True

    def __init__(self, request: httputil.HTTPServerRequest) -> None:
        self.request = request

    def transform_first_chunk(
        self, status_code: int, headers: httputil.HTTPHeaders, chunk: bytes, finishing: bool
    ) -> tuple[int, httputil.HTTPHeaders, bytes]:
        data = self._error() if status_code == 500 and finishing else None
        if data is None:
            return status_code, headers, chunk
        secrets = server_secrets(self.registry.serverapp)
        kind = headers.get("Content-Type", "")
        if self.request.headers.get(OVERLAY_HEADER):
            chunk, kind = mask_json(data, secrets).encode(), "application/json"
        elif kind.startswith("application/json"):
            chunk = mask_json({**_json_or_empty(chunk), "devserver": data}, secrets).encode()
        elif kind.startswith("text/html"):
            html = self.env.get_template("devpage.html").render(err=data)
            chunk = inject_script(mask_text(html, secrets).encode(), self.script_url)
        else:
            return status_code, headers, chunk
        headers["Content-Type"] = kind
        if "Content-Length" in headers:
            headers["Content-Length"] = str(len(chunk))
        return status_code, headers, chunk

    def _error(self) -> dict[str, object] | None:
        """The data of the exception being handled, when the dev page applies to it."""
        exc = sys.exc_info()[1]
        if exc is None or isinstance(exc, web.HTTPError):
            return None
        handler = handler_of(exc)
        owner = owner_of(self.registry, exc)
        if handler is None or owner is None or user_name(handler) is None:
            return None  # not a handler's failure, not an extension's code, or nobody logged in
        line = f"{self.request.method} {scrub_uri(self.request.uri or '/')}"
        return describe(exc, owner[0], owner[1], line)


def _json_or_empty(chunk: bytes) -> dict[str, object]:
    try:
        body = json.loads(chunk or b"{}")
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {"body": body}


def install(
    web_app: web.Application, registry: Registry, env: Environment, script_url: str
) -> None:
    """Put the transform first, replacing an earlier one (a reloaded dashboard installs again)."""
    transform = type(
        "DevErrorTransform",
        (DevErrorTransform,),
        {"registry": registry, "env": env, "script_url": script_url},
    )
    web_app.transforms[:] = [
        t for t in web_app.transforms if not getattr(t, "devserver_devpage", False)
    ]
    web_app.transforms.insert(0, transform)
