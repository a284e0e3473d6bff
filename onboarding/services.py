"""Writes of onboarding: registration → email verification → ministry decision → provisioning
→ wizard → go-live. Emails and tasks are sent on commit."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.hashers import make_password
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context, tenant_context

from agencies.models import Agency, StaffRole
from agencies.services import agency_create, staff_role_grant
from audit.services import audit_record
from core.context_processors import platform_url, tenant_url
from core.errors import Conflict
from regions import reference
from regions.codes import InvalidCode
from tenants.models import Tenant
from tenants.services import tenant_register, tenant_set_state, tenant_set_timezone

from .errors import (
    GoLiveRefused,
    InvalidLetter,
    InvalidLogo,
    InvitationForAnotherEmail,
    InvitationInvalid,
    InvitationNotFound,
    RegistrationConflict,
    RegistrationNotFound,
    RegistrationStateError,
    UnknownRegency,
    VerificationLinkInvalid,
)
from .models import Invitation, OnboardingProgress, Registration

logger = logging.getLogger(__name__)

LETTER_MAX_BYTES = 5 * 1024 * 1024
LOGO_MAX_BYTES = 1 * 1024 * 1024
VERIFY_SALT = "onboarding.registration.verify"
VERIFY_MAX_AGE = 3 * 24 * 3600
PUBLIC_URLCONF = "config.urls_public"

OPD_SUGGESTIONS: dict[str, tuple[str, str]] = {
    "disdukcapil": ("Dinas Kependudukan dan Pencatatan Sipil", "Disdukcapil"),
    "dpmptsp": ("Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu", "DPMPTSP"),
    "dinkes": ("Dinas Kesehatan", "Dinas Kesehatan"),
}


# ---------------------------------------------------------------------------------------------
# Registration


def regency_for_code(code: str) -> reference.Regency:
    """The kab/kota from the national list, or UnknownRegency (never free text)."""
    try:
        normalized = reference.normalize_code(code or "")
        found = reference.regency(normalized)
    except (InvalidCode, ValueError):
        found = None
    if found is None or reference.level_of(found.code) != "regency":
        raise UnknownRegency(
            _("Kabupaten/kota dengan kode %(code)s tidak ada dalam daftar Kemendagri.")
            % {"code": code or "—"},
            extra={"field": "region_code"},
        )
    return found


def letter_check(letter: UploadedFile) -> None:
    """A PDF (magic `%PDF-`) of at most 5 MB."""
    if letter.size is None or letter.size == 0:
        raise InvalidLetter(_("Berkas surat penunjukan kosong."), extra={"field": "letter"})
    if letter.size > LETTER_MAX_BYTES:
        raise InvalidLetter(
            _("Surat penunjukan %(size).1f MB; batasnya 5 MB. Perkecil berkas PDF lalu unggah "
              "lagi.") % {"size": letter.size / (1024 * 1024)},
            extra={"field": "letter"},
        )
    letter.seek(0)
    head = letter.read(5)
    letter.seek(0)
    if head != b"%PDF-":
        raise InvalidLetter(
            _("Surat penunjukan harus berupa berkas PDF (isi berkas bukan PDF)."),
            extra={"field": "letter"},
        )


def _expire_stale_verifications(region_code: str) -> None:
    cutoff = timezone.now() - timedelta(seconds=VERIFY_MAX_AGE)
    Registration.objects.filter(
        region_code=region_code,
        status=Registration.Status.PENDING_VERIFICATION,
        created_at__lt=cutoff,
    ).update(status=Registration.Status.EXPIRED, updated_at=timezone.now())


def registration_conflict_check(*, region_code: str) -> None:
    """Refuse a second live registration, or one for a kab/kota that already has a tenant."""
    regency = regency_for_code(region_code)
    name = reference.display_name(regency)
    with schema_context("public"):
        if Tenant.objects.filter(region_code=regency.code).exists():
            raise RegistrationConflict(
                _("%(name)s sudah terdaftar di MPP Digital. Hubungi admin tenant daerah Anda "
                  "atau kementerian bila perlu akses.") % {"name": name},
                extra={"field": "region_code"},
            )
        _expire_stale_verifications(regency.code)
        live = Registration.objects.filter(
            region_code=regency.code, status__in=Registration.LIVE_STATUSES
        ).first()
    if live is not None:
        raise RegistrationConflict(
            _("Sudah ada pendaftaran untuk %(name)s (status: %(status)s). Satu kabupaten/kota "
              "hanya boleh memiliki satu pendaftaran yang berjalan.")
            % {"name": name, "status": live.get_status_display()},
            extra={"field": "region_code"},
        )


def _verification_link(registration: Registration) -> str:
    token = signing.dumps(registration.pk, salt=VERIFY_SALT)
    return platform_url(reverse("onboarding:verify", args=[token], urlconf=PUBLIC_URLCONF))


def _status_link(registration: Registration) -> str:
    return platform_url(
        reverse("onboarding:status", args=[registration.token], urlconf=PUBLIC_URLCONF)
    )


def _send(subject: str, body: str, to: str) -> None:
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to], fail_silently=False)


def registration_create(
    *,
    region_code: str,
    officer_name: str,
    officer_position: str,
    officer_email: str,
    officer_phone: str,
    letter: UploadedFile,
    password: str,
) -> Registration:
    """Record a registration and email a verification link (on commit)."""
    regency = regency_for_code(region_code)
    letter_check(letter)
    registration_conflict_check(region_code=regency.code)
    email = get_user_model().objects.normalize_email(officer_email.strip()).lower()
    registration = Registration(
        region_code=regency.code,
        regency_name=reference.display_name(regency),
        officer_name=officer_name.strip(),
        officer_position=officer_position.strip(),
        officer_email=email,
        officer_phone=officer_phone.strip(),
        password_hash=make_password(password),
    )
    letter.seek(0)
    registration.letter.save("surat.pdf", ContentFile(letter.read()), save=False)
    try:
        with schema_context("public"), transaction.atomic():
            registration.full_clean(exclude=["letter"])
            registration.save()
    except Exception as exc:
        registration.letter.delete(save=False)
        if not isinstance(exc, IntegrityError):
            raise
        # a concurrent registration won the partial unique index
        raise RegistrationConflict(
            _("Sudah ada pendaftaran yang berjalan untuk %(name)s.")
            % {"name": registration.regency_name},
            extra={"field": "region_code"},
        ) from exc
    link = _verification_link(registration)
    transaction.on_commit(
        lambda: _send(
            _("Verifikasi email pendaftaran MPP Digital"),
            _("Yth. %(name)s,\n\nKlik tautan berikut untuk memverifikasi email pendaftaran "
              "%(regency)s di MPP Digital (berlaku 3 hari):\n%(link)s\n\nAbaikan email ini bila "
              "Anda tidak mendaftar.")
            % {"name": registration.officer_name, "regency": registration.regency_name,
               "link": link},
            registration.officer_email,
        )
    )
    return registration


def _auto_approve_domains() -> list[str]:
    domains = getattr(settings, "MPP_AUTO_APPROVE_EMAIL_DOMAINS", []) or []
    return [d.strip().lower().lstrip("@") for d in domains if d and d.strip()]


def registration_verify_email(*, token: str) -> Registration:
    """Confirm the email; create or link the global account; maybe auto-approve."""
    try:
        registration_id = signing.loads(token, salt=VERIFY_SALT, max_age=VERIFY_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise VerificationLinkInvalid(
            _("Tautan verifikasi sudah kedaluwarsa (berlaku 3 hari). Silakan daftar ulang.")
        ) from exc
    except signing.BadSignature as exc:
        raise VerificationLinkInvalid(_("Tautan verifikasi tidak valid.")) from exc
    User = get_user_model()
    with schema_context("public"), transaction.atomic():
        registration = (
            Registration.objects.select_for_update().filter(pk=registration_id).first()
        )
        if registration is None:
            raise VerificationLinkInvalid(_("Pendaftaran untuk tautan ini tidak ditemukan."))
        if registration.status != Registration.Status.PENDING_VERIFICATION:
            if registration.status == Registration.Status.EXPIRED:
                raise VerificationLinkInvalid(
                    _("Pendaftaran ini sudah kedaluwarsa. Silakan daftar ulang.")
                )
            return registration  # already verified: idempotent
        user = User.objects.filter(email__iexact=registration.officer_email).first()
        if user is None:
            user = User(
                email=registration.officer_email,
                full_name=registration.officer_name,
                password=registration.password_hash,
            )
            user.full_clean(exclude=["password"])
            user.save()
        registration.user = user
        registration.password_hash = ""
        registration.email_verified_at = timezone.now()
        registration.status = Registration.Status.PENDING_APPROVAL
        registration.save()
        domain = registration.officer_email.rpartition("@")[2].lower()
        if domain in _auto_approve_domains():
            registration = registration_approve(
                registration_id=registration.pk, actor=None, auto=True
            )
    return registration


def _enqueue_provisioning(registration: Registration) -> None:
    from tenants.tasks import provision_tenant_task

    from .tasks import registration_finalize_task

    tenant_id, registration_id = registration.tenant_id, registration.pk
    Tenant.objects.filter(pk=tenant_id).update(provisioning_step="queued", provisioning_error="")

    def enqueue() -> None:
        (
            provision_tenant_task.si(tenant_id) | registration_finalize_task.si(registration_id)
        ).apply_async()

    # robust: a failed (eager) provisioning is recorded on the tenant and shown on the status
    # page with a retry button; it must not turn the approval request into a 500.
    transaction.on_commit(enqueue, robust=True)


def registration_approve(
    *, registration_id: int, actor: AbstractBaseUser | None, auto: bool = False
) -> Registration:
    """Register the tenant from the national list and queue its provisioning (on commit)."""
    with schema_context("public"), transaction.atomic():
        registration = Registration.objects.select_for_update().filter(pk=registration_id).first()
        if registration is None:
            raise RegistrationNotFound(_("Pendaftaran tidak ditemukan."))
        if registration.status != Registration.Status.PENDING_APPROVAL:
            raise RegistrationStateError(
                _("Pendaftaran %(name)s tidak dapat disetujui (status: %(status)s).")
                % {"name": registration.regency_name,
                   "status": registration.get_status_display()}
            )
        if Tenant.objects.filter(region_code=registration.region_code).exists():
            raise RegistrationConflict(
                _("%(name)s sudah memiliki tenant; pendaftaran ini tidak dapat disetujui.")
                % {"name": registration.regency_name}
            )
        tenant = tenant_register(region_code=registration.region_code)
        tenant_set_state(tenant=tenant, state=Tenant.State.APPROVED)
        registration.tenant = tenant
        registration.status = Registration.Status.PROVISIONING
        registration.auto_approved = auto
        registration.decided_by_id = getattr(actor, "pk", None)
        registration.decided_at = timezone.now()
        registration.save()
        audit_record("registration.approve", actor=actor, tenant=tenant, target=registration,
                     changes={"region_code": registration.region_code, "auto": auto})
        OnboardingProgress.objects.get_or_create(tenant=tenant)
        _enqueue_provisioning(registration)
        status_link = _status_link(registration)
        email, name = registration.officer_email, registration.regency_name
        transaction.on_commit(
            lambda: _send(
                _("Pendaftaran %(name)s disetujui") % {"name": name},
                _("Pendaftaran %(name)s disetujui. Tenant sedang disiapkan; pantau kemajuannya "
                  "di:\n%(link)s") % {"name": name, "link": status_link},
                email,
            )
        )
    return registration


def registration_reject(
    *, registration_id: int, actor: AbstractBaseUser, reason: str
) -> Registration:
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise RegistrationStateError(
            _("Tuliskan alasan penolakan (minimal 5 karakter) agar pendaftar tahu apa yang "
              "harus diperbaiki."),
            extra={"field": "reason"},
        )
    with schema_context("public"), transaction.atomic():
        registration = Registration.objects.select_for_update().filter(pk=registration_id).first()
        if registration is None:
            raise RegistrationNotFound(_("Pendaftaran tidak ditemukan."))
        if registration.status not in (
            Registration.Status.PENDING_APPROVAL, Registration.Status.PENDING_VERIFICATION
        ):
            raise RegistrationStateError(
                _("Pendaftaran %(name)s tidak dapat ditolak (status: %(status)s).")
                % {"name": registration.regency_name,
                   "status": registration.get_status_display()}
            )
        registration.status = Registration.Status.REJECTED
        registration.rejection_reason = reason
        registration.decided_by_id = actor.pk
        registration.decided_at = timezone.now()
        registration.save()
        audit_record("registration.reject", actor=actor, target=registration,
                     changes={"region_code": registration.region_code, "reason": reason[:200]})
        email, name = registration.officer_email, registration.regency_name
        transaction.on_commit(
            lambda: _send(
                _("Pendaftaran %(name)s ditolak") % {"name": name},
                _("Pendaftaran %(name)s ditolak oleh kementerian dengan alasan:\n\n%(reason)s\n\n"
                  "Anda dapat mendaftar ulang setelah memperbaikinya.")
                % {"name": name, "reason": reason},
                email,
            )
        )
    return registration


def registration_sync(*, registration: Registration) -> Registration:
    """Bring the registration's status in line with its tenant's provisioning (status page)."""
    if registration.tenant_id is None or registration.status not in (
        Registration.Status.PROVISIONING, Registration.Status.FAILED
    ):
        return registration
    with schema_context("public"):
        tenant = Tenant.objects.get(pk=registration.tenant_id)
    if tenant.is_ready:
        return registration_finalize(registration_id=registration.pk)
    if tenant.provisioning_step == "failed" and registration.status != Registration.Status.FAILED:
        with schema_context("public"):
            Registration.objects.filter(pk=registration.pk).update(
                status=Registration.Status.FAILED, updated_at=timezone.now()
            )
        registration.status = Registration.Status.FAILED
    return registration


def registration_finalize(*, registration_id: int) -> Registration:
    """When the tenant is ready: grant the registrant tenant_admin there; status ready.
    Idempotent (called by the provisioning chain and by the status page)."""
    with schema_context("public"), transaction.atomic():
        registration = (
            Registration.objects.select_for_update(of=("self",)).select_related("tenant", "user")
            .get(pk=registration_id)
        )
        tenant = registration.tenant
        if tenant is None or not tenant.is_ready:
            return registration
        if registration.status == Registration.Status.READY:
            return registration
        if registration.user is not None:
            with tenant_context(tenant):
                staff_role_grant(
                    user=registration.user, role=StaffRole.Role.TENANT_ADMIN, actor=None
                )
        OnboardingProgress.objects.get_or_create(tenant=tenant)
        registration.status = Registration.Status.READY
        registration.save(update_fields=["status", "updated_at"])
        link = tenant_url(tenant.slug, "/kelola/orientasi/")
        email, name = registration.officer_email, registration.regency_name
        transaction.on_commit(
            lambda: _send(
                _("Tenant %(name)s siap") % {"name": name},
                _("Tenant %(name)s sudah siap. Lanjutkan orientasi di:\n%(link)s")
                % {"name": name, "link": link},
                email,
            )
        )
    return registration


def registration_provision_retry(*, registration: Registration) -> Registration:
    """Retry a failed provisioning (safe: tenant_provision drops half-made schemas)."""
    with schema_context("public"), transaction.atomic():
        registration = (
            Registration.objects.select_for_update(of=("self",)).select_related("tenant")
            .get(pk=registration.pk)
        )
        tenant = registration.tenant
        failed = registration.status == Registration.Status.FAILED or (
            tenant is not None and tenant.provisioning_step == "failed"
        )
        if tenant is None or tenant.is_ready or not failed:
            raise RegistrationStateError(_("Penyiapan tidak dalam keadaan gagal; tidak perlu "
                                           "diulang."))
        registration.status = Registration.Status.PROVISIONING
        registration.save(update_fields=["status", "updated_at"])
        _enqueue_provisioning(registration)
    return registration


# ---------------------------------------------------------------------------------------------
# Wizard (called on the tenant host; `tenant` is request.tenant)


def onboarding_progress_ensure(*, tenant: Tenant) -> OnboardingProgress:
    with schema_context("public"):
        progress, _created = OnboardingProgress.objects.get_or_create(tenant=tenant)
    return progress


def onboarding_step_mark(
    *, tenant: Tenant, step: str, done: bool, actor: AbstractBaseUser | None
) -> OnboardingProgress:
    with schema_context("public"), transaction.atomic():
        progress, _created = OnboardingProgress.objects.select_for_update().get_or_create(
            tenant=tenant
        )
        current = progress.steps.get(step, {})
        if bool(current.get("done")) == done and current:
            return progress
        progress.steps[step] = {
            "done": done,
            "at": timezone.now().isoformat(),
            "by": getattr(actor, "pk", None),
        }
        progress.save(update_fields=["steps", "updated_at"])
    return progress


_IMAGE_MAGIC = {b"\x89PNG\r\n\x1a\n": "png", b"\xff\xd8\xff": "jpg"}


def logo_check(logo: UploadedFile) -> str:
    """PNG or JPEG (sniffed), at most 1 MB. Returns the file extension."""
    if not logo.size:
        raise InvalidLogo(_("Berkas logo kosong."), extra={"field": "logo"})
    if logo.size > LOGO_MAX_BYTES:
        raise InvalidLogo(
            _("Logo %(size)d KB; batasnya 1 MB (1024 KB).") % {"size": logo.size // 1024},
            extra={"field": "logo"},
        )
    logo.seek(0)
    head = logo.read(8)
    logo.seek(0)
    for magic, ext in _IMAGE_MAGIC.items():
        if head.startswith(magic):
            return ext
    raise InvalidLogo(
        _("Logo harus berupa gambar PNG atau JPEG (isi berkas bukan gambar PNG/JPEG)."),
        extra={"field": "logo"},
    )


TIMEZONES = ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura")


def onboarding_profile_save(
    *,
    tenant: Tenant,
    actor: AbstractBaseUser,
    address: str,
    contact_email: str,
    contact_phone: str,
    timezone_name: str,
    logo: UploadedFile | None = None,
) -> OnboardingProgress:
    """Profile of the kab/kota (name stays from the national list). The logo is public media
    (tenant-prefixed storage); the timezone is written on the tenant row."""
    if timezone_name not in TIMEZONES:
        raise Conflict(_("Zona waktu tidak dikenal."), extra={"field": "timezone"})
    logo_path = None
    if logo is not None:
        ext = logo_check(logo)
        with tenant_context(tenant):
            logo_path = default_storage.save(f"profil/logo.{ext}", ContentFile(logo.read()))
    with schema_context("public"), transaction.atomic():
        progress, _created = OnboardingProgress.objects.select_for_update().get_or_create(
            tenant=tenant
        )
        profile = dict(progress.profile)
        old_logo = profile.get("logo")
        profile.update(
            address=address.strip(), contact_email=contact_email.strip(),
            contact_phone=contact_phone.strip(),
        )
        if logo_path:
            profile["logo"] = logo_path
        progress.profile = profile
        progress.steps["profile"] = {
            "done": True, "at": timezone.now().isoformat(), "by": actor.pk,
        }
        progress.save(update_fields=["profile", "steps", "updated_at"])
        if timezone_name != tenant.timezone:
            tenant_set_timezone(tenant=tenant, timezone_name=timezone_name)
    if logo_path and old_logo and old_logo != logo_path:
        with tenant_context(tenant):
            default_storage.delete(old_logo)
    return progress


def opd_suggestion_add(*, key: str, actor: AbstractBaseUser) -> Agency:
    """One-click OPD from the suggestions (current tenant schema)."""
    if key not in OPD_SUGGESTIONS:
        raise Conflict(_("Saran OPD tidak dikenal."))
    name, short_name = OPD_SUGGESTIONS[key]
    agency = agency_create(name=name, short_name=short_name, code=key, actor=actor)
    # a suggested OPD of a kind the national workflows name plays that kind here, unless the
    # admin already chose another OPD for it (issue 13; changeable under /kelola/layanan/alur/)
    from agencies.selectors import agency_kind_mappings
    from agencies.services import agency_kind_map
    from catalog.workflow import AGENCY_KINDS

    if key in AGENCY_KINDS and key not in agency_kind_mappings():
        agency_kind_map(kind=key, agency=agency, actor=actor)
    return agency


def counter_create(
    *, code: str, name: str, agency: Agency | None, actor: AbstractBaseUser
) -> Any:
    """A loket of the MPP hall (current tenant schema)."""
    from django.utils.text import slugify

    from hall.models import Counter

    code = slugify(code)[:20]
    with transaction.atomic():
        if Counter.objects.filter(code=code).exists():
            raise Conflict(
                _("Loket dengan kode %(code)s sudah ada.") % {"code": code},
                extra={"field": "code"},
            )
        counter = Counter(code=code, name=name.strip(), agency=agency)
        counter.full_clean()
        counter.save()
        audit_record("counter.save", actor=actor, target=counter, changes={
            "code": counter.code, "name": counter.name, "agency_id": counter.agency_id,
        })
    return counter


def invitation_create(
    *, tenant: Tenant, email: str, role: str, agency: Agency | None, actor: AbstractBaseUser
) -> Invitation:
    email = get_user_model().objects.normalize_email(email.strip()).lower()
    if role not in StaffRole.Role.values:
        raise InvitationInvalid(_("Peran tidak dikenal."), extra={"field": "role"})
    if role != StaffRole.Role.TENANT_ADMIN and agency is None:
        raise InvitationInvalid(
            _("Pilih OPD untuk peran %(role)s.") % {"role": StaffRole.Role(role).label},
            extra={"field": "agency"},
        )
    if role == StaffRole.Role.TENANT_ADMIN:
        agency = None
    with schema_context("public"), transaction.atomic():
        if Invitation.objects.filter(
            tenant=tenant, email=email, role=role,
            agency_id=agency.pk if agency else None, accepted_at__isnull=True,
        ).exists():
            raise Conflict(
                _("Undangan untuk %(email)s dengan peran ini masih menunggu diterima.")
                % {"email": email},
                extra={"field": "email"},
            )
        invitation = Invitation(
            tenant=tenant, email=email, role=role,
            agency_id=agency.pk if agency else None,
            agency_name=agency.name if agency else "",
            invited_by_id=actor.pk,
        )
        invitation.full_clean()
        invitation.save()
        # The invitee's address is a contact: the row names the role and the OPD only.
        audit_record("staff_invitation.create", actor=actor, tenant=tenant, target=invitation,
                     target_repr=f"{role} {invitation.agency_name}".strip(),
                     changes={"role": role, "agency_id": invitation.agency_id})
    onboarding_step_mark(tenant=tenant, step="staff", done=True, actor=actor)
    link = tenant_url(tenant.slug, f"/undangan/{invitation.token}/")
    role_label = StaffRole.Role(role).label
    transaction.on_commit(
        lambda: _send(
            _("Undangan staf MPP Digital %(name)s") % {"name": tenant.name},
            _("Anda diundang sebagai %(role)s di MPP Digital %(name)s. Terima undangan:\n%(link)s")
            % {"role": role_label, "name": tenant.name, "link": link},
            email,
        )
    )
    return invitation


def invitation_for(*, token: str, tenant: Tenant) -> Invitation:
    """An open invitation of THIS tenant (404 for another tenant's token)."""
    with schema_context("public"):
        invitation = Invitation.objects.filter(token=token, tenant=tenant).first()
    if invitation is None:
        raise InvitationNotFound(_("Undangan tidak ditemukan."))
    return invitation


def invitation_accept(
    *, token: str, tenant: Tenant, user: AbstractBaseUser
) -> Invitation:
    """Grant the invited role in the tenant's schema to the logged-in user (same email)."""
    with schema_context("public"), transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update().filter(token=token, tenant=tenant).first()
        )
        if invitation is None:
            raise InvitationNotFound(_("Undangan tidak ditemukan."))
        if invitation.accepted_at is not None:
            if invitation.accepted_by_id == user.pk:
                return invitation
            raise InvitationInvalid(_("Undangan ini sudah digunakan."))
        if (user.email or "").lower() != invitation.email:
            raise InvitationForAnotherEmail(
                _("Undangan ini untuk %(email)s; Anda masuk sebagai %(current)s. Keluar lalu "
                  "masuk dengan akun yang diundang.")
                % {"email": invitation.email, "current": user.email or "—"}
            )
        with tenant_context(tenant):
            agency = (
                Agency.objects.filter(pk=invitation.agency_id).first()
                if invitation.agency_id else None
            )
            if invitation.agency_id and agency is None:
                raise InvitationInvalid(_("OPD pada undangan ini sudah tidak ada."))
            staff_role_grant(user=user, role=invitation.role, agency=agency, actor=None)
        invitation.accepted_by_id = user.pk
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_by", "accepted_at"])
    return invitation


def invitation_accept_new_account(
    *, token: str, tenant: Tenant, full_name: str, password: str
) -> tuple[Invitation, AbstractBaseUser]:
    """Create the invitee's global account (email from the invitation) and accept."""
    User = get_user_model()
    with schema_context("public"), transaction.atomic():
        invitation = invitation_for(token=token, tenant=tenant)
        if invitation.accepted_at is not None:
            raise InvitationInvalid(_("Undangan ini sudah digunakan."))
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise InvitationInvalid(
                _("Akun untuk %(email)s sudah ada; masuk dulu untuk menerima undangan.")
                % {"email": invitation.email}
            )
        user = User.objects.create_user(
            email=invitation.email, password=password, full_name=full_name.strip()
        )
        invitation = invitation_accept(token=token, tenant=tenant, user=user)
    return invitation, user


def onboarding_go_live(*, tenant: Tenant, actor: AbstractBaseUser) -> Tenant:
    """Set the tenant live, or refuse with the list of missing steps."""
    from .selectors import wizard_steps

    steps = wizard_steps(tenant=tenant)
    missing = [s.label for s in steps if s.required and not s.done and s.key != "golive"]
    if missing:
        raise GoLiveRefused(
            _("Belum bisa diluncurkan. Langkah yang belum selesai: %(steps)s.")
            % {"steps": ", ".join(str(m) for m in missing)},
            extra={"missing": [str(m) for m in missing]},
        )
    if tenant.state != Tenant.State.LIVE:
        previous = tenant.state
        tenant_set_state(tenant=tenant, state=Tenant.State.LIVE)
        audit_record("tenant.go_live", actor=actor, tenant=tenant, target=tenant,
                     changes={"state": [previous, Tenant.State.LIVE]})
    with schema_context("public"):
        OnboardingProgress.objects.filter(tenant=tenant, went_live_at__isnull=True).update(
            went_live_at=timezone.now()
        )
    onboarding_step_mark(tenant=tenant, step="golive", done=True, actor=actor)
    return tenant
