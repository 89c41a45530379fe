"""Every end-to-end test that reads a disclosure log has first checked how certbot exited.

A test that reads the log of a certbot run that failed reports "record missing" or a
``KeyError`` where the real story is certbot's exit code and its output. So each e2e test
that reads a log (``read_log``, ``read_lines``, ``assert_log_sound``, ``assert_run_logged``,
``LogCursor.new_records``, ``sealing.records``) must also check an exit: through
``require_success`` (which fails with the run's whole story), a ``returncode`` or a
terminal's ``finish()``, or a ``code`` it compares, in the test itself, in a helper of its
module that it calls, or in a fixture of its module. Read from the source, so a new test
that forgets fails here.
"""

import ast
from pathlib import Path
from typing import Dict, List, Set

E2E = Path(__file__).resolve().parents[1] / "e2e"
#: What reads a log back.
READS = {
    "read_log",
    "read_lines",
    "assert_log_sound",
    "assert_run_logged",
    "new_records",
    "records",
}
#: What checks how certbot (or the audit tool) exited.
CHECKS = {"require_success", "returncode", "finish", "describe", "code"}


def _used(node: ast.AST) -> Set[str]:
    """Every name, attribute and called function named in *node*."""
    found: Set[str] = set()
    for child in ast.walk(node):
        if isinstance(child, ast.Name):
            found.add(child.id)
        elif isinstance(child, ast.Attribute):
            found.add(child.attr)
    return found


def unchecked(source: str) -> List[str]:
    """The test functions in *source* that read a log and check no exit."""
    tree = ast.parse(source)
    functions: Dict[str, ast.FunctionDef] = {
        f.name: f for f in tree.body if isinstance(f, ast.FunctionDef)
    }

    def reach(name: str, seen: Set[str]) -> Set[str]:
        used = _used(functions[name])
        for other in used & set(functions) - seen:
            seen.add(other)
            used |= reach(other, seen)
        return used

    bad = []
    for name, function in functions.items():
        if not name.startswith("test_"):
            continue
        used = reach(name, {name})
        for argument in function.args.args:  # the module's own fixtures
            if argument.arg in functions:
                used |= reach(argument.arg, {argument.arg, name})
        if used & READS and not used & CHECKS:
            bad.append(name)
    return bad


def test_every_e2e_test_that_reads_a_log_checks_the_exit_first() -> None:
    """No e2e test reads a log without checking how the run ended."""
    bad = [
        f"{path.name}::{name}"
        for path in sorted(E2E.glob("test_*.py"))
        for name in unchecked(path.read_text(encoding="utf-8"))
    ]
    assert bad == []


def test_the_check_sees_a_test_that_forgets() -> None:
    """A test reading the log of an unchecked run is named; a checked one, or one whose
    helper checks, is not."""
    source = """
def _issue(certbot):
    return require_success(certbot.run("certonly"))

def test_forgets(certbot):
    certbot.run("certonly")
    assert read_log(certbot.log)

def test_checks(certbot):
    result = certbot.run("certonly")
    assert result.returncode == 0, result.describe()
    assert read_log(certbot.log)

def test_helper_checks(certbot):
    _issue(certbot)
    assert read_log(certbot.log)
"""
    assert unchecked(source) == ["test_forgets"]
