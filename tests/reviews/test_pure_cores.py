"""The review cores are plain Python: no Flask, no SQLAlchemy, no summit imports."""

import ast
from pathlib import Path

import pytest

import summit

PURE_MODULES = ["reviews/assignment.py", "reviews/aggregation.py"]
FORBIDDEN = ("flask", "flask_babel", "flask_login", "sqlalchemy", "summit", "werkzeug")


@pytest.mark.parametrize("relative", PURE_MODULES)
def test_pure_core_imports_nothing_from_the_app(relative):
    path = Path(summit.__file__).parent / relative
    tree = ast.parse(path.read_text())
    imported = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            imported.append(node.module or "")

    offending = [name for name in imported if name.split(".")[0] in FORBIDDEN]

    assert offending == []
