"""What an old version of an extension leaves alive, found by the reload-safety audit
(``audit.py``): threads, periodic callbacks and tasks running its code, settings holding its
classes, and its classes themselves, each with the chain of references that holds it.

"Old" is exact: code whose module globals are no longer the module in ``sys.modules``, a class
that is no longer the one its module holds under its name.
"""

from __future__ import annotations

import asyncio
import gc
import sys
import threading
import weakref
from collections.abc import Iterable, Iterator, Mapping
from types import CodeType, FrameType

from tornado.ioloop import PeriodicCallback

from .deps import in_package


# -- what counts as old ------------------------------------------------------------------------
def in_packages(module: str, packages: tuple[str, ...]) -> bool:
    return any(in_package(module, p) for p in packages)


def stale_globals(namespace: dict[str, object] | None, packages: tuple[str, ...]) -> str | None:
    """The module name when ``namespace`` (a function's globals) belongs to an old version of
    the code of ``packages``, else None."""
    if namespace is None:
        return None
    name = namespace.get("__name__")
    if not isinstance(name, str) or not in_packages(name, packages):
        return None
    current = sys.modules.get(name)
    return name if current is None or current.__dict__ is not namespace else None


def code_globals(fn: object) -> dict[str, object] | None:
    """The globals of a callable or coroutine (unwrapping bound methods and partials)."""
    for _ in range(5):  # partial(partial(method)) at most this deep
        fn = getattr(fn, "func", None) or getattr(fn, "__func__", None) or fn
        if not hasattr(fn, "func") and not hasattr(fn, "__func__"):
            break
    frame = getattr(fn, "cr_frame", None)
    if isinstance(frame, FrameType):
        return frame.f_globals
    namespace = getattr(fn, "__globals__", None)
    return namespace if isinstance(namespace, dict) else None


def is_old_class(cls: type, packages: tuple[str, ...]) -> bool:
    """Whether ``cls`` was defined by ``packages`` but is no longer what its module holds."""
    module = getattr(cls, "__module__", None)
    if not isinstance(module, str) or not in_packages(module, packages):
        return False
    current: object = sys.modules.get(module)
    for part in cls.__qualname__.split("."):
        current = getattr(current, part, None)
    return current is not cls


def describe(fn: object) -> str:
    target = getattr(fn, "__func__", None) or getattr(fn, "func", None) or fn
    code = getattr(target, "cr_code", None) or getattr(target, "__code__", None)
    where = f" ({code.co_filename}:{code.co_firstlineno})" if isinstance(code, CodeType) else ""
    name = getattr(target, "__qualname__", None) or type(target).__name__
    return f"{name}{where}"


# -- the things that outlive a version ---------------------------------------------------------
def old_threads(packages: tuple[str, ...]) -> list[str]:
    out = []
    for thread in threading.enumerate():
        target = getattr(thread, "_target", None) or getattr(thread, "run", None)
        if thread.is_alive() and stale_globals(code_globals(target), packages):
            out.append(f"thread {thread.name!r} running {describe(target)}")
    return out


def old_periodic_callbacks(packages: tuple[str, ...]) -> list[str]:
    callbacks = (o for o in gc.get_objects() if isinstance(o, PeriodicCallback))
    return [
        f"PeriodicCallback every {pc.callback_time:g} ms calling {describe(pc.callback)}"
        for pc in callbacks
        if pc.is_running() and stale_globals(code_globals(pc.callback), packages)
    ]


def old_tasks(packages: tuple[str, ...]) -> list[str]:
    return [
        f"task {task.get_name()!r} running {describe(task.get_coro())}"
        for task in asyncio.all_tasks()
        if not task.done() and stale_globals(code_globals(task.get_coro()), packages)
    ]


def old_settings(
    settings: dict[str, object],
    packages: tuple[str, ...],
    carried: Mapping[str, object] | None = None,
) -> list[str]:
    """Settings holding old classes, except live objects carried over on purpose."""
    out = []
    for key, value in settings.items():
        if carried and carried.get(key) is value:
            continue
        inner: Iterable[object] = ()
        if isinstance(value, dict):
            inner = value.values()
        elif isinstance(value, list | tuple):
            inner = value
        for item in (value, *inner):
            cls = item if isinstance(item, type) else type(item)
            if is_old_class(cls, packages):
                out.append(f"settings[{key!r}] holds {cls.__module__}.{cls.__qualname__} (old)")
                break
    return out


def package_classes(packages: tuple[str, ...]) -> Iterator[type]:
    """The classes defined by the modules of ``packages`` now loaded."""
    for name, module in list(sys.modules.items()):
        if in_packages(name, packages) and module is not None:
            for value in list(vars(module).values()):
                if isinstance(value, type) and value.__module__ == name:
                    yield value


def held_by(obj: object, skip: Iterable[object], depth: int = 6) -> str:
    """What keeps ``obj`` alive, as a chain of referrers, e.g. ``an instance, in
    dict['greeter'], in GreeterApp.settings``; the ``skip`` objects are the audit's own."""
    chain: list[str] = []
    ignored = {id(o) for o in skip}
    for _ in range(depth):
        holder = _holder(obj, ignored)
        if holder is None:
            break
        ignored.add(id(obj))
        chain.append(_label(holder, obj))
        obj = holder
    return ", in ".join(chain) or "nothing found"


def _holder(obj: object, ignored: set[int]) -> object | None:
    """The most telling referrer of ``obj``: an instance of it (for a class), then a dict or an
    object, never a frame, a cell or the class's own machinery (its mro, its module)."""
    frame_type = type(sys._getframe())
    candidates = [
        r
        for r in gc.get_referrers(obj)
        if id(r) not in ignored
        and not isinstance(r, frame_type | type)
        and type(r).__name__ != "cell"
        and not (isinstance(r, dict) and "__name__" in r)
        and not (isinstance(r, tuple | list) and all(isinstance(x, type) for x in r))
    ]
    instances = [r for r in candidates if isinstance(obj, type) and type(r) is obj]
    objects = [r for r in candidates if not isinstance(r, dict) and hasattr(r, "__dict__")]
    return next(iter(instances + objects + candidates), None)


def _label(holder: object, held: object) -> str:
    if isinstance(held, type) and type(holder) is held:
        return "an instance of it"
    if isinstance(holder, tuple | list):
        return f"a {type(holder).__name__} of {len(holder)}"
    if isinstance(holder, dict):
        key = next((k for k, v in holder.items() if v is held), None)
        return f"dict[{key!r}]" if key is not None else "a dict"
    # A set, a bound method, a slotted object: no __dict__ to name the attribute from.
    fields = getattr(holder, "__dict__", None)
    items = fields.items() if isinstance(fields, dict) else ()
    attr = next((k for k, v in items if v is held), None)
    owner = type(holder).__qualname__
    return f"{owner}.{attr}" if attr else f"a {owner}"


def alive_classes(versions: list[list[weakref.ref[type]]], packages: tuple[str, ...]) -> list[str]:
    """``module.Class: N old version(s) alive, held by ...`` for each class still alive."""
    alive: dict[str, list[type]] = {}
    for version in versions:
        for ref in version:
            cls = ref()
            if cls is not None and is_old_class(cls, packages):
                alive.setdefault(f"{cls.__module__}.{cls.__qualname__}", []).append(cls)
    found = [
        f"{name}: {len(old)} old version(s) alive, held by "
        f"{held_by(old[-1], [alive, *alive.values()])}"
        for name, old in sorted(alive.items())
    ]
    alive.clear()
    return found
