"""Runs in the worker process (the dashboard) and in the CLI: masking secrets before data leaves.

Pure functions over plain data. A value is secret when its key names a secret (token, secret,
password, passwd, key, credential; any case) or when it equals, or contains, a known secret value
such as the server's token. Everything the dashboard serves, JSON or HTML, goes through here.

>>> secrets = secret_values(["abcdef123456"], {})
>>> mask({"token": "x", "url": "http://h/?token=abcdef123456", "port": 8888}, secrets)
{'token': '********', 'url': 'http://h/?token=********', 'port': 8888}
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

MASK = "********"

#: Parts of a name that make its value secret (matched case-insensitively anywhere in the name).
SECRET_WORDS = ("token", "secret", "password", "passwd", "key", "credential")

#: Secrets shorter than this are masked only where a whole value equals them: replacing a
#: two-letter secret inside every string would mangle the page without protecting anything.
MIN_SUBSTRING_LEN = 6

_SECRET_NAME = re.compile("|".join(SECRET_WORDS), re.IGNORECASE)


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


def mask_text(text: str, secrets: frozenset[str]) -> str:
    """``text`` with every occurrence of a long enough secret replaced by the mask.

    >>> mask_text("GET /?token=abcdef123456 failed", frozenset({"abcdef123456"}))
    'GET /?token=******** failed'
    """
    if text in secrets:
        return MASK
    # Longest first, so a secret that contains another one is masked whole.
    for secret in sorted(secrets, key=len, reverse=True):
        if len(secret) >= MIN_SUBSTRING_LEN and secret in text:
            text = text.replace(secret, MASK)
    return text


def mask(value: Any, secrets: frozenset[str]) -> Any:
    """A copy of JSON-like ``value`` with secrets masked, by key name and by value.

    Under a secret key, everything but ``None`` and booleans is masked (a flag such as
    ``allow_token_in_url`` tells nothing away; its value may help the reader).

    >>> mask({"Password": {"nested": 1}, "token_enabled": True, "items": ["pw"]}, frozenset({"pw"}))
    {'Password': '********', 'token_enabled': True, 'items': ['********']}
    """
    if isinstance(value, str):
        return mask_text(value, secrets)
    if isinstance(value, Mapping):
        return {str(k): _mask_item(str(k), v, secrets) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [mask(v, secrets) for v in value]
    return value


def _mask_item(key: str, value: Any, secrets: frozenset[str]) -> Any:
    if is_secret_name(key) and value is not None and not isinstance(value, bool):
        return MASK
    return mask(value, secrets)
