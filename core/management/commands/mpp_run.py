"""`make run`: migrate, seed the demo, then run web + Celery worker + beat until Ctrl-C."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from core.demo import seed_demo
from core.supervisor import ChildSpec, Supervisor

DEFAULT_BIND = "127.0.0.1"  # loopback unless MPP_BIND (or --bind) says otherwise


def child_specs(*, bind: str, port: str, base_dir: Path, data_dir: Path) -> list[ChildSpec]:
    """web (essential), Celery worker and beat (restarted with backoff when they die)."""
    manage = [sys.executable, str(base_dir / "manage.py")]
    celery = [sys.executable, "-m", "celery", "-A", "config.celery_app"]
    return [
        ChildSpec("web", [*manage, "runserver", f"{bind}:{port}", "--noreload", "--skip-checks"],
                  essential=True),
        ChildSpec("worker", [*celery, "worker", "-l", "warning", "-c", "2", "-Q", "celery"]),
        ChildSpec("beat", [*celery, "beat", "-l", "warning",
                           "-s", str(data_dir / "celerybeat-schedule")]),
    ]


class Command(BaseCommand):
    help = "Start the whole product locally (web on :8000, Celery worker and beat)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
        parser.add_argument(
            "--bind", default=os.environ.get("MPP_BIND") or DEFAULT_BIND,
            help="Alamat yang didengarkan server web (default 127.0.0.1; env MPP_BIND).",
        )
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
        (Path(settings.DATA_DIR) / "celery").mkdir(parents=True, exist_ok=True)
        supervisor = Supervisor(
            child_specs(bind=str(options["bind"]), port=port, base_dir=base,
                        data_dir=Path(settings.DATA_DIR)),
            env=env, log=lambda line: self.stderr.write(line),
        )
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
        if options["bind"] != DEFAULT_BIND:
            self.stdout.write(f"Server web mendengarkan {options['bind']} (MPP_BIND).")
        self.stdout.write(
            f"\ncurl: curl -H 'Host: kota-bandung.localhost' http://127.0.0.1:{port}/"
        )
        self.stdout.write("Tekan Ctrl-C untuk berhenti.\n")
        self._supervise(supervisor)

    def _supervise(self, supervisor: Supervisor) -> None:
        def _stop(signum: int, frame: object) -> None:
            supervisor.request_stop()

        signal.signal(signal.SIGINT, _stop)
        signal.signal(signal.SIGTERM, _stop)
        code = supervisor.run()
        self.stdout.write("Berhenti. Data tetap tersimpan di .data/ (make run lagi untuk lanjut).")
        if code:
            sys.exit(code)
