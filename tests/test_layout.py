"""Finding extensions under the PATHs given to `devserver run`, without importing them."""

from __future__ import annotations

from pathlib import Path

import pytest

from devserver.errors import ConfigError, NoExtensionError
from devserver.supervisor.layout import discover, find_projects

from .conftest import EXAMPLES


def test_examples_folder_holds_three_projects() -> None:
    """The bundled examples folder is found as three projects with their extension names."""
    layout = discover([EXAMPLES])
    assert layout.extensions == ("greeter_app", "hello_ext", "uses_hello")
    assert layout.containers == (EXAMPLES.resolve(),)
    hello = layout.project_of(EXAMPLES.resolve() / "hello_ext" / "hello_ext" / "handlers.py")
    assert hello is not None
    assert hello.distribution == "hello-ext"


def test_project_without_config_files_is_found_by_its_hook(tmp_path: Path) -> None:
    """Without jupyter-config files, a package defining an extension hook is the extension."""
    (tmp_path / "setup.py").write_text("")
    (tmp_path / "src" / "myext").mkdir(parents=True)
    (tmp_path / "src" / "myext" / "__init__.py").write_text(
        "def _load_jupyter_server_extension(app):\n    pass\n"
    )
    (tmp_path / "src" / "helper").mkdir()
    (tmp_path / "src" / "helper" / "__init__.py").write_text("")
    [project] = find_projects(tmp_path)
    assert project.extensions == ("myext",)
    assert project.source_root == tmp_path / "src"
    assert set(project.packages) == {"myext", "helper"}
    assert project.distribution is None


def test_bad_config_json_names_file_and_line(tmp_path: Path) -> None:
    """Invalid JSON in jupyter-config is a ConfigError with file, line and column."""
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    conf = tmp_path / "jupyter-config" / "jupyter_server_config.d"
    conf.mkdir(parents=True)
    (conf / "x.json").write_text('{\n  "ServerApp": {\n    "jpserver_extensions": {"x": tru}\n}}\n')
    with pytest.raises(ConfigError, match=r"x\.json:3:\d+: invalid JSON"):
        find_projects(tmp_path)


def test_folder_without_extension_is_refused(tmp_path: Path) -> None:
    """A project whose packages define no hook is refused with what to add."""
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "__init__.py").write_text("")
    with pytest.raises(NoExtensionError, match="_jupyter_server_extension_points"):
        find_projects(tmp_path)


def test_same_extension_twice_is_refused(tmp_path: Path) -> None:
    """Two PATHs providing the same extension name are refused."""
    with pytest.raises(ConfigError, match="more than one PATH"):
        discover([EXAMPLES / "hello_ext", EXAMPLES])


def test_typescript_src_folder_is_not_the_source_root(tmp_path: Path) -> None:
    """A JupyterLab-style src/ of TypeScript leaves the project root as the source root, and
    jupyter-config/server-config/*.json enables the extension."""
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "labext"\n')
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "index.ts").write_text("export {};\n")
    (tmp_path / "labext").mkdir()
    (tmp_path / "labext" / "__init__.py").write_text("")
    conf = tmp_path / "jupyter-config" / "server-config"
    conf.mkdir(parents=True)
    (conf / "labext.json").write_text('{"ServerApp": {"jpserver_extensions": {"labext": true}}}')
    [project] = find_projects(tmp_path)
    assert project.source_root == tmp_path
    assert project.extensions == ("labext",)


def _project_with_config(root: Path) -> Path:
    """A one-extension project enabled by a config JSON; the JSON's path."""
    (root / "pyproject.toml").write_text('[project]\nname = "x"\n')
    (root / "x").mkdir()
    (root / "x" / "__init__.py").write_text("")
    conf = root / "jupyter-config" / "jupyter_server_config.d"
    conf.mkdir(parents=True)
    return conf / "x.json"


def test_config_json_that_is_not_utf8_is_a_config_error(tmp_path: Path) -> None:
    """A config JSON in another encoding is a ConfigError naming the file, not a crash."""
    _project_with_config(tmp_path).write_bytes(b'{"ServerApp": {"x": "\xe9t\xe9"}}')
    with pytest.raises(ConfigError, match=r"x\.json: not UTF-8 text \(byte \d+\)"):
        discover([tmp_path])


def test_file_vanishing_during_discovery_is_a_config_error(tmp_path: Path) -> None:
    """A config file listed but gone when read (a dangling link, a folder being deleted) is a
    ConfigError naming the file, not an OSError."""
    _project_with_config(tmp_path).symlink_to(tmp_path / "deleted.json")
    with pytest.raises(ConfigError, match=r"x\.json: cannot be read \(No such file"):
        discover([tmp_path])


def test_tests_docs_and_private_folders_are_not_packages(tmp_path: Path) -> None:
    """A project's tests/, docs/ and _private/ packages, setup.py and conftest.py are not
    watched as its packages (the same rule `devserver check` reads them by)."""
    (tmp_path / "setup.py").write_text("# load_jupyter_server_extension is mentioned here\n")
    (tmp_path / "conftest.py").write_text("# _load_jupyter_server_extension too\n")
    for name in ("myext", "helper", "tests", "docs", "_private"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "__init__.py").write_text("")
    (tmp_path / "myext" / "__init__.py").write_text("def _jupyter_server_extension_points(): ...\n")
    (tmp_path / "single.py").write_text("def _load_jupyter_server_extension(app): ...\n")
    [project] = find_projects(tmp_path)
    assert project.packages == {
        "helper": tmp_path / "helper",
        "myext": tmp_path / "myext",
        "single": tmp_path / "single.py",
    }
    assert project.extensions == ("myext", "single")
