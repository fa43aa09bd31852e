"""Runs in the worker process (the dashboard) and in the CLI: masking secrets before data leaves.

Pure functions over plain data. A value is secret when its key names a secret (token, secret,
password, passwd, key, credential; any case), when it equals, or contains, a known secret value
such as the server's token, or when text shows it as one: the password of a URL or DSN
(``postgres://user:PASSWORD@host``), a secret name assigned in a repr or a config string
(``namespace(api_key='...')``, ``{'db_password': '...'}``), or a ``[name, value]`` pair.
Everything the dashboard serves, JSON or HTML, goes through here; ``console()`` also escapes
what a terminal would interpret, for the lines the worker and the supervisor print.

>>> secrets = secret_values(["abcdef123456"], {})
>>> mask({"token": "x", "url": "http://h/?token=abcdef123456", "port": 8888}, secrets)
{'token': '********', 'url': 'http://h/?token=********', 'port': 8888}
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import lru_cache

MASK = "********"

#: Parts of a name that make its value secret (matched case-insensitively anywhere in the name).
SECRET_WORDS = ("token", "secret", "password", "passwd", "key", "credential")

#: Secrets shorter than this are masked only where a whole value equals them: replacing a
#: two-letter secret inside every string would mangle the page without protecting anything.
MIN_SUBSTRING_LEN = 6

_SECRET_NAME = re.compile("|".join(SECRET_WORDS), re.IGNORECASE)
_WORDS = "|".join(SECRET_WORDS)
#: The password of a URL or DSN: ``scheme://user:PASSWORD@host``.
_URL_PASSWORD = re.compile(r"(?P<keep>\b[a-zA-Z][a-zA-Z0-9+.-]*://[^/\s:@\"']*:)[^@/\s\"']+(?=@)")
#: A secret name given a value in text: ``api_key='v'``, ``TOKEN=v``, or a quoted name before a
#: colon as in a dict repr or JSON (``'db_password': 'v'``); a bare ``name:`` is prose
#: (``KeyError: 'x'``) and is left alone.
_ASSIGNED = re.compile(
    rf"(?P<keep>(?:\b[\w.-]*(?:{_WORDS})[\w.-]*\s*=|['\"][\w.-]*(?:{_WORDS})[\w.-]*['\"]\s*:)\s*)"
    r"(?:(?P<q>['\"])(?P<quoted>[^'\"]*)(?P=q)|(?P<bare>[^\s,;&'\")}\]]+))",
    re.IGNORECASE,
)
#: Bare values after a secret name that are no secret: flags and numbers (``sort_keys=True``).
_HARMLESS = re.compile(r"(?:true|false|none|null|\d+(?:\.\d+)?)", re.IGNORECASE)
#: What a terminal would act on: control characters (newlines too) and C1 codes such as CSI.
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")


@lru_cache(maxsize=4096)
def is_secret_name(name: str) -> bool:
    """Whether a setting, header or environment variable called ``name`` holds a secret.

    >>> is_secret_name("cookie_secret"), is_secret_name("PASSWD_FILE"), is_secret_name("port")
    (True, True, False)
    """
    return _SECRET_NAME.search(name) is not None


def secret_values(
    candidates: Iterable[str | bytes | None], environ: Mapping[str, str]
) -> frozenset[str]:
    """The secret strings to mask by value: the non-empty ``candidates`` (token, hashed password,
    cookie secret...) and every environment value whose variable name is secret.

    >>> sorted(secret_values([b"s3cret", None, ""], {"API_KEY": "k-123456", "HOME": "/root"}))
    ['k-123456', 's3cret']
    """
    found: set[str] = set()
    for candidate in candidates:
        value = candidate.decode("utf-8", "replace") if isinstance(candidate, bytes) else candidate
        if value:
            found.add(value)
    found.update(v for k, v in environ.items() if v and is_secret_name(k))
    return frozenset(found)


def mask_patterns(text: str) -> str:
    """``text`` with URL passwords and values assigned to secret names masked.

    >>> mask_patterns("postgres://app:hunter2@db/x namespace(api_key='k1', port=5)")
    "postgres://app:********@db/x namespace(api_key='********', port=5)"
    >>> mask_patterns("{'github_client_secret':'X','sort_keys': True}")
    "{'github_client_secret':'********','sort_keys': True}"
    >>> mask_patterns("KeyError: 'paths'")
    "KeyError: 'paths'"
    """
    if "://" in text:
        text = _URL_PASSWORD.sub(lambda m: m.group("keep") + MASK, text)
    if _SECRET_NAME.search(text) is None:
        return text
    return _ASSIGNED.sub(_assigned_replacement, text)


def _assigned_replacement(match: re.Match[str]) -> str:
    bare = match.group("bare")
    if bare is not None:
        return match.group(0) if _HARMLESS.fullmatch(bare) else match.group("keep") + MASK
    quote = match.group("q")
    return f"{match.group('keep')}{quote}{MASK}{quote}"


def console(text: str, secrets: frozenset[str]) -> str:
    """``text`` safe for one terminal line: secrets masked, control characters (newlines,
    terminal escapes) shown as ``\\n``, ``\\x1b``..., so it cannot forge a line of its own.

    >>> console("bad\\n[devserver 10:00:00] \\x1b[32m✓ reloaded", frozenset())
    'bad\\\\n[devserver 10:00:00] \\\\x1b[32m✓ reloaded'
    """
    return _CONTROL.sub(_escape_control, mask_text(text, secrets))


def _escape_control(match: re.Match[str]) -> str:
    char = match.group(0)
    return "\\n" if char == "\n" else "\\r" if char == "\r" else f"\\x{ord(char):02x}"


def values_under_secret_names(value: object, depth: int = 0) -> set[str]:
    """The string values found under secret keys or in ``[name, value]`` pairs, at any depth:
    masked by value wherever else they appear.

    >>> sorted(values_under_secret_names({"a": {"db_password": "Y"}, "b": [["api_key", "K"]]}))
    ['K', 'Y']
    """
    found: set[str] = set()
    if depth > 50:
        return found
    if isinstance(value, Mapping):
        for k, v in value.items():
            if isinstance(v, str) and v and is_secret_name(str(k)):
                found.add(v)
            else:
                found |= values_under_secret_names(v, depth + 1)
    elif isinstance(value, list | tuple):
        if (secret := _secret_of_pair(value)) is not None:
            found.add(secret)
        for v in value:
            found |= values_under_secret_names(v, depth + 1)
    return found


def _secret_of_pair(value: Sequence[object]) -> str | None:
    """The value of a ``[name, value]`` pair whose name is a secret one, else None."""
    if len(value) != 2:
        return None
    name, secret = value
    if isinstance(name, str) and isinstance(secret, str) and is_secret_name(name):
        return secret
    return None


def mask_text(text: str, secrets: frozenset[str]) -> str:
    """``text`` with every occurrence of a long enough secret replaced by the mask.

    >>> mask_text("GET /?token=abcdef123456 failed", frozenset({"abcdef123456"}))
    'GET /?token=******** failed'
    """
    return _Masker(secrets).text(text)


def mask(value: object, secrets: frozenset[str]) -> object:
    """A copy of JSON-like ``value`` with secrets masked, by key name and by value.

    Under a secret key, everything but ``None`` and booleans is masked (a flag such as
    ``allow_token_in_url`` tells nothing away; its value may help the reader).

    >>> mask({"Password": {"nested": 1}, "token_enabled": True, "items": ["pw"]}, frozenset({"pw"}))
    {'Password': '********', 'token_enabled': True, 'items': ['********']}
    """
    return _walk(value, _Masker(secrets).text)


def mask_json(value: object, secrets: frozenset[str]) -> str:
    """``json.dumps(mask(value, secrets))``, built faster for large answers (2,000 routes): secret
    keys are masked on the data, secret values on the JSON text, where one regex finds them all.

    >>> secrets = frozenset({"abcdef123456", "ab"})
    >>> mask_json({"token": "t", "url": "/?token=abcdef123456", "x": "ab"}, secrets)
    '{"token": "********", "url": "/?token=********", "x": "********"}'
    """
    text = json.dumps(_walk(value, mask_patterns))
    finder = _json_finder(secrets)
    return text if finder is None else finder.sub(_json_replacement, text)


_SCALARS = frozenset({str, int, float, bool, type(None)})


def _walk(value: object, text: Callable[[str], str] | None = None) -> object:
    """``value`` with what sits under a secret key masked, and each other string passed through
    ``text`` when given. Built for speed: answers can hold thousands of small dicts, and most
    values are scalars that need no call."""
    if isinstance(value, dict | Mapping):
        return {
            k: (
                v
                if v is None or v is True or v is False
                else MASK
                if is_secret_name(str(k))
                else _scalar(v, text)
                if type(v) in _SCALARS
                else _walk(v, text)
            )
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        if _secret_of_pair(value) is not None:
            return [value[0], MASK]
        return [_scalar(v, text) if type(v) in _SCALARS else _walk(v, text) for v in value]
    return _scalar(value, text)


def _scalar(value: object, text: Callable[[str], str] | None) -> object:
    return text(value) if text is not None and isinstance(value, str) else value


def _json_finder(secrets: frozenset[str]) -> re.Pattern[str] | None:
    """Secrets as they appear in JSON text: long ones anywhere inside a string, short ones only
    as a whole string (``"ab"``, quotes included)."""
    escaped = [(json.dumps(s)[1:-1], len(s) >= MIN_SUBSTRING_LEN) for s in secrets if s]
    escaped.sort(key=lambda item: len(item[0]), reverse=True)
    alternatives = [re.escape(e) if part else '"' + re.escape(e) + '"' for e, part in escaped]
    return re.compile("|".join(alternatives)) if alternatives else None


def _json_replacement(match: re.Match[str]) -> str:
    return f'"{MASK}"' if match.group(0).startswith('"') else MASK


class _Masker:
    """One masking pass. The secrets become one regex, longest first so that a secret that
    contains another is masked whole: answers of thousands of strings stay fast."""

    def __init__(self, secrets: frozenset[str]) -> None:
        self.whole = secrets
        parts = sorted((s for s in secrets if len(s) >= MIN_SUBSTRING_LEN), key=len, reverse=True)
        self.parts = re.compile("|".join(map(re.escape, parts))) if parts else None

    def text(self, text: str) -> str:
        if text in self.whole:
            return MASK
        text = mask_patterns(text)
        if self.parts is None or self.parts.search(text) is None:
            return text
        return self.parts.sub(MASK, text)
