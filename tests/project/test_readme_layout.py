"""The README's layout is true to the tree: it names every top-level folder, every app and every
sub-package of an app, and everything it names exists."""

import re

from tests.conftest import ROOT

# Made by running or testing the product, never committed (besides what .gitignore names).
MADE_HERE = {".git", ".venv", ".pytest_cache", ".ruff_cache", ".hypothesis"}
# An app's inner folders that Django defines, not the app's own rooms.
DJANGO_FOLDERS = {"migrations", "management", "templatetags", "templates", "contexts", "__pycache__"}


def ignored_by_git():
    """The plain folder names that .gitignore leaves out (``staticfiles/``, ``test-artifacts/`` …)."""
    lines = (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    return {line.strip().strip("/") for line in lines if line.strip() and not line.startswith("#")}


def layout_section():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"^## Layout\n(.*?)(?=^## )", text, flags=re.S | re.M)
    assert match, "the README has a '## Layout' section"
    return match.group(1)


def named_paths():
    """Every path the section names in code spans."""
    return {name.rstrip("/") for name in re.findall(r"`([\w./<>-]+)`", layout_section())}


def entries():
    """What the layout's list describes: the path that opens each of its lines."""
    return {name.rstrip("/") for name in re.findall(r"^- `([^`]+)`", layout_section(), flags=re.M)}


def top_level_folders():
    return {
        p.name
        for p in ROOT.iterdir()
        if p.is_dir() and p.name not in MADE_HERE | ignored_by_git() and not p.name.endswith(".egg-info")
    }


def app_rooms():
    """Every app package and every sub-package inside an app (e.g. ``badges/issuing``)."""
    apps = [p.parent for p in ROOT.glob("*/apps.py")]
    rooms = {app.name for app in apps}
    for app in apps:
        rooms |= {
            f"{app.name}/{sub.name}"
            for sub in app.iterdir()
            if (sub / "__init__.py").exists() and sub.name not in DJANGO_FOLDERS
        }
    return rooms


def test_the_layout_names_every_top_level_folder():
    assert top_level_folders() - named_paths() == set()


def test_the_layout_names_every_app_and_each_of_its_rooms():
    assert app_rooms() - named_paths() == set()


def test_everything_the_layout_names_exists():
    missing = {name for name in entries() if not (ROOT / name).exists()}
    assert missing == set()
