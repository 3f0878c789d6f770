"""Benchmark 2: the nightly regenerate_plans over 10,000 users, one process and two shards.

Each run is a real `manage.py regenerate_plans` subprocess. Peak memory is its VmHWM
(the high-water mark of its own address space) polled from /proc while it runs: the
ru_maxrss that wait4 reports would include the benchmark process's own peak, which a
forked child inherits.
"""

import os
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.conf import settings

from feedback.models import UserPreferenceProfile
from library.choices import ARCHETYPES, MODES

from .plan_generation import SHIPPED_LIBRARY_SIZE, build_library, reset_data
from .stats import verdict

DAY = date(2027, 2, 1)
TARGET_USERS_PER_SECOND = 200


@dataclass
class RegenResult:
    users: int
    shards: int
    seconds: float
    peak_mb: float
    failures: int

    @property
    def users_per_second(self) -> float:
        return self.users / self.seconds if self.seconds else 0.0


def make_users(count: int) -> None:
    UserPreferenceProfile.objects.bulk_create(
        [
            UserPreferenceProfile(
                user_id=uuid.uuid4(),
                archetype=ARCHETYPES[i % len(ARCHETYPES)],
                current_mode=MODES[i % len(MODES)],
            )
            for i in range(count)
        ],
        batch_size=2000,
    )


def _run(shards: int) -> tuple[float, float, int]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "holisticos.benchmarks.settings"}
    base = [sys.executable, "manage.py", "regenerate_plans", "--date", DAY.isoformat(), "--all"]
    commands = [
        base + (["--shard", f"{k}/{shards}"] if shards > 1 else []) for k in range(1, shards + 1)
    ]
    started = time.perf_counter()
    processes = [
        subprocess.Popen(
            cmd,
            cwd=settings.BASE_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        for cmd in commands
    ]
    peaks = dict.fromkeys(process.pid for process in processes)
    while any(process.poll() is None for process in processes):
        for process in processes:
            peaks[process.pid] = _high_water_kb(process.pid) or peaks[process.pid]
        time.sleep(0.05)
    failures = 0
    for process in processes:
        out = process.stdout.read()
        failures += int(out.split("failures=")[1].split()[0]) if "failures=" in out else 1
    peak_kb = max(kb or 0 for kb in peaks.values())
    return time.perf_counter() - started, peak_kb / 1024, failures


def _high_water_kb(pid: int) -> int | None:
    """The process's peak resident memory so far (monotonic), None once it has exited."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return None


def run(counts=(2500, 10000)) -> list[RegenResult]:
    results = []
    for count in counts:
        reset_data()
        build_library(SHIPPED_LIBRARY_SIZE)
        make_users(count)
        for shards in (1, 2) if count == max(counts) else (1,):
            from routines.models import Plan

            Plan.objects.filter(date=DAY).delete()
            seconds, peak_mb, failures = _run(shards)
            results.append(RegenResult(count, shards, seconds, peak_mb, failures))
    return results


def report(results: list[RegenResult]) -> str:
    lines = [
        "| users | processes | elapsed | users/s | peak memory (per process) | failures |",
        "|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.users} | {r.shards} | {r.seconds:.1f} s | {r.users_per_second:.0f} |"
            f" {r.peak_mb:.0f} MB | {r.failures} |"
        )
    best = max(results, key=lambda r: r.users_per_second)
    met = verdict(best.users_per_second >= TARGET_USERS_PER_SECOND)
    single = sorted((r for r in results if r.shards == 1), key=lambda r: r.users)
    lines += [
        "",
        f"Target >= {TARGET_USERS_PER_SECOND} users/s: {best.users_per_second:.0f} with "
        f"{best.shards} process(es), {met}."
        f" Memory in one process: {single[0].peak_mb:.0f} MB for {single[0].users} users, "
        f"{single[-1].peak_mb:.0f} MB for {single[-1].users}.",
    ]
    return "\n".join(lines)
