{{/* vim: set filetype=mustache: */}}

{{- define "mpp.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Full name, truncated so that "<fullname>-<component>" (longest: "-migrate") stays
within 63 characters.
*/}}
{{- define "mpp.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 52 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 52 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 52 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "mpp.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "mpp.selectorLabels" -}}
app.kubernetes.io/name: {{ include "mpp.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "mpp.labels" -}}
helm.sh/chart: {{ include "mpp.chart" . }}
{{ include "mpp.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: mpp-digital
{{- end -}}

{{/* Labels for one component: (dict "ctx" $ "component" "web") */}}
{{- define "mpp.componentLabels" -}}
{{ include "mpp.labels" .ctx }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "mpp.componentSelectorLabels" -}}
{{ include "mpp.selectorLabels" .ctx }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "mpp.image" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag -}}
{{- if .Values.image.digest -}}
{{- printf "%s:%s@%s" .Values.image.repository $tag .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository $tag -}}
{{- end -}}
{{- end -}}

{{- define "mpp.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "mpp.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/*
ServiceAccount of the pre-install hook Job. A ServiceAccount created by this
release does not exist yet when pre-install hooks run, so the Job then uses the
namespace's "default" account (its token is not mounted either way).
*/}}
{{- define "mpp.hookServiceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
default
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* Name of the Secret loaded with envFrom. */}}
{{- define "mpp.secretName" -}}
{{- default (include "mpp.fullname" .) .Values.existingSecret -}}
{{- end -}}

{{- define "mpp.tlsSecretName" -}}
{{- default (printf "%s-tls" (include "mpp.fullname" .)) .Values.ingress.tls.secretName -}}
{{- end -}}

{{/*
Django SECRET_KEY for the chart Secret: the value given, else the one already in
the cluster (lookup works with install/upgrade only), else fail. Never random.
*/}}
{{- define "mpp.djangoSecretKeyB64" -}}
{{- if .Values.secrets.djangoSecretKey -}}
{{- .Values.secrets.djangoSecretKey | b64enc -}}
{{- else -}}
{{- $existing := lookup "v1" "Secret" .Release.Namespace (include "mpp.fullname" .) -}}
{{- if and $existing $existing.data (hasKey $existing.data "DJANGO_SECRET_KEY") -}}
{{- index $existing.data "DJANGO_SECRET_KEY" -}}
{{- else -}}
{{- fail "secrets.djangoSecretKey is required when existingSecret is empty (or use existingSecret; see docs/operations.md)" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Fails rendering with a clear message when required values are missing. */}}
{{- define "mpp.validate" -}}
{{- if not .Values.baseDomain -}}
{{- fail "baseDomain is required (e.g. mpp.example.id)" -}}
{{- end -}}
{{- if hasPrefix "*." .Values.baseDomain -}}
{{- fail "baseDomain must be the apex domain (mpp.example.id), not a wildcard: the chart adds *.<baseDomain> itself" -}}
{{- end -}}
{{- if not .Values.existingSecret -}}
{{- if not (or .Values.externalDatabase.url .Values.externalDatabase.existingSecret) -}}
{{- fail "set externalDatabase.url or externalDatabase.existingSecret, or provide existingSecret with DATABASE_URL" -}}
{{- end -}}
{{- if not (or .Values.externalRedis.url .Values.externalRedis.existingSecret) -}}
{{- fail "set externalRedis.url or externalRedis.existingSecret, or provide existingSecret with REDIS_URL" -}}
{{- end -}}
{{- end -}}
{{- if and (eq .Values.media.storage "s3") (not .Values.media.s3.bucket) -}}
{{- fail "media.s3.bucket is required when media.storage is s3" -}}
{{- end -}}
{{- end -}}

{{/* Whether a media volume is mounted into web and worker. */}}
{{- define "mpp.mediaVolumeEnabled" -}}
{{- if eq .Values.media.storage "filesystem" -}}true{{- end -}}
{{- end -}}

{{- define "mpp.mediaClaimName" -}}
{{- default (printf "%s-media" (include "mpp.fullname" .)) .Values.media.persistence.existingClaim -}}
{{- end -}}

{{/*
Environment shared by every container: (dict "ctx" $ "extra" <component extraEnv>)
*/}}
{{- define "mpp.env" -}}
{{- $v := .ctx.Values -}}
- name: DJANGO_SETTINGS_MODULE
  value: {{ $v.django.settingsModule | quote }}
- name: DJANGO_DEBUG
  value: {{ $v.django.debug | toString | quote }}
- name: DJANGO_LOG_FORMAT
  value: {{ $v.django.logFormat | quote }}
- name: MPP_BASE_DOMAIN
  value: {{ $v.baseDomain | quote }}
{{- with $v.extraAllowedHosts }}
- name: DJANGO_ALLOWED_HOSTS
  value: {{ join "," . | quote }}
{{- end }}
- name: MEDIA_STORAGE
  value: {{ $v.media.storage | quote }}
{{- if eq $v.media.storage "s3" }}
- name: AWS_STORAGE_BUCKET_NAME
  value: {{ $v.media.s3.bucket | quote }}
{{- with $v.media.s3.endpointUrl }}
- name: AWS_S3_ENDPOINT_URL
  value: {{ . | quote }}
{{- end }}
{{- end }}
- name: CELERY_LOG_LEVEL
  value: {{ $v.django.celeryLogLevel | quote }}
{{- with $v.externalDatabase.existingSecret }}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ . | quote }}
      key: {{ $v.externalDatabase.existingSecretKey | quote }}
{{- end }}
{{- with $v.externalRedis.existingSecret }}
- name: REDIS_URL
  valueFrom:
    secretKeyRef:
      name: {{ . | quote }}
      key: {{ $v.externalRedis.existingSecretKey | quote }}
{{- end }}
{{- with $v.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- with .extra }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "mpp.envFrom" -}}
- secretRef:
    name: {{ include "mpp.secretName" . | quote }}
{{- with .Values.extraEnvFrom }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Pod-level settings shared by every pod: (dict "ctx" $ "component" "web" "hook" false) */}}
{{- define "mpp.podCommon" -}}
{{- $v := .ctx.Values -}}
{{- if .hook }}
serviceAccountName: {{ include "mpp.hookServiceAccountName" .ctx }}
{{- else }}
serviceAccountName: {{ include "mpp.serviceAccountName" .ctx }}
{{- end }}
automountServiceAccountToken: false
enableServiceLinks: false
securityContext:
  {{- toYaml $v.podSecurityContext | nindent 2 }}
{{- with $v.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* Scheduling for a component: the component's values block. */}}
{{- define "mpp.scheduling" -}}
{{- with .nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .topologySpreadConstraints }}
topologySpreadConstraints:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{- define "mpp.containerSecurityContext" -}}
securityContext:
  {{- toYaml .Values.containerSecurityContext | nindent 2 }}
{{- end -}}

{{- define "mpp.tmpVolume" -}}
- name: tmp
  emptyDir:
    {{- with .Values.tmpVolume.medium }}
    medium: {{ . }}
    {{- end }}
    sizeLimit: {{ .Values.tmpVolume.sizeLimit }}
{{- end -}}

{{- define "mpp.mediaVolume" -}}
- name: media
  {{- if .Values.media.persistence.enabled }}
  persistentVolumeClaim:
    claimName: {{ include "mpp.mediaClaimName" . }}
  {{- else }}
  emptyDir: {}
  {{- end }}
{{- end -}}

{{/* Pod annotations: (dict "ctx" $ "extra" <component podAnnotations>) */}}
{{- define "mpp.podAnnotations" -}}
kubectl.kubernetes.io/default-container: {{ .component }}
{{- if not .ctx.Values.existingSecret }}
checksum/secret: {{ include (print .ctx.Template.BasePath "/secret.yaml") .ctx | sha256sum }}
{{- end }}
{{- with .ctx.Values.podAnnotations }}
{{ toYaml . }}
{{- end }}
{{- with .extra }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "mpp.podLabels" -}}
{{ include "mpp.componentLabels" (dict "ctx" .ctx "component" .component) }}
{{- with .ctx.Values.podLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "mpp.intOrString" -}}
{{- if kindIs "string" . }}{{ . | quote }}{{ else }}{{ . }}{{ end -}}
{{- end -}}

{{- define "mpp.pdbSpec" -}}
{{- if not (kindIs "invalid" .minAvailable) }}
minAvailable: {{ include "mpp.intOrString" .minAvailable }}
{{- else }}
maxUnavailable: {{ include "mpp.intOrString" (default 1 .maxUnavailable) }}
{{- end }}
{{- end -}}
