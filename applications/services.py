"""Writes of the applications app: drafts, submission (idempotent), revision, assignment,
output documents and the SLA recomputation. Transitions themselves live in
`applications.statemachine` (the one place that knows the status machine)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.core.files.base import ContentFile, File
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import clock
from .errors import (
    ApplicationNotFound,
    ConsentRequired,
    IdempotencyConflict,
    IdempotencyKeyRequired,
    IllegalTransition,
    InvalidApplication,
    NotVerified,
    OfferingUnavailable,
    UploadRejected,
    WrongRole,
)
from .formspec import FormSpec, form_spec_for, serialize_cleaned
from .hooks import application_output_rendered
from .models import (
    Application,
    ApplicationEvent,
    ApplicationStep,
    EventKind,
    SlaState,
    Status,
)
from .permissions import StaffScope, staff_scope
from .statemachine import application_transition

OUTPUT_SALT = "applications.output.v1"
IDEMPOTENCY_KEY_MAX = 64


# --------------------------------------------------------------------------- adapters


def user_is_verified(user: Any) -> bool:
    try:
        from accounts.selectors import user_is_verified as verified
    except ImportError:  # pragma: no cover - accounts app without verification
        return bool(getattr(user, "is_authenticated", False))
    return verified(user)


def offering_for_apply(*, service_code: str) -> Any:
    """The enabled online offering with this code, or OfferingUnavailable (404)."""
    from core.errors import NotFound
    from services.models import Offering
    from services.selectors import offering_by_code

    try:
        offering = offering_by_code(service_code, enabled_only=True)
    except NotFound as exc:
        raise OfferingUnavailable(
            _("Layanan %(code)s tidak tersedia secara daring di daerah ini.")
            % {"code": service_code}
        ) from exc
    if offering.channel != Offering.Channel.ONLINE:
        raise OfferingUnavailable(
            _("Layanan %(code)s tidak diajukan melalui MPP Digital di daerah ini.")
            % {"code": offering.service_code},
            extra={"channel": offering.channel, "external_url": offering.external_url},
        )
    return offering


# --------------------------------------------------------------------------- validation


@dataclass
class Validated:
    form_data: dict[str, Any]
    documents: dict[str, int]
    vault_documents: dict[int, Any] | None = None  # {id: vault row} as validation read them


def _owned_documents(*, owner_id: int, ids: set[int]) -> dict[int, Any]:
    """The owner's documents still in their vault (across regencies) among `ids`."""
    from vault.selectors import documents_by_id

    return documents_by_id(owner_id=owner_id, ids=ids)


def _consented_plan(
    *, applicant: Any, offering: Any, spec: FormSpec, documents: Mapping[str, int],
    share_consent: bool, consent_digest: str, loaded: Mapping[int, Any] | None = None,
) -> list[Any]:
    """The documents this submission gives to which OPD here (applications.attachments);
    ConsentRequired when something new would be shared without the citizen's consent to
    exactly this list (`consent_digest`, when given, names the list they saw)."""
    from .attachments import needs_consent, plan_digest, sharing_plan

    plan = sharing_plan(owner_id=applicant.pk, offering=offering, spec=spec, documents=documents,
                        loaded=loaded)
    if not needs_consent(plan):
        return plan
    digest = plan_digest(plan)
    if share_consent and (not consent_digest or consent_digest == digest):
        return plan
    message = (
        _("Daftar dokumen yang dibagikan berubah. Periksa dan setujui lagi.")
        if share_consent else
        _("Setujui dulu dokumen yang akan dibagikan kepada OPD sebelum permohonan diajukan.")
    )
    raise ConsentRequired(message, extra={
        "consent_digest": digest, "documents": [d.as_api() for d in plan if d.new],
    }, plan=plan)


def clean_documents(
    *, owner_id: int, documents: Mapping[str, Any], spec: FormSpec,
    found: dict[int, Any] | None = None,
) -> tuple[dict[str, int], dict[str, list[str]]]:
    """Keep references to the owner's own, undeleted vault documents for known requirements.
    `found`, when given, receives the vault rows read ({id: document})."""
    wanted: dict[str, int] = {}
    errors: dict[str, list[str]] = {}
    codes = {r.code for r in spec.requirements}
    for code, value in (documents or {}).items():
        if code not in codes or value in (None, ""):
            continue
        try:
            wanted[code] = int(value)
        except (TypeError, ValueError):
            errors[f"doc_{code}"] = [_("Pilihan dokumen tidak valid.")]
    owned = _owned_documents(owner_id=owner_id, ids=set(wanted.values()))
    if found is not None:
        found.update(owned)
    for code, doc_id in list(wanted.items()):
        if doc_id not in owned:
            del wanted[code]
            errors[f"doc_{code}"] = [_("Dokumen tidak ditemukan di brankas Anda.")]
    return wanted, errors


def validate_submission(
    *, spec: FormSpec, owner_id: int, form_data: Mapping[str, Any], documents: Mapping[str, Any]
) -> Validated:
    """Full validation for submission; raises InvalidApplication with
    `extra["fields"] = {field name or "doc_<requirement>": [messages]}`."""
    form = spec.form_class(data=_as_form_data(form_data))
    errors: dict[str, list[str]] = {}
    if not form.is_valid():
        for name, messages in form.errors.items():
            errors[name] = [str(m) for m in messages]
    cleaned = serialize_cleaned(form.cleaned_data) if not errors else {}
    vault_documents: dict[int, Any] = {}
    docs, doc_errors = clean_documents(owner_id=owner_id, documents=documents, spec=spec,
                                       found=vault_documents)
    errors.update(doc_errors)
    values = form.cleaned_data if hasattr(form, "cleaned_data") else {}
    for requirement in spec.requirements:
        key = f"doc_{requirement.code}"
        if key in errors or requirement.code in docs:
            continue
        if requirement.is_required(values):
            errors[key] = [
                _("Dokumen \"%(label)s\" wajib dilampirkan: pilih dari brankas atau unggah.")
                % {"label": requirement.label}
            ]
    if errors:
        raise InvalidApplication(
            _("Periksa kembali isian yang ditandai."), extra={"fields": errors}
        )
    return Validated(form_data=cleaned, documents=docs, vault_documents=vault_documents)


def _as_form_data(data: Mapping[str, Any]) -> dict[str, Any]:
    return {k: ("" if v is None else v) for k, v in (data or {}).items()}


def _draft_form_data(spec: FormSpec, data: Mapping[str, Any]) -> dict[str, Any]:
    names = spec.field_names
    result: dict[str, Any] = {}
    for name in names:
        if name in data:
            value = data[name]
            result[name] = value if isinstance(value, str | int | float | bool) or value is None \
                else str(value)
    return result


def _lookup_digits(*, applicant: Any, spec: FormSpec, form_data: Mapping[str, Any]) -> list[str]:
    digits: set[str] = set()
    candidates = [getattr(applicant, "phone", None)]
    try:
        from accounts.selectors import profile_prefill_values

        candidates.append(profile_prefill_values(applicant).get("nik"))
    except ImportError:  # pragma: no cover
        pass
    candidates.extend(form_data.get(name) for name in spec.identity_fields)
    for value in candidates:
        only = "".join(ch for ch in str(value or "") if ch.isdigit())
        if len(only) >= 8:
            digits.add(only[-4:])
    return sorted(digits)


# --------------------------------------------------------------------------- drafts


def _check_can_apply(applicant: Any) -> None:
    if not user_is_verified(applicant):
        raise NotVerified(
            _("Verifikasi email atau nomor ponsel Anda terlebih dahulu sebelum mengajukan "
              "permohonan.")
        )


def _normalize_key(key: str | None) -> str | None:
    key = (key or "").strip()
    if not key:
        return None
    if len(key) > IDEMPOTENCY_KEY_MAX:
        raise IdempotencyKeyRequired(
            _("Idempotency-Key paling panjang %(n)d karakter.") % {"n": IDEMPOTENCY_KEY_MAX}
        )
    return key


@transaction.atomic
def application_create_draft(
    *, applicant: Any, offering: Any, form_data: Mapping[str, Any] | None = None,
    documents: Mapping[str, Any] | None = None, idempotency_key: str | None = None,
) -> Application:
    """A new draft (or, with an idempotency key already used by this applicant, that one)."""
    _check_can_apply(applicant)
    key = _normalize_key(idempotency_key)
    if key:
        existing = Application.objects.filter(applicant_id=applicant.pk, idempotency_key=key).first()
        if existing is not None:
            return existing
    spec = form_spec_for(offering)
    docs, _errors = clean_documents(owner_id=applicant.pk, documents=documents or {}, spec=spec)
    application, _created = _draft_insert(
        applicant=applicant, offering=offering, spec=spec, form_data=form_data, docs=docs,
        key=key,
    )
    return application


def _draft_insert(
    *, applicant: Any, offering: Any, spec: FormSpec, form_data: Mapping[str, Any] | None,
    docs: dict[str, int], key: str, events: list[ApplicationEvent] | None = None,
) -> tuple[Application, bool]:
    """Insert a draft (documents already checked); `(application, created)`: not created
    when the same key was inserted concurrently (that row is returned). One statement
    (INSERT … ON CONFLICT DO NOTHING: no savepoint). Its "draft saved" event is inserted
    now, or appended unsaved to `events` for the caller to insert with its own."""
    from .inserts import insert_new

    application = Application(
        offering=offering, service_code=offering.service_code,
        service_version_id=offering.service_version_id, agency_id=offering.agency_id,
        applicant_id=applicant.pk, status=Status.DRAFT,
        form_data=_draft_form_data(spec, form_data or {}), documents=docs, idempotency_key=key,
    )
    version = getattr(type(offering), "service_version", None)
    if version is not None and version.is_cached(offering):  # the workflow, the SLA, the name
        application.service_version = offering.service_version
    if not insert_new([application], key=("applicant_id", "idempotency_key")):
        # the same key inserted concurrently (committed before our insert looked)
        existing = Application.objects.filter(applicant_id=applicant.pk, idempotency_key=key).first()
        if existing is None:
            raise IntegrityError("application draft insert conflicted on another constraint")
        return existing, False
    event = ApplicationEvent(
        application=application, kind=EventKind.DRAFT_SAVED, actor_id=applicant.pk,
        to_status=Status.DRAFT,
    )
    if events is None:
        event.save(force_insert=True)
    else:
        events.append(event)
    return application, True


def _own_application(*, applicant: Any, application_id: int, lock: bool = False) -> Application:
    qs = Application.objects.select_related("offering")
    if lock:
        qs = qs.select_for_update()
    application = qs.filter(pk=application_id, applicant_id=applicant.pk).first()
    if application is None:
        raise ApplicationNotFound(_("Permohonan tidak ditemukan."))
    return application


@transaction.atomic
def application_update_draft(
    *, applicant: Any, application_id: int, form_data: Mapping[str, Any] | None = None,
    documents: Mapping[str, Any] | None = None,
) -> Application:
    application = _own_application(applicant=applicant, application_id=application_id, lock=True)
    if application.status != Status.DRAFT:
        raise IllegalTransition(_("Hanya draf yang dapat diubah."),
                                extra={"status": application.status})
    spec = form_spec_for(application.offering, version_id=application.service_version_id)
    if form_data is not None:
        application.form_data = _draft_form_data(spec, form_data)
    if documents is not None:
        application.documents, _errors = clean_documents(
            owner_id=applicant.pk, documents=documents, spec=spec
        )
    application.save(update_fields=["form_data", "documents", "updated_at"])
    return application


# --------------------------------------------------------------------------- submission


@transaction.atomic
def application_submit(
    *, applicant: Any, idempotency_key: str | None, application_id: int | None = None,
    offering: Any = None, form_data: Mapping[str, Any] | None = None,
    documents: Mapping[str, Any] | None = None, share_consent: bool = False,
    consent_digest: str = "",
) -> tuple[Application, bool]:
    """Submit a draft (`application_id`) or create-and-submit (`offering`). Returns
    `(application, replayed)`: a replay with the same key returns the same application and
    `replayed=True`, without a second submission or notification.

    Vault documents go to this regency's OPDs only with `share_consent` (ConsentRequired
    otherwise, before anything is written); this regency then holds its own copies."""
    from . import memo

    with memo.scope():  # the OPD-kind mappings and the OPDs, read once for the whole submission
        return _submit(
            applicant=applicant, idempotency_key=idempotency_key, application_id=application_id,
            offering=offering, form_data=form_data, documents=documents,
            share_consent=share_consent, consent_digest=consent_digest,
        )


def _submit(
    *, applicant: Any, idempotency_key: str | None, application_id: int | None,
    offering: Any, form_data: Mapping[str, Any] | None, documents: Mapping[str, Any] | None,
    share_consent: bool, consent_digest: str,
) -> tuple[Application, bool]:
    key = _normalize_key(idempotency_key)
    if not key:
        raise IdempotencyKeyRequired(
            _("Pengajuan membutuhkan kunci idempotensi (Idempotency-Key)."),
        )
    _check_can_apply(applicant)
    existing = Application.objects.filter(applicant_id=applicant.pk, idempotency_key=key).first()
    if existing is not None and existing.status != Status.DRAFT:
        if application_id is not None and existing.pk != application_id:
            raise IdempotencyConflict(
                _("Kunci idempotensi ini sudah dipakai untuk permohonan lain.")
            )
        return existing, True
    if existing is not None:
        if application_id is not None and existing.pk != application_id:
            raise IdempotencyConflict(
                _("Kunci idempotensi ini sudah dipakai untuk permohonan lain.")
            )
        application_id = existing.pk
    validated: Validated | None = None
    inserted: Application | None = None  # the draft this call inserts (needs no re-read)
    draft_events: list[ApplicationEvent] = []
    if application_id is None:
        if offering is None:
            raise ApplicationNotFound(_("Permohonan tidak ditemukan."))
        spec = form_spec_for(offering)
        validated = validate_submission(  # refuse before anything is written
            spec=spec, owner_id=applicant.pk, form_data=form_data or {},
            documents=documents or {},
        )
        plan = _consented_plan(applicant=applicant, offering=offering, spec=spec,
                               documents=validated.documents, share_consent=share_consent,
                               consent_digest=consent_digest, loaded=validated.vault_documents)
        draft, created = _draft_insert(
            applicant=applicant, offering=offering, spec=spec, form_data=form_data,
            docs=validated.documents, key=key, events=draft_events,
        )
        application_id = draft.pk
        if created:
            inserted = draft
        else:  # the same key won a race: check that row as any other draft
            validated = None
    if validated is None:
        application = _own_application(
            applicant=applicant, application_id=application_id, lock=True
        )
        if application.status != Status.DRAFT:
            if application.idempotency_key != key:
                raise IdempotencyConflict(
                    _("Permohonan ini sudah diajukan dengan kunci idempotensi lain."),
                    extra={"status": application.status},
                )
            return application, True
        spec = form_spec_for(application.offering, version_id=application.service_version_id)
        validated = validate_submission(
            spec=spec, owner_id=applicant.pk,
            form_data=form_data if form_data is not None else application.form_data,
            documents=documents if documents is not None else application.documents,
        )
        plan = _consented_plan(applicant=applicant, offering=application.offering, spec=spec,
                               documents=validated.documents, share_consent=share_consent,
                               consent_digest=consent_digest, loaded=validated.vault_documents)
    # (a draft inserted above by this transaction needs no lock: nobody else can see it yet)

    def before_save(app: Application) -> None:
        app.form_data = validated.form_data
        app.documents = validated.documents
        app.idempotency_key = key  # the submission's key identifies it from now on
        app.lookup_digits = _lookup_digits(
            applicant=applicant, spec=spec, form_data=validated.form_data
        )

    application = application_transition(
        application_id=application_id, action="submit", actor=applicant,
        before_save=before_save, locked=inserted, prior_events=draft_events,
    )
    from .attachments import documents_attach

    documents_attach(application=application, plan=plan, actor=applicant)
    return application, False


def application_resubmit(
    *, applicant: Any, application_id: int, form_data: Mapping[str, Any] | None = None,
    documents: Mapping[str, Any] | None = None, note: str = "", share_consent: bool = False,
    consent_digest: str = "",
) -> Application:
    """Send a returned application back with the corrections (the SLA clock resumes). Newly
    attached documents need the citizen's consent, as on submission."""
    with transaction.atomic():
        application = _own_application(
            applicant=applicant, application_id=application_id, lock=True
        )
        if application.status != Status.RETURNED:
            raise IllegalTransition(
                _("Permohonan ini tidak sedang menunggu perbaikan."),
                extra={"status": application.status},
            )
        spec = form_spec_for(application.offering, version_id=application.service_version_id)
        merged_docs = {**application.documents, **(documents or {})}
        validated = validate_submission(
            spec=spec, owner_id=applicant.pk,
            form_data=form_data if form_data is not None else application.form_data,
            documents=merged_docs,
        )
        plan = _consented_plan(applicant=applicant, offering=application.offering, spec=spec,
                               documents=validated.documents, share_consent=share_consent,
                               consent_digest=consent_digest, loaded=validated.vault_documents)

        def before_save(app: Application) -> None:
            app.form_data = validated.form_data
            app.documents = validated.documents
            app.lookup_digits = _lookup_digits(
                applicant=applicant, spec=spec, form_data=validated.form_data
            )

        resubmitted = application_transition(
            application_id=application.pk, action="resubmit", actor=applicant, note=note,
            before_save=before_save,
        )
        from .attachments import documents_attach

        documents_attach(application=resubmitted, plan=plan, actor=applicant)
        return resubmitted


# --------------------------------------------------------------------------- staff


def _staff_application(
    *, application_id: int, actor: Any, scope: StaffScope, lock: bool = True
) -> Application:
    qs = Application.objects.select_related("offering")
    if lock:
        qs = qs.select_for_update()
    application = qs.filter(pk=application_id).exclude(status=Status.DRAFT).first()
    if application is None or not scope.sees_application(application):
        raise ApplicationNotFound(_("Permohonan tidak ditemukan."))
    if not scope.can_act(application.agency_id):
        raise WrongRole(_("Peran Anda tidak berwenang untuk tindakan ini."))
    return application


@transaction.atomic
def application_assign(
    *, application_id: int, actor: Any, assignee_id: int | None, scope: StaffScope | None = None
) -> Application:
    """Assign the current step to an officer/agency head of the OPD holding the file (or a
    tenant admin); ``assignee_id`` = the actor is a claim; None clears."""
    scope = scope or staff_scope(actor)
    application = _staff_application(application_id=application_id, actor=actor, scope=scope)
    if assignee_id is not None:
        from agencies.models import StaffRole

        from .permissions import ACTING_ROLES

        eligible = StaffRole.objects.filter(user_id=assignee_id, is_active=True).filter(
            models_q_agency_or_admin(application.agency_id, ACTING_ROLES)
        ).exists()
        if not eligible:
            raise WrongRole(_("Petugas yang dipilih tidak bertugas di OPD ini."))
    previous = application.assigned_to_id
    application.assigned_to_id = assignee_id
    application.save(update_fields=["assigned_to", "updated_at"])
    # the task is the open workflow step: it carries the officer too (issue 13)
    ApplicationStep.objects.filter(application=application, finished_at__isnull=True).update(
        assignee_id=assignee_id
    )
    ApplicationEvent.objects.create(
        application=application, kind=EventKind.ASSIGNMENT, actor_id=actor.pk,
        data={"from": previous, "to": assignee_id, "step": application.current_step,
              "claimed": assignee_id is not None and assignee_id == actor.pk},
    )
    return application


def models_q_agency_or_admin(agency_id: int, roles: Any) -> Any:
    from django.db.models import Q

    return Q(role="tenant_admin") | Q(agency_id=agency_id, role__in=list(roles))


@transaction.atomic
def application_comment(
    *, application_id: int, actor: Any, note: str, scope: StaffScope | None = None
) -> ApplicationEvent:
    scope = scope or staff_scope(actor)
    application = _staff_application(application_id=application_id, actor=actor, scope=scope)
    note = (note or "").strip()
    if not note:
        raise InvalidApplication(_("Catatan kosong."), extra={"fields": {"note": [_("Wajib diisi.")]}})
    return ApplicationEvent.objects.create(
        application=application, kind=EventKind.COMMENT, actor_id=actor.pk, note=note[:2000]
    )


# --------------------------------------------------------------------------- outputs


def _canonical_output(application: Application) -> dict[str, Any]:
    return {
        "s": connection.schema_name,
        "a": application.pk,
        "t": application.tracking_code,
        "n": application.output_number,
        "d": application.output_name,
        "i": application.output_issued_at.isoformat() if application.output_issued_at else "",
        "v": application.output_valid_until.isoformat() if application.output_valid_until else "",
        "f": application.output_sha256 if application.output_source == "uploaded" else "",
    }


def output_digest(application: Application) -> str:
    payload = json.dumps(_canonical_output(application), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


def output_token(application: Application) -> str:
    """Signed (HMAC, django.core.signing) token for the verification QR: schema, application
    id and the digest of the issued document's content (and the file hash for uploads)."""
    return signing.dumps(
        {"s": connection.schema_name, "a": application.pk, "h": output_digest(application)},
        salt=OUTPUT_SALT, compress=True,
    )


def _output_spec(application: Application) -> dict[str, Any]:
    from catalog.models import ServiceVersion

    version = ServiceVersion.objects.filter(pk=application.service_version_id).first()
    return {
        "document": (version.output_document if version else None) or {},
        "version": version,
    }


def _issue_fields(application: Application, *, now: dt.datetime, name: str) -> None:
    application.output_issued_at = now
    application.output_name = name
    application.output_number = (
        f"{application.tracking_code}/{secrets.token_hex(3).upper()}"
    )[:60]


@transaction.atomic
def output_generate(
    *, application_id: int, actor: Any, base_url: str = "", scope: StaffScope | None = None,
    now: dt.datetime | None = None,
) -> Application:
    """Render the output PDF (SIP template or generic) with a verification QR and keep it."""
    from .pdf import render_output_pdf

    scope = scope or staff_scope(actor)
    application = _staff_application(application_id=application_id, actor=actor, scope=scope)
    if application.status not in {Status.APPROVED, Status.COMPLETED}:
        raise IllegalTransition(
            _("Dokumen keluaran hanya dapat diterbitkan untuk permohonan yang disetujui."),
            extra={"status": application.status},
        )
    now = now or timezone.now()
    spec = _output_spec(application)
    document = spec["document"]
    version = spec["version"]
    name = document.get("name") or (version.name if version else application.service_code)
    _issue_fields(application, now=now, name=str(name)[:200])
    years = document.get("validity_years")
    application.output_valid_until = (
        _add_years(timezone.localdate(now), int(years)) if years else None
    )
    if document.get("template") == "sip":  # a SIP never outlives an old, time-limited STR
        from .output_context import str_valid_until

        str_end = str_valid_until(application.form_data or {})
        if str_end and (application.output_valid_until is None
                        or str_end < application.output_valid_until):
            application.output_valid_until = str_end
    application.output_source = Application.OutputSource.GENERATED
    token = output_token(application)
    pdf = render_output_pdf(
        application=application, template=document.get("template") or "generic",
        verify_url=_verify_url(token, base_url), service_version=version,
    )
    _store_output(application, ContentFile(pdf), extension="pdf")
    # signing opens its job (the output is withheld until PAdES-signed in the background,
    # ADR 0009) through signing.application_hooks, inside this transaction
    application_output_rendered(application_id=application.pk, now=now)
    ApplicationEvent.objects.create(
        application=application, kind=EventKind.OUTPUT_ISSUED, actor_id=actor.pk,
        data={"source": "generated", "sha256": application.output_sha256,
              "number": application.output_number},
    )
    return application


@transaction.atomic
def output_upload(
    *, application_id: int, actor: Any, upload: Any, name: str = "",
    valid_until: dt.date | None = None, scope: StaffScope | None = None,
    now: dt.datetime | None = None,
) -> Application:
    """Keep an output document issued by another system (e.g. SIAK); hashed and verifiable."""
    from .vault import check_upload

    scope = scope or staff_scope(actor)
    application = _staff_application(application_id=application_id, actor=actor, scope=scope)
    if application.status not in {Status.APPROVED, Status.COMPLETED}:
        raise IllegalTransition(
            _("Dokumen keluaran hanya dapat diunggah untuk permohonan yang disetujui."),
            extra={"status": application.status},
        )
    sniffed, _size, sha = check_upload(upload)
    now = now or timezone.now()
    spec = _output_spec(application)
    default_name = spec["document"].get("name") or application.service_code
    _issue_fields(application, now=now, name=(name or default_name)[:200])
    application.output_valid_until = valid_until
    application.output_source = Application.OutputSource.UPLOADED
    _store_output(application, File(upload), extension=sniffed.extension, sha=sha)
    ApplicationEvent.objects.create(
        application=application, kind=EventKind.OUTPUT_ISSUED, actor_id=actor.pk,
        data={"source": "uploaded", "sha256": sha, "number": application.output_number},
    )
    return application


def _store_output(
    application: Application, content: File, *, extension: str, sha: str | None = None
) -> None:
    old = application.output_file.name if application.output_file else ""
    if sha is None:
        content.seek(0)
        sha = hashlib.sha256(content.read()).hexdigest()
        content.seek(0)
    application.output_sha256 = sha
    application.output_file.save(f"output.{extension}", content, save=False)
    new_name = application.output_file.name

    def _cleanup_new() -> None:
        application.output_file.storage.delete(new_name)

    try:
        application.save()
    except Exception:
        _cleanup_new()
        raise
    if old and old != new_name:
        storage = application.output_file.storage
        transaction.on_commit(lambda: storage.delete(old))


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _verify_url(token: str, base_url: str) -> str:
    path = f"/verifikasi/{token}/"
    if base_url:
        return base_url.rstrip("/") + path
    from .notifications import _absolute_url

    return _absolute_url(path)


# --------------------------------------------------------------------------- SLA


def application_recompute_due(
    *, application: Application, reason: str, now: dt.datetime | None = None
) -> bool:
    """Recompute a started, running clock with the current calendar and policy; record an
    `sla_recomputed` event with the reason when the deadline moved. Call with the row locked."""
    if application.clock_started_at is None or application.sla_state not in {
        SlaState.ON_TRACK, SlaState.AT_RISK, SlaState.BREACHED, SlaState.PAUSED,
    }:
        return False
    now = now or timezone.now()
    if application.paused_at is not None:  # recomputed on resume, with the newest rules
        from sla.selectors import calendar_current

        application.calendar_version = calendar_current().pk
        application.save(update_fields=["calendar_version", "updated_at"])
        return False
    old_due = application.due_at
    deadline = clock.deadline_for(application, use_current_calendar=True)
    if deadline.due == old_due:  # nothing moved: keep the state the sweep recorded
        return False
    clock.apply_deadline(application, deadline, now=now)
    application.save(update_fields=[
        "due_at", "at_risk_at", "sla_reasons", "calendar_version", "sla_state", "updated_at",
    ])
    ApplicationEvent.objects.create(
        application=application, kind=EventKind.SLA_RECOMPUTED, note=reason[:500],
        data={"from_due": old_due.isoformat() if old_due else None,
              "to_due": application.due_at.isoformat() if application.due_at else None,
              "reasons": list(application.sla_reasons)},
    )
    return True


def applications_recompute_due(*, reason: str, offering_id: int | None = None) -> int:
    """Recompute every open clock (of one offering, or all) after an SLA rule change."""
    qs = Application.objects.filter(
        clock_started_at__isnull=False,
        sla_state__in=[SlaState.ON_TRACK, SlaState.AT_RISK, SlaState.BREACHED, SlaState.PAUSED],
    )
    if offering_id is not None:
        qs = qs.filter(offering_id=offering_id)
    changed = 0
    for pk in qs.values_list("pk", flat=True).iterator():
        with transaction.atomic():
            application = (
                Application.objects.select_for_update().select_related("offering")
                .filter(pk=pk).first()
            )
            if application is not None and application_recompute_due(
                application=application, reason=reason
            ):
                changed += 1
    return changed


__all__ = [
    "UploadRejected",
    "application_assign",
    "application_comment",
    "application_create_draft",
    "application_recompute_due",
    "application_resubmit",
    "application_submit",
    "application_update_draft",
    "applications_recompute_due",
    "offering_for_apply",
    "output_generate",
    "output_token",
    "output_upload",
    "validate_submission",
]


# --------------------------------------------------------------------------- system transitions


@dataclass(frozen=True)
class DeemedApproval:
    """One application to record as approved by law (UU 30/2014 Pasal 53 ayat 4); `data` is
    the evidence the SLA sweep gathered (due date, reasons, calendar version, legal basis)."""

    application_id: int
    data: dict[str, Any]
    dedup_key: str


@transaction.atomic
def applications_deem_approved(
    *, decisions: list[DeemedApproval], now: dt.datetime, note: str
) -> list[int]:
    """The system transition of the SLA sweep: undecided applications whose deadline passed
    become `approved` (decided now, SLA missed) with a `deemed_approved` event each, and the
    subscribers hear of it like of any other event (webhooks …). Applications decided or
    returned to the citizen in the meantime are left alone. Idempotent: returns the ids changed by this call."""
    from .hooks import application_event_recorded
    from .models import CLOCK_RUNNING_STATUSES

    wanted = {d.application_id: d for d in decisions}
    current = dict(  # (a file back with the citizen has its clock paused: never deemed)
        Application.objects.select_for_update()
        .filter(pk__in=list(wanted), status__in=CLOCK_RUNNING_STATUSES)
        .values_list("pk", "status")
    )
    if not current:
        return []
    Application.objects.filter(pk__in=list(current)).update(
        status=Status.APPROVED, decided_at=now, sla_state=SlaState.MISSED, decision_note=note,
        updated_at=now,
    )
    ApplicationEvent.objects.bulk_create([
        ApplicationEvent(
            application_id=pk, kind=EventKind.DEEMED_APPROVED, from_status=status,
            to_status=Status.APPROVED, note=note, data=wanted[pk].data,
            dedup_key=wanted[pk].dedup_key,
        )
        for pk, status in current.items()
    ], ignore_conflicts=True)
    from .steps import steps_deem_approved

    steps_deem_approved(sorted(current), now=now)  # the hand-over step opens, as on approval
    stored = ApplicationEvent.objects.filter(
        kind=EventKind.DEEMED_APPROVED, application_id__in=list(current),
    ).values_list("pk", flat=True)
    for event_id in stored:
        application_event_recorded(event_id=event_id)
    return sorted(current)
