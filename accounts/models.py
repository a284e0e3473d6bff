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
