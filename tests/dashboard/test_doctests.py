"""The examples in the docstrings of the dashboard's modules run and hold."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["dashboard.shadowing", "dashboard.settings_view", "dashboard.livereload",
           "dashboard.stream", "dashboard.pages", "dashboard.base", "devserver.masking",
           "devserver.cli.apicli", "devserver.cli.requestscli", "devserver.cli.follow",
           "devserver.agent.requestlog", "devserver.agent.runtime_errors"]  # fmt: skip


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    """Every docstring example of the module passes."""
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
