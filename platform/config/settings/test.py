"""Test settings: real PostgreSQL (embedded unless DATABASE_URL is set), eager Celery by default."""

from config.devdb import ensure_database_url

ensure_database_url()

from .base import *  # noqa: E402, F403
from .base import DATA_DIR, MIDDLEWARE, env  # noqa: E402

SECRET_KEY = "test-only-secret-key"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
MPP_SMS_BACKEND = "accounts.sms.LocmemSmsGateway"
CELERY_TASK_EAGER_PROPAGATES = True
MEDIA_ROOT = DATA_DIR / "test-media"
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "KEY_FUNCTION": "django_tenants.cache.make_key",
    }
}
MIDDLEWARE = list(MIDDLEWARE)
# Parallel developers/CI jobs on one embedded server: MPP_TEST_DB_SUFFIX keeps test DBs apart.
_suffix = env("MPP_TEST_DB_SUFFIX", default="")
if _suffix:
    DATABASES["default"]["TEST"] = {"NAME": f"test_mpp_{_suffix}"}  # noqa: F405
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {"anon": "10000/min", "user": "10000/min"},
}
