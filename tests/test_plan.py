"""The change planner: plain data in, a plan out."""

from __future__ import annotations

from pathlib import Path

from watchfiles import Change

from devserver.supervisor.layout import Layout, Project
from devserver.supervisor.plan import Plan, plan_changes

ROOT = Path("/src/exts")
HELLO = Project(
    root=ROOT / "hello_ext",
    source_root=ROOT / "hello_ext",
    distribution="hello-ext",
    packages={
        "hello_ext": ROOT / "hello_ext/hello_ext",
        "hello_util": ROOT / "hello_ext/hello_util",
    },
    extensions=("hello_ext",),
)
APP = Project(
    root=ROOT / "greeter_app",
    source_root=ROOT / "greeter_app/src",
    distribution="greeter-app",
    packages={"greeter_app": ROOT / "greeter_app/src/greeter_app"},
    extensions=("greeter_app",),
)
LAYOUT = Layout(paths=(ROOT,), projects=(HELLO, APP))


def plan(*changes: tuple[Change, str], watched: tuple[Path, ...] = ()) -> Plan:
    return plan_changes(changes, LAYOUT, watched)


def test_python_edit_reloads_its_extension() -> None:
    """A .py change in an extension package hot-reloads that extension only."""
    assert plan((Change.modified, f"{ROOT}/hello_ext/hello_ext/handlers.py")) == Plan(
        reload=("hello_ext",)
    )


def test_helper_package_edit_reloads_the_projects_extensions() -> None:
    """A .py change in a non-extension package of a project reloads that project's extensions."""
    assert plan((Change.modified, f"{ROOT}/hello_ext/hello_util/x.py")).reload == ("hello_ext",)


def test_burst_gives_one_reload_per_extension() -> None:
    """Many changes to several files give each extension once, in first-seen order."""
    changes = [(Change.modified, f"{ROOT}/hello_ext/hello_ext/a{i}.py") for i in range(10)]
    changes.append((Change.modified, f"{ROOT}/greeter_app/src/greeter_app/app.py"))
    assert plan(*changes).reload == ("greeter_app", "hello_ext")


def test_templates_and_static_files_are_told_apart() -> None:
    """Templates and static files are reported for page refresh, not reloaded."""
    result = plan(
        (Change.modified, f"{ROOT}/greeter_app/src/greeter_app/templates/index.html"),
        (Change.modified, f"{ROOT}/greeter_app/src/greeter_app/static/style.css"),
    )
    assert result.reload == ()
    assert result.templates == (f"{ROOT}/greeter_app/src/greeter_app/templates/index.html",)
    assert result.static == (f"{ROOT}/greeter_app/src/greeter_app/static/style.css",)


def test_pyproject_change_reinstalls_and_restarts() -> None:
    """pyproject.toml of a project: reinstall it and restart the worker, no hot reload."""
    result = plan(
        (Change.modified, f"{ROOT}/hello_ext/pyproject.toml"),
        (Change.modified, f"{ROOT}/hello_ext/hello_ext/handlers.py"),
    )
    assert result.reinstall == (ROOT / "hello_ext",)
    assert result.restart == "pyproject.toml changed: hello_ext"
    assert result.reload == ()


def test_config_files_restart() -> None:
    """Server config files anywhere, and the project's jupyter-config, restart the worker."""
    for path in (
        "/etc/jupyter/jupyter_server_config.d/other.json",
        "/home/u/.jupyter/jupyter_server_config.py",
        f"{ROOT}/hello_ext/jupyter-config/jupyter_server_config.d/hello_ext.json",
    ):
        assert plan((Change.modified, path)).restart == "config changed: " + Path(path).name


def test_watched_extra_file_restarts() -> None:
    """A file given with --watch restarts the worker when it changes."""
    extra = Path("/src/settings.toml")
    result = plan((Change.modified, str(extra)), watched=(extra,))
    assert result == Plan(restart="watched file changed: settings.toml")


def test_folder_added_beside_extensions_asks_for_a_rescan() -> None:
    """A new folder in a PATH that holds extension folders means: look again."""
    result = plan((Change.added, f"{ROOT}/new_ext"))
    assert result.rescan
    assert result.restart is None


def test_unrelated_files_are_ignored() -> None:
    """Files outside any package (README, tests folder) give an empty plan."""
    assert not plan(
        (Change.modified, f"{ROOT}/hello_ext/README.md"),
        (Change.modified, "/elsewhere/x.py"),
    )


def test_files_of_a_folder_being_filled_in_ask_for_a_rescan() -> None:
    """Files appearing in a new folder beside the extensions (a copy, a clone) mean: look again."""
    result = plan((Change.added, f"{ROOT}/new_ext/pyproject.toml"))
    assert result.rescan
    assert result.reinstall == ()


def test_deleted_project_file_asks_for_a_rescan_not_a_reinstall() -> None:
    """A removed pyproject.toml (the folder is being deleted) is no reason to run pip."""
    result = plan((Change.deleted, f"{ROOT}/hello_ext/pyproject.toml"))
    assert result.rescan
    assert result.reinstall == ()


def test_watched_folder_restarts_for_files_inside() -> None:
    """A folder given with --watch restarts the worker for any file inside it."""
    result = plan((Change.modified, "/src/lib/util.py"), watched=(Path("/src/lib"),))
    assert result == Plan(restart="watched file changed: util.py")
