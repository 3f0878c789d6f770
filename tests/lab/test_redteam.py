"""The red-team run's bookkeeping: what counts as a 5xx or a non-JSON error, and the table."""

from lab.redteam.client import Answer, Tally
from lab.redteam.report import Row, table


def answer(status: int, content_type: str) -> Answer:
    return Answer("GET", "/api/v1/x", status, content_type, 0.01, None, b"")


def test_tally_counts_server_errors_and_non_json_error_bodies():
    tally = Tally()
    for status, content_type in [
        (200, "text/html"),  # not an error: not counted
        (400, "application/json"),
        (404, "text/html; charset=utf-8"),
        (503, "application/json"),
        (500, "text/html"),
    ]:
        tally.add(answer(status, content_type))
    assert tally.requests == 5
    assert [a.status for a in tally.server_errors] == [503, 500]
    assert [a.status for a in tally.non_json_errors] == [404, 500]


def test_table_marks_failures():
    text = table([Row("a", "1", "1", True), Row("b", "0 x 5xx", "2 x 5xx", False)])
    lines = text.splitlines()
    assert lines[0].startswith("| check | expected | measured |")
    assert lines[2].endswith("| ok |") and lines[3].endswith("| **FAIL** |")
