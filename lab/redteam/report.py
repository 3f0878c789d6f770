"""The red-team table: one row a check, what was expected and what was measured."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Row:
    check: str
    expected: str
    measured: str
    ok: bool


def table(rows: list[Row]) -> str:
    """A Markdown table (docs/security.md keeps one run's output as it was printed)."""
    lines = ["| check | expected | measured | |", "|---|---|---|---|"]
    for row in rows:
        verdict = "ok" if row.ok else "**FAIL**"
        lines.append(f"| {row.check} | {row.expected} | {row.measured} | {verdict} |")
    return "\n".join(lines)
