"""Citizen pages (`/permohonan/…`) and public pages (`/lacak/`, `/verifikasi/<token>/`).

Views only parse input, call a selector or a service and render; business errors
(`core.errors.ApplicationError`) become messages or form errors."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import ApplicationError

from . import selectors, services
from .errors import (
    ConsentRequired,
    InvalidApplication,
    NotVerified,
    OfferingUnavailable,
    UploadRejected,
)
from .formspec import FormSpec, display_value, form_spec_for
from .identity import identity_reveals
from .models import Application, Status
from .pdf import qr_svg_inline, render_receipt_pdf
from .statemachine import allowed_actions
from .vault import DOCUMENT_TYPES, max_upload_bytes, vault_document_create, vault_document_delete

PAGE_SIZE = 20


def _verify_link() -> str:
    try:
        return reverse("accounts:verify")
    except NoReverseMatch:
        return "/"


def _not_found(exc: ApplicationError) -> Http404:
    return Http404(exc.message)


def _profile_values(user: Any) -> dict[str, Any]:
    try:
        from accounts.selectors import profile_prefill_values
    except ImportError:  # pragma: no cover
        return {"full_name": user.full_name, "email": user.email, "phone": user.phone}
    return profile_prefill_values(user)


# --------------------------------------------------------------------------- dashboard


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.applications_of(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "applications/mine.html", {"page": page})


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        application = selectors.application_for_applicant(user=request.user, application_id=pk)
    except ApplicationError as exc:
        raise _not_found(exc) from exc
    spec = form_spec_for(application.offering, version_id=application.service_version_id)
    return render(request, "applications/detail.html", {
        "application": application,
        "events": selectors.timeline(application=application),
        "answers": _answers(spec, application),
        "documents": _document_rows(spec, application),
        "actions": [a for a in allowed_actions(application, user=request.user)
                    if a.action == "cancel"],
        "notifications": selectors.notification_summary(application=application),
        "identity_reveals": identity_reveals(application=application, labels=spec.labels()),
        "route": selectors.workflow_progress(application=application),
    })


def _answers(spec: FormSpec, application: Application) -> list[tuple[str, str]]:
    return [
        (str(f.get("label") or f["name"]), display_value(f, application.form_data.get(f["name"])))
        for f in spec.fields
    ]


def _document_rows(spec: FormSpec, application: Application) -> list[dict[str, Any]]:
    """Per requirement: the vault id the application names and what shows for it (this
    regency's copy once submitted)."""
    docs = selectors.application_documents(application=application)
    rows = []
    for requirement in spec.requirements:
        doc_id = application.documents.get(requirement.code)
        rows.append({
            "requirement": requirement, "document_id": int(doc_id) if doc_id else None,
            "document": docs.get(int(doc_id)) if doc_id else None,
        })
    return rows


# --------------------------------------------------------------------------- apply / edit


def _selected_documents(spec: FormSpec, vault: list[Any]) -> dict[str, int]:
    """Preselect a vault document only where the choice is not the citizen's to make: a slot
    that is always required and exactly one vault document fits. Optional and conditional
    slots, and slots with several candidates, start empty (nothing is sent unless picked)."""
    selected = {}
    for requirement in spec.requirements:
        if not requirement.required or requirement.required_when:
            continue
        fits = [d.pk for d in vault if d.document_type in requirement.accepted_types]
        if len(fits) == 1:
            selected[requirement.code] = fits[0]
    return selected


def _collect_documents(
    request: HttpRequest, spec: FormSpec
) -> tuple[dict[str, Any], dict[str, list[str]], list[Any]]:
    """Vault picks and new uploads (stored in the citizen's own vault straight away, so a
    failed submission keeps them; nothing goes to the regency before the consent)."""
    documents: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    uploaded: list[Any] = []
    for requirement in spec.requirements:
        upload = request.FILES.get(f"upload_{requirement.code}")
        if upload is not None:
            try:
                document = vault_document_create(
                    owner=request.user, upload=upload, document_type=requirement.document_type,
                    label=requirement.label,
                )
            except UploadRejected as exc:
                errors[f"doc_{requirement.code}"] = [exc.message]
            else:
                uploaded.append(document)
                documents[requirement.code] = document.pk
                continue
        picked = request.POST.get(f"doc_{requirement.code}", "").strip()
        if picked:
            documents[requirement.code] = picked
    return documents, errors, uploaded


def _post_form_data(request: HttpRequest, spec: FormSpec) -> dict[str, str]:
    return {name: request.POST.get(name, "") for name in spec.field_names}


def _draft_for_key(request: HttpRequest, key: str) -> Application | None:
    if not key:
        return None
    return Application.objects.filter(
        applicant_id=request.user.pk, idempotency_key=key, status=Status.DRAFT
    ).first()


def _save_draft(
    request: HttpRequest, offering: Any, application: Application | None, key: str,
    form_data: dict[str, Any], documents: dict[str, Any],
) -> Application:
    application = application or _draft_for_key(request, key)
    if application is None:
        return services.application_create_draft(
            applicant=request.user, offering=offering, form_data=form_data,
            documents=documents, idempotency_key=key,
        )
    return services.application_update_draft(
        applicant=request.user, application_id=application.pk, form_data=form_data,
        documents=documents,
    )


@login_required
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, service_code: str) -> HttpResponse:
    try:
        offering = services.offering_for_apply(service_code=service_code)
    except OfferingUnavailable as exc:
        return render(request, "applications/unavailable.html", {"message": exc.message},
                      status=404)
    return _form_page(request, offering=offering, application=None, mode="apply")


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        application = selectors.application_for_applicant(user=request.user, application_id=pk)
    except ApplicationError as exc:
        raise _not_found(exc) from exc
    if application.status == Status.DRAFT:
        mode = "apply"
    elif application.status == Status.RETURNED:
        mode = "revise"
    else:
        return HttpResponseRedirect(reverse("applications:detail", args=[pk]))
    return _form_page(request, offering=application.offering, application=application, mode=mode)


def _form_page(
    request: HttpRequest, *, offering: Any, application: Application | None, mode: str
) -> HttpResponse:
    if not services.user_is_verified(request.user):
        return render(request, "applications/not_verified.html",
                      {"verify_url": _verify_link(), "offering": offering}, status=403)
    spec = form_spec_for(
        offering, version_id=application.service_version_id if application else None
    )
    vault = list(selectors.vault_documents_of(user=request.user))
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        key = request.POST.get("idempotency_key", "").strip()[:64] or uuid.uuid4().hex
        if mode == "apply":  # a replayed submission: the same application, nothing stored
            done = Application.objects.filter(
                applicant_id=request.user.pk, idempotency_key=key
            ).exclude(status=Status.DRAFT).first()
            if done is not None:
                return HttpResponseRedirect(reverse("applications:receipt", args=[done.pk]))
        form_data = _post_form_data(request, spec)
        documents, errors, uploaded = _collect_documents(request, spec)
        vault = uploaded + vault
        action = request.POST.get("action", "submit")
        form = spec.form_class(data=form_data)
        consent = request.POST.get("share_consent") == "1"
        digest = request.POST.get("consent_digest", "").strip()[:64]
        try:
            if action == "back":  # from the consent screen: the form again, as typed
                raise _BackToForm
            if mode == "revise":
                if errors:
                    raise InvalidApplication(_("Periksa kembali isian yang ditandai."),
                                             extra={"fields": errors})
                services.application_resubmit(
                    applicant=request.user, application_id=application.pk, form_data=form_data,
                    documents=documents, note=request.POST.get("note", "")[:1000],
                    share_consent=consent, consent_digest=digest,
                )
                messages.success(request, _("Perbaikan terkirim. Petugas akan memeriksanya."))
                return HttpResponseRedirect(reverse("applications:detail",
                                                    args=[application.pk]))
            if action == "draft":
                saved = _save_draft(request, offering, application, key, form_data, documents)
                if errors:
                    raise InvalidApplication(_("Sebagian berkas ditolak."),
                                             extra={"fields": errors})
                messages.success(request, _("Draf disimpan. Anda dapat melanjutkannya kapan saja "
                                            "dari halaman Permohonan saya."))
                return HttpResponseRedirect(reverse("applications:edit", args=[saved.pk]))
            if errors:
                raise InvalidApplication(_("Sebagian berkas ditolak."), extra={"fields": errors})
            draft = application or _draft_for_key(request, key)
            submitted, _replayed = services.application_submit(
                applicant=request.user, idempotency_key=key,
                application_id=draft.pk if draft else None, offering=offering,
                form_data=form_data, documents=documents, share_consent=consent,
                consent_digest=digest,
            )
            return HttpResponseRedirect(reverse("applications:receipt", args=[submitted.pk]))
        except _BackToForm:
            form = spec.form_class(initial=form_data)
        except ConsentRequired as exc:
            if mode == "apply":  # what was typed is kept as a draft meanwhile
                application = _save_draft(request, offering, application, key, form_data,
                                          documents)
            return _consent_page(request, offering=offering, spec=spec, mode=mode, key=key,
                                 form_data=form_data, documents=documents, exc=exc,
                                 changed=consent)
        except InvalidApplication as exc:
            errors = {**exc.extra.get("fields", {}), **errors}
            form.is_valid()  # field errors for display
            if mode == "apply":  # keep what was typed and uploaded as a draft
                application = _save_draft(request, offering, application, key, form_data,
                                          documents)
            status = 400
        except NotVerified:
            return render(request, "applications/not_verified.html",
                          {"verify_url": _verify_link(), "offering": offering}, status=403)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            status = exc.status
        selected = {code: str(value) for code, value in documents.items()}
    else:
        key = (application.idempotency_key if application else "") or uuid.uuid4().hex
        profile = _profile_values(request.user)
        if application is not None:
            initial = dict(application.form_data)
            if application.status == Status.DRAFT:  # what the draft leaves empty
                initial = spec.initial_from_profile(profile, saved=initial)
            selected = {code: str(v) for code, v in application.documents.items()}
        else:
            initial = spec.initial_from_profile(profile)
            selected = {code: str(v) for code, v in _selected_documents(spec, vault).items()}
        form = spec.form_class(initial=initial)
        if mode == "apply":
            spec.explain_unfilled(form, initial)
    labels = spec.labels()
    summary = [
        {"id": f"id_{name}" if not name.startswith("doc_") else name,
         "label": labels.get(name, name), "messages": messages_}
        for name, messages_ in errors.items()
    ]
    requirement_rows = [
        {
            "requirement": r,
            "choices": [d for d in vault if d.document_type in r.accepted_types]
            + [d for d in vault if d.document_type not in r.accepted_types],
            "selected": selected.get(r.code, ""),
            "errors": errors.get(f"doc_{r.code}", []),
        }
        for r in spec.requirements
    ]
    return render(request, "applications/apply.html", {
        "offering": offering, "version": spec.version, "form": form, "mode": mode,
        "application": application, "idempotency_key": key, "requirements": requirement_rows,
        "error_summary": summary, "max_upload_mb": max_upload_bytes() // (1024 * 1024),
        "max_upload_bytes": max_upload_bytes(),
        "note": request.POST.get("note", "")[:1000] if request.method == "POST" else "",
    }, status=status)


class _BackToForm(Exception):
    pass


def _consent_page(
    request: HttpRequest, *, offering: Any, spec: FormSpec, mode: str, key: str,
    form_data: dict[str, Any], documents: dict[str, Any], exc: ConsentRequired, changed: bool,
) -> HttpResponse:
    """The consent screen: which documents go to which OPD of which regency. Agreeing posts
    everything typed again with the consent; "Kembali" brings the form back as typed."""
    hidden = [(name, value) for name, value in form_data.items()]
    hidden += [(f"doc_{code}", value) for code, value in documents.items() if value]
    if mode == "revise":
        hidden.append(("note", request.POST.get("note", "")[:1000]))
    return render(request, "applications/consent.html", {
        "offering": offering, "version": spec.version, "mode": mode, "idempotency_key": key,
        "hidden": hidden, "plan": exc.plan, "consent_digest": exc.extra.get("consent_digest"),
        "changed": changed, "tenant_name": exc.plan[0].tenant_name if exc.plan else "",
    })


@login_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    from .statemachine import application_transition

    try:
        application = selectors.application_for_applicant(user=request.user, application_id=pk)
        application_transition(application_id=application.pk, action="cancel",
                               actor=request.user, note=request.POST.get("note", "")[:500])
        messages.success(request, _("Permohonan dibatalkan."))
    except ApplicationError as exc:
        if exc.status == 404:
            raise _not_found(exc) from exc
        messages.error(request, exc.message)
    return HttpResponseRedirect(reverse("applications:detail", args=[pk]))


# --------------------------------------------------------------------------- receipt / output


def _tracking_url(request: HttpRequest, application: Application) -> str:
    return request.build_absolute_uri(
        reverse("applications:track") + f"?kode={application.tracking_code}"
    )


@login_required
def receipt(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        application = selectors.application_for_applicant(user=request.user, application_id=pk)
    except ApplicationError as exc:
        raise _not_found(exc) from exc
    if application.status == Status.DRAFT:
        return HttpResponseRedirect(reverse("applications:edit", args=[pk]))
    url = _tracking_url(request, application)
    return render(request, "applications/receipt.html", {
        "application": application, "tracking_url": url, "qr_svg": qr_svg_inline(url),
    })


@login_required
def receipt_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        application = selectors.application_for_applicant(user=request.user, application_id=pk)
    except ApplicationError as exc:
        raise _not_found(exc) from exc
    if application.status == Status.DRAFT:
        raise Http404
    pdf = render_receipt_pdf(
        application=application, tracking_url=_tracking_url(request, application),
        service_name=application.service_version.name, applicant_name=request.user.full_name,
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="tanda-terima-{application.tracking_code}.pdf"'
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _file_response(file_field: Any, *, content_type: str, filename: str,
                   attachment: bool) -> FileResponse:
    response = FileResponse(
        file_field.open("rb"), content_type=content_type, as_attachment=attachment,
        filename=filename,
    )
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def output_download(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        application = selectors.application_for_applicant(user=request.user, application_id=pk)
    except ApplicationError as exc:
        raise _not_found(exc) from exc
    if not application.output_file:
        raise Http404
    from signing.selectors import output_withheld

    if output_withheld(application=application):  # never the unsigned render as the output
        return render(request, "signing/withheld.html", status=409)
    extension = application.output_file.name.rsplit(".", 1)[-1]
    content_type = {"pdf": "application/pdf", "png": "image/png"}.get(extension, "image/jpeg")
    return _file_response(
        application.output_file, content_type=content_type, attachment=True,
        filename=f"{application.tracking_code}.{extension}",
    )


# --------------------------------------------------------------------------- vault


@login_required
@require_http_methods(["GET", "POST"])
def vault(request: HttpRequest) -> HttpResponse:
    """The citizen's vault, the same on every regency's host (docs/adr/0013), with the one
    log of staff access across regencies."""
    from vault.selectors import access_log

    error = ""
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            error = _("Pilih berkas yang akan diunggah.")
        else:
            try:
                vault_document_create(
                    owner=request.user, upload=upload,
                    document_type=request.POST.get("document_type", ""),
                    label=request.POST.get("label", "").strip()[:150],
                )
            except UploadRejected as exc:
                error = exc.message
            else:
                messages.success(request, _("Dokumen tersimpan di brankas."))
                return HttpResponseRedirect(reverse("applications:vault"))
        status = 400
    return render(request, "applications/vault.html", {
        "documents": list(selectors.vault_documents_of(user=request.user)),
        "accesses": access_log(user=request.user),
        "document_types": sorted(DOCUMENT_TYPES.items(), key=lambda item: str(item[1])),
        "error": error, "max_upload_mb": max_upload_bytes() // (1024 * 1024),
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def vault_document(request: HttpRequest, pk: int) -> HttpResponse:
    from vault.selectors import access_log, shares_of

    try:
        document = selectors.vault_document_for_owner(user=request.user, document_id=pk)
    except ApplicationError as exc:
        raise _not_found(exc) from exc
    if request.method == "POST" and request.POST.get("action") == "delete":
        try:
            vault_document_delete(owner=request.user, document_id=pk)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Dokumen dihapus dari brankas."))
        return HttpResponseRedirect(reverse("applications:vault"))
    return render(request, "applications/vault_document.html", {
        "document": document, "accesses": access_log(user=request.user, document=document),
        "shares": shares_of(user=request.user, document=document),
    })


@login_required
def vault_file(request: HttpRequest, pk: int) -> HttpResponse:
    """Streams the owner's own document (never a public URL)."""
    try:
        document = selectors.vault_document_for_owner(user=request.user, document_id=pk)
    except ApplicationError as exc:
        raise _not_found(exc) from exc
    if document.deleted_at or not document.file:
        raise Http404
    return _file_response(document.file, content_type=document.content_type, attachment=False,
                          filename=f"{document.label}.{document.extension}")


# --------------------------------------------------------------------------- public


def _rate_limited(request: HttpRequest) -> int:
    """Seconds to wait, or 0. `MPP_TRACKING_RATE_LIMIT` lookups per minute per IP (on every
    host together), through the shared limiter of the HTML views."""
    from accounts import ratelimit

    limit = int(getattr(settings, "MPP_TRACKING_RATE_LIMIT", 10))
    try:
        ratelimit.throttle("track", ip=ratelimit.client_ip(request), limit=limit, period=60)
    except ratelimit.RateLimited as exc:
        return exc.retry_after
    return 0


@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    code = (request.POST.get("kode") or request.GET.get("kode") or "").strip()[:40]
    context: dict[str, Any] = {"code": code, "application": None, "error": ""}
    status = 200
    if request.method == "POST":
        wait = _rate_limited(request)
        if wait:
            context["error"] = _(
                "Terlalu banyak pencarian dari jaringan Anda. Coba lagi dalam 1 menit."
            )
            response = render(request, "applications/track.html", context, status=429)
            response["Retry-After"] = str(wait)
            return response
        application = selectors.application_for_tracking(
            code=code, last4=request.POST.get("digits", "")
        )
        if application is None:
            context["error"] = _(
                "Permohonan tidak ditemukan. Periksa kode lacak dan 4 digit terakhir NIK atau "
                "nomor ponsel pemohon."
            )
            status = 404
        else:
            context["application"] = application
            context["events"] = selectors.timeline(application=application)
            context["route"] = selectors.workflow_progress(application=application)
    return render(request, "applications/track.html", context, status=status)


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest, token: str) -> HttpResponse:
    result = selectors.output_verification(token=token)
    file_check = None
    signature: dict = {}
    if request.method == "POST" and result.genuine and request.FILES.get("file"):
        upload = request.FILES["file"]
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        file_check = digest.hexdigest() == result.application.output_sha256
        from signing.views import check_context

        signature = check_context(upload)
    from .pdf import mask_name

    application = result.application
    holder = ""
    if application is not None:
        holder = mask_name(getattr(application.applicant, "full_name", "") or "")
    return render(request, "applications/verify.html", {
        "result": result, "application": application if result.genuine else None,
        "holder": holder, "file_check": file_check, "today": timezone.localdate(),
        **signature,
    })
