"""Global accounts (public schema): one account works on every tenant's subdomain."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(
        self, email: str | None = None, password: str | None = None, **extra: object
    ) -> User:
        email = self.normalize_email(email) if email else None
        user = self.model(email=email, **extra)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str, **extra: object) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Citizens need no role; staff roles live in each tenant's schema; the
    ministry role lives here (platform host)."""

    class MinistryRole(models.TextChoices):
        NONE = "", _("—")
        VIEWER = "viewer", _("Pemantau kementerian")
        ADMIN = "admin", _("Administrator kementerian")

    email = models.EmailField(_("email"), unique=True, null=True, blank=True)
    phone = models.CharField(_("nomor ponsel"), max_length=20, unique=True, null=True, blank=True)
    full_name = models.CharField(_("nama lengkap"), max_length=150)
    ministry_role = models.CharField(
        _("peran kementerian"), max_length=10, choices=MinistryRole.choices, blank=True
    )
    is_staff = models.BooleanField(
        _("operator platform"), default=False,
        help_text=_("Boleh masuk ke admin Django (operator platform saja)."),
    )
    is_active = models.BooleanField(_("aktif"), default=True)
    date_joined = models.DateTimeField(_("tanggal bergabung"), default=timezone.now)
    email_verified_at = models.DateTimeField(_("email terverifikasi pada"), null=True, blank=True)
    phone_verified_at = models.DateTimeField(
        _("nomor ponsel terverifikasi pada"), null=True, blank=True
    )
    # Bumped on sign-out: every session (any host) stamped with an older value ends.
    session_generation = models.PositiveIntegerField(default=0, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("pengguna")
        verbose_name_plural = _("pengguna")
        constraints = [
            models.CheckConstraint(
                condition=Q(email__isnull=False) | Q(phone__isnull=False),
                name="user_has_email_or_phone",
            )
        ]

    def __str__(self) -> str:
        return self.full_name or self.email or self.phone or f"#{self.pk}"

    @property
    def is_ministry(self) -> bool:
        return bool(self.ministry_role)


class CitizenProfile(models.Model):
    """The citizen's own data, entered once and reused by every tenant's applications.
    Public schema. The NIK is shown masked everywhere (accounts.nik.mask_nik)."""

    class Sex(models.TextChoices):
        MALE = "L", _("Laki-laki")
        FEMALE = "P", _("Perempuan")

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="citizen_profile", verbose_name=_("pengguna")
    )
    nik = models.CharField(_("NIK"), max_length=16, unique=True, null=True, blank=True)
    birth_place = models.CharField(_("tempat lahir"), max_length=100, blank=True)
    birth_date = models.DateField(_("tanggal lahir"), null=True, blank=True)
    sex = models.CharField(_("jenis kelamin"), max_length=1, choices=Sex.choices, blank=True)
    address = models.TextField(_("alamat"), blank=True)
    province_code = models.CharField(_("kode provinsi"), max_length=2, blank=True)
    regency_code = models.CharField(_("kode kabupaten/kota"), max_length=5, blank=True)
    district_code = models.CharField(_("kode kecamatan"), max_length=8, blank=True)
    village_code = models.CharField(_("kode desa/kelurahan"), max_length=13, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("profil warga")
        verbose_name_plural = _("profil warga")

    def __str__(self) -> str:
        return f"{self.user} ({self.masked_nik or '-'})"

    @property
    def masked_nik(self) -> str:
        from .nik import mask_nik

        return mask_nik(self.nik) if self.nik else ""


class IdentityLink(models.Model):
    """An account's identity at an external OpenID Connect provider (INApas): `sub` per issuer."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="identity_links", verbose_name=_("pengguna")
    )
    provider = models.CharField(_("penyedia"), max_length=255)  # the issuer URL
    subject = models.CharField(_("subjek"), max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)
    last_login_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("tautan identitas")
        verbose_name_plural = _("tautan identitas")
        constraints = [
            models.UniqueConstraint(fields=["provider", "subject"], name="identity_link_unique_sub"),
            models.UniqueConstraint(fields=["user", "provider"], name="identity_link_one_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.provider}"


class OneTimeCode(models.Model):
    """A 6-digit code sent to an email address or phone. Only an HMAC of the code is kept;
    `sealed` holds the code encrypted until the sending task has delivered it, then is wiped."""

    class Purpose(models.TextChoices):
        VERIFY = "verify", _("Verifikasi kontak")
        RESET = "reset", _("Atur ulang kata sandi")
        LOGIN = "login", _("Masuk dengan kode")

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        PHONE = "phone", _("Ponsel")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="one_time_codes")
    purpose = models.CharField(max_length=10, choices=Purpose.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    destination = models.CharField(max_length=254)
    salt = models.CharField(max_length=32)
    code_hash = models.CharField(max_length=64)
    sealed = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("kode sekali pakai")
        verbose_name_plural = _("kode sekali pakai")
        indexes = [models.Index(fields=["user", "purpose", "channel", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} · {self.get_channel_display()} · #{self.pk}"


class AccountErasureRequest(models.Model):
    """A request to erase a person's account (UU 27/2022 PDP, right to erasure), worked off by
    `accounts.tasks.account_erasure_task` over every tenant schema (accounts.erasure, ADR 0006).

    `progress` maps a schema name to what was done there:
    `{"done_at": iso, "counts": {...}, "files_pending": [storage names]}`; a schema with
    `done_at` is never worked again, so a rerun resumes where the last run stopped."""

    class State(models.TextChoices):
        PENDING = "pending", _("Menunggu")
        RUNNING = "running", _("Berjalan")
        DONE = "done", _("Selesai")
        FAILED = "failed", _("Gagal (akan diulang)")

    OPEN_STATES = (State.PENDING, State.RUNNING, State.FAILED)

    user = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="erasure_requests",
        verbose_name=_("pengguna"),
    )
    requested_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("diminta oleh"),
    )
    requested_by_label = models.CharField(_("peminta"), max_length=200, blank=True)
    reason = models.CharField(_("alasan"), max_length=200, blank=True)
    state = models.CharField(
        _("status"), max_length=10, choices=State.choices, default=State.PENDING
    )
    # The name that replaces the person's everywhere a record is kept (random, not derived).
    pseudonym = models.CharField(_("pseudonim"), max_length=40)
    progress = models.JSONField(_("kemajuan per skema"), default=dict, blank=True)
    tenants_total = models.PositiveIntegerField(_("jumlah tenant"), default=0)
    last_error = models.TextField(_("galat terakhir"), blank=True)
    requested_at = models.DateTimeField(_("diminta pada"), default=timezone.now)
    started_at = models.DateTimeField(_("mulai pada"), null=True, blank=True)
    finished_at = models.DateTimeField(_("selesai pada"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("permintaan penghapusan akun")
        verbose_name_plural = _("permintaan penghapusan akun")
        constraints = [
            models.UniqueConstraint(
                fields=["user"], name="erasure_one_per_user",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pseudonym} ({self.get_state_display()})"

    @property
    def tenants_done(self) -> int:
        return sum(1 for key, entry in self.progress.items()
                   if key != "public" and entry.get("done_at"))


class SignOnHandoff(models.Model):
    """One sign-in hand-off from the platform host to one tenant host (docs/adr/0010).

    The browser carries a signed code naming the nonce and the host; only a hash of the nonce
    is kept. A row is redeemed once, on its host, before `expires_at`, by the browser session
    that asked for it (`state_hash`), and only while the user's session generation is unchanged.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sign_on_handoffs")
    nonce_hash = models.CharField(max_length=64, unique=True)
    host = models.CharField(max_length=253)
    state_hash = models.CharField(max_length=64)
    session_generation = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("serah terima masuk")
        verbose_name_plural = _("serah terima masuk")
        indexes = [models.Index(fields=["expires_at"])]

    def __str__(self) -> str:
        return f"{self.host} · #{self.pk}"
