"""Assertions on the rendered Helm chart and on the container entrypoint.

Run by scripts/chart-checks.sh (which installs helm into .tools/bin):
    .venv/bin/python -m pytest tests/charts -q -p no:django
No cluster and no Django are needed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from functools import cache
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "charts" / "mpp-digital"
CI_DIR = CHART / "ci"
CI_FILES = sorted(CI_DIR.glob("*.yaml"))
HELM = Path(os.environ.get("HELM_BIN", ROOT / ".tools" / "bin" / "helm"))
ENTRYPOINT = ROOT / "docker" / "entrypoint.sh"
RELEASE = "mpp"
NAMESPACE = "mpp-digital"
BASE_DOMAIN = "mpp.example.id"
POD_KINDS = {"Deployment", "Job", "Pod", "StatefulSet", "DaemonSet", "CronJob"}

needs_helm = pytest.mark.skipif(
    not HELM.exists(),
    reason=f"helm not found at {HELM}: run scripts/chart-checks.sh (it installs helm)",
)


# --------------------------------------------------------------------------- helpers


def _helm_template(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(HELM), "template", RELEASE, str(CHART), "--namespace", NAMESPACE, *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@cache
def render(*args: str) -> tuple[dict, ...]:
    proc = _helm_template(*args)
    assert proc.returncode == 0, f"helm template {' '.join(args)} failed:\n{proc.stderr}"
    return tuple(d for d in yaml.safe_load_all(proc.stdout) if d)


def render_file(values: Path, *extra: str) -> tuple[dict, ...]:
    return render("-f", str(values), *extra)


def minimal(*extra: str) -> tuple[dict, ...]:
    return render_file(CI_DIR / "minimal-values.yaml", *extra)


def values_of(values: Path) -> dict:
    return yaml.safe_load(values.read_text()) or {}


def of_kind(docs, kind: str) -> list[dict]:
    return [d for d in docs if d["kind"] == kind]


def by_name(docs, kind: str, suffix: str) -> dict | None:
    found = [d for d in of_kind(docs, kind) if d["metadata"]["name"].endswith(suffix)]
    assert len(found) <= 1, f"several {kind} ending in {suffix}"
    return found[0] if found else None


def annotations(doc: dict) -> dict:
    return doc["metadata"].get("annotations") or {}


def hook_events(doc: dict) -> set[str]:
    raw = annotations(doc).get("helm.sh/hook", "")
    return {h.strip() for h in raw.split(",") if h.strip()}


def hook_weight(doc: dict) -> int:
    return int(annotations(doc).get("helm.sh/hook-weight", "0"))


def pod_spec(doc: dict) -> dict:
    if doc["kind"] == "Pod":
        return doc["spec"]
    if doc["kind"] == "CronJob":
        return doc["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    return doc["spec"]["template"]["spec"]


def containers(spec: dict) -> list[dict]:
    return list(spec.get("initContainers") or []) + list(spec["containers"])


def workloads(docs) -> list[dict]:
    return [d for d in docs if d["kind"] in POD_KINDS]


ci_params = pytest.mark.parametrize("values", CI_FILES, ids=[p.stem for p in CI_FILES])


# --------------------------------------------------------------------------- chart


def test_ci_values_files_exist():
    names = {p.name for p in CI_FILES}
    assert {"default-values.yaml", "existing-secret-values.yaml"} <= names


@needs_helm
@ci_params
def test_beat_single_replica_recreate(values):
    docs = render_file(values)
    beat = by_name(docs, "Deployment", "-beat")
    if values_of(values).get("beat", {}).get("enabled", True) is False:
        assert beat is None
        return
    assert beat is not None, "beat Deployment missing"
    assert beat["spec"]["replicas"] == 1
    assert beat["spec"]["strategy"] == {"type": "Recreate"}
    assert not any(
        h["spec"]["scaleTargetRef"]["name"] == beat["metadata"]["name"]
        for h in of_kind(docs, "HorizontalPodAutoscaler")
    ), "beat must never be autoscaled"


@needs_helm
def test_beat_replicas_cannot_be_overridden():
    proc = _helm_template("-f", str(CI_DIR / "minimal-values.yaml"), "--set", "beat.replicas=3")
    assert proc.returncode != 0, "schema must reject beat.replicas"


@needs_helm
@ci_params
def test_migrate_job_is_pre_install_pre_upgrade_hook(values):
    docs = render_file(values)
    job = by_name(docs, "Job", "-migrate")
    assert job is not None, "migrate Job missing"
    assert {"pre-install", "pre-upgrade"} <= hook_events(job)
    assert hook_weight(job) == 0
    policy = annotations(job).get("helm.sh/hook-delete-policy", "")
    assert "before-hook-creation" in policy
    assert "hook-succeeded" in policy
    assert isinstance(job["spec"]["backoffLimit"], int)
    assert job["spec"]["activeDeadlineSeconds"] >= 600
    spec = pod_spec(job)
    assert spec["restartPolicy"] == "Never"
    assert spec["containers"][0]["args"][0] == "migrate"


def _secret_refs(spec: dict) -> set[str]:
    refs: set[str] = set()
    for c in containers(spec):
        for src in c.get("envFrom") or []:
            if "secretRef" in src:
                refs.add(src["secretRef"]["name"])
        for env in c.get("env") or []:
            ref = (env.get("valueFrom") or {}).get("secretKeyRef")
            if ref:
                refs.add(ref["name"])
    for vol in spec.get("volumes") or []:
        if "secret" in vol:
            refs.add(vol["secret"]["secretName"])
    return refs


def _other_refs(spec: dict) -> set[tuple[str, str]]:
    """ConfigMaps and PVCs a pod needs (kind, name)."""
    refs: set[tuple[str, str]] = set()
    for c in containers(spec):
        for src in c.get("envFrom") or []:
            if "configMapRef" in src:
                refs.add(("ConfigMap", src["configMapRef"]["name"]))
        for env in c.get("env") or []:
            ref = (env.get("valueFrom") or {}).get("configMapKeyRef")
            if ref:
                refs.add(("ConfigMap", ref["name"]))
    for vol in spec.get("volumes") or []:
        if "configMap" in vol:
            refs.add(("ConfigMap", vol["configMap"]["name"]))
        if "persistentVolumeClaim" in vol:
            refs.add(("PersistentVolumeClaim", vol["persistentVolumeClaim"]["claimName"]))
    return refs


@needs_helm
@ci_params
def test_migrate_hook_only_uses_what_exists_before_hooks(values):
    """A pre-install hook runs before any ordinary release resource exists."""
    docs = render_file(values)
    job = by_name(docs, "Job", "-migrate")
    spec = pod_spec(job)
    rendered = {(d["kind"], d["metadata"]["name"]): d for d in docs}
    job_weight = hook_weight(job)
    cfg = values_of(values)

    secrets = _secret_refs(spec)
    assert secrets, "the migrate Job must read its configuration from a Secret"
    for name in secrets:
        secret = rendered.get(("Secret", name))
        if secret is None:
            # Not rendered by the chart: must be one the operator provides.
            provided = {
                cfg.get("existingSecret"),
                (cfg.get("externalDatabase") or {}).get("existingSecret"),
                (cfg.get("externalRedis") or {}).get("existingSecret"),
            }
            assert name in provided, f"Secret {name} is neither rendered nor an existingSecret"
            continue
        assert {"pre-install", "pre-upgrade"} <= hook_events(secret), (
            f"Secret {name} used by the migrate hook must itself be a pre-install,pre-upgrade hook"
        )
        assert hook_weight(secret) < job_weight
        assert "before-hook-creation" in annotations(secret).get("helm.sh/hook-delete-policy", "")
        assert "hook-succeeded" not in annotations(secret).get("helm.sh/hook-delete-policy", ""), (
            "the Secret must outlive the hook: the Deployments use it too"
        )

    for kind, name in _other_refs(spec):
        doc = rendered.get((kind, name))
        assert doc is None or (
            "pre-install" in hook_events(doc) and hook_weight(doc) < job_weight
        ), f"{kind} {name} is an ordinary release resource: missing when pre-install runs"

    sa = spec.get("serviceAccountName", "default")
    sa_doc = rendered.get(("ServiceAccount", sa))
    assert sa_doc is None or "pre-install" in hook_events(sa_doc), (
        f"ServiceAccount {sa} does not exist yet when the pre-install hook runs"
    )


@needs_helm
def test_existing_secret_renders_no_chart_secret():
    values = CI_DIR / "existing-secret-values.yaml"
    cfg = values_of(values)
    docs = render_file(values)
    assert of_kind(docs, "Secret") == []
    for doc in workloads(docs):
        if doc["kind"] != "Pod":  # the helm test pod needs no configuration
            assert cfg["existingSecret"] in _secret_refs(pod_spec(doc))


@needs_helm
def test_chart_secret_is_stable_between_renders():
    """No randAlphaNum: a changing SECRET_KEY would log everyone out."""
    first = _helm_template("-f", str(CI_DIR / "minimal-values.yaml"))
    second = _helm_template("-f", str(CI_DIR / "minimal-values.yaml"))
    assert first.returncode == 0
    assert first.stdout == second.stdout


@needs_helm
@ci_params
def test_ingress_serves_apex_and_wildcard_with_tls(values):
    docs = render_file(values)
    ingresses = of_kind(docs, "Ingress")
    if not (values_of(values).get("ingress") or {}).get("enabled"):
        assert ingresses == []
        return
    assert len(ingresses) == 1
    spec = ingresses[0]["spec"]
    base = values_of(values)["baseDomain"]
    hosts = [r["host"] for r in spec["rules"]]
    assert base in hosts
    assert f"*.{base}" in hosts
    for rule in spec["rules"]:
        for path in rule["http"]["paths"]:
            assert path["backend"]["service"]["name"].endswith("-web")
    tls_hosts = {h for entry in spec.get("tls") or [] for h in entry["hosts"]}
    assert {base, f"*.{base}"} <= tls_hosts
    assert all(entry.get("secretName") for entry in spec["tls"])


@needs_helm
@ci_params
def test_nothing_runs_as_root(values):
    docs = render_file(values)  # helm template includes the test pod
    for doc in workloads(docs):
        where = f"{doc['kind']}/{doc['metadata']['name']}"
        spec = pod_spec(doc)
        psc = spec.get("securityContext") or {}
        assert psc.get("runAsNonRoot") is True, where
        assert psc.get("runAsUser", 1) != 0, where
        assert psc.get("runAsGroup", 1) != 0, where
        assert spec.get("automountServiceAccountToken") is False, where
        assert spec.get("hostNetwork") is not True and spec.get("hostPID") is not True, where
        for c in containers(spec):
            cwhere = f"{where} container {c['name']}"
            csc = c.get("securityContext") or {}
            assert csc.get("runAsNonRoot", psc.get("runAsNonRoot")) is True, cwhere
            assert csc.get("runAsUser", psc.get("runAsUser", 1)) != 0, cwhere
            assert csc.get("privileged") is not True, cwhere
            assert csc.get("allowPrivilegeEscalation") is False, cwhere
            assert csc.get("readOnlyRootFilesystem") is True, cwhere
            assert "ALL" in (csc.get("capabilities") or {}).get("drop", []), cwhere
            seccomp = csc.get("seccompProfile") or psc.get("seccompProfile") or {}
            assert seccomp.get("type") == "RuntimeDefault", cwhere
            # Read-only root FS: /tmp must be a writable emptyDir.
            mounts = {m["mountPath"]: m["name"] for m in c.get("volumeMounts") or []}
            assert "/tmp" in mounts, f"{cwhere}: no writable /tmp"
            vols = {v["name"]: v for v in spec.get("volumes") or []}
            assert "emptyDir" in vols[mounts["/tmp"]], cwhere


@needs_helm
def test_schema_rejects_root_and_bad_numbers():
    base = ("-f", str(CI_DIR / "minimal-values.yaml"))
    for override in (
        "containerSecurityContext.runAsNonRoot=false",
        "podSecurityContext.runAsUser=0",
        "containerSecurityContext.allowPrivilegeEscalation=true",
        "web.replicas=0",
        "web.concurrency=0",
        "migrations.activeDeadlineSeconds=10",
        "web.autoscaling.targetCPUUtilizationPercentage=150",
        "worker.queues=bad queue",
        "media.storage=nfs",
        "webb.replicas=2",
    ):
        proc = _helm_template(*base, "--set", override)
        assert proc.returncode != 0, f"schema accepted --set {override}"


@needs_helm
def test_required_values_fail_clearly():
    proc = _helm_template()
    assert proc.returncode != 0
    assert "baseDomain" in proc.stderr

    proc = _helm_template("--set", f"baseDomain={BASE_DOMAIN}")
    assert proc.returncode != 0
    assert "externalDatabase" in proc.stderr or "existingSecret" in proc.stderr

    proc = _helm_template(
        "--set", f"baseDomain={BASE_DOMAIN}",
        "--set", "externalDatabase.url=postgres://u:p@db/x",
        "--set", "externalRedis.url=redis://r:6379/0",
    )  # fmt: skip
    assert proc.returncode != 0
    assert "djangoSecretKey" in proc.stderr

    proc = _helm_template("-f", str(CI_DIR / "minimal-values.yaml"), "--set", "media.storage=s3")
    assert proc.returncode != 0
    assert "media.s3.bucket" in proc.stderr


@needs_helm
@ci_params
def test_every_container_has_resources(values):
    docs = render_file(values)  # helm template includes the test pod
    for doc in workloads(docs):
        for c in containers(pod_spec(doc)):
            res = c.get("resources") or {}
            where = f"{doc['metadata']['name']}/{c['name']}"
            assert res.get("requests", {}).get("cpu"), where
            assert res.get("requests", {}).get("memory"), where
            assert res.get("limits", {}).get("memory"), where


@needs_helm
@ci_params
def test_probes(values):
    docs = render_file(values)
    web = by_name(docs, "Deployment", "-web")
    (c,) = pod_spec(web)["containers"]
    assert c["args"] == ["web"]
    assert c["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert c["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert c["startupProbe"]["httpGet"]["path"] == "/healthz"
    for name in ("livenessProbe", "readinessProbe", "startupProbe"):
        probe = c[name]["httpGet"]
        assert probe["port"] == "http"
        headers = {h["name"]: h["value"] for h in probe.get("httpHeaders") or []}
        assert headers.get("Host") in (None, values_of(values)["baseDomain"])
    assert {p["name"]: p["containerPort"] for p in c["ports"]} == {"http": 8000}

    worker = by_name(docs, "Deployment", "-worker")
    (w,) = pod_spec(worker)["containers"]
    cmd = " ".join(w["livenessProbe"]["exec"]["command"])
    assert "inspect ping" in cmd
    assert "celery@${HOSTNAME}" in cmd
    env = {e["name"]: e.get("value") for e in w["env"]}
    assert env["CELERY_QUEUES"] == "celery"


@needs_helm
def test_env_contract():
    docs = minimal()
    web = by_name(docs, "Deployment", "-web")
    (c,) = pod_spec(web)["containers"]
    env = {e["name"]: e.get("value") for e in c["env"]}
    assert env["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
    assert env["DJANGO_DEBUG"] == "false"
    assert env["MPP_BASE_DOMAIN"] == BASE_DOMAIN
    assert env["DJANGO_LOG_FORMAT"] == "json"
    assert env["MEDIA_STORAGE"] == "filesystem"
    secret = by_name(docs, "Secret", RELEASE + "-mpp-digital")
    assert {"DJANGO_SECRET_KEY", "DATABASE_URL", "REDIS_URL"} <= set(secret["data"])

    docs = render_file(CI_DIR / "existing-secret-values.yaml")
    web = by_name(docs, "Deployment", "-web")
    (c,) = pod_spec(web)["containers"]
    env = {e["name"]: e for e in c["env"]}
    assert env["MEDIA_STORAGE"]["value"] == "s3"
    assert env["AWS_STORAGE_BUCKET_NAME"]["value"]
    assert env["DATABASE_URL"]["valueFrom"]["secretKeyRef"] == {"name": "mpp-pg-app", "key": "uri"}
    assert of_kind(docs, "PersistentVolumeClaim") == []


@needs_helm
def test_hpa_absent_by_default_and_present_when_enabled():
    docs = minimal()
    assert of_kind(docs, "HorizontalPodAutoscaler") == []
    assert by_name(docs, "Deployment", "-web")["spec"]["replicas"] == 2

    docs = minimal("--set", "web.autoscaling.enabled=true")
    (hpa,) = of_kind(docs, "HorizontalPodAutoscaler")
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["scaleTargetRef"]["name"].endswith("-web")
    assert "replicas" not in by_name(docs, "Deployment", "-web")["spec"], (
        "with an HPA the Deployment must not pin replicas"
    )

    docs = render_file(CI_DIR / "default-values.yaml")
    targets = {
        h["spec"]["scaleTargetRef"]["name"] for h in of_kind(docs, "HorizontalPodAutoscaler")
    }
    assert targets == {f"{RELEASE}-mpp-digital-web", f"{RELEASE}-mpp-digital-worker"}


@needs_helm
def test_pdb_for_web_and_worker():
    docs = minimal()
    pdbs = {d["metadata"]["name"]: d["spec"] for d in of_kind(docs, "PodDisruptionBudget")}
    assert set(pdbs) == {f"{RELEASE}-mpp-digital-web", f"{RELEASE}-mpp-digital-worker"}
    for spec in pdbs.values():
        assert ("minAvailable" in spec) != ("maxUnavailable" in spec)


@needs_helm
def test_service_account_and_network_policy():
    docs = minimal()
    (sa,) = of_kind(docs, "ServiceAccount")
    assert sa["automountServiceAccountToken"] is False
    assert of_kind(docs, "NetworkPolicy") == []
    assert of_kind(docs, "Ingress") == []

    docs = render_file(CI_DIR / "default-values.yaml")
    policies = of_kind(docs, "NetworkPolicy")
    assert {p["metadata"]["name"].rsplit("-", 1)[1] for p in policies} == {"ingress", "egress"}


@needs_helm
def test_helm_test_pod_is_a_test_hook():
    docs = render(
        "-f",
        str(CI_DIR / "minimal-values.yaml"),
        "--show-only",
        "templates/tests/test-connection.yaml",
    )
    (pod,) = docs
    assert "test" in hook_events(pod)
    script = pod["spec"]["containers"][0]["command"][-1]
    assert "/healthz" in script
    assert "/readyz" in script


# --------------------------------------------------------------------------- image


def _entrypoint(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    shell = shutil.which("dash") or "sh"  # POSIX sh, as in the Debian-slim image
    full_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "APP_HOME": "/app", **env}
    return subprocess.run(
        [shell, str(ENTRYPOINT), *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=10,
        check=False,
    )


def test_entrypoint_is_posix_and_executable():
    text = ENTRYPOINT.read_text()
    assert text.startswith("#!/bin/sh\n")
    assert "set -eu" in text
    assert os.access(ENTRYPOINT, os.X_OK), "docker/entrypoint.sh must be executable"


@pytest.mark.parametrize("args", [("bogus",), ()], ids=["unknown", "none"])
def test_entrypoint_unknown_role_prints_usage_and_exits_2(args):
    proc = _entrypoint(*args, DRY_RUN="1")
    assert proc.returncode == 2
    assert "usage:" in proc.stderr
    assert proc.stdout == ""


def test_entrypoint_manage_without_command_exits_2():
    proc = _entrypoint("manage", DRY_RUN="1")
    assert proc.returncode == 2
    assert "usage:" in proc.stderr


def test_entrypoint_help_exits_0():
    proc = _entrypoint("help")
    assert proc.returncode == 0
    assert "usage:" in proc.stderr


def test_entrypoint_web_command_line():
    proc = _entrypoint("web", DRY_RUN="1")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == [
        "gunicorn", "config.wsgi:application",
        "--chdir", "/app",
        "--bind", "0.0.0.0:8000",
        "--workers", "2",
        "--worker-tmp-dir", "/tmp",
        "--access-logfile", "-",
    ]  # fmt: skip

    proc = _entrypoint("web", "--timeout", "60", DRY_RUN="1", WEB_CONCURRENCY="5", PORT="9000")
    out = proc.stdout.split()
    assert out[out.index("--workers") + 1] == "5"
    assert out[out.index("--bind") + 1] == "0.0.0.0:9000"
    assert out[-2:] == ["--timeout", "60"]


def test_entrypoint_worker_beat_migrate_manage():
    out = _entrypoint("worker", DRY_RUN="1").stdout.split()
    assert out[:4] == ["celery", "-A", "config.celery_app", "worker"]
    assert out[out.index("-Q") + 1] == "celery"
    assert out[out.index("-n") + 1] == "celery@%h"  # matches the probe's celery@$HOSTNAME

    out = _entrypoint(
        "worker", DRY_RUN="1", CELERY_QUEUES="celery,reports", CELERY_CONCURRENCY="1"
    ).stdout.split()
    assert out[out.index("-Q") + 1] == "celery,reports"
    assert out[out.index("--concurrency") + 1] == "1"

    out = _entrypoint("beat", DRY_RUN="1").stdout.split()
    assert out[:4] == ["celery", "-A", "config.celery_app", "beat"]
    assert out[out.index("--schedule") + 1].startswith("/tmp/"), "root FS is read-only"

    assert _entrypoint("migrate", DRY_RUN="1").stdout.split() == [
        "python", "/app/manage.py", "deploy_migrate",
    ]  # fmt: skip
    assert _entrypoint("manage", "check", "--deploy", DRY_RUN="1").stdout.split() == [
        "python", "/app/manage.py", "check", "--deploy",
    ]  # fmt: skip


def test_entrypoint_execs_the_command():
    """Without DRY_RUN the role's command replaces the shell (exec): use a fake gunicorn."""
    fake_bin = ROOT / ".tools" / "fake-bin"
    fake_bin.mkdir(parents=True, exist_ok=True)
    fake = fake_bin / "gunicorn"
    fake.write_text('#!/bin/sh\necho "fake-gunicorn $*"\nexit 7\n')
    fake.chmod(0o755)
    proc = _entrypoint("web", PATH=f"{fake_bin}:{os.environ.get('PATH', '/usr/bin:/bin')}")
    assert proc.returncode == 7
    assert proc.stdout.startswith("fake-gunicorn config.wsgi:application")


def _stages(text: str) -> list[list[str]]:
    stages: list[list[str]] = []
    for line in text.splitlines():
        if line.startswith("FROM "):
            stages.append([])
        if stages:
            stages[-1].append(line)
    return stages


def test_dockerfile_contract():
    text = (ROOT / "Dockerfile").read_text()
    stages = _stages(text)
    assert len(stages) >= 2, "multi-stage build expected"
    assert "ARG PYTHON_IMAGE=python:3.11-slim" in text
    final = "\n".join(stages[-1])
    assert "build-essential" not in final
    assert "gettext" not in final
    assert "USER ${APP_UID}" in final
    assert "ARG APP_UID=10001" in final
    assert 'ENTRYPOINT ["/app/docker/entrypoint.sh"]' in final
    assert "PYTHONPATH=/app/platform:/app" in text
    for lib in ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0", "fonts-dejavu-core"):
        assert lib in text
    build = "\n".join(stages[1])
    assert "compilemessages" in build
    assert "collectstatic --noinput" in build
    assert "DJANGO_SECRET_KEY" not in final, "no dummy secrets in the final stage"
    ignore = (ROOT / ".dockerignore").read_text().split()
    for entry in (".git", ".venv", ".tools", "charts", "tests"):
        assert entry in ignore
