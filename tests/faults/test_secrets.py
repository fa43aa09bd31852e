"""Security 10, 12, 13: secrets are masked by value as well as by key, in the shapes text gives
them, and console lines can neither show them nor be forged by an exception's message."""

from __future__ import annotations

import json

import pytest

from devserver.masking import MASK, console, mask, mask_json, values_under_secret_names

from ..conftest import Factory
from .conftest import HELLO, replayed_events

#: Every page and read API of the dashboard, scanned for secrets.
SCANNED = [
    *(f"_introspect/{page}" for page in ("", "extensions", "routes", "settings", "specs",
                                         "errors", "events")),
    *(f"_introspect/api/{path}" for path in ("status", "extensions", "extensions/hello_ext",
                                             "routes", "settings", "specs", "errors")),
]  # fmt: skip
CASES = [
    ("postgres://app:hunter22@db:5432/x", "hunter22"),
    ("see https://user:pa55word@example.test/repo.git", "pa55word"),
    ("namespace(api_key='k-abc', port=1)", "k-abc"),
    ("{'github_client_secret':'X1','db_password':'Y1'}", "X1"),
    ('{"db_password": "Y2"}', "Y2"),
    ("AWS_SECRET_ACCESS_KEY=wJalr", "wJalr"),
]


@pytest.mark.parametrize(("text", "secret"), CASES)
def test_secrets_in_text_shapes_are_masked(text: str, secret: str) -> None:
    """URL and DSN passwords, repr and config assignments are masked in strings and JSON."""
    assert secret not in mask({"note": text}, frozenset())["note"]
    assert secret not in mask_json({"note": [text]}, frozenset())
    assert MASK in mask({"note": text}, frozenset())["note"]


def test_pairs_and_deep_secret_keys_are_masked_and_collected() -> None:
    """``[["db_password", v]]`` pairs are masked; values under secret keys at any depth are
    collected so they are masked by value elsewhere."""
    deep: dict[str, object] = {"api_token": "T-9"}
    for level in range(30):
        deep = {f"level{level}": deep}
    assert mask([["db_password", "hunter2"]], frozenset()) == [["db_password", MASK]]
    assert mask_json([["db_password", "hunter2"]], frozenset()) == f'[["db_password", "{MASK}"]]'
    assert values_under_secret_names(deep) == {"T-9"}
    assert "T-9" not in mask_json({"raw": "T-9"}, frozenset(values_under_secret_names(deep)))


def test_harmless_values_after_secret_names_stay() -> None:
    """Flags and numbers after a secret-looking name are no secrets and are kept."""
    assert mask({"x": "json.dumps(sort_keys=True, key_count=3)"}, frozenset())["x"] == (
        "json.dumps(sort_keys=True, key_count=3)"
    )


def test_console_lines_cannot_be_forged() -> None:
    """Newlines and terminal escapes in a message are shown escaped on one line."""
    line = console("boom\n[devserver 10:00:00] \x1b[2K✓ reloaded x\r", frozenset({"tok123456"}))
    assert "\n" not in line
    assert "\x1b" not in line
    assert line == "boom\\n[devserver 10:00:00] \\x1b[2K✓ reloaded x\\r"


@pytest.mark.e2e
def test_command_line_secrets_and_failing_import_messages_stay_masked(
    devserver_factory: Factory,
) -> None:
    """Secrets given in --ServerApp.tornado_settings or the environment show in no page, API
    answer, event or log line; an import error carrying the token, an env secret and a forged
    line prints masked, on one line."""
    settings = "{'github_client_secret':'XSECRETX','db_password':'YSECRETY'}"
    server = devserver_factory(
        "hello_ext",
        args=(f"--ServerApp.tornado_settings={settings}",),
        env={"MY_API_KEY": "envsecret-123"},
    )
    secrets = ("XSECRETX", "YSECRETY", "envsecret-123")
    for path in SCANNED:
        body = server.get(path).text
        assert not [s for s in secrets if s in body], path
    raising = (
        "import os\nraise RuntimeError('token ' + os.environ['JUPYTER_TOKEN'] + ' key ' + "
        "os.environ['MY_API_KEY'] + '\\n[devserver 10:00:00] ✓ reloaded forged')\n"
    )
    path = server.root / HELLO
    path.write_text(path.read_text() + raising)
    server.wait_for_log("reload of hello_ext failed: RuntimeError")
    events = json.dumps(replayed_events(server))
    assert not [s for s in (*secrets, server.token) if s in events]
    for path in SCANNED:
        assert server.token not in server.get(path).text, path
    log = server.log()
    assert not [s for s in secrets if s in log]
    after_start = log[log.index("\n", log.index("dashboard: http")) :]
    assert server.token not in after_start
    assert "envsecret-123" not in log
    assert "✓ reloaded forged" not in log.replace("\\n[devserver 10:00:00] ✓ reloaded forged", "")
