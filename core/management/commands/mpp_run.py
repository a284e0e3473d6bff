"""`make run`: migrate, seed the demo, then run web + Celery worker + beat until Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from core.demo import seed_demo


class Command(BaseCommand):
    help = "Start the whole product locally (web on :8000, Celery worker and beat)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
        parser.add_argument("--no-seed", action="store_true")

    def handle(self, *args: object, **options: object) -> None:
        port = str(options["port"])
        os.environ.setdefault("MPP_BASE_PORT", port)
        started = time.perf_counter()
        self.stdout.write("Menyiapkan basis data (migrasi)…")
        call_command("deploy_migrate", verbosity=0)
        call_command("createcachetable", verbosity=0)
        logins = [] if options["no_seed"] else seed_demo()
        base = Path(settings.BASE_DIR)
        python_path = os.pathsep.join(
            [str(base / "platform"), str(base), os.environ.get("PYTHONPATH", "")]
        ).rstrip(os.pathsep)
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": python_path}
        manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]
        celery = [sys.executable, "-m", "celery", "-A", "config.celery_app"]
        (Path(settings.DATA_DIR) / "celery").mkdir(parents=True, exist_ok=True)
        procs = {
            "web": subprocess.Popen(
                [*manage, "runserver", f"0.0.0.0:{port}", "--noreload", "--skip-checks"],
                env=env,
            ),
            "worker": subprocess.Popen(
                [*celery, "worker", "-l", "warning", "-c", "2", "-Q", "celery,provisioning"],
                env=env,
            ),
            "beat": subprocess.Popen(
                [*celery, "beat", "-l", "warning",
                 "-s", str(Path(settings.DATA_DIR) / "celerybeat-schedule")],
                env=env,
            ),
        }
        domain = settings.MPP_BASE_DOMAIN
        self.stdout.write(self.style.SUCCESS(
            f"\nMPP Digital berjalan ({time.perf_counter() - started:.1f} s). Buka:"
        ))
        self.stdout.write(f"  Platform/kementerian : http://{domain}:{port}/")
        self.stdout.write(f"  Kota Bandung         : http://kota-bandung.{domain}:{port}/")
        self.stdout.write(f"  Kabupaten Sragen     : http://kab-sragen.{domain}:{port}/")
        self.stdout.write(f"  API docs             : http://{domain}:{port}/api/docs/")
        if logins:
            self.stdout.write(f"\nLogin demo (kata sandi: {settings.MPP_DEMO_PASSWORD}):")
            for item in logins:
                self.stdout.write(f"  {item.role:<32} {item.login}  ({item.where})")
        self.stdout.write("\ncurl: curl -H 'Host: kota-bandung.localhost' http://127.0.0.1:8000/")
        self.stdout.write("Tekan Ctrl-C untuk berhenti.\n")
        self._wait(procs)

    def _wait(self, procs: dict[str, subprocess.Popen]) -> None:
        stop = False

        def _stop(signum: int, frame: object) -> None:
            nonlocal stop
            stop = True

        signal.signal(signal.SIGINT, _stop)
        signal.signal(signal.SIGTERM, _stop)
        try:
            while not stop:
                for name, proc in procs.items():
                    if proc.poll() is not None:
                        self.stderr.write(f"{name} berhenti (kode {proc.returncode}); menghentikan.")
                        stop = True
                time.sleep(0.5)
        finally:
            for proc in procs.values():
                if proc.poll() is None:
                    proc.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + 15
            for proc in procs.values():
                try:
                    proc.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    proc.kill()
            self.stdout.write("Berhenti. Data tetap tersimpan di .data/ (make run lagi untuk lanjut).")
