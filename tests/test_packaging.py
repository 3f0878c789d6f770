"""The wheel holds the whole product: every package, template and fixture (and no lab)."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ("holisticos", "core", "library", "profiles", "routines", "feedback")


def setuptools_config() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]


def test_every_product_package_is_in_the_wheel():
    listed = set(setuptools_config()["packages"])
    on_disk = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for room in PRODUCT
        for init in (ROOT / room).rglob("__init__.py")
    }
    assert on_disk - listed == set()


def test_templates_and_fixtures_ship_inside_installed_apps():
    config = setuptools_config()
    assert config["package-dir"] == {"core.templates": "templates", "library.fixtures": "fixtures"}
    assert (ROOT / "fixtures" / "task_library.json").exists()
    assert any((ROOT / "templates").rglob("*.html"))


def test_research_tools_are_not_shipped():
    assert not [name for name in setuptools_config()["packages"] if name.split(".")[0] == "lab"]
