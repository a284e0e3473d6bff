#!/bin/sh
# MPP Digital container entrypoint: one image, several roles.
#
#   entrypoint.sh web              gunicorn (WSGI) on 0.0.0.0:${PORT:-8000}
#   entrypoint.sh worker [args]    celery worker (queues ${CELERY_QUEUES:-celery})
#   entrypoint.sh beat [args]      celery beat (schedule file in /tmp: the root FS is read-only)
#   entrypoint.sh migrate [args]   manage.py deploy_migrate (shared, then pending tenants in parallel)
#   entrypoint.sh manage CMD ...   any manage.py command
#
# Extra arguments after the role are appended to the command line.
# DRY_RUN=1 prints the command that would be exec'd and exits 0 (used by tests).
set -eu

APP_HOME=${APP_HOME:-$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)}
PYTHON=${PYTHON:-python}
CELERY_APP=${CELERY_APP:-config.celery_app}

usage() {
    cat >&2 <<USAGE
usage: entrypoint.sh {web|worker|beat|migrate|manage <command> [args...]|help} [args...]

  web       gunicorn config.wsgi:application (WEB_CONCURRENCY workers, default 2)
  worker    celery worker (CELERY_QUEUES, default celery; CELERY_CONCURRENCY, default 2)
  beat      celery beat (exactly one replica)
  migrate   manage.py deploy_migrate
  manage    manage.py <command> [args...]
USAGE
}

# Replace the shell with the command (signals reach it directly), or print it.
run() {
    if [ "${DRY_RUN:-0}" = "1" ]; then
        printf '%s\n' "$*"
        exit 0
    fi
    exec "$@"
}

if [ $# -eq 0 ]; then
    usage
    exit 2
fi
role=$1
shift

case "$role" in
    web)
        run gunicorn config.wsgi:application \
            --chdir "$APP_HOME" \
            --bind "0.0.0.0:${PORT:-8000}" \
            --workers "${WEB_CONCURRENCY:-2}" \
            --worker-tmp-dir "${GUNICORN_WORKER_TMP_DIR:-/tmp}" \
            --access-logfile - \
            "$@"
        ;;
    worker)
        run celery -A "$CELERY_APP" worker \
            -l "${CELERY_LOG_LEVEL:-info}" \
            -Q "${CELERY_QUEUES:-celery}" \
            -n 'celery@%h' \
            --concurrency "${CELERY_CONCURRENCY:-2}" \
            "$@"
        ;;
    beat)
        run celery -A "$CELERY_APP" beat \
            -l "${CELERY_LOG_LEVEL:-info}" \
            --schedule "${CELERY_BEAT_SCHEDULE:-/tmp/celerybeat-schedule}" \
            "$@"
        ;;
    migrate)
        run "$PYTHON" "$APP_HOME/manage.py" deploy_migrate "$@"
        ;;
    manage)
        if [ $# -eq 0 ]; then
            usage
            exit 2
        fi
        run "$PYTHON" "$APP_HOME/manage.py" "$@"
        ;;
    help | -h | --help)
        usage
        exit 0
        ;;
    *)
        printf 'entrypoint.sh: unknown role: %s\n' "$role" >&2
        usage
        exit 2
        ;;
esac
