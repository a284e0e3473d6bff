"""`make run` supervision (core.supervisor, mpp_run): a crashed worker or beat is restarted
with a growing delay while the web server keeps serving; the web server binds to loopback
unless MPP_BIND says otherwise. Real short-lived subprocesses, sub-second delays."""

from __future__ import annotations

import sys
import time

import pytest

from core.supervisor import ChildSpec, Supervisor

SLEEPER = [sys.executable, "-c", "import time; time.sleep(60)"]
CRASHER = [sys.executable, "-c", "import sys; sys.exit(1)"]


def _drive(supervisor: Supervisor, until, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not until():
        assert time.monotonic() < deadline, "supervisor did not reach the expected state"
        supervisor.poll()
        time.sleep(0.01)


def test_a_crashing_worker_is_restarted_with_growing_capped_backoff_and_web_keeps_serving():
    # given a long-running web server and a worker that dies at once
    supervisor = Supervisor(
        [ChildSpec("web", SLEEPER, essential=True), ChildSpec("worker", CRASHER)],
        initial=0.05, maximum=0.2, stable_after=30, log=lambda line: None,
    )
    supervisor.start()
    web_pid = supervisor.pid("web")
    worker = supervisor.children["worker"]
    try:
        # when the worker has crashed five times
        _drive(supervisor, lambda: len(worker.delays) >= 5)

        # then it was restarted each time, with 0.05, 0.1, 0.2 (cap), 0.2 … seconds between
        assert worker.delays[:5] == [0.05, 0.1, 0.2, 0.2, 0.2]
        assert worker.starts >= 5
        # and the web server was never touched: same process, still running
        assert supervisor.pid("web") == web_pid
        assert supervisor.is_running("web")
        assert not supervisor.stopping
    finally:
        supervisor.stop()
    assert not supervisor.is_running("web")


def test_the_backoff_resets_after_the_child_ran_a_while():
    # given a beat that runs longer than `stable_after` before it dies
    runs_a_while = [sys.executable, "-c", "import sys, time; time.sleep(0.3); sys.exit(2)"]
    supervisor = Supervisor(
        [ChildSpec("web", SLEEPER, essential=True), ChildSpec("beat", runs_a_while)],
        initial=0.05, maximum=1.0, stable_after=0.2, log=lambda line: None,
    )
    supervisor.start()
    beat = supervisor.children["beat"]
    try:
        # when it has died three times
        _drive(supervisor, lambda: len(beat.delays) >= 3)
        # then every restart waited the initial delay only
        assert beat.delays[:3] == [0.05, 0.05, 0.05]
    finally:
        supervisor.stop()


def test_the_web_server_exiting_stops_everything_with_its_code():
    # given a web server that exits with code 3 and a healthy worker
    web = [sys.executable, "-c", "import sys, time; time.sleep(0.2); sys.exit(3)"]
    lines: list[str] = []
    supervisor = Supervisor(
        [ChildSpec("web", web, essential=True), ChildSpec("worker", SLEEPER)],
        poll_interval=0.02, stop_timeout=5, log=lines.append,
    )

    # when the supervisor runs
    started = time.monotonic()
    code = supervisor.run()

    # then it returns the web server's code, stopped the worker, and said why
    assert code == 3
    worker = supervisor.children["worker"].proc
    assert worker is not None and worker.poll() is not None
    assert time.monotonic() - started < 10
    assert any("web berhenti (kode 3)" in line for line in lines)


@pytest.mark.parametrize(("env", "expected"), [(None, "127.0.0.1"), ("0.0.0.0", "0.0.0.0")])
def test_run_binds_to_loopback_unless_mpp_bind_says_otherwise(monkeypatch, tmp_path, env, expected):
    from core.management.commands.mpp_run import Command, child_specs

    if env is None:
        monkeypatch.delenv("MPP_BIND", raising=False)
    else:
        monkeypatch.setenv("MPP_BIND", env)
    options = Command().create_parser("manage.py", "mpp_run").parse_args([])
    assert options.bind == expected
    [web, worker, _beat] = child_specs(
        bind=options.bind, port="8000", base_dir=tmp_path, data_dir=tmp_path
    )
    assert f"{expected}:8000" in web.argv and web.essential
    assert not worker.essential
    assert worker.argv[worker.argv.index("-Q") + 1] == "celery"
