"""Live objects an extension keeps in the server's settings survive its reload.

An extension's managers (jupyter_server_terminals' ``TerminalManager`` under
``settings["terminal_manager"]``) hold running things: shells, their names, their websockets. A
reload builds a new app, which builds a new, empty manager: the old one and what it runs would be
dropped, its processes orphaned. So after the new code has loaded, each settings value it replaced
with a new object of the same class (by module and name) is carried over: the old object goes back
wherever the new app put the new one (the settings, the app's attributes and its settings, the
keyword arguments of its handlers). When the reload commits, the old app gets the new objects in
exchange, so its ``stop_extension()`` shuts down the unused ones rather than the live ones.

The price: a carried-over object keeps its old class until the next restart
(``devserver restart``); what it does is logged.
"""

from __future__ import annotations

from collections.abc import Iterable, MutableMapping
from dataclasses import dataclass

from tornado.routing import Rule, RuleRouter
from traitlets import HasTraits
from traitlets.config import Application


@dataclass(frozen=True)
class Carried:
    """One live object kept across a reload, in place of the new one."""

    key: str
    old: object
    new: object

    def describe(self) -> str:
        kind = type(self.old).__qualname__
        return f"kept the live {kind} of settings[{self.key!r}] (its class updates on restart)"


def is_live(value: object) -> bool:
    """A configurable object with state of its own (a manager), not an app or a plain value."""
    return isinstance(value, HasTraits) and not isinstance(value, Application | type)


def same_kind(old: object, new: object) -> bool:
    return (type(old).__module__, type(old).__qualname__) == (
        type(new).__module__,
        type(new).__qualname__,
    )


def find_carried(
    old: MutableMapping[str, object], new: MutableMapping[str, object]
) -> list[Carried]:
    """The settings the new code replaced with a fresh object of the same kind as a live one."""
    return [
        Carried(key, value, new[key])
        for key, value in old.items()
        if key in new and new[key] is not value and is_live(value) and same_kind(value, new[key])
    ]


def carry_over(
    carried: list[Carried],
    settings: MutableMapping[str, object],
    apps: Iterable[object],
    rules: Iterable[Rule],
) -> None:
    """Put each old object back where the new code put its new one."""
    swap = {id(c.new): c.old for c in carried}
    for c in carried:
        settings[c.key] = c.old
    for app in apps:
        _rebind(app, swap)
    for rule in _all_rules(rules):
        _replace_values(rule.target_kwargs, swap)


def hand_back(carried: list[Carried], old_apps: Iterable[object]) -> None:
    """Give the old apps the new objects, so that stopping them stops those, not the live ones."""
    swap = {id(c.old): c.new for c in carried}
    for app in old_apps:
        _rebind(app, swap)


def _rebind(app: object, swap: dict[int, object]) -> None:
    _replace_values(vars(app), swap)
    values = getattr(app, "_trait_values", None)
    if isinstance(values, dict):
        _replace_values(values, swap)
        settings = values.get("settings")
        if isinstance(settings, dict):
            _replace_values(settings, swap)


def _replace_values(mapping: MutableMapping[str, object], swap: dict[int, object]) -> None:
    for key, value in list(mapping.items()):
        if id(value) in swap:
            mapping[key] = swap[id(value)]


def _all_rules(rules: Iterable[Rule]) -> Iterable[Rule]:
    for rule in rules:
        yield rule
        if isinstance(rule.target, RuleRouter):
            yield from _all_rules(rule.target.rules)
