"""The hostile-input corpus: bodies and URLs that must each get a 4xx JSON error.

Data only: tests/core/test_bad_input_corpus.py sends it through Django's test client and
asserts nothing is stored; the red-team run (lab/redteam) sends the same corpus to the
live server.
"""

import uuid

HUGE = "x" * 200_000
SQLISH = "'; DROP TABLE plans; --"
CONTROL = "line\x00break\x07bell\u202eRTL"
LONE_SURROGATE = "\ud800"  # valid JSON ("\\ud800"), but no text encoding can store it

GENERATE_BODIES = [
    {},
    {"user_id": None, "archetype": None},
    {"user_id": 12345, "archetype": "Peak Performer"},
    {"user_id": SQLISH, "archetype": "Peak Performer"},
    {"user_id": str(uuid.uuid4()), "archetype": SQLISH},
    {"user_id": str(uuid.uuid4()), "archetype": ["Peak Performer"]},
    {"user_id": str(uuid.uuid4()), "archetype": "Peak Performer", "date": "0001-01-01"},
    {"user_id": str(uuid.uuid4()), "archetype": "Peak Performer", "date": "9999-12-31"},
    {"user_id": str(uuid.uuid4()), "archetype": "Peak Performer", "date": 20261124},
    {"user_id": str(uuid.uuid4()), "archetype": "Peak Performer", "mode": CONTROL},
    {"user_id": str(uuid.uuid4()), "archetype": LONE_SURROGATE},
    {"user_id": str(uuid.uuid4()), "archetype": "Peak Performer", "mode": LONE_SURROGATE},
    {
        "user_id": str(uuid.uuid4()),
        "archetype": "Peak Performer",
        "preferences": {"wake_time": "25:99"},
    },
    {"user_id": str(uuid.uuid4()), "archetype": "Peak Performer", "preferences": "early"},
    {"user_id": str(uuid.uuid4()), "archetype": "Peak Performer", "regenerate": "yes please"},
    # Issue 15: an ISO week date is not a date; 0 is not a boolean.
    {"user_id": str(uuid.uuid4()), "archetype": "Peak Performer", "date": "2026-W48-3"},
    {"user_id": str(uuid.uuid4()), "archetype": "Peak Performer", "date": "20261125"},
    {"user_id": str(uuid.uuid4()), "archetype": "Peak Performer", "regenerate": 0},
    [1, 2, 3],
    "just a string",
    None,
]


def feedback_bodies(item):
    base = {"user_id": str(item.user_id), "plan_item_id": str(item.id), "completed": True}
    return [
        {},
        {k: v for k, v in base.items() if k != "completed"},
        base | {"completed": "true"},
        base | {"completed": 1},
        base | {"satisfaction_rating": -1},
        base | {"satisfaction_rating": 10**30},
        base | {"satisfaction_rating": 3.7},
        base | {"satisfaction_rating": "⭐⭐⭐"},
        base | {"completed": False, "skip_reason": SQLISH},
        base | {"user_notes": CONTROL},
        base | {"user_notes": "n" * 2001},
        base | {"user_notes": {"nested": "object"}},
        base | {"completed_at": "1900-01-01T00:00:00Z"},
        base | {"completed_at": "3000-01-01T00:00:00Z"},
        base | {"completed_at": "2026-13-45T99:99:99"},
        base | {"plan_item_id": SQLISH},
        base | {"plan_item_id": str(uuid.uuid4())},
        base | {"user_id": str(uuid.uuid4())},
        # Issue 15: a date alone is not a completion time, notes are text, a skip has no
        # rating.
        base | {"completed_at": "2026-11-25"},
        base | {"user_notes": 5},
        base | {"completed": False, "satisfaction_rating": 4},
        base | {"completed": False, "skip_reason": "no_time", "satisfaction_rating": 1},
    ]


FEEDBACK_BODY_COUNT = 22


PROFILE_BODIES = [
    {"current_mode": 7},
    {"current_mode": "LOW"},
    {"archetype": "Peak Performer", "timezone": SQLISH},
    {"archetype": "Peak Performer", "timezone": "../../etc/passwd"},
    {"archetype": "Peak Performer", "timezone": "posixrules"},  # a tz file, not a zone name
    {"archetype": "Peak Performer", "timezone": CONTROL},
    {"archetype": LONE_SURROGATE},
    {"archetype": "Peak Performer", "timezone": LONE_SURROGATE},
    {"archetype": "Peak Performer", "timezone": "Europe/" + LONE_SURROGATE},
    {"archetype": ""},
    {"unknown_field_only": True},
    [],
]


def deep_json(depth: int) -> str:
    return "[" * depth + "]" * depth


# Read URLs ({sql}: an injection attempt, {user}: a fresh user id).
READ_PATHS = [
    "/api/v1/plans/{sql}/2026-11-24/",
    "/api/v1/plans/{user}/{sql}/",
    "/api/v1/plans/{user}/99999-01-01/",
    "/api/v1/feedback/profile/{sql}",
    "/api/v1/feedback/summary/{user}/weekly?week_start={sql}",
    "/api/v1/feedback/summary/{user}/weekly?week_start=0001-01-01",
    "/api/v1/feedback/summary/{user}/weekly?format=%00",
    "/api/v1/feedback/profile/%E2%80%AE%00",
    # Issue 15: the resync list's range and week dates.
    "/api/v1/plans/{sql}",
    "/api/v1/plans/{user}?from=2026-W48-3",
    "/api/v1/plans/{user}/?to=",
    "/api/v1/plans/{user}?to=2090-01-01",
    "/api/v1/plans/{user}/2026-W48-3",
    "/api/v1/feedback/summary/{user}/weekly?week_start=2026-W48-1",
    "/api/v1/feedback/summary/{user}/weekly?week_start=",
    # Issue 16's rerun (schemathesis on the live server): an empty format was served as json.
    "/api/v1/feedback/summary/{user}/weekly?format=",
]

NESTED_JSON_DEPTH = 30_000
UNDECODABLE_BODIES = [b"\xff\xfe\x00garbage", b'{"user_id": "a"', b"\x00" * 10]
CALENDAR_EDGE_WEEKS = ["0001-01-01", "9999-12-27"]  # both Mondays
MALFORMED_ITEM_IDS = [SQLISH.replace(" ", ""), "12345", "%00"]
