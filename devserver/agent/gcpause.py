"""The garbage collector while a worker starts.

A start allocates some 200,000 objects that live as long as the process (jupyter_server, tornado,
jupyterlab, the extensions) and little garbage, yet CPython's collector walks the whole heap again
each time it has grown by a quarter: measured 250-360 ms of a 1.8 s start in full collections,
in plain ``jupyter server`` as in a worker.

So a worker starts with the collector off (``pause``), freezes what it imported before any user
code (``freeze_imports``: ``gc.freeze`` moves those objects where no collection walks them again;
the extensions' code is imported later and stays collectable, so a reload frees old versions),
and turns the collector back on once it serves (``resume``).
"""

from __future__ import annotations

import gc


def pause() -> None:
    """No collection until ``resume``: the start's objects are nearly all long-lived."""
    gc.disable()


def freeze_imports() -> None:
    """Put everything allocated so far (imports, not user code) out of the collector's reach."""
    gc.freeze()


def resume() -> None:
    """Collect again, as usual (a worker that serves)."""
    gc.enable()


def thaw() -> None:
    """Give frozen objects back to the collector, for code that must see every object
    (``gc.get_objects``, ``gc.get_referrers`` skip frozen ones)."""
    gc.unfreeze()
