"""What a reload keeps of the caches the old code filled, where they still hold.

A reloaded ExtensionApp makes a new Jinja environment, so the first page after a reload compiled
its templates again (nbclassic's ``/tree``: about 18 ms of its first response); and every
reload dropped all of tornado's static file hashes (``static_url()`` puts one in each URL), so
that page hashed every file it links again.

- ``COMPILED``: one in-memory Jinja bytecode cache, given to the environments the extensions
  make (``share_compiled_templates``). Jinja checks an entry against the template's source; the
  key adds what the compiler reads from the environment (syntax, autoescape, extensions, the
  filters and tests and how they are called), so an edited template or a changed option
  compiles again.
- ``STATIC``: drops the hashes of the files changed since its last refresh, keeps the others.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Mapping
from hashlib import sha256

from jinja2 import Environment
from jinja2.bccache import Bucket, BytecodeCache
from jupyter_server.extension.manager import ExtensionPackage
from tornado.web import StaticFileHandler

#: The environment's attributes the compiler reads (the lexer's syntax and the code generator's
#: switches); ``newstyle_gettext`` is set by ``install_gettext_translations``.
COMPILE_OPTIONS = (
    "block_start_string",
    "block_end_string",
    "variable_start_string",
    "variable_end_string",
    "comment_start_string",
    "comment_end_string",
    "line_statement_prefix",
    "line_comment_prefix",
    "trim_blocks",
    "lstrip_blocks",
    "newline_sequence",
    "keep_trailing_newline",
    "optimized",
    "is_async",
    "newstyle_gettext",
)


def compile_options(env: Environment, name: str) -> str:
    """A digest of what the compiled code of template ``name`` depends on besides its source."""
    autoescape = env.autoescape(name) if callable(env.autoescape) else env.autoescape
    parts = [repr(getattr(env, option, None)) for option in COMPILE_OPTIONS]
    parts += [repr(bool(autoescape)), env.code_generator_class.__qualname__]
    parts += [repr(_pass_arg(env.finalize)), *sorted(env.extensions)]
    # The compiler refuses an unknown filter or test, and decides how each is called.
    parts += sorted(f"filter {k} {_pass_arg(v)}" for k, v in env.filters.items())
    parts += sorted(f"test {k} {_pass_arg(v)}" for k, v in env.tests.items())
    return sha256("\n".join(parts).encode()).hexdigest()


def _pass_arg(function: object) -> str | None:
    """What Jinja passes a filter, test or finalize first (context, environment...); None: none."""
    if function is None:
        return None
    return repr(getattr(function, "jinja_pass_arg", "plain"))


class CompiledTemplates(BytecodeCache):
    """Compiled templates in memory, for as long as the worker runs."""

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def get_bucket(
        self, environment: Environment, name: str, filename: str | None, source: str
    ) -> Bucket:
        key = self.get_cache_key(name, filename) + compile_options(environment, name)
        bucket = Bucket(environment, key, self.get_source_checksum(source))
        self.load_bytecode(bucket)
        return bucket

    def load_bytecode(self, bucket: Bucket) -> None:
        data = self.code.get(bucket.key)
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()

    def clear(self) -> None:
        self.code.clear()


COMPILED = CompiledTemplates()


def share_compiled_templates(candidates: Iterable[object]) -> None:
    """Give ``COMPILED`` to the Jinja environments among ``candidates`` (an app's ``jinja2_env``,
    the values an extension put in the server's settings) that have no bytecode cache."""
    for env in candidates:
        if isinstance(env, Environment) and env.bytecode_cache is None:
            env.bytecode_cache = COMPILED


def share_with_extension(
    package: ExtensionPackage, settings: Mapping[str, object], keys: Iterable[str]
) -> None:
    """``share_compiled_templates`` on the environments an extension just made: its apps'
    ``jinja2_env`` and the values it put in the server's ``settings`` under ``keys``."""
    apps = [point.app for point in package.extension_points.values()]
    share_compiled_templates(
        [*(getattr(app, "jinja2_env", None) for app in apps), *(settings[k] for k in keys)]
    )


class StaticHashes:
    """tornado's static file hashes (``StaticFileHandler._static_hashes``: class level, one per
    absolute path) that still hold.

    ``refresh`` drops the hash of every file changed (its ctime or mtime, so a file put back
    with an old mtime counts) since the refresh before, or gone; a hash it keeps was computed
    after that refresh, or kept by it, from a file that has not changed since.
    """

    #: Filesystem timestamps lag the clock by up to a tick: a file changed this close before a
    #: refresh still counts as changed at the next one.
    MARGIN_NS = 1_000_000_000

    def __init__(self) -> None:
        # Made before the worker serves: no hash is older than this.
        self.since = time.time_ns()

    def refresh(self) -> int:
        """Drop the hashes of changed files; how many were dropped."""
        now = time.time_ns()
        cutoff = self.since - self.MARGIN_NS
        dropped = 0
        with StaticFileHandler._lock:
            hashes = StaticFileHandler._static_hashes
            for path in list(hashes):
                if _changed_since(path, cutoff):
                    del hashes[path]
                    dropped += 1
        self.since = now
        return dropped


def _changed_since(path: str, cutoff_ns: int) -> bool:
    try:
        stat = os.stat(path)
    except OSError:
        return True
    return max(stat.st_mtime_ns, stat.st_ctime_ns) >= cutoff_ns


STATIC = StaticHashes()
