"""Skip markers for the unit tests that need this checkout installed in the running Python.

Most unit tests import the package from the checkout. A few need what only an install
provides: certbot finds the ``privacy`` plugin through its ``certbot.plugins`` entry point
(without it certbot's parser rejects ``--privacy-minimal`` with ``SystemExit: 2``, which
says nothing about why), and ``certbot-privacy`` is a console script. Those tests are
marked with the ``plugin_installed`` or ``script_installed`` fixture (``tests/unit/conftest.py``,
which calls :func:`require_plugin` or :func:`require_script`), so that a run without
``bash scripts/bootstrap`` skips them with the reason instead of failing obscurely. In CI
(``CI=true``), where bootstrap has run, a missing install is a failure with that reason.
"""

import importlib
import sys
from importlib import metadata
from pathlib import Path
from typing import Optional

import certbot_privacy
from tests.helpers.prerequisites import missing

_FIX = "run `bash scripts/bootstrap`, which installs this checkout editable into .venv"


def _plugin_problem() -> Optional[str]:
    """Why certbot in this Python would not load this checkout's plugin, or ``None``."""
    found = [ep for ep in metadata.entry_points(group="certbot.plugins") if ep.name == "privacy"]
    if not found:
        return f"the certbot plugin 'privacy' is not installed in {sys.executable}: {_FIX}"
    module = found[0].module
    try:
        loaded = importlib.import_module(module)
    except ImportError as error:
        return f"the installed 'privacy' entry point ({found[0].value}) does not import: {error}"
    here = Path(certbot_privacy.__file__).resolve().parent
    if here not in Path(str(loaded.__file__)).resolve().parents:
        return f"the installed 'privacy' plugin is not this checkout's ({loaded.__file__}): {_FIX}"
    return None


def _script_problem() -> Optional[str]:
    """Why the ``certbot-privacy`` console script is missing beside this Python, or ``None``."""
    script = Path(sys.executable).parent / "certbot-privacy"
    return (
        None if script.exists() else f"no certbot-privacy script next to {sys.executable}: {_FIX}"
    )


def require(problem: Optional[str]) -> None:
    """Skip the running test because of *problem* (fail it in CI: :func:`.missing`);
    nothing when *problem* is ``None``."""
    if problem is not None:
        missing(problem)


def require_plugin() -> None:
    """For tests that run certbot's parser or main with the plugin (in-process or not)."""
    require(_plugin_problem())


def require_script() -> None:
    """For tests that run the ``certbot-privacy`` console script."""
    require(_script_problem())
