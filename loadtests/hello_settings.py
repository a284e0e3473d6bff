"""Minimal Django settings for the hello-world baseline (no database, no middleware)."""

SECRET_KEY = "hello-world-baseline-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = "loadtests.hello_wsgi"
INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
DATABASES: dict[str, dict] = {}
USE_TZ = True
