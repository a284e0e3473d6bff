"""Account erasure (UU 27/2022 Pelindungan Data Pribadi: the right to erasure), docs/adr/0006.

`account_erasure_request(user=..., actor=...)` records one `AccountErasureRequest` per person,
locks the account at once (inactive: no login, no session works) and enqueues `account_erasure_task` on
commit. The task (`account_erasure_run`) then:

1. visits every provisioned tenant schema (`tenants.selectors.ready_tenants`), one transaction
   each that also records the schema in `progress`, so a rerun skips it:
   - deletes the person's staff roles, OIDC grants and tokens, notifications, draft
     applications and the regency's copies of their vault documents (their files right
     after the commit; names still to delete stay in `files_pending` until they are gone);
   - keeps what is a public record and pseudonymises it: submitted applications (the
     applicant's name → the pseudonym; NIK, family-card number, contacts, birth data and
     address → empty; the tracking check digits → none), complaints, queue tickets; SKM
     answers lose the link to the person;
2. then, in the public schema, revokes sessions, API and DRF tokens, deletes the profile,
   identity links, one-time codes and the vault (documents with their share and access
   log; the files right after the commit, docs/adr/0013), and turns the `User` row into a tombstone (pseudonym
   name, `<pseudonym>@akun-terhapus.invalid`, no phone, unusable password, inactive, no
   roles). The row stays so that the ids kept in tenant tables still resolve (ADR 0006).

Every step writes one line through `account_audit` (the `mpp.audit` logger).
"""

from __future__ import annotations

import json
import logging
import secrets
from dataclasses import dataclass
from typing import Any

from django.contrib.sessions.models import Session
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tenants.utils import schema_context, tenant_context

from core.errors import PermissionDenied
from core.tasks_dispatch import enqueue_on_commit

from .models import AccountErasureRequest, CitizenProfile, User

audit_logger = logging.getLogger("mpp.audit")

ERASED_EMAIL_DOMAIN = "akun-terhapus.invalid"  # RFC 2606: never deliverable
PSEUDONYM_PREFIX = "Terhapus-"
PUBLIC_STEP = "public"

# Form fields of the applicant's own identity, by the profile field that prefills them:
# the name becomes the pseudonym, the others are emptied.
PSEUDONYMISED_PROFILE_FIELDS = {"full_name"}
CLEARED_PROFILE_FIELDS = {"nik", "birth_place", "birth_date", "address", "phone", "email"}
# Contact fields are the applicant's whatever prefills them.
CLEARED_FIELD_TYPES = {"phone", "email"}
# The applicant's family card (KK) number is not a profile field (catalog seed names).
CLEARED_FIELD_NAMES = {"nomor_kk"}


class ErasureSelfServiceRefused(PermissionDenied):
    code = "erasure_self_service_refused"


# --------------------------------------------------------------------------- audit


def account_audit(action: str, *, user_id: int | None, actor: Any, outcome: str = "ok",
                  **details: Any) -> None:
    """The one place account erasure and data export write their audit trail (the
    `mpp.audit` logger, as tenants.lifecycle does) until the platform audit log exists.
    Only ids and the pseudonym go in: never the person's name or contacts."""
    from tenants.lifecycle import actor_label

    record = {
        "action": action,
        "user_id": user_id,
        "actor": actor if isinstance(actor, str) else actor_label(actor),
        "outcome": outcome,
        "at": timezone.now().isoformat(),
        **details,
    }
    audit_logger.info("audit %s", json.dumps(record, ensure_ascii=False, default=str))


def erasure_audit(action: str, *, erasure: AccountErasureRequest, actor: Any = None,
                  outcome: str = "ok", **details: Any) -> None:
    account_audit(
        action, user_id=erasure.user_id,
        actor=actor if actor is not None else erasure.requested_by_label, outcome=outcome,
        erasure_id=erasure.pk, pseudonym=erasure.pseudonym, **details,
    )


# --------------------------------------------------------------------------- request


def _new_pseudonym() -> str:
    return f"{PSEUDONYM_PREFIX}{secrets.token_hex(4).upper()}"


def _sessions_end(*, user_id: int) -> int:
    """Delete the user's database sessions (the session table is keyed by session id only)."""
    ended = 0
    now = timezone.now()
    for session in Session.objects.filter(expire_date__gt=now).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user_id):
            session.delete()
            ended += 1
    return ended


@transaction.atomic
def account_erasure_request(
    *, user: User, actor: Any, reason: str = "", self_service: bool = False
) -> AccountErasureRequest:
    """Record the erasure of `user`'s account and start it after commit. Idempotent: a second
    request returns the first one (re-enqueued while it has not finished)."""
    with schema_context("public"):
        if self_service and (user.is_staff or user.is_superuser):
            raise ErasureSelfServiceRefused(str(_(
                "Akun operator platform tidak dapat dihapus sendiri. Minta operator lain "
                "menghapusnya."
            )))
        locked = User.objects.select_for_update().get(pk=user.pk)
        erasure = AccountErasureRequest.objects.filter(user=locked).first()
        if erasure is None:
            erasure = AccountErasureRequest.objects.create(
                user=locked,
                requested_by=actor if isinstance(actor, User) else None,
                requested_by_label=_actor_text(actor),
                reason=reason[:200],
                pseudonym=_new_pseudonym(),
            )
            erasure_audit("account.erasure.request", erasure=erasure, actor=actor,
                          reason=reason, self_service=self_service)
        else:
            erasure_audit("account.erasure.request", erasure=erasure, actor=actor,
                          outcome="noop", state=erasure.state)
        if erasure.state != AccountErasureRequest.State.DONE:
            # Lock the account now: an inactive user's sessions and logins stop working at
            # once (ModelBackend), so nothing new is created while the job runs; the job
            # deletes the session rows.
            if locked.is_active:
                User.objects.filter(pk=locked.pk).update(is_active=False)
            from .tasks import account_erasure_task

            enqueue_on_commit(account_erasure_task, erasure.pk)
    user.is_active = False
    return erasure


def _actor_text(actor: Any) -> str:
    from tenants.lifecycle import actor_label

    return actor_label(actor)[:200]


# --------------------------------------------------------------------------- the job


@dataclass(frozen=True)
class ErasedPerson:
    user_id: int
    pseudonym: str
    full_name: str
    nik: str
    phone: str
    email: str

    def _digits(self, value: Any) -> str:
        return "".join(ch for ch in str(value or "") if ch.isdigit())

    def identifies(self, value: Any) -> bool:
        """Whether a stored answer is one of the person's identifiers (NIK, phone, email)."""
        if not isinstance(value, str) or not value.strip():
            return False
        text = value.strip().lower()
        if self.email and text == self.email.lower():
            return True
        digits = self._digits(text)
        if len(digits) < 8:
            return False
        phone = self._digits(self.phone)
        return digits == self.nik or (bool(phone) and digits[-9:] == phone[-9:])


def _person(erasure: AccountErasureRequest) -> ErasedPerson:
    user = User.objects.get(pk=erasure.user_id)
    profile = CitizenProfile.objects.filter(user_id=user.pk).first()
    return ErasedPerson(
        user_id=user.pk, pseudonym=erasure.pseudonym, full_name=user.full_name or "",
        nik=(profile.nik or "") if profile else "", phone=user.phone or "",
        email=user.email or "",
    )


def account_erasure_run(*, erasure_id: int) -> AccountErasureRequest:
    """Work off an erasure request: every tenant schema not yet done, then the public rows.
    Safe to run again at any point (and concurrently: the request row is locked per step)."""
    from tenants.selectors import ready_tenants

    with schema_context("public"):
        erasure = AccountErasureRequest.objects.get(pk=erasure_id)
        if erasure.state == AccountErasureRequest.State.DONE:
            erasure_audit("account.erasure.run", erasure=erasure, outcome="noop")
            return erasure
        tenants = list(ready_tenants().order_by("pk"))
        AccountErasureRequest.objects.filter(pk=erasure.pk).update(
            state=AccountErasureRequest.State.RUNNING, tenants_total=len(tenants),
            started_at=erasure.started_at or timezone.now(), last_error="",
        )
        person = _person(erasure)
    try:
        for tenant in tenants:
            _erase_in_tenant(erasure_id=erasure.pk, tenant=tenant, person=person)
        with schema_context("public"):
            _erase_public(erasure_id=erasure.pk, person=person)
    except Exception as exc:
        with schema_context("public"):
            AccountErasureRequest.objects.filter(pk=erasure.pk).update(
                state=AccountErasureRequest.State.FAILED, last_error=repr(exc)[:2000],
            )
            erasure.refresh_from_db()
            erasure_audit("account.erasure.run", erasure=erasure, outcome="error",
                          error=repr(exc)[:500])
        raise
    with schema_context("public"):
        erasure.refresh_from_db()
    return erasure


def _locked(erasure_id: int) -> AccountErasureRequest:
    return AccountErasureRequest.objects.select_for_update().get(pk=erasure_id)


def _erase_in_tenant(*, erasure_id: int, tenant: Any, person: ErasedPerson) -> None:
    schema = tenant.schema_name
    with tenant_context(tenant):
        with transaction.atomic():
            # The request table is in the public schema, on this search_path too.
            erasure = _locked(erasure_id)
            entry = erasure.progress.get(schema)
            if not (entry and entry.get("done_at")):
                counts, files = erase_tenant_rows(person=person)
                entry = {"done_at": timezone.now().isoformat(), "counts": counts,
                         "files_pending": files}
                erasure.progress[schema] = entry
                erasure.save(update_fields=["progress", "updated_at"])
                erasure_audit("account.erasure.tenant", erasure=erasure, tenant=schema,
                              counts=counts)
        pending = list(entry.get("files_pending") or [])
        if pending:
            _delete_files(erasure_id=erasure_id, schema=schema, names=pending)


def _delete_files(*, erasure_id: int, schema: str, names: list[str]) -> None:
    """After the rows are gone (committed): delete the files; storage deletes are idempotent.
    Runs in the tenant's context (the storage adds the schema folder)."""
    for name in names:
        default_storage.delete(name)
    with transaction.atomic():
        erasure = _locked(erasure_id)
        entry = dict(erasure.progress.get(schema) or {})
        entry["files_pending"] = [n for n in entry.get("files_pending") or [] if n not in names]
        entry["files_deleted"] = int(entry.get("files_deleted") or 0) + len(names)
        erasure.progress[schema] = entry
        erasure.save(update_fields=["progress", "updated_at"])


def _form_fields(version: Any) -> tuple[list[dict[str, Any]], dict[str, str]]:
    fields = [f for f in (getattr(version, "form_fields", None) or []) if isinstance(f, dict)]
    prefill = getattr(version, "prefill", None) or {}
    return fields, prefill if isinstance(prefill, dict) else {}


def pseudonymise_form_data(
    form_data: dict[str, Any], *, version: Any, person: ErasedPerson
) -> dict[str, Any]:
    """A copy of an application's answers with the applicant's identity replaced: fields
    prefilled from the name get the pseudonym; fields prefilled from NIK, birth data, address
    or contacts, contact-type fields, the family-card number and any answer equal to the
    person's NIK, phone or email are emptied. Other people's data (parents, witnesses) stays:
    it is not the erased person's."""
    fields, prefill = _form_fields(version)
    types = {f.get("name"): f.get("type") for f in fields}
    result = dict(form_data or {})
    for name, value in list(result.items()):
        source = prefill.get(name)
        if source in PSEUDONYMISED_PROFILE_FIELDS or (
            person.full_name and isinstance(value, str)
            and value.strip().casefold() == person.full_name.strip().casefold()
        ):
            result[name] = person.pseudonym
        elif (
            source in CLEARED_PROFILE_FIELDS or types.get(name) in CLEARED_FIELD_TYPES
            or name in CLEARED_FIELD_NAMES or person.identifies(value)
        ):
            result[name] = ""
    return result


def erase_tenant_rows(*, person: ErasedPerson) -> tuple[dict[str, int], list[str]]:
    """Remove or pseudonymise the person in the current tenant schema. Returns counts and the
    storage names of the files to delete once this transaction has committed."""
    from agencies.models import StaffRole
    from applications.models import Application, AttachedDocument, Notification, Status
    from feedback.models import Complaint, SkmResponse
    from hall.models import Ticket
    from integrations.oidc_models import AccessToken, Grant, IDToken, OidcClient, RefreshToken

    uid = person.user_id
    counts: dict[str, int] = {}

    def count(key: str, value: int) -> None:
        if value:
            counts[key] = counts.get(key, 0) + value

    count("staff_roles", StaffRole.objects.filter(user_id=uid).delete()[0])
    # OIDC: refresh tokens point at access tokens, access tokens at ID tokens.
    count("oidc_refresh_tokens", RefreshToken.objects.filter(user_id=uid).delete()[0])
    count("oidc_access_tokens", AccessToken.objects.filter(user_id=uid).delete()[0])
    count("oidc_id_tokens", IDToken.objects.filter(user_id=uid).delete()[0])
    count("oidc_grants", Grant.objects.filter(user_id=uid).delete()[0])
    count("oidc_clients_unlinked", OidcClient.objects.filter(user_id=uid).update(user=None))
    count("notifications", Notification.objects.filter(recipient_id=uid).delete()[0])

    drafts = Application.objects.filter(applicant_id=uid, status=Status.DRAFT)
    count("draft_applications", drafts.count())
    drafts.delete()
    kept = Application.objects.filter(applicant_id=uid).select_related("service_version")
    for application in kept.iterator():
        application.form_data = pseudonymise_form_data(
            application.form_data, version=application.service_version, person=person
        )
        application.lookup_digits = []
        application.save(update_fields=["form_data", "lookup_digits", "updated_at"])
        count("applications_pseudonymised", 1)

    # this regency's copies of the person's vault documents (docs/adr/0013)
    documents = AttachedDocument.objects.filter(owner_id=uid)
    files = [name for name in documents.values_list("file", flat=True) if name]
    count("attached_documents", documents.count())
    documents.delete()  # and their access log (CASCADE, same schema)

    count("tickets_pseudonymised", Ticket.objects.filter(citizen_id=uid).update(
        name=person.pseudonym))
    count("complaints_pseudonymised", Complaint.objects.filter(complainant_id=uid).update(
        name=person.pseudonym, address="", contact=""))
    count("skm_unlinked", SkmResponse.objects.filter(citizen_id=uid).update(citizen=None))
    return counts, files


def _erase_public(*, erasure_id: int, person: ErasedPerson) -> None:
    from rest_framework.authtoken.models import Token

    from api.models import ApiToken
    from vault.models import Document

    from .models import IdentityLink, OneTimeCode

    with transaction.atomic():
        erasure = _locked(erasure_id)
        if erasure.state == AccountErasureRequest.State.DONE:
            return
        uid = person.user_id
        now = timezone.now()
        counts = {
            "sessions": _sessions_end(user_id=uid),
            "api_tokens_revoked": ApiToken.objects.filter(
                owner_id=uid, revoked_at__isnull=True).update(revoked_at=now),
            "drf_tokens": Token.objects.filter(user_id=uid).delete()[0],
            "profile": CitizenProfile.objects.filter(user_id=uid).delete()[0],
            "identity_links": IdentityLink.objects.filter(user_id=uid).delete()[0],
            "one_time_codes": OneTimeCode.objects.filter(user_id=uid).delete()[0],
        }
        vault = Document.objects.filter(owner_id=uid)
        vault_files = [name for name in vault.values_list("file", flat=True) if name]
        counts["vault_documents"] = vault.count()
        vault.delete()  # with their shares and access log (CASCADE)
        user = User.objects.select_for_update().get(pk=uid)
        user.full_name = person.pseudonym
        user.email = f"{person.pseudonym.lower()}@{ERASED_EMAIL_DOMAIN}"
        user.phone = None
        user.email_verified_at = None
        user.phone_verified_at = None
        user.is_active = False
        user.is_staff = False
        user.is_superuser = False
        user.ministry_role = User.MinistryRole.NONE
        user.set_unusable_password()
        user.save()
        user.groups.clear()
        user.user_permissions.clear()
        erasure.progress[PUBLIC_STEP] = {"done_at": now.isoformat(),
                                         "counts": {k: v for k, v in counts.items() if v}}
        erasure.state = AccountErasureRequest.State.DONE
        erasure.finished_at = now
        erasure.save(update_fields=["progress", "state", "finished_at", "updated_at"])
        erasure_audit("account.erasure.done", erasure=erasure, counts=counts,
                      tenants=erasure.tenants_done)
    # the rows are gone (committed): now the vault files; storage deletes are idempotent
    storage = Document._meta.get_field("file").storage
    for name in vault_files:
        storage.delete(name)


def erasure_progress(erasure: AccountErasureRequest) -> dict[str, Any]:
    """What the admin and the API show: state, tenants done of total, public step done."""
    return {
        "state": erasure.state,
        "tenants_done": erasure.tenants_done,
        "tenants_total": erasure.tenants_total,
        "public_done": bool((erasure.progress.get(PUBLIC_STEP) or {}).get("done_at")),
        "files_pending": sum(len(e.get("files_pending") or []) for e in erasure.progress.values()),
    }
