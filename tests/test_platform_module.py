"""`platform/` is a source root, never a package: the stdlib `platform` must win."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_stdlib_platform_is_not_shadowed():
    import platform

    assert platform.system()
    assert platform.__file__.startswith(sys.base_prefix)


def test_no_platform_package_file():
    assert not (ROOT / "platform" / "__init__.py").exists()
    assert not (ROOT / "platform.py").exists()


def test_celery_imports_with_config_on_the_path():
    import celery.platforms  # noqa: F401 - this import fails when platform/ shadows the stdlib

    from config.celery_app import app

    assert app.main == "mpp"


def test_beat_runs_every_apps_periodic_work():
    from config.celery_app import app

    app.finalize()
    names = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "tenants.tasks.heartbeat_dispatch" in names
    assert "monitoring.tasks.sla_sweep_dispatch" in names  # the SLA breach sweep
    assert any(name.startswith("monitoring.") for name in names)  # ministry rollups
