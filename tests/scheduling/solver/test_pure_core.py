"""The solver is a pure core: no Flask, no SQLAlchemy, nothing from summit outside it."""

import ast
from pathlib import Path

import pytest

import summit.scheduling.solver as solver_package

PACKAGE = "summit.scheduling.solver"
SOLVER_DIR = Path(solver_package.__file__).parent
FORBIDDEN_ROOTS = (
    "flask",
    "flask_babel",
    "flask_login",
    "flask_sqlalchemy",
    "sqlalchemy",
    "werkzeug",
)


def imported_modules(source: str, module: str) -> list[str]:
    """Absolute names of all that ``source`` imports, relative ones resolved from ``module``."""
    package = module.rsplit(".", 1)[0]
    names = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                names.append(f"{base}.{node.module}" if node.module else base)
            else:
                names.append(node.module or "")
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", ""))
            in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            names.append(str(node.args[0].value))
    return names


def forbidden(name: str) -> bool:
    root = name.split(".")[0]
    if root in FORBIDDEN_ROOTS:
        return True
    return root == "summit" and not (name == PACKAGE or name.startswith(PACKAGE + "."))


def solver_files() -> list[Path]:
    return sorted(SOLVER_DIR.rglob("*.py"))


def test_pure_core_finds_the_solver_files():
    names = {path.name for path in solver_files()}

    assert {"__init__.py", "problem.py", "check.py", "search.py", "solve.py"} <= names


@pytest.mark.parametrize("path", solver_files(), ids=lambda path: path.name)
def test_pure_core_solver_file_imports_nothing_from_the_app(path):
    relative = path.relative_to(SOLVER_DIR).with_suffix("")
    module = ".".join((PACKAGE, *relative.parts))  # __init__ resolves "." to the package

    offending = [name for name in imported_modules(path.read_text(), module) if forbidden(name)]

    assert offending == []


@pytest.mark.parametrize(
    "source",
    [
        "import flask",
        "from flask_sqlalchemy import SQLAlchemy",
        "from sqlalchemy.orm import Session",
        "from summit.extensions import db",
        "from ..models import Slot",
        "from ... import models",
        "import importlib\nimportlib.import_module('summit.scheduling.services')",
    ],
)
def test_pure_core_walker_forbidden_import_is_caught(source):
    names = imported_modules(source, f"{PACKAGE}.solve")

    assert any(forbidden(name) for name in names)


@pytest.mark.parametrize(
    "source",
    ["from .check import check", "from . import cpsat", "import ortools", "import math"],
)
def test_pure_core_walker_own_package_and_stdlib_are_allowed(source):
    names = imported_modules(source, f"{PACKAGE}.solve")

    assert not any(forbidden(name) for name in names)
