"""Sphinx configuration: the HTML site built from docs/ by `make docs`.

The pages are Markdown (MyST); docs/api.md generates the API reference from the
docstrings with autodoc.  Nothing here downloads anything: intersphinx is
enabled without inventories, and the theme is Sphinx's builtin alabaster.
"""

from __future__ import annotations

import importlib.metadata

project = "parsl-executor-protocol"
author = "parsl-executor-protocol developers"
copyright = "parsl-executor-protocol developers"
release = importlib.metadata.version("parsl-executor-protocol")
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.intersphinx",
]

source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]

# Builds must not need the network: no inventories are fetched, so references
# to the standard library, Parsl, Dask or hypothesis render as plain text.
intersphinx_mapping: dict[str, tuple[str, str | None]] = {}

# `[text](#a-heading)` links within a page, as on GitHub.
myst_heading_anchors = 3

autodoc_default_options = {
    "members": True,
    "show-inheritance": True,
}
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_preserve_defaults = True

html_theme = "alabaster"
html_title = "parsl-executor-protocol"
html_static_path: list[str] = []
