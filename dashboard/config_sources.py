"""Where each configurable value came from: the command line, a config file and line, or the
default.

traitlets merges every source into one ``Config`` and keeps no trace of who set what, so this
looks again: ``cli_config`` holds what the command line set; each file of
``loaded_config_files`` is read as text (never executed again) and searched for the trait's
assignment (``c.ServerApp.port = ...`` in a ``.py`` file, the trait's key in a ``.json`` file).

>>> find_line('c.ServerApp.port = 9000\\n', "ServerApp", "port", ".py")
1
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TypedDict

from traitlets import HasTraits, TraitType, Undefined
from traitlets.config import Application, Config, Configurable

from devserver.masking import MASK, is_secret_name
from devserver.typedjson import JSON

from .settings_view import jsonable


class TraitJson(TypedDict):
    """One configurable value and where it came from (``source``: ``"command line"``,
    ``"FILE:LINE"``, ``"default"`` or ``"set by code"``)."""

    name: str
    value: JSON
    default: JSON
    changed: bool
    source: str
    help: str


@dataclass(frozen=True)
class Sources:
    """The config sources of a server: what its command line set and the files it read."""

    cli: Config
    files: tuple[str, ...]

    @classmethod
    def of(cls, app: Application) -> Sources:
        """The sources an ``Application`` (the ServerApp) loaded; the dev server's worker says
        what ``devserver run`` was given (its own ``cli_config`` is empty: argv is)."""
        cli = getattr(app, "command_line_config", None) or getattr(app, "cli_config", None)
        files = tuple(str(f) for f in getattr(app, "loaded_config_files", []) or [])
        return cls(cli if isinstance(cli, Config) else Config(), files)


def sections_of(obj: HasTraits) -> list[str]:
    """The config sections that reach ``obj``: its class and every configurable base."""
    return [c.__name__ for c in type(obj).mro() if issubclass(c, Configurable)]


def describe_traits(
    obj: HasTraits, sources: Sources, names: list[str] | None = None
) -> list[TraitJson]:
    """``[{"name", "value", "default", "changed", "source", "help"}]`` of ``obj``'s config traits.

    A trait never read has no value yet: it is shown with its default rather than computed.
    """
    sections = sections_of(obj)
    traits = obj.traits(config=True)
    chosen = names if names is not None else sorted(traits)
    return [
        _describe(obj, name, traits[name], source_of(sections, name, sources)) for name in chosen
    ]


def _describe(
    obj: HasTraits, name: str, trait: TraitType[object, object], source: str
) -> TraitJson:
    default = trait.default_value
    known_default = default is not Undefined and not callable(default)
    value = obj._trait_values.get(name, default if known_default else None)
    changed = source != "default" or (known_default and value != default)
    # A trait list is keyed "value", not by the trait's name: secrets are masked by name here.
    secret = is_secret_name(name)
    return {
        "name": name,
        "value": MASK if secret and value else jsonable(value),
        "default": jsonable(default) if known_default and not secret else None,
        "changed": bool(changed),
        "source": source if source != "default" or not changed else "set by code",
        "help": (trait.help or "").strip().split("\n")[0],
    }


def source_of(sections: list[str], name: str, sources: Sources) -> str:
    """``"command line"``, ``"FILE:LINE"`` of the last file that sets it, or ``"default"``."""
    for section in sections:
        if name in sources.cli.get(section, {}):
            return "command line"
    # Later files win in traitlets' merge: the last one that sets the trait is the source.
    for file in reversed(sources.files):
        for section in sections:
            line = _file_line(file, section, name)
            if line:
                return f"{file}:{line}"
    return "default"


def _file_line(file: str, section: str, name: str) -> int | None:
    text = _read(file)
    if text is None:
        return None
    return find_line(text, section, name, Path(file).suffix)


@lru_cache(maxsize=64)
def _read(file: str) -> str | None:
    try:
        return Path(file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def find_line(text: str, section: str, name: str, suffix: str) -> int | None:
    """The 1-based line of ``section.name``'s assignment in a config file's text, or None."""
    if suffix == ".json":
        try:
            data = json.loads(text)
        except ValueError:
            return None
        if not (isinstance(data, dict) and name in (data.get(section) or {})):
            return None
        pattern = rf'"{re.escape(name)}"\s*:'
    else:
        pattern = rf"^\s*c\.{re.escape(section)}\.{re.escape(name)}\s*="
    match = re.search(pattern, text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else None
