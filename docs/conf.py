"""Sphinx configuration for the certbot-privacy documentation.

Build with warnings as errors, as CI does::

    sphinx-build -W -n --keep-going -b html docs docs/_build/html

The record format, consent texts, option tables and ``--help`` output are rendered from
the code at build time by the directives in ``_ext/privacy_docs.py``; the tables of what
is sent to the CA are generated from real runs by ``scripts/gen_request_tables.py`` into
``_generated/``, which is included, not built on its own.
"""

import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS / "_ext"))
sys.path.insert(0, str(DOCS.parent))

from certbot_privacy import __version__  # noqa: E402 (after the path is set

project = "certbot-privacy"
author = "the certbot-privacy authors"
copyright = "the certbot-privacy authors; Apache License 2.0"
version = release = __version__

extensions = ["privacy_docs"]
root_doc = "index"
language = "en"
exclude_patterns = ["_build", "_generated", "_ext"]
nitpicky = True
highlight_language = "text"
pygments_style = "sphinx"
# Option names and commands must read as typed: no "--" turned into a dash.
smartquotes = False

html_theme = "alabaster"
html_static_path = ["_static"]
html_css_files = ["custom.css"]
html_title = f"certbot-privacy {release}"
html_theme_options = {
    "description": "A privacy-minimal mode for Certbot",
    "page_width": "1100px",
    "sidebar_width": "230px",
}
