"""Starting and stopping real Celery worker processes (the worker test and the benchmark)."""

import os
import signal
import subprocess
import sys
import uuid
from dataclasses import dataclass, field

from celery import current_app as celery_app  # holisticos.celery's, loaded with Django
from django.conf import settings
from django.db import connection


def database_url() -> str:
    """This process's database, for workers that must see its committed rows."""
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@dataclass
class WorkerPool:
    """Worker processes on one private queue of `broker`; sending tasks here reaches them."""

    broker: str
    env: dict[str, str] = field(default_factory=dict)
    queue: str = field(default_factory=lambda: f"lab-{uuid.uuid4().hex[:8]}")
    processes: list[subprocess.Popen] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._previous = (celery_app.conf.broker_url, celery_app.conf.task_default_queue)
        celery_app.conf.broker_url, celery_app.conf.task_default_queue = self.broker, self.queue

    def start(self, count: int) -> list[subprocess.Popen]:
        env = {
            **os.environ,
            "ENV_FILE": "/nonexistent",
            "DEBUG": "false",
            "SECRET_KEY": "lab-worker-key-not-for-production",
            "ALLOWED_HOSTS": "localhost",
            "SECURE_SSL_REDIRECT": "false",
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": self.broker,
            "CELERY_QUEUE": self.queue,
            "LOG_LEVEL": "WARNING",
            **self.env,
        }
        for _ in range(count):
            name = f"w{len(self.processes) + 1}-{self.queue}@%h"
            command = [sys.executable, "-m", "celery", "-A", "holisticos", "worker"]
            command += ["--pool", "solo", "-n", name, "-Q", self.queue, "--loglevel", "WARNING"]
            command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
            self.processes.append(
                subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, start_new_session=True)
            )
        return self.processes[-count:]

    def kill(self, process: subprocess.Popen) -> None:
        """SIGKILL: no acknowledgement, no clean-up, as a lost machine."""
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        self.processes.clear()
        with celery_app.connection_for_write() as conn:
            conn.default_channel.queue_purge(self.queue)
        celery_app.conf.broker_url, celery_app.conf.task_default_queue = self._previous
