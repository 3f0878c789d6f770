"""`make run`'s embedded SQLite under parallel writers (WAL, busy timeout, BEGIN IMMEDIATE)."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PARALLEL = 8


def test_parallel_first_plans_and_feedback_on_a_sqlite_file(tmp_path):
    database = tmp_path / "concurrency.sqlite3"
    environment = {**os.environ, "DATABASE_URL": f"sqlite:///{database}"}
    run = subprocess.run(
        [sys.executable, "-m", "tests.core.sqlite_file_worker", str(PARALLEL)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    summary = json.loads(run.stdout.strip().splitlines()[-1])
    assert summary["journal_mode"] == "wal"
    assert summary["plan_types"] == ["dynamic_routine"] * PARALLEL, run.stderr[-3000:]
    assert set(summary["feedback"]) <= {200, 201}, summary
    assert set(summary["same_user_feedback"]) <= {200, 201}, summary
