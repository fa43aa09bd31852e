"""What a reload keeps of the old code's caches (devserver/agent/caches.py): compiled Jinja
templates, checked against source and options, and the static file hashes of unchanged files."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from jinja2 import Environment, FileSystemLoader
from jinja2.utils import pass_context
from tornado.web import StaticFileHandler

from devserver.agent.caches import (
    COMPILED,
    CompiledTemplates,
    StaticHashes,
    share_compiled_templates,
)


class CountingEnvironment(Environment):
    """A real environment that counts the templates it compiles."""

    compiled = 0

    def compile(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        CountingEnvironment.compiled += 1
        return super().compile(*args, **kwargs)


def fresh_env(folder: Path, cache: CompiledTemplates, **options: object) -> CountingEnvironment:
    """A new environment, as a reloaded ExtensionApp makes, given the shared cache."""
    loader = FileSystemLoader(str(folder))
    return CountingEnvironment(loader=loader, bytecode_cache=cache, **options)  # type: ignore[arg-type]


@pytest.fixture
def templates(tmp_path: Path) -> Path:
    (tmp_path / "page.html").write_text("<p>{{ name | upper }}</p>")
    return tmp_path


def compiles(env: Environment, **context: object) -> tuple[int, str]:
    """How many templates rendering page.html compiled, and what it rendered."""
    before = CountingEnvironment.compiled
    out = env.get_template("page.html").render(**context)
    return CountingEnvironment.compiled - before, out


def test_a_new_environment_reuses_the_compiled_template(templates: Path) -> None:
    cache = CompiledTemplates()
    assert compiles(fresh_env(templates, cache), name="x") == (1, "<p>X</p>")
    assert compiles(fresh_env(templates, cache), name="y") == (0, "<p>Y</p>")


def test_an_edited_template_compiles_again(templates: Path) -> None:
    cache = CompiledTemplates()
    compiles(fresh_env(templates, cache), name="x")
    (templates / "page.html").write_text("<b>{{ name }}</b>")
    assert compiles(fresh_env(templates, cache), name="x") == (1, "<b>x</b>")


def test_other_compile_options_compile_again(templates: Path) -> None:
    """Autoescape, syntax and how a filter is called change the compiled code: none is reused."""
    cache = CompiledTemplates()
    (templates / "page.html").write_text("{{ name }}")
    assert compiles(fresh_env(templates, cache), name="<i>") == (1, "<i>")
    assert compiles(fresh_env(templates, cache, autoescape=True), name="<i>") == (1, "&lt;i&gt;")
    assert compiles(fresh_env(templates, cache, autoescape=True), name="<i>")[0] == 0
    (templates / "page.html").write_text("[[ name | shout ]]")
    env = fresh_env(templates, cache, variable_start_string="[[", variable_end_string="]]")
    env.filters["shout"] = lambda v: f"{v}!"
    assert compiles(env, name="a") == (1, "a!")
    env = fresh_env(templates, cache, variable_start_string="[[", variable_end_string="]]")
    env.filters["shout"] = pass_context(lambda ctx, v: f"{v}! ({ctx['name']})")
    assert compiles(env, name="a") == (1, "a! (a)")


def test_environments_get_the_shared_cache_unless_they_have_one(templates: Path) -> None:
    own = CompiledTemplates()
    mine = Environment(loader=FileSystemLoader(str(templates)), bytecode_cache=own)
    theirs = Environment(loader=FileSystemLoader(str(templates)))
    share_compiled_templates([mine, theirs, "not an environment", None])
    assert mine.bytecode_cache is own
    assert theirs.bytecode_cache is COMPILED


@pytest.fixture
def hashes() -> Iterator[dict[str, str | None]]:
    """tornado's class-level cache, emptied before and after."""
    StaticFileHandler._static_hashes.clear()
    yield StaticFileHandler._static_hashes
    StaticFileHandler._static_hashes.clear()


def hashed(path: Path) -> str | None:
    return StaticFileHandler._get_cached_version(str(path))


def test_static_hashes_of_unchanged_files_are_kept(
    tmp_path: Path, hashes: dict[str, str | None]
) -> None:
    kept, edited, gone, restored = (tmp_path / f"{n}.js" for n in ("kept", "edited", "gone", "old"))
    for path in (kept, edited, gone, restored):
        path.write_text(f"// {path.name}")
    # Written well before the tracker starts: as files that existed before the worker started.
    for path in (kept, edited, gone, restored):
        os.utime(path, ns=(0, 0))
    tracker = StaticHashes()
    tracker.since += StaticHashes.MARGIN_NS  # the files are older than the margin, not just now
    before = {p: hashed(p) for p in (kept, edited, gone, restored)}
    assert all(before.values())

    edited.write_text("// edited")
    gone.unlink()
    # Put back with its old mtime: its ctime still says it changed.
    restored.write_text("// replaced")
    os.utime(restored, ns=(0, 0))
    assert tracker.refresh() == 3
    assert set(hashes) == {str(kept)}
    assert hashed(kept) == before[kept]
    assert hashed(edited) != before[edited]

    # The next refresh keeps what was hashed after this one, from files unchanged since (as if
    # the edits were more than the margin before this refresh).
    tracker.since = time.time_ns() + 2 * StaticHashes.MARGIN_NS
    assert tracker.refresh() == 0
    assert set(hashes) == {str(kept), str(edited)}
