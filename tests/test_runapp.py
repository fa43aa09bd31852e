"""`devserver run` options: one home each, from the command line or a config file."""

from __future__ import annotations

from pathlib import Path

import pytest

from devserver.cli import DevServerApp, main
from devserver.supervisor.options import DevServer
from devserver.supervisor.runapp import RunApp


def options(argv: list[str]) -> tuple[DevServer, RunApp]:
    app = RunApp()
    app.initialize(argv)
    return DevServer(parent=app), app


def test_config_file_sets_options_and_command_line_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """devserver_config.py in the current folder is read; a command-line option beats it."""
    (tmp_path / "devserver_config.py").write_text(
        "c.DevServer.port = 9123\n"
        "c.DevServer.base_url = 'jupyter'\n"
        "c.ServerApp.root_dir = '/data'\n"
    )
    monkeypatch.chdir(tmp_path)
    opts, app = options(["--port", "9999", "ext_folder"])
    assert opts.port == 9999
    assert opts.base_url == "/jupyter/"
    assert app.extra_args == ["ext_folder"]
    assert app._passthrough() == {"ServerApp": {"root_dir": "/data"}}


def test_serverapp_options_pass_through(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """--ServerApp.* and other Jupyter sections reach the worker; our own sections do not."""
    monkeypatch.chdir(tmp_path)
    _, app = options(["--ServerApp.root_dir=/srv", "--IdentityProvider.cookie_name=x", "--poll"])
    assert app._passthrough() == {
        "ServerApp": {"root_dir": "/srv"},
        "IdentityProvider": {"cookie_name": "x"},
    }


def test_missing_config_file_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """--config naming a file that does not exist stops with a message naming it."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit, match=r"nope\.py: no such file"):
        options(["--config", str(tmp_path / "nope.py")])


@pytest.mark.parametrize("variable", ["DEVSERVER_POLL", "WATCHFILES_FORCE_POLLING"])
@pytest.mark.parametrize(
    ("value", "polls"),
    [("1", True), ("yes", True), ("0", False), ("false", False), ("disable", False), ("", False)],
)
def test_poll_defaults_from_environment(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, polls: bool
) -> None:
    """DEVSERVER_POLL or WATCHFILES_FORCE_POLLING turn polling on as watchfiles reads them
    ("disable" and "false" keep it off), as Docker Desktop needs."""
    monkeypatch.delenv("DEVSERVER_POLL", raising=False)
    monkeypatch.delenv("WATCHFILES_FORCE_POLLING", raising=False)
    monkeypatch.setenv(variable, value)
    assert DevServer().poll is polls


def test_unknown_command_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    """`devserver bogus` names the unknown command and the real ones, exit 2."""

    DevServerApp.clear_instance()
    with pytest.raises(SystemExit) as stop:
        main(["bogus"])
    DevServerApp.clear_instance()
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "unknown command 'bogus'" in err
    assert "run, reload, status" in err
