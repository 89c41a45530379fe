"""What a test needs from the machine: skipped where it is missing, a failure in CI.

A developer's machine may lack a certbot target, Chromium or rsyslog; the test then skips
with the reason and the fix. In CI (``CI=true``) ``scripts/bootstrap`` has installed
everything, so a missing prerequisite is a failure with the same sentence: a green CI run
never hides a test that did not run.
"""

from pathlib import Path
from typing import Mapping, NoReturn

import pytest

from harness import CertbotTarget, TargetMissing, in_ci, load_target


def missing(reason: str) -> NoReturn:
    """Skip the test for a missing prerequisite, or fail it in CI."""
    if in_ci():
        pytest.fail(f"{reason} (CI=true: every prerequisite must be present)")
    pytest.skip(reason)


def certbot_target(name: str, specs: Mapping[str, Path]) -> CertbotTarget:
    """The certbot target *name* of *specs* (``harness.target_specs()`` or a subset), or
    :func:`missing` with why it cannot be loaded."""
    try:
        return load_target(name, specs[name])
    except (KeyError, TargetMissing) as error:
        missing(str(error))
