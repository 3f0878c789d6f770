"""The house rule: imports between rooms run downward only (docs/architecture.md).

Every first-party module's imports are parsed (not executed) and each arrow between two
rooms is checked against the floors below. An import of a higher floor, or of another
room on the same floor, fails the test, and so would a cycle, since a cycle needs an
arrow that does not run down.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Bottom first. A room may import only rooms on lower floors (and itself).
FLOORS: list[set[str]] = [
    {"core"},
    {"library"},
    {"profiles"},
    {"routines"},
    {"feedback"},
    {"privacy"},
    {"lab"},
]
# The configuration package (settings, URLs) wires the rooms together from above: it may
# import them, and no room imports it, except the lab's benchmark settings that extend it.
CONFIG = "holisticos"


def floor_of(room: str) -> int | None:
    for level, rooms in enumerate(FLOORS):
        if room in rooms:
            return level
    return None


def modules() -> list[tuple[str, Path]]:
    found = []
    for level in FLOORS:
        for room in level:
            base = ROOT / room
            if base.is_dir():
                found += [(room, path) for path in base.rglob("*.py")]
    found += [(CONFIG, path) for path in (ROOT / CONFIG).rglob("*.py")]
    return [(room, p) for room, p in found if "migrations" not in p.parts]


def imported_rooms(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_every_room_is_found():
    rooms = {room for room, _ in modules()}
    assert {"core", "library", "profiles", "routines", "feedback", "lab", CONFIG} <= rooms


@pytest.mark.parametrize("room,path", modules(), ids=lambda v: str(v))
def test_imports_run_downward(room, path):
    upward = []
    for target in sorted(imported_rooms(path)):
        if target == room:
            continue
        if target == CONFIG:
            if not (room == "lab" and "benchmarks" in path.parts):
                upward.append(f"{target} (the settings package is not importable glue)")
            continue
        target_floor = floor_of(target)
        if target_floor is None:
            continue  # third-party or standard library
        if room == CONFIG:
            continue  # the top of the house: URLs wire the rooms' views together
        if target_floor >= floor_of(room):
            upward.append(target)
    assert not upward, f"{path.relative_to(ROOT)} imports {upward}"


def test_the_check_can_fail(tmp_path):
    module = tmp_path / "bad.py"
    module.write_text("from feedback.models import UserTaskFeedback\nimport lab.simulation\n")
    assert imported_rooms(module) == {"feedback", "lab"}
