"""Pure parts of real-world support: install writes, pip errors, legacy projects, reloads."""

from __future__ import annotations

import os
from pathlib import Path

from watchfiles import Change

from devserver.supervisor.fallback import failed_reloads
from devserver.supervisor.install import summary
from devserver.supervisor.layout import discover, find_projects
from devserver.supervisor.ownwrites import OwnWrites, snapshot

PIP_FAILURE = """\
  error: subprocess-exited-with-error

  \u00d7 Getting requirements to build editable did not run successfully.
  \u2502 exit code: 1
  \u2570\u2500> [3 lines of output]
      running egg_info
      error: package directory 'nowhere' does not exist
      [end of output]

  note: This error originates from a subprocess, and is likely not a problem with pip.
ERROR: Failed to build 'file:///x' when getting requirements to build editable
"""


def test_pip_failure_is_summed_up_in_one_line() -> None:
    """pip's failed step and the build's own last line make the message; no traceback, no hint."""
    assert summary(PIP_FAILURE) == (
        "Getting requirements to build editable did not run successfully. \u2014 "
        "error: package directory 'nowhere' does not exist"
    )


def test_install_writes_are_dropped_until_the_user_edits_them(tmp_path: Path) -> None:
    """A file the install wrote is no edit while it keeps the install's content; the user's next
    save of it is; an existing source file changed during the install stays the user's edit."""
    project = tmp_path / "proj"
    (project / "pkg").mkdir(parents=True)
    source = project / "pkg" / "handlers.py"
    source.write_text("x = 1\n")
    before = snapshot([project])
    version = project / "pkg" / "_version.py"
    version.write_text("__version__ = '1'\n")
    source.write_text("x = 2\n")  # the user, during the install
    own = OwnWrites()
    own.record(before, snapshot([project]), [project])
    batch = {(Change.added, str(version)), (Change.modified, str(source))}
    assert own.drop(batch) == {(Change.modified, str(source))}
    version.write_text("__version__ = '2'  # the user's edit\n")
    os.utime(version, ns=(1, 1))
    assert own.drop({(Change.modified, str(version))}) == {(Change.modified, str(version))}


def legacy_project(root: Path) -> Path:
    """nbclassic's shape: the old hook name, its config JSON at the project root."""
    (root / "legacy" / "legacy").mkdir(parents=True)
    (root / "legacy" / "pyproject.toml").write_text('[project]\nname = "legacy"\n')
    (root / "legacy" / "legacy" / "__init__.py").write_text(
        "def _jupyter_server_extension_paths():\n    return [{'module': 'legacy'}]\n"
    )
    conf = root / "legacy" / "jupyter_server_config.d"
    conf.mkdir()
    (conf / "legacy.json").write_text('{"ServerApp": {"jpserver_extensions": {"legacy": true}}}')
    return root / "legacy"


def test_legacy_extension_paths_are_recognised(tmp_path: Path) -> None:
    """A package with only _jupyter_server_extension_paths is an extension, as for the server."""
    [project] = find_projects(legacy_project(tmp_path))
    assert project.extensions == ("legacy",)


def test_an_unusable_project_is_skipped_with_its_reason(tmp_path: Path) -> None:
    """In a folder of projects, one with no extension is skipped (named, with the reason) and
    the others are found."""
    legacy_project(tmp_path)
    (tmp_path / "plain" / "plain").mkdir(parents=True)
    (tmp_path / "plain" / "pyproject.toml").write_text('[project]\nname = "plain"\n')
    (tmp_path / "plain" / "plain" / "__init__.py").write_text("")
    layout = discover([tmp_path])
    assert layout.extensions == ("legacy",)
    [(folder, reason)] = layout.skipped
    assert folder.name == "plain"
    assert "_jupyter_server_extension_points" in reason


def test_only_failures_of_the_new_code_are_checked_in_a_fresh_process() -> None:
    """Syntax errors and failures caused by another extension are not process state."""
    results = [
        {"extension": "a", "ok": False, "error": {"type": "DuplicateTimeseries", "message": "x"}},
        {"extension": "b", "ok": False, "error": {"type": "SyntaxError", "message": "bad"}},
        {"extension": "c", "ok": False, "error": {"type": "NotReloaded", "message": "a failed"}},
        {"extension": "d", "ok": True, "error": None},
    ]
    assert failed_reloads(results) == {"a": "DuplicateTimeseries: x"}
