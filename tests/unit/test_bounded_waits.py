"""Every wait of the unit tests is bounded, so that no build that runs them can hang.

The Debian build runs ``tests/unit`` (``packaging/debian/rules``); a test that waits for
ever on a stuck child (a ``subprocess.run`` without ``timeout``, a ``wait()`` with no
bound) kept a package build running for ever once (issue 19). This test reads the unit
tests and their helpers and names every such call, so a new one fails here, at once,
instead of hanging a build later. The build adds a bound per test (pytest-timeout) and
one on the whole run (``timeout``) on top.
"""

import ast
from pathlib import Path
from typing import List

ROOT = Path(__file__).resolve().parents[1]
#: Calls on ``subprocess`` that wait for the child to end.
_RUNS = {"run", "call", "check_call", "check_output"}
#: Methods that wait (``Popen.wait``/``communicate``, ``Event.wait``, ``Thread.join``...).
_WAITS = {"wait", "communicate"}


def unbounded(source: str, name: str) -> List[str]:
    """The calls in *source* that wait with no bound, as ``name:line: call``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        method = node.func.attr
        bounded = any(k.arg == "timeout" for k in node.keywords)
        if method in _RUNS and ast.unparse(node.func.value) == "subprocess":
            bounded = bounded or any(k.arg is None for k in node.keywords)  # **options
        elif method in _WAITS:
            bounded = bounded or bool(node.args)
        else:
            continue
        if not bounded:
            found.append(f"{name}:{node.lineno}: {ast.unparse(node)[:80]}")
    return found


def test_every_wait_in_the_unit_tests_has_a_timeout() -> None:
    """subprocess.run/call/check_output, wait() and communicate() all carry a timeout."""
    files = sorted((ROOT / "unit").glob("*.py")) + sorted((ROOT / "helpers").glob("*.py"))
    found = [
        problem
        for path in files
        for problem in unbounded(path.read_text(encoding="utf-8"), path.name)
    ]
    assert found == [], "\n".join(found)


def test_the_check_names_what_it_should() -> None:
    """An unbounded run and wait are named; bounded ones, and str.join, are not."""
    source = (
        "import subprocess\n"
        "subprocess.run(['true'])\n"
        "subprocess.run(['true'], timeout=5)\n"
        "child.wait()\n"
        "child.wait(5)\n"
        "event.wait(timeout=1)\n"
        "child.communicate()\n"
        "', '.join(x)\n"
    )
    assert [p.split(":")[1] for p in unbounded(source, "t.py")] == ["2", "4", "7"]
