"""Which extensions reload with a package: from live module objects and from their imports."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

from devserver.agent.deps import reload_group


def module(name: str, tmp_path: Path, source: str = "", **values: object) -> ModuleType:
    mod = ModuleType(name)
    file = tmp_path / f"{name.replace('.', '_')}.py"
    file.write_text(source)
    mod.__file__ = str(file)
    mod.__dict__.update(values)
    return mod


def test_holder_of_a_class_reloads_with_its_package(tmp_path: Path) -> None:
    """A module holding a class defined in the package is a dependent."""
    handler = type("HelloHandler", (), {"__module__": "hello_ext.handlers"})
    modules = {
        "hello_ext": module("hello_ext", tmp_path),
        "uses_hello": module("uses_hello", tmp_path, Handler=handler),
        "other": module("other", tmp_path),
    }
    assert reload_group("hello_ext", ["hello_ext", "uses_hello", "other"], modules) == [
        "hello_ext",
        "uses_hello",
    ]


def test_import_of_a_plain_value_is_found_in_the_source(tmp_path: Path) -> None:
    """`from hello_ext.handlers import GREETING` (a str) is found by reading the source."""
    modules = {
        "hello_ext": module("hello_ext", tmp_path),
        "quoter.core": module(
            "quoter.core", tmp_path, "from hello_ext.handlers import GREETING\n", GREETING="Hi"
        ),
    }
    assert reload_group("hello_ext", ["hello_ext", "quoter"], modules) == ["hello_ext", "quoter"]


def test_dependents_are_followed_transitively(tmp_path: Path) -> None:
    """c imports b, b imports a: reloading a reloads b then c."""
    modules = {
        "a": module("a", tmp_path),
        "b": module("b", tmp_path, "import a\n"),
        "c": module("c", tmp_path, "from b import thing\n"),
    }
    assert reload_group("a", ["a", "b", "c"], modules) == ["a", "b", "c"]


def test_relative_imports_and_unrelated_names_do_not_count(tmp_path: Path) -> None:
    """`from . import x` and a package merely sharing a prefix are not dependencies."""
    modules = {
        "hello": module("hello", tmp_path),
        "hello_ext2": module("hello_ext2", tmp_path, "from . import views\nimport hellox\n"),
    }
    assert reload_group("hello", ["hello", "hello_ext2"], modules) == ["hello"]
