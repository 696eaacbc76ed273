"""The house's arrows run one way (the design map): the project package uses the apps, the apps use
the ground floor, and never the other way round. Read from the source, so that a new import that
breaks the layout fails here, whatever the code path that would run it."""

import ast

import pytest

from tests.conftest import ROOT

APPS = ("core", "proposals", "review", "badges", "transcripts")
PROJECT = "microcred"

# What each package may import among the project's own packages (itself always).
ALLOWED = {
    "core": set(),
    "proposals": {"core"},
    "review": {"core", "proposals"},
    "badges": {"core", "proposals", "review"},
    "transcripts": {"core", "proposals", "badges"},
}


def imported_packages(path, package):
    """The project's top-level packages a module imports (absolute or relative, at any depth)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            # A relative import stays inside the package it is written in.
            found.add(package if node.level else (node.module or "").split(".")[0])
    return found & {*APPS, PROJECT}


def modules_of(package):
    return sorted(p for p in (ROOT / package).rglob("*.py") if "migrations" not in p.parts)


@pytest.mark.parametrize("package", APPS)
def test_each_package_imports_only_what_the_design_map_allows(package):
    wrong = {
        str(path.relative_to(ROOT)): sorted(bad)
        for path in modules_of(package)
        if (bad := imported_packages(path, package) - ALLOWED[package] - {package})
    }
    assert wrong == {}, f"{package} may import only {sorted(ALLOWED[package])} (and itself)"


def test_the_rule_itself_catches_an_upward_import(tmp_path):
    # A test that cannot fail is a defect: an app importing the project package is seen.
    module = tmp_path / "bad.py"
    module.write_text("from microcred.home import workspace\nfrom . import models\nimport review.models\n")
    assert imported_packages(module, "transcripts") == {"microcred", "transcripts", "review"}


def test_no_app_imports_the_project_package_and_the_ground_floor_imports_no_app():
    assert all(PROJECT not in allowed for allowed in ALLOWED.values())
    assert ALLOWED["core"] == set()
    assert "review" not in ALLOWED["transcripts"]


def test_every_package_is_on_the_map():
    packages = {p.parent.name for p in ROOT.glob("*/apps.py")}
    assert packages == {*APPS, PROJECT}, "a new app needs its place in ALLOWED and in the README's layout"
