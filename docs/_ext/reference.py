"""Generate the reference pages before Sphinx reads the sources.

- ``reference/cli.md``: ``devserver --help`` and ``devserver COMMAND --help``, run for real;
- ``reference/config.md``: every configurable trait of ``DevServer`` and ``DashboardApp`` with
  its type, default and help;
- ``reference/http-api.md`` and ``reference/openapi.json``: the OpenAPI document the server
  serves at ``/_introspect/api/openapi.json``, as a page and as the file itself.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from traitlets import HasTraits

from dashboard.app import DashboardApp
from dashboard.openapi import document
from devserver.cli.main import SUBCOMMANDS
from devserver.supervisor.options import DevServer

FENCE = "```"


def help_of(*args: str) -> str:
    """The real ``--help`` output of ``devserver ARGS``."""
    done = subprocess.run([sys.executable, "-m", "devserver", *args, "--help"],
                          capture_output=True, text=True, check=True, timeout=60)
    return done.stdout.strip()


def cli_page() -> str:
    parts = ["# Command line\n",
             "Generated from the real `--help` of each command at the docs build. "
             "`jupyter devserver ...` is the same command (see [Install](../install.md)).\n",
             f"## devserver\n\n{FENCE}text\n{help_of()}\n{FENCE}\n"]
    for name, (_, summary) in SUBCOMMANDS.items():
        parts.append(f"## devserver {name}\n\n{summary}\n\n{FENCE}text\n{help_of(name)}\n{FENCE}\n")
    return "\n".join(parts)


def traits_section(cls: type[HasTraits], where: str) -> str:
    rows = [f"## `{cls.__name__}`\n", f"{(cls.__doc__ or '').strip()} {where}\n"]
    for name, trait in sorted(cls.class_traits(config=True).items()):
        default = trait.default_value_repr()
        help_text = " ".join((trait.help or "").split())
        rows.append(f"`{cls.__name__}.{name}`\n: *{type(trait).__name__}*, default "
                    f"`{default}`. {help_text}\n")
    return "\n".join(rows)


def config_page() -> str:
    return "\n".join([
        "# Configuration\n",
        "Generated from the traits at the docs build: each option with its type, default and "
        "help. Set them on the command line (`devserver run --port 9000`, "
        "`--DevServer.step_ms=2`) or in a config file (`c.DevServer.port = 9000`).\n",
        traits_section(DevServer, "Options of `devserver run` (the supervisor)."),
        traits_section(DashboardApp, "Options of the `/_introspect` dashboard, in the worker: "
                       "pass them through, e.g. `devserver run --DashboardApp.live_reload=False`."),
    ])


def schema_text(schema: dict[str, Any]) -> str:
    ref = schema.get("$ref")
    if ref:
        name = ref.rsplit("/", 1)[-1]
        return f"[{name}](#schema-{name.lower()})"
    return f"`{json.dumps(schema)}`"


def operation_text(path: str, method: str, op: dict[str, Any], shared: list[Any]) -> str:
    lines = [f"### `{method.upper()} {path}`\n", f"{op['summary']}\n"]
    params = shared + op.get("parameters", [])
    if params:
        lines.append("| parameter | in | |\n| --- | --- | --- |")
        lines += [f"| `{p['name']}` | {p['in']} | {p['description']} |" for p in params]
        lines.append("")
    lines.append("| status | body | |\n| --- | --- | --- |")
    for status, answer in op["responses"].items():
        content = answer.get("content", {})
        kind, body = next(iter(content.items())) if content else ("", {})
        lines.append(f"| {status} | {kind} {schema_text(body.get('schema', {}))} | "
                     f"{answer['description']} |")
    return "\n".join(lines) + "\n"


def http_api_page(doc: dict[str, Any]) -> str:
    parts = ["# HTTP API reference\n",
             "Generated from the OpenAPI document the server serves at "
             "`{base_url}_introspect/api/openapi.json` (download it: "
             "[openapi.json](path:openapi.json)). The guide with examples is "
             "[The introspection API](../api.md).\n",
             f"Base URL: `{doc['servers'][0]['url']}` below the server's base_url. "
             "Every operation needs the token (`Authorization: token ...`) and answers 403 "
             "without it.\n", "## Operations\n"]
    for path, item in doc["paths"].items():
        shared = item.get("parameters", [])
        for method, op in item.items():
            if method != "parameters":
                parts.append(operation_text(path, method, op, shared))
    parts.append("## Schemas\n")
    for name, schema in doc["components"]["schemas"].items():
        parts.append(f"({'schema-' + name.lower()})=\n### {name}\n\n{FENCE}json\n"
                     f"{json.dumps(schema, indent=2)}\n{FENCE}\n")
    return "\n".join(parts)


def generate(app: Sphinx, _config: object) -> None:
    out = Path(app.srcdir) / "reference"
    out.mkdir(exist_ok=True)
    doc = document("/")
    (out / "openapi.json").write_text(json.dumps(doc, indent=2) + "\n")
    (out / "cli.md").write_text(cli_page())
    (out / "config.md").write_text(config_page())
    (out / "http-api.md").write_text(http_api_page(doc))


def setup(app: Sphinx) -> dict[str, Any]:
    # config-inited: before html_extra_path is checked and before the sources are read.
    app.connect("config-inited", generate)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
