"""Fixtures of the spec tests: the guide's ExtensionApp, importable as ``guide_spec_ext``."""

from __future__ import annotations

import sys
from pathlib import Path

FIXTURE_PROJECT = Path(__file__).parent / "fixtures" / "guide_spec_ext"

# The fixture extension is a project of its own (the end-to-end tests copy it for
# `devserver run`); in-process tests import it from its source folder, as an editable install would.
if str(FIXTURE_PROJECT) not in sys.path:
    sys.path.insert(0, str(FIXTURE_PROJECT))
