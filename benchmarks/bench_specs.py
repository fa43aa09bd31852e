"""Per-request cost of the spec filter (issue 4), beside the same server without specs.

Three views of the same cost, each with a 50-path allowed spec (path parameters with schemas,
the guide's slash encoder, a blocked spec):

1. the check alone: ``Gate.check`` on a mix of allowed, refused and blocked paths;
2. routing in tornado: ``Application.find_handler`` on the same mix, with the enforcement rule
   and without it (same 50 routes);
3. over HTTP on 127.0.0.1: ``devserver run --app bench_specs`` (enforced) against
   ``devserver run`` (the same extension, specs not enforced), GET requests that pass. Both
   servers run at once and take turns; still, on a busy 2-core machine the difference of two
   p50s of ~2 ms moves by +-0.2 ms from run to run (two identical servers without specs differed
   by 0.15 ms), so (2) is the figure to hold the filter to.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tornado import httputil, web

from devserver.specs import Gate, SpecFilter, enforce

from .common import (
    Server,
    devserver_cmd,
    free_port,
    isolated_env,
    p50,
    percentile,
    row,
    server,
    workspace,  # fmt: skip
)

N_PATHS = 50
CHECKS = 20_000
ROUTINGS = 20_000
HTTP_REQUESTS = 2_000
TARGET_MS = 0.2
BENCH = "spec filter, 50-path spec"
SLASH_ENCODER = (
    r"/api/contents/([^/?]+(?:(?:/[^/]+)*?))/checkpoints$",
    r"/api/contents/([^/?]+(?:(?:/[^/]+)*?))$",
)


def _op(*params: tuple[str, dict[str, Any]]) -> dict[str, Any]:
    return {
        "parameters": [{"name": n, "in": "path", "required": True, "schema": s} for n, s in params],
        "responses": {"200": {"description": ""}},
    }


def allowed_spec() -> dict[str, Any]:
    """50 paths: the server's status and contents routes, then 47 of an extension's own."""
    paths: dict[str, Any] = {
        "/api/status": {"get": _op()},
        "/api/contents/{path}": {"get": _op(("path", {"type": "string"}))},
        "/api/contents/{path}/checkpoints": {"post": _op(("path", {"type": "string"}))},
    }
    for i in range(N_PATHS - len(paths)):
        item = (
            ("id", {"type": "integer", "minimum": 0}) if i % 2 else ("id", {"pattern": "^[a-z]+$"})
        )
        paths[f"/bench/r{i}/items/{{id}}"] = {"get": _op(item), "delete": _op(item)}
    return {"openapi": "3.0.1", "info": {"title": "bench", "version": "1"}, "paths": paths}


def blocked_spec() -> dict[str, Any]:
    item = _op(("id", {"type": "integer"}))
    return {"openapi": "3.0.1", "info": {"title": "bench", "version": "1"},
            "paths": {"/bench/r1/items/{id}": {"delete": item}}}  # fmt: skip


def request_mix() -> list[tuple[str, str]]:
    """Passing, blocked and refused requests; the passing ones match late in the spec."""
    last = N_PATHS - 4
    return [
        ("GET", "/api/status"),
        ("GET", f"/bench/r{last}/items/17"),
        ("GET", f"/bench/r{last - 1}/items/abc"),
        ("POST", "/api/contents/a/b/checkpoints"),
        ("DELETE", "/bench/r1/items/5"),
        ("GET", "/api/kernels"),
        ("GET", "/api/contents/a/b"),
        ("PUT", "/bench/r3/items/x"),
    ]


def time_each(fn: Any, args: list[Any], rounds: int) -> list[float]:
    """Milliseconds per call of ``fn(*arg)``, cycling through ``args``."""
    out = []
    for i in range(rounds):
        arg = args[i % len(args)]
        started = time.perf_counter_ns()
        fn(*arg)
        out.append((time.perf_counter_ns() - started) / 1e6)
    return out


def check_alone() -> list[dict[str, Any]]:
    gate = Gate([SpecFilter(allowed_spec(), blocked_spec(), SLASH_ENCODER, "bench_specs")], "/")
    times = time_each(gate.check, request_mix(), CHECKS)
    return [
        row(BENCH, "Gate.check alone, p50", round(p50(times), 4), "target", TARGET_MS, "ms"),
        row(BENCH, "Gate.check alone, p99", round(percentile(times, 99), 4), "target", TARGET_MS,
            "ms"),
    ]  # fmt: skip


class _Ok(web.RequestHandler):
    def get(self, *args: str) -> None:
        self.finish("ok")


def _application() -> web.Application:
    spec = allowed_spec()
    routes: list[Any] = [
        (p.replace("{path}", "(.+)").replace("{id}", "([^/]+)"), _Ok) for p in spec["paths"]
    ]
    return web.Application(routes)


def _requests() -> list[tuple[httputil.HTTPServerRequest]]:
    headers = httputil.HTTPHeaders({"Host": "127.0.0.1"})
    return [
        (
            httputil.HTTPServerRequest(
                start_line=httputil.RequestStartLine(m, p, "HTTP/1.1"), headers=headers
            ),
        )
        for m, p in request_mix()
    ]


def routing() -> list[dict[str, Any]]:
    plain, filtered = _application(), _application()
    enforce(filtered, SpecFilter(allowed_spec(), blocked_spec(), SLASH_ENCODER, "bench_specs"))
    requests = _requests()
    without = time_each(plain.find_handler, requests, ROUTINGS)
    with_specs = time_each(filtered.find_handler, requests, ROUTINGS)
    cost = p50(with_specs) - p50(without)
    return [
        row(BENCH, "tornado routing, p50", round(p50(with_specs), 4), "same routes, no spec",
            round(p50(without), 4), "ms"),
        row(BENCH, "added by the filter to routing, p50", round(cost, 4), "target", TARGET_MS,
            "ms"),
    ]  # fmt: skip


EXTENSION = """
from jupyter_server.extension.application import ExtensionApp

from .specs import ALLOWED, BLOCKED, SLASH_ENCODER


class BenchSpecsApp(ExtensionApp):
    name = "bench_specs"
    _allowed_spec = ALLOWED
    _blocked_spec = BLOCKED
    _slash_encoder = SLASH_ENCODER


def _jupyter_server_extension_points():
    return [{"module": "bench_spec_ext", "app": BenchSpecsApp}]
"""


def _write_extension(root: Path) -> None:
    package = root / "extensions" / "bench_spec_ext" / "bench_spec_ext"
    package.mkdir(parents=True)
    (package.parent / "pyproject.toml").write_text(
        '[project]\nname = "bench-spec-ext"\nversion = "0"\n'
        '[tool.setuptools]\npackages = ["bench_spec_ext"]\n'
    )
    (package / "__init__.py").write_text(EXTENSION)
    (package / "specs.py").write_text(
        f"ALLOWED = {json.dumps(allowed_spec())}\nBLOCKED = {json.dumps(blocked_spec())}\n"
        f"SLASH_ENCODER = {SLASH_ENCODER!r}\n".replace("true", "True")
    )


@contextmanager
def _devserver(extra: tuple[str, ...]) -> Iterator[Server]:
    with workspace() as root:
        _write_extension(root)
        port = free_port()
        with server(devserver_cmd(root, port, *extra), root, port, isolated_env(root)) as srv:
            yield srv


def over_http() -> list[dict[str, Any]]:
    """Both servers run at once and take turns, so load on the machine hits both alike."""
    with _devserver(("--app", "bench_specs")) as enforced, _devserver(()) as plain:
        assert enforced.client.get("api/kernels").status_code == 403
        assert plain.client.get("api/kernels").status_code == 200
        times: dict[str, list[float]] = {"enforced": [], "plain": []}
        pair = [("enforced", enforced), ("plain", plain)]
        for i in range(HTTP_REQUESTS + 50):  # the first 50 warm up connections and caches
            for name, srv in pair if i % 2 else pair[::-1]:  # neither always goes first
                started = time.perf_counter()
                response = srv.client.get("api/status")
                if i >= 50:
                    times[name].append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, response.text
    with_specs, without = p50(times["enforced"]), p50(times["plain"])
    return [
        row(BENCH, "GET api/status over HTTP, p50", round(with_specs, 3),
            "same server, specs not enforced", round(without, 3), "ms"),
        row(BENCH, "added by the filter over HTTP, p50", round(with_specs - without, 3), "target",
            TARGET_MS, "ms"),
    ]  # fmt: skip


def run() -> list[dict[str, Any]]:
    """Rows for ``make bench``: each figure beside its baseline."""
    return [*check_alone(), *routing(), *over_http()]


if __name__ == "__main__":
    for r in run():
        print(r)
