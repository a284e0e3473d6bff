"""Production: everything from the environment, hardened. `manage.py check --deploy` is clean.

Required: DJANGO_SECRET_KEY (≥ 50 chars), DATABASE_URL, REDIS_URL. Optional: SENTRY_DSN,
MEDIA_STORAGE=s3 + AWS_STORAGE_BUCKET_NAME (+ AWS_S3_ENDPOINT_URL, AWS_S3_REGION_NAME,
AWS_LOCATION; credentials AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY are read by boto3).
"""

import copy

from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import LOGGING as BASE_LOGGING
from .base import MIDDLEWARE as BASE_MIDDLEWARE
from .base import OAUTH2_PROVIDER as BASE_OAUTH2_PROVIDER
from .base import env

SECRET_KEY = env("DJANGO_SECRET_KEY")
DEBUG = False

# --- HTTPS, HSTS, cookies ------------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = True
# CSRF_TRUSTED_ORIGINS stays as in base.py: only the request's own host (no *.base-domain
# wildcard, which would let any tenant's origin pass another tenant's check).

# --- Content-Security-Policy (django-csp 4) ---------------------------------------------------------
# No inline script anywhere: scripts come from our own static files only. Early in the chain so
# that the routing middleware's own responses (unknown host 404, maintenance 503) carry it too.
MIDDLEWARE = list(BASE_MIDDLEWARE)
MIDDLEWARE.insert(MIDDLEWARE.index("core.middleware.RequestIdMiddleware") + 1,
                  "csp.middleware.CSPMiddleware")
MEDIA_STORAGE = env("MEDIA_STORAGE", default="filesystem")
_media_origins: list[str] = []
if MEDIA_STORAGE == "s3":
    _endpoint = env("AWS_S3_ENDPOINT_URL", default="")
    _media_origins = [_endpoint.rstrip("/")] if _endpoint else ["https://*.amazonaws.com"]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        # Styles only from our files: no <style> elements and no style="" attributes.
        "style-src": [SELF],
        "img-src": [SELF, "data:", *_media_origins],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# --- logs: JSON lines by default (request id, tenant, user id; never NIK or documents) -----------
LOG_FORMAT = env("DJANGO_LOG_FORMAT", default="json")
LOGGING = copy.deepcopy(BASE_LOGGING)
LOGGING["handlers"]["console"]["formatter"] = LOG_FORMAT

# --- error reporting: Sentry only when SENTRY_DSN is set -------------------------------------------
SENTRY_DSN = env("SENTRY_DSN", default="")
if SENTRY_DSN:
    from core.security import sentry_init

    sentry_init(
        dsn=SENTRY_DSN,
        environment=env("SENTRY_ENVIRONMENT", default="production"),
        release=env("SENTRY_RELEASE", default=""),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
    )

# --- media: local filesystem (default) or S3-compatible, per-tenant prefix ---------------------------
# Media is private: no MEDIA_URL route is mounted anywhere; files go out through views that check
# access (filesystem) or short-lived presigned URLs (S3).
if MEDIA_STORAGE == "s3":
    STORAGES = {
        **STORAGES,  # noqa: F405
        "default": {
            "BACKEND": "core.storage.TenantS3Storage",
            "OPTIONS": {
                "bucket_name": env("AWS_STORAGE_BUCKET_NAME"),
                "endpoint_url": env("AWS_S3_ENDPOINT_URL", default=None),
                "region_name": env("AWS_S3_REGION_NAME", default=None),
                "location": env("AWS_LOCATION", default="media"),
                "default_acl": None,
                "querystring_auth": True,
                "querystring_expire": env.int("AWS_QUERYSTRING_EXPIRE", default=300),
                "file_overwrite": False,
            },
        },
    }
elif MEDIA_STORAGE not in {"filesystem", "local"}:
    raise ImproperlyConfigured(f"MEDIA_STORAGE must be 'filesystem' or 's3', not {MEDIA_STORAGE!r}")

# --- OpenID Connect provider: HTTPS redirect URIs only (RFC 9700 §2.1) ---------------------------
OAUTH2_PROVIDER = {
    **BASE_OAUTH2_PROVIDER,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_SCHEME": True,
}
