# syntax=docker/dockerfile:1
# MPP Digital image: one image for web (gunicorn), worker, beat and the migration Job.
#   docker build -t mpp-digital:dev .
#   docker run --rm -e DATABASE_URL=... -e REDIS_URL=... -e DJANGO_SECRET_KEY=... mpp-digital:dev web
# Roles: see docker/entrypoint.sh (web | worker | beat | migrate | manage ...).

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# ---------------------------------------------------------------------------
# base: Python + the runtime system libraries (WeasyPrint), shared by both stages
# ---------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS base
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app/platform:/app
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

# ---------------------------------------------------------------------------
# build: compilers + gettext; installs the pinned dependencies into /opt/venv,
# compiles .mo files and collects static files. Nothing of this stage's
# tooling reaches the final image.
# ---------------------------------------------------------------------------
FROM base AS build
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential gettext \
    && rm -rf /var/lib/apt/lists/*
RUN python -m venv "$VIRTUAL_ENV"
WORKDIR /app
COPY requirements/lock.txt requirements/lock.txt
RUN pip install --no-deps -r requirements/lock.txt
COPY . .
# Dummy values exist only for these build commands; they are not ENV and do not
# reach the final image.
RUN chmod 0755 docker/entrypoint.sh \
    && DJANGO_SETTINGS_MODULE=config.settings.production \
       DJANGO_SECRET_KEY=build-only-not-secret \
       DATABASE_URL=postgres://build:build@127.0.0.1:5432/build \
       REDIS_URL=redis://127.0.0.1:6379/0 \
       MPP_BASE_DOMAIN=build.invalid \
       python manage.py compilemessages \
    && DJANGO_SETTINGS_MODULE=config.settings.production \
       DJANGO_SECRET_KEY=build-only-not-secret \
       DATABASE_URL=postgres://build:build@127.0.0.1:5432/build \
       REDIS_URL=redis://127.0.0.1:6379/0 \
       MPP_BASE_DOMAIN=build.invalid \
       python manage.py collectstatic --noinput \
    && mkdir -p /app/.data/media \
    && python -m compileall -q -j 0 /app "$VIRTUAL_ENV"

# ---------------------------------------------------------------------------
# runtime: no compilers, no gettext; code owned by root and read-only for the
# app user (uid 10001). Works with readOnlyRootFilesystem (writes go to /tmp).
# ---------------------------------------------------------------------------
FROM base AS runtime
ARG APP_UID=10001
RUN groupadd --system --gid "${APP_UID}" app \
    && useradd --system --uid "${APP_UID}" --gid app --home-dir /app \
        --no-create-home --shell /usr/sbin/nologin app
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
ENV DJANGO_SETTINGS_MODULE=config.settings.production \
    DJANGO_LOG_FORMAT=json \
    PORT=8000
WORKDIR /app
USER ${APP_UID}:${APP_UID}
EXPOSE 8000
ENTRYPOINT ["/app/docker/entrypoint.sh"]
CMD ["web"]
