"""Secret masking: by key name, by value, inside text, recursively."""

from __future__ import annotations

import json

import pytest

from devserver.masking import MASK, is_secret_name, mask, mask_json, mask_text, secret_values

SECRETS = frozenset({"abcdef0123456789", "hunter2-hunter2", "ab"})


@pytest.mark.parametrize(
    "name",
    ["token", "Token", "cookie_secret", "PASSWORD", "hashed_password", "passwd_file", "keyfile",
     "API_KEY", "aws_credentials", "GITHUB_TOKEN", "x-api-Key"],
)  # fmt: skip
def test_secret_names_are_recognised_in_any_case(name: str) -> None:
    """Names containing token/secret/password/passwd/key/credential, any case, are secret."""
    assert is_secret_name(name)


@pytest.mark.parametrize("name", ["port", "base_url", "allow_origin", "kernel_manager", "ip"])
def test_ordinary_names_are_not_secret(name: str) -> None:
    """Names without a secret word are shown."""
    assert not is_secret_name(name)


def test_mask_by_key_keeps_flags_and_nulls() -> None:
    """Values under secret keys are masked, except None and booleans, at any depth."""
    data = {"server": {"token": "t", "password": "", "allow_token_in_url": True, "keyfile": None},
            "port": 8888, "list": [{"cookie_secret": b"raw"}]}  # fmt: skip
    assert mask(data, frozenset()) == {
        "server": {"token": MASK, "password": MASK, "allow_token_in_url": True, "keyfile": None},
        "port": 8888,
        "list": [{"cookie_secret": MASK}],
    }


def test_mask_by_value_anywhere() -> None:
    """A value equal to a secret, or containing a long enough one, is masked wherever it is."""
    data = {"url": "http://h/?token=abcdef0123456789", "note": "hunter2-hunter2", "short": "ab",
            "tuple": ("abcdef0123456789",), "word": "about"}  # fmt: skip
    assert mask(data, SECRETS) == {
        "url": f"http://h/?token={MASK}",
        "note": MASK,
        "short": MASK,
        "tuple": [MASK],
        "word": "about",  # a two-letter secret is masked only as a whole value
    }


def test_mask_text_prefers_the_longest_secret() -> None:
    """A secret that contains another one is masked whole, not in pieces."""
    secrets = frozenset({"secret-abcdef", "secret-abcdef-longer"})
    assert mask_text("x secret-abcdef-longer y", secrets) == f"x {MASK} y"


def test_secret_values_from_candidates_and_environment() -> None:
    """Candidates (bytes decoded) and secret-named environment values are collected."""
    found = secret_values(
        ["tok", b"cookie", None, ""], {"MY_TOKEN": "envtok", "PATH": "/bin", "EMPTY_KEY": ""}
    )
    assert found == {"tok", "cookie", "envtok"}


def test_mask_leaves_other_types_alone() -> None:
    """Numbers, booleans and None pass through unchanged."""
    assert mask([1, 2.5, None, False], SECRETS) == [1, 2.5, None, False]


@pytest.mark.parametrize(
    "data",
    [
        {"token": "t", "url": "http://h/?token=abcdef0123456789", "ok": True, "n": 3},
        {"list": ["ab", "abc", "x ab y", {"password": None, "keyfile": "/k"}]},
        {"quote": 'say "hunter2-hunter2" and \\ab\\', "unicode": "é abcdef0123456789 ü"},
        [{"nested": [{"credential": {"a": 1}}]}, "hunter2-hunter2"],
    ],
)
def test_mask_json_equals_dumping_the_masked_data(data: object) -> None:
    """The fast JSON path gives exactly the text of ``json.dumps(mask(...))``."""
    assert mask_json(data, SECRETS) == json.dumps(mask(data, SECRETS))


def test_string_subclasses_are_masked_too() -> None:
    """A str subclass (a traitlets deferred value, a Markup) is masked like any string."""

    class Deferred(str):
        __slots__ = ()

    secrets = frozenset({"abcdef123456"})
    assert mask({"x": [Deferred("?t=abcdef123456")]}, secrets) == {"x": ["?t=********"]}
    assert mask_json({"x": Deferred("abcdef123456")}, secrets) == '{"x": "********"}'
