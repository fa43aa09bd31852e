"""Sphinx configuration of the jupyter-devserver docs site (``make docs``).

The guides are the Markdown files beside this one (MyST). The reference pages under
``reference/`` are generated at every build by ``_ext/reference.py``: the CLI from the real
``--help`` of each command, the configuration from the traits, the HTTP API from the OpenAPI
document the server serves.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE / "_ext"))

from devserver import __version__  # noqa: E402

project = "jupyter-devserver"
author = "the jupyter-devserver developers"
copyright = "the jupyter-devserver developers"  # noqa: A001 - Sphinx's name for it
version = release = __version__

extensions = ["myst_parser", "sphinx.ext.autodoc", "reference"]
source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3
autodoc_member_order = "bysource"
autodoc_typehints = "description"
# Examples in the guides elide with "..." inside JSON: highlighting falls back, nothing is lost.
suppress_warnings = ["misc.highlighting_failure"]

html_theme = "pydata_sphinx_theme"
html_title = f"jupyter-devserver {__version__}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "footer_start": ["copyright"],
    "footer_end": [],
}
html_static_path: list[str] = []
html_extra_path = ["reference/openapi.json"]
# The guides are single pages: no empty "Section Navigation" beside them. The reference section
# keeps its navigation between its pages.
html_sidebars = {"*": [], "reference/*": ["sidebar-nav-bs"]}
