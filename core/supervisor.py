"""A small process supervisor for `make run` (core/management/commands/mpp_run.py).

Children are started together. An *essential* child (the web server) that exits stops the
whole group: there is nothing left to serve. Any other child (Celery worker, beat) that exits
is started again after a growing delay — `initial`, 2×, 4× … capped at `maximum` — and the
delay goes back to `initial` once the child has stayed up for `stable_after` seconds. The web
server keeps serving while the worker crash-loops.

Time is read from `clock` and the loop sleeps with `sleep`, so tests can use short real
subprocesses (`python -c 'import sys; sys.exit(1)'`) with sub-second delays.
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ChildSpec:
    name: str
    argv: Sequence[str]
    essential: bool = False  # its exit stops everything (web); otherwise restarted


@dataclass
class _Child:
    spec: ChildSpec
    proc: subprocess.Popen | None = None
    started_at: float = 0.0
    failures: int = 0  # consecutive short-lived runs, drives the backoff
    restart_at: float | None = None
    delays: list[float] = field(default_factory=list)  # every backoff chosen, for tests/logs
    starts: int = 0


class Supervisor:
    def __init__(
        self,
        specs: Sequence[ChildSpec],
        *,
        env: Mapping[str, str] | None = None,
        initial: float = 1.0,
        maximum: float = 30.0,
        stable_after: float = 60.0,
        poll_interval: float = 0.5,
        stop_timeout: float = 15.0,
        log: Callable[[str], None] = print,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.children = {spec.name: _Child(spec) for spec in specs}
        self.env = dict(env) if env is not None else None
        self.initial, self.maximum, self.stable_after = initial, maximum, stable_after
        self.poll_interval, self.stop_timeout = poll_interval, stop_timeout
        self.log, self.clock, self.sleep = log, clock, sleep
        self.stopping = False
        self.exit_code: int | None = None

    # --- lifecycle -------------------------------------------------------------------------

    def start(self) -> None:
        for child in self.children.values():
            self._spawn(child)

    def request_stop(self) -> None:
        """Safe from a signal handler: the loop notices on its next poll."""
        self.stopping = True

    def run(self) -> int:
        """Start the children and supervise until a stop request or an essential child's
        exit; then stop every child. Returns the exit code for the command."""
        self.start()
        try:
            while not self.stopping:
                self.poll()
                if not self.stopping:
                    self.sleep(self.poll_interval)
        finally:
            self.stop()
        return self.exit_code or 0

    def poll(self) -> None:
        """One supervision step: notice exits, schedule and perform restarts."""
        now = self.clock()
        for child in self.children.values():
            if self.stopping:
                return
            if child.proc is None:
                if child.restart_at is not None and now >= child.restart_at:
                    self._spawn(child)
                continue
            code = child.proc.poll()
            if code is None:
                continue
            child.proc = None
            if child.spec.essential:
                self.log(f"{child.spec.name} berhenti (kode {code}); menghentikan semua proses.")
                self.exit_code = code or 1
                self.stopping = True
                return
            if now - child.started_at >= self.stable_after:
                child.failures = 0
            delay = min(self.initial * (2 ** child.failures), self.maximum)
            child.failures += 1
            child.delays.append(delay)
            child.restart_at = now + delay
            self.log(
                f"{child.spec.name} berhenti (kode {code}); dijalankan ulang dalam {delay:g} s."
            )

    def stop(self) -> None:
        self.stopping = True
        running = [c.proc for c in self.children.values() if c.proc and c.proc.poll() is None]
        for proc in running:
            proc.send_signal(signal.SIGTERM)
        deadline = self.clock() + self.stop_timeout
        for proc in running:
            try:
                proc.wait(timeout=max(0.1, deadline - self.clock()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    # --- helpers ---------------------------------------------------------------------------

    def _spawn(self, child: _Child) -> None:
        child.proc = subprocess.Popen(list(child.spec.argv), env=self.env)
        child.started_at = self.clock()
        child.restart_at = None
        child.starts += 1

    def pid(self, name: str) -> int | None:
        proc = self.children[name].proc
        return proc.pid if proc is not None else None

    def is_running(self, name: str) -> bool:
        proc = self.children[name].proc
        return proc is not None and proc.poll() is None
