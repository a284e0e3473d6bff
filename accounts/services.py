"""Writes about accounts: registration, one-time codes, password reset, citizen profile,
external identity links. Every function is keyword-only; side effects run on commit."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from core.errors import ApplicationError, Conflict

from . import otp, ratelimit
from .models import CitizenProfile, IdentityLink, OneTimeCode, User
from .nik import mask_nik, validate_nik
from .phone import normalize_phone
from .selectors import contact_in_use, identifier_key, user_by_identifier

logger = logging.getLogger(__name__)

Channel = OneTimeCode.Channel
Purpose = OneTimeCode.Purpose


class CodeInvalid(ApplicationError):
    code = "invalid_code"


class ResendThrottled(ratelimit.RateLimited):
    code = "resend_throttled"


class IdentityConflict(Conflict):
    code = "identity_conflict"


# --------------------------------------------------------------------------------------------
# Contacts


def parse_contact(raw: str) -> tuple[str | None, str | None]:
    """'ani@example.id' → (email, None); '0812-…' → (None, '62812…'); raises ValidationError."""
    value = (raw or "").strip()
    if "@" in value:
        try:
            validate_email(value)
        except ValidationError:
            raise ValidationError(
                _("Alamat email tidak valid. Contoh: nama@contoh.id"), code="email"
            ) from None
        return User.objects.normalize_email(value), None
    phone = normalize_phone(value)
    if phone is None:
        raise ValidationError(
            _("Nomor ponsel tidak valid. Gunakan nomor seluler Indonesia, mis. 0812-3456-7890."),
            code="phone",
        )
    return None, phone


# --------------------------------------------------------------------------------------------
# Registration and one-time codes


def user_register(*, full_name: str, contact: str, password: str) -> User | None:
    """An unverified account; a verification code is sent to the contact on commit.

    Never tells whether the contact already has an account: then no account is made, the
    contact's owner is told by email/SMS instead (`account_notice_deliver`), and None is
    returned — the caller answers exactly as for a new account.
    Raises ValidationError with field keys `full_name`, `contact`, `password`."""
    full_name = " ".join((full_name or "").split())
    if not full_name:
        raise ValidationError({"full_name": _("Nama lengkap wajib diisi.")})
    try:
        email, phone = parse_contact(contact)
    except ValidationError as exc:
        raise ValidationError({"contact": exc.messages}) from None
    try:
        validate_password(password, User(full_name=full_name, email=email, phone=phone))
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    channel = Channel.EMAIL if email else Channel.PHONE
    existing = user_by_identifier(email or phone or "")
    if existing is not None:
        User().set_password(password)  # equalise timing with the new-account case
        _registration_notice(user=existing, channel=channel)
        return None
    with transaction.atomic():
        try:
            with transaction.atomic():
                user = User.objects.create_user(
                    email=email, phone=phone, full_name=full_name, password=password
                )
        except (IntegrityError, ValidationError):  # registered concurrently
            existing = user_by_identifier(email or phone or "")
            if existing is not None:
                _registration_notice(user=existing, channel=channel)
            return None
        one_time_code_issue(user=user, purpose=Purpose.VERIFY, channel=channel)
    logger.info("account registered user_id=%s channel=%s", user.pk, channel)
    return user


REGISTRATION_NOTICE = "registered"


def _registration_notice(*, user: User, channel: str) -> None:
    """Tell the owner of a contact that someone tried to register it again (at most once per
    `MPP_OTP_RESEND_INTERVAL`, so the form cannot be used to flood them)."""
    from django.core.cache import cache

    from core.tasks_dispatch import enqueue_on_commit

    from .tasks import send_account_notice_task

    with schema_context("public"):
        fresh = cache.add(
            f"mpp:notice:{REGISTRATION_NOTICE}:{user.pk}:{channel}", 1,
            timeout=otp.resend_interval(),
        )
    if fresh:
        enqueue_on_commit(send_account_notice_task, user.pk, channel, REGISTRATION_NOTICE)
    logger.info("registration attempted for an existing account user_id=%s", user.pk)


def _notice_text(kind: str) -> tuple[str, str]:
    """Subject and body of an account notice (`kind`: REGISTRATION_NOTICE)."""
    subject = _("Alamat Anda sudah terdaftar di MPP Digital")
    body = _(
        "Seseorang mencoba mendaftar akun baru MPP Digital dengan email/nomor ponsel ini, "
        "padahal sudah ada akun dengan alamat ini. Jika itu Anda, silakan masuk dengan kata "
        "sandi Anda, masuk dengan kode sekali pakai, atau atur ulang kata sandi jika lupa. "
        "Jika bukan Anda, abaikan pesan ini: akun Anda tidak berubah."
    )
    return subject, body


def account_notice_deliver(*, user_id: int, channel: str, kind: str) -> str:
    """Send a notice about the account to its email or phone (the same messaging as the
    one-time codes). Raises on a delivery failure (the task retries)."""
    from . import sms

    with schema_context("public"):
        user = User.objects.filter(pk=user_id, is_active=True).first()
        destination = _destination(user, channel) if user is not None else None
        if not destination:
            return "skipped"
        with translation.override("id"):
            subject, body = _notice_text(kind)
        if channel == Channel.EMAIL:
            send_mail(subject, body, None, [destination])
        else:
            sms.send_sms(destination, body)
    return "sent"


def registration_confirm(*, identifier: str, code: str) -> User:
    """Verify the contact a registration was made with, by the code sent to it. Every failure
    raises the same CodeInvalid, so the page cannot tell a new contact from a known one."""
    user = user_by_identifier(identifier)
    channel = Channel.EMAIL if "@" in (identifier or "") else Channel.PHONE
    try:
        if user is None or not user.is_active:
            raise CodeInvalid("")
        one_time_code_verify(user=user, purpose=Purpose.VERIFY, channel=channel, code=code)
    except CodeInvalid:
        raise CodeInvalid(
            _("Kode salah atau tidak berlaku. Periksa pesan terakhir yang kami kirim."),
            code="code_invalid",
        ) from None
    return user


def _destination(user: User, channel: str) -> str | None:
    return user.email if channel == Channel.EMAIL else user.phone


def one_time_code_issue(*, user: User, purpose: str, channel: str) -> OneTimeCode:
    """A new 6-digit code for the user's current email/phone; older open codes are revoked.
    At most one code per `MPP_OTP_RESEND_INTERVAL` seconds (ResendThrottled)."""
    destination = _destination(user, channel)
    if not destination:
        raise CodeInvalid(
            _("Akun ini tidak memiliki email.") if channel == Channel.EMAIL
            else _("Akun ini tidak memiliki nomor ponsel.")
        )
    now = timezone.now()
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()  # serialise per account
        last = (
            OneTimeCode.objects.filter(
                user=user, purpose=purpose, channel=channel, destination=destination
            )
            .order_by("-created_at")
            .first()
        )
        interval = otp.resend_interval()
        if last is not None:
            waited = (now - last.created_at).total_seconds()
            if waited < interval:
                wait = int(interval - waited) + 1
                raise ResendThrottled(
                    _("Kode baru bisa diminta lagi dalam %(n)d detik.") % {"n": wait},
                    retry_after=wait,
                )
        OneTimeCode.objects.filter(
            user=user, purpose=purpose, used_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=now)
        code = otp.generate_code()
        salt = otp.new_salt()
        row = OneTimeCode.objects.create(
            user=user, purpose=purpose, channel=channel, destination=destination, salt=salt,
            code_hash=otp.hash_code(code, salt), sealed=otp.seal(code), created_at=now,
            expires_at=now + dt.timedelta(seconds=otp.ttl_seconds()),
        )
        from core.tasks_dispatch import enqueue_on_commit

        from .tasks import send_one_time_code_task

        enqueue_on_commit(send_one_time_code_task, row.pk)
    return row


def _code_text(purpose: str, code: str) -> tuple[str, str]:
    minutes = otp.ttl_seconds() // 60
    if purpose == Purpose.LOGIN:
        subject = _("Kode masuk MPP Digital")
        body = _(
            "Kode untuk masuk ke MPP Digital: %(code)s. Berlaku %(m)d menit. "
            "Jangan berikan kode ini kepada siapa pun, termasuk petugas. Jika Anda tidak "
            "sedang masuk, abaikan pesan ini."
        )
    elif purpose == Purpose.RESET:
        subject = _("Kode atur ulang kata sandi MPP Digital")
        body = _(
            "Kode untuk mengatur ulang kata sandi MPP Digital: %(code)s. Berlaku %(m)d menit. "
            "Jangan berikan kode ini kepada siapa pun, termasuk petugas."
        )
    else:
        subject = _("Kode verifikasi MPP Digital")
        body = _(
            "Kode verifikasi MPP Digital: %(code)s. Berlaku %(m)d menit. "
            "Jangan berikan kode ini kepada siapa pun, termasuk petugas."
        )
    return subject, body % {"code": code, "m": minutes}


def one_time_code_deliver(*, code_id: int) -> str:
    """Send the sealed code by email or SMS, then wipe it. Idempotent: a code already sent,
    used, revoked or expired is skipped. Raises on a delivery failure (the task retries)."""
    from . import sms

    with schema_context("public"):
        row = OneTimeCode.objects.filter(pk=code_id).first()
        if row is None or not row.sealed:
            return "skipped"
        if row.used_at or row.revoked_at or row.expires_at <= timezone.now():
            OneTimeCode.objects.filter(pk=row.pk).update(sealed="")
            return "skipped"
        code = otp.unseal(row.sealed)
        if code is None:
            OneTimeCode.objects.filter(pk=row.pk).update(sealed="")
            return "skipped"
        with translation.override("id"):
            subject, body = _code_text(row.purpose, code)
        if row.channel == Channel.EMAIL:
            send_mail(subject, body, None, [row.destination])
        else:
            sms.send_sms(row.destination, body)
        OneTimeCode.objects.filter(pk=row.pk).update(sealed="", sent_at=timezone.now())
    return "sent"


def one_time_code_verify(*, user: User, purpose: str, channel: str, code: str) -> OneTimeCode:
    """Check the user's latest open code. Wrong attempts are counted (and committed) even
    though an error is raised. On success the code is used up; a VERIFY code marks the contact
    verified."""
    typed = otp.normalize_code_input(code)
    now = timezone.now()
    limit = otp.max_attempts()
    with transaction.atomic():
        row = (
            OneTimeCode.objects.select_for_update()
            .filter(user=user, purpose=purpose, channel=channel,
                    used_at__isnull=True, revoked_at__isnull=True)
            .order_by("-created_at")
            .first()
        )
        outcome, remaining = "ok", 0
        if row is None or row.destination != _destination(user, channel):
            outcome = "none"
        elif row.expires_at <= now:
            outcome = "expired"
        elif row.attempts >= limit:
            outcome = "exhausted"
        elif len(typed) == otp.CODE_LENGTH and otp.code_matches(
            typed, salt=row.salt, code_hash=row.code_hash
        ):
            OneTimeCode.objects.filter(pk=row.pk).update(used_at=now, sealed="")
            if purpose == Purpose.VERIFY:
                _mark_verified(user=user, channel=channel, when=now)
        else:
            OneTimeCode.objects.filter(pk=row.pk).update(attempts=F("attempts") + 1)
            remaining = limit - row.attempts - 1
            outcome = "wrong" if remaining > 0 else "exhausted"
    if outcome == "none":
        raise CodeInvalid(_("Tidak ada kode yang berlaku. Minta kode baru."), code="code_missing")
    if outcome == "expired":
        raise CodeInvalid(
            _("Kode sudah kedaluwarsa (berlaku %(m)d menit). Minta kode baru.")
            % {"m": otp.ttl_seconds() // 60},
            code="code_expired",
        )
    if outcome == "exhausted":
        raise CodeInvalid(
            _("Kode ini sudah %(n)d kali salah dimasukkan dan tidak berlaku lagi. Minta kode baru.")
            % {"n": limit},
            code="code_exhausted",
        )
    if outcome == "wrong":
        raise CodeInvalid(
            _("Kode salah. Sisa percobaan: %(n)d.") % {"n": remaining}, code="code_wrong"
        )
    return row


def _mark_verified(*, user: User, channel: str, when: dt.datetime) -> None:
    field = "email_verified_at" if channel == Channel.EMAIL else "phone_verified_at"
    User.objects.filter(pk=user.pk).update(**{field: when})
    setattr(user, field, when)


# --------------------------------------------------------------------------------------------
# Password reset


def password_reset_request(*, identifier: str) -> OneTimeCode | None:
    """Send a reset code to the email/phone typed, if an account has it. Returns None
    otherwise (the caller shows the same message either way)."""
    user = user_by_identifier(identifier)
    if user is None or not user.is_active:
        return None
    channel = Channel.EMAIL if "@" in identifier else Channel.PHONE
    return one_time_code_issue(user=user, purpose=Purpose.RESET, channel=channel)


def password_reset_confirm(*, identifier: str, code: str, password: str) -> User:
    """Set a new password after checking the reset code sent to `identifier`. Raises
    ValidationError (`password`) or CodeInvalid."""
    user = user_by_identifier(identifier)
    if user is None or not user.is_active:
        raise CodeInvalid(_("Tidak ada kode yang berlaku. Minta kode baru."), code="code_missing")
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    channel = Channel.EMAIL if "@" in identifier else Channel.PHONE
    row = one_time_code_verify(user=user, purpose=Purpose.RESET, channel=channel, code=code)
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        _mark_verified(user=user, channel=row.channel, when=timezone.now())
    ratelimit.clear("login", identifier=identifier_key(identifier))
    logger.info("password reset user_id=%s channel=%s", user.pk, channel)
    return user


# --------------------------------------------------------------------------------------------
# Sign-in by one-time code (the owner's way in while password logins are held back)


def _verified_channel(user: User, identifier: str) -> str | None:
    if "@" in identifier:
        return Channel.EMAIL if user.email_verified_at else None
    return Channel.PHONE if user.phone_verified_at else None


def login_code_request(*, identifier: str) -> OneTimeCode | None:
    """Send a sign-in code to the email/phone typed, if an active account has it *verified*.
    Returns None otherwise (the caller shows the same message either way)."""
    user = user_by_identifier(identifier)
    if user is None or not user.is_active:
        return None
    channel = _verified_channel(user, identifier)
    if channel is None:
        return None
    return one_time_code_issue(user=user, purpose=Purpose.LOGIN, channel=channel)


def login_code_confirm(*, identifier: str, code: str) -> User:
    """The account whose verified email/phone `identifier` received `code`. Raises
    CodeInvalid. Clears the account's password-login holds (its owner proved the contact)."""
    user = user_by_identifier(identifier)
    channel = _verified_channel(user, identifier) if user is not None and user.is_active else None
    if channel is None:
        raise CodeInvalid(_("Tidak ada kode yang berlaku. Minta kode baru."), code="code_missing")
    one_time_code_verify(user=user, purpose=Purpose.LOGIN, channel=channel, code=code)
    ratelimit.clear("login", identifier=identifier_key(identifier))
    logger.info("signed in by code user_id=%s channel=%s", user.pk, channel)
    return user


# --------------------------------------------------------------------------------------------
# Citizen profile

PROFILE_FIELDS = (
    "full_name", "email", "phone", "nik", "birth_place", "birth_date", "sex", "address",
    "province_code", "regency_code", "district_code", "village_code",
)
REGION_FIELDS = ("province_code", "regency_code", "district_code", "village_code")


def _current_values(user: User, profile: CitizenProfile | None) -> dict[str, Any]:
    values: dict[str, Any] = {"full_name": user.full_name, "email": user.email or "",
                              "phone": user.phone or ""}
    for name in PROFILE_FIELDS[3:]:
        values[name] = getattr(profile, name) if profile else ("" if name != "birth_date" else None)
    values["nik"] = values["nik"] or ""
    return values


def profile_update(
    *, user: User, changes: dict[str, Any], tenant: Any | None = None
) -> CitizenProfile:
    """Apply `changes` (any of PROFILE_FIELDS) to the user and their profile.

    Everything is validated together; errors are raised as one ValidationError keyed by field.
    Regions are checked against `tenant`'s own active kecamatan/desa when a tenant is given,
    otherwise against the national Kemendagri list. A changed email/phone becomes unverified
    and gets a verification code."""
    profile = CitizenProfile.objects.filter(user=user).first()
    current = _current_values(user, profile)
    data = {**current, **{k: v for k, v in changes.items() if k in PROFILE_FIELDS}}
    for key in ("full_name", "email", "phone", "nik", "birth_place", "address", *REGION_FIELDS):
        data[key] = " ".join(str(data.get(key) or "").split()) if key != "address" else (
            str(data.get(key) or "").strip()
        )
    errors: dict[str, list[str]] = {}

    def fail(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if not data["full_name"]:
        fail("full_name", _("Nama lengkap wajib diisi."))
    email = data["email"] or None
    phone = data["phone"] or None
    if email:
        try:
            email = parse_contact(email)[0]
        except ValidationError as exc:
            fail("email", exc.messages[0])
        else:
            if contact_in_use(email=email, exclude_user_id=user.pk):
                fail("email", _("Email ini sudah dipakai akun lain."))
    if phone:
        normalized = normalize_phone(phone)
        if normalized is None:
            fail("phone", _(
                "Nomor ponsel tidak valid. Gunakan nomor seluler Indonesia, mis. 0812-3456-7890."
            ))
        else:
            phone = normalized
            if contact_in_use(phone=phone, exclude_user_id=user.pk):
                fail("phone", _("Nomor ponsel ini sudah dipakai akun lain."))
    if not email and not phone and "email" not in errors and "phone" not in errors:
        fail("email", _("Isi email atau nomor ponsel (salah satu wajib ada)."))

    birth_date = data.get("birth_date") or None
    if isinstance(birth_date, str):
        try:
            birth_date = dt.date.fromisoformat(birth_date)
        except ValueError:
            fail("birth_date", _("Tanggal lahir tidak valid (format TTTT-BB-HH)."))
            birth_date = None
    if birth_date and birth_date > timezone.localdate():
        fail("birth_date", _("Tanggal lahir tidak boleh di masa depan."))
    sex = data.get("sex") or ""
    if sex and sex not in CitizenProfile.Sex.values:
        fail("sex", _("Pilih jenis kelamin: L (laki-laki) atau P (perempuan)."))

    nik = data["nik"].replace(" ", "") or None
    if nik:
        try:
            info = validate_nik(nik)
        except ValidationError as exc:
            fail("nik", exc.messages[0])
        else:
            nik = info.nik
            if CitizenProfile.objects.filter(nik=nik).exclude(user=user).exists():
                fail("nik", _("NIK ini sudah terdaftar pada akun lain."))
            if birth_date is None and "birth_date" not in errors:
                birth_date = info.birth_date
            elif birth_date and birth_date != info.birth_date:
                fail("birth_date", _(
                    "Tanggal lahir tidak sesuai dengan NIK: menurut NIK, tanggal lahir Anda "
                    "%(date)s."
                ) % {"date": info.birth_date.strftime("%d-%m-%Y")})
            if not sex and "sex" not in errors:
                sex = info.sex
            elif sex and sex != info.sex:
                fail("sex", _(
                    "Jenis kelamin tidak sesuai dengan NIK: tanggal lahir pada NIK ditambah 40 "
                    "untuk perempuan, jadi NIK ini milik seorang %(sex)s."
                ) % {"sex": _("perempuan") if info.sex == "P" else _("laki-laki")})

    regions = {key: data[key] for key in REGION_FIELDS}
    if any(regions[key] != (current[key] or "") for key in REGION_FIELDS):
        if tenant is not None:
            regions = _validate_tenant_regions(regions, tenant=tenant, fail=fail)
        else:
            regions = _validate_national_regions(regions, fail=fail)
    else:
        regions = {key: current[key] or "" for key in REGION_FIELDS}

    if errors:
        raise ValidationError(errors)

    email_changed = (email or None) != (user.email or None)
    phone_changed = (phone or None) != (user.phone or None)
    try:
        with transaction.atomic():
            user.full_name = data["full_name"]
            user.email = email
            user.phone = phone
            if email_changed:
                user.email_verified_at = None
            if phone_changed:
                user.phone_verified_at = None
            user.save(update_fields=["full_name", "email", "phone", "email_verified_at",
                                     "phone_verified_at"])
            profile = profile or CitizenProfile(user=user)
            profile.nik = nik
            profile.birth_place = data["birth_place"]
            profile.birth_date = birth_date
            profile.sex = sex
            profile.address = data["address"]
            for key, value in regions.items():
                setattr(profile, key, value)
            profile.save()
            for changed, channel in ((email_changed and email, Channel.EMAIL),
                                     (phone_changed and phone, Channel.PHONE)):
                if changed:
                    try:
                        with transaction.atomic():
                            one_time_code_issue(user=user, purpose=Purpose.VERIFY, channel=channel)
                    except ResendThrottled:
                        pass  # a code for this destination was sent moments ago
    except IntegrityError:
        # A concurrent write took the NIK, email or phone between the checks and the save.
        raise ValidationError(
            {"nik": _("NIK ini sudah terdaftar pada akun lain.")} if nik else
            {"email": _("Email atau nomor ponsel ini sudah dipakai akun lain.")}
        ) from None
    logger.info("profile updated user_id=%s nik=%s", user.pk, mask_nik(nik) if nik else "-")
    return profile


def _validate_tenant_regions(regions: dict[str, str], *, tenant: Any, fail: Any) -> dict[str, str]:
    from regions.models import District, Village

    district_code, village_code = regions["district_code"], regions["village_code"]
    result = dict.fromkeys(REGION_FIELDS, "")
    if not district_code and not village_code:
        return result
    with schema_context(tenant.schema_name):
        district = District.objects.filter(code=district_code, is_active=True).first()
        if district is None:
            fail("district_code", _("Pilih kecamatan yang ada di %(name)s.") % {"name": tenant.name})
            return result
        result.update(province_code=district.code[:2], regency_code=district.code[:5],
                      district_code=district.code)
        if village_code:
            village = Village.objects.filter(code=village_code, is_active=True).first()
            if village is None:
                fail("village_code", _("Desa/kelurahan tidak ditemukan di %(name)s.")
                     % {"name": tenant.name})
            elif village.district_id != district.pk:
                fail("village_code", _(
                    "Desa/kelurahan %(village)s tidak berada di Kecamatan %(district)s."
                ) % {"village": village.name, "district": district.name})
            else:
                result["village_code"] = village.code
    return result


_CODE_LENGTHS = {"province_code": 2, "regency_code": 5, "district_code": 8, "village_code": 13}
_CODE_DIGITS = {2: 2, 5: 4, 8: 6, 13: 10}


def _validate_national_regions(regions: dict[str, str], *, fail: Any) -> dict[str, str]:
    """Free Kemendagri codes (platform host): each must exist in the national list and sit
    inside the codes above it; missing parents are derived from the lowest code given."""
    from regions import reference
    from regions.codes import InvalidCode, normalize_code

    lookups = {"province_code": reference.province, "regency_code": reference.regency,
               "district_code": reference.district, "village_code": reference.village}
    names = {"province_code": _("Provinsi"), "regency_code": _("Kabupaten/kota"),
             "district_code": _("Kecamatan"), "village_code": _("Desa/kelurahan")}
    result = dict.fromkeys(REGION_FIELDS, "")
    for key, length in _CODE_LENGTHS.items():
        raw = regions[key]
        if not raw:
            continue
        try:
            code = normalize_code(raw)
        except InvalidCode as exc:
            fail(key, str(exc))
            continue
        if len(code) != length:
            fail(key, _("Kode %(what)s harus %(n)d digit, mis. %(example)s.") % {
                "what": names[key].lower(), "n": _CODE_DIGITS[length],
                "example": "32.73.01.1001"[:length],
            })
            continue
        if lookups[key](code) is None:
            fail(key, _("%(what)s dengan kode %(code)s tidak ada dalam daftar Kemendagri.")
                 % {"what": names[key], "code": code})
            continue
        result[key] = code
    order = list(_CODE_LENGTHS)
    for index, key in enumerate(order):
        child = result[key]
        if not child:
            continue
        for parent_key in order[:index]:
            expected = child[: _CODE_LENGTHS[parent_key]]
            if result[parent_key] and result[parent_key] != expected:
                fail(key, _("%(what)s %(code)s tidak berada di %(parent)s %(parent_code)s.") % {
                    "what": names[key], "code": child, "parent": names[parent_key].lower(),
                    "parent_code": result[parent_key],
                })
                return result
    lowest = next((result[key] for key in reversed(order) if result[key]), "")
    for key in order:
        if lowest and not result[key] and len(lowest) >= _CODE_LENGTHS[key]:
            result[key] = lowest[: _CODE_LENGTHS[key]]
    return result


# --------------------------------------------------------------------------------------------
# External identities (OpenID Connect)


def identity_link_create(*, user: User, provider: str, subject: str) -> IdentityLink:
    existing = IdentityLink.objects.filter(provider=provider, subject=subject).first()
    if existing is not None:
        if existing.user_id == user.pk:
            return existing
        raise IdentityConflict(_("Identitas INApas ini sudah tertaut ke akun lain."))
    if IdentityLink.objects.filter(user=user, provider=provider).exists():
        raise IdentityConflict(_("Akun Anda sudah tertaut ke identitas INApas lain."))
    try:
        with transaction.atomic():
            return IdentityLink.objects.create(user=user, provider=provider, subject=subject)
    except IntegrityError:
        raise IdentityConflict(_("Identitas INApas ini sudah tertaut ke akun lain.")) from None


def user_create_from_identity(
    *, provider: str, subject: str, full_name: str, email: str | None, email_verified: bool,
    phone: str | None, phone_verified: bool, nik: str | None,
) -> User:
    """A new account from an identity provider's verified claims, linked to (provider, sub)."""
    if not email and not phone:
        raise IdentityConflict(_(
            "INApas tidak mengirimkan email atau nomor ponsel, jadi akun baru tidak dapat dibuat. "
            "Daftar dengan email/nomor ponsel, lalu tautkan INApas dari halaman Akun saya."
        ))
    if contact_in_use(email=email, phone=phone):
        raise IdentityConflict(_(
            "Email atau nomor ponsel dari INApas sudah terdaftar di MPP Digital. Masuk dengan "
            "kata sandi Anda, lalu tautkan INApas dari halaman Akun saya."
        ))
    now = timezone.now()
    with transaction.atomic():
        user = User.objects.create_user(
            email=email, phone=phone, full_name=full_name or (email or phone or ""),
            password=None,
            email_verified_at=now if email and email_verified else None,
            phone_verified_at=now if phone and phone_verified else None,
        )
        identity_link_create(user=user, provider=provider, subject=subject)
        if nik:
            _profile_set_nik_from_identity(user=user, nik=nik)
    return user


def _profile_set_nik_from_identity(*, user: User, nik: str) -> None:
    try:
        info = validate_nik(nik)
    except ValidationError as exc:
        logger.warning("identity NIK rejected user_id=%s nik=%s: %s", user.pk, mask_nik(nik),
                       exc.messages[0])
        return
    if CitizenProfile.objects.filter(nik=info.nik).exists():
        logger.warning("identity NIK already used user_id=%s nik=%s", user.pk, mask_nik(nik))
        return
    CitizenProfile.objects.update_or_create(
        user=user, defaults={"nik": info.nik, "birth_date": info.birth_date, "sex": info.sex}
    )


def identity_touch(*, link: IdentityLink) -> None:
    IdentityLink.objects.filter(pk=link.pk).update(last_login_at=timezone.now())


def identity_sign_in(
    *, provider: str, claims: dict[str, Any], nik_claim: str, current_user: User | None
) -> User:
    """The account for verified OIDC claims: the logged-in account (linked now), the account
    already linked to (provider, sub), or a new verified account made from the claims."""
    from .selectors import identity_link_for, profile_for

    subject = str(claims.get("sub") or "")
    if not subject:
        raise IdentityConflict(_("Token identitas INApas tidak memuat subjek (sub)."))
    nik = str(claims.get(nik_claim) or "") or None
    if current_user is not None:
        identity_link_create(user=current_user, provider=provider, subject=subject)
        profile = profile_for(current_user)
        if nik and (profile is None or not profile.nik):
            _profile_set_nik_from_identity(user=current_user, nik=nik)
        return current_user
    link = identity_link_for(provider=provider, subject=subject)
    if link is not None:
        if not link.user.is_active:
            raise IdentityConflict(_("Akun ini dinonaktifkan."))
        identity_touch(link=link)
        return link.user
    email = None
    raw_email = str(claims.get("email") or "")
    if raw_email:
        try:
            email = parse_contact(raw_email)[0]
        except ValidationError:
            email = None
    phone = normalize_phone(str(claims.get("phone_number") or "")) or None
    name = str(claims.get("name") or "").strip() or " ".join(
        part for part in (claims.get("given_name"), claims.get("family_name")) if part
    )
    return user_create_from_identity(
        provider=provider, subject=subject, full_name=name[:150], email=email,
        email_verified=claims.get("email_verified") is True, phone=phone,
        phone_verified=claims.get("phone_number_verified") is True, nik=nik,
    )
