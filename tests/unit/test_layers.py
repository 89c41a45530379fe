"""The layers import only downwards, and only the certbot adapter imports certbot.

rules (pure) <- log <- confdir <- adapter (certbot); manage (status, switch) reads and
writes certbot's config dir with confdir and log; audit reads logs back with log and rules,
never imports the adapter or certbot, never writes a log or a config-dir mark (its command
line lists manage's commands), so the audit tool runs wherever the logs are. Checked on
the source (every import, at any depth), so a lazy import counts too.
"""

import ast
from pathlib import Path
from typing import Dict, List, Set, Tuple

import pytest

TOP = Path(__file__).resolve().parents[2] / "certbot_privacy"
#: Every layer lives here: nothing in it is an API (the entry points, flags, log schema and
#: command line are the contracts).
PACKAGE = TOP / "_internal"

#: What each layer may import of this package (besides itself and ``errors``).
ALLOWED: Dict[str, Set[str]] = {
    "rules": set(),
    "log": {"rules"},
    "confdir": {"rules", "log"},
    "adapter": {"rules", "log", "confdir"},
    "manage": {"rules", "log", "confdir"},
    "audit": {"rules", "log", "manage"},
}
#: Modules of an allowed layer that a layer must still not import.
FORBIDDEN: Dict[str, Set[str]] = {
    "audit": {"certbot_privacy._internal.log.writer"},
}
#: Outside packages only the adapter may import.
CERTBOT = {"certbot", "acme", "josepy", "requests", "configargparse"}
#: Except these: confdir reads cli.ini with configargparse, certbot's own parser for it
#: (a certbot dependency that imports nothing of certbot), as certbot reads it.
CERTBOT_ALSO = {"confdir": {"configargparse"}}


def _imports(path: Path) -> List[Tuple[int, str]]:
    found: List[Tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            if node.module.split(".")[0] == "certbot_privacy":  # the names may be modules
                found.extend((node.lineno, f"{node.module}.{a.name}") for a in node.names)
    return found


def _modules() -> List[Tuple[str, Path]]:
    return [
        (path.relative_to(PACKAGE).parts[0], path)
        for path in sorted(PACKAGE.rglob("*.py"))
        if len(path.relative_to(PACKAGE).parts) > 1
    ]


@pytest.mark.parametrize(
    ("layer", "path"),
    [pytest.param(layer, path, id=str(path.relative_to(PACKAGE))) for layer, path in _modules()],
)
def test_module_imports_only_layers_below_it(layer: str, path: Path) -> None:
    """No module imports a layer above its own (or beside it), nor a module forbidden to it."""
    bad = []
    for line, name in _imports(path):
        parts = name.split(".")
        if parts[:2] == ["certbot_privacy", "_internal"] and len(parts) > 2:
            other = parts[2]
            if other in ALLOWED and other != layer and other not in ALLOWED[layer]:
                bad.append(f"{path.name}:{line} imports {name}")
            elif any(name == f or name.startswith(f + ".") for f in FORBIDDEN.get(layer, ())):
                bad.append(f"{path.name}:{line} imports {name} (not for {layer}/)")
        elif parts[0] in CERTBOT and layer != "adapter" and name not in CERTBOT_ALSO.get(layer, ()):
            bad.append(f"{path.name}:{line} imports {name} (only adapter/ may)")
    assert not bad, bad


def test_every_module_is_in_a_layer() -> None:
    """Modules live in a layer package under ``_internal`` (beside them only errors.py);
    the package's top level holds only its version and the ``_internal`` package."""
    # A directory holding no Python source (a __pycache__, or one a move left behind in a
    # checkout) is not part of the package.
    shipped = [p for p in TOP.iterdir() if not p.is_dir() or any(p.rglob("*.py"))]
    assert sorted(p.name for p in shipped) == [
        "__init__.py",
        "_internal",
        "py.typed",
    ]
    assert sorted(p.name for p in PACKAGE.glob("*.py")) == ["__init__.py", "errors.py"]
    assert {layer for layer, _ in _modules()} == set(ALLOWED)
