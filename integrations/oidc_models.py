"""django-oauth-toolkit's models, swapped into this tenant app (settings
OAUTH2_PROVIDER_*_MODEL). Each tenant is its own OpenID Connect provider: clients, grants
and tokens live in the tenant's schema, so a token of tenant A does not exist on tenant B.

Differences from the toolkit's defaults:
- user references are `db_constraint=False` and `DO_NOTHING` (users live in the public
  schema; account erasure deletes a person's grants and tokens, see docs/adr/0006);
- an OPD client belongs to an agency, carries the scopes the tenant admin granted it, a salt
  for pairwise subject identifiers, a sealed secret for HMAC-signed status pushes, and may
  use the client-credentials grant for the `status:write` scope;
- ID tokens are signed with the tenant's current `SigningKey` (RS256), not a settings key;
- the device grant is unmanaged: the device flow is not offered, so it has no table.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from oauth2_provider.models import (
    AbstractAccessToken,
    AbstractApplication,
    AbstractDeviceGrant,
    AbstractGrant,
    AbstractIDToken,
    AbstractRefreshToken,
    ApplicationManager,
)

from .conf import SCOPE_STATUS_WRITE
from .crypto import new_secret


def _user_fk(*, null: bool) -> models.ForeignKey:
    # DO_NOTHING: users live in the public schema, whose deletes must not cascade into tenant
    # tables; account erasure removes a person's grants and tokens (accounts.erasure).
    return models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False,
        related_name="%(app_label)s_%(class)s", null=null, blank=null, verbose_name=_("user"),
    )


def _subject_salt() -> str:
    return new_secret(32)


class OidcClient(AbstractApplication):
    """An OPD application registered by the tenant admin (an OAuth client / OIDC RP)."""

    user = _user_fk(null=True)
    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="+",
        verbose_name=_("OPD pemilik"),
    )
    allowed_scopes = models.JSONField(_("cakupan yang diizinkan"), default=list)
    initiate_login_uri = models.URLField(
        _("URL mulai masuk (initiate_login_uri)"), max_length=500, blank=True,
        help_text=_("Halaman aplikasi OPD yang memulai masuk SSO (OIDC Core §4)."),
    )
    subject_salt = models.CharField(max_length=64, default=_subject_salt, editable=False)
    signing_secret_sealed = models.TextField(blank=True, editable=False)
    is_active = models.BooleanField(_("aktif"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False,
        null=True, blank=True, related_name="+",
    )

    objects = ApplicationManager()

    class Meta(AbstractApplication.Meta):
        ordering = ["name", "id"]
        verbose_name = _("aplikasi OPD (OIDC)")
        verbose_name_plural = _("aplikasi OPD (OIDC)")

    def natural_key(self) -> tuple[str]:
        return (self.client_id,)

    def allows_grant_type(self, *grant_types: str) -> bool:
        allowed = {self.authorization_grant_type}
        if SCOPE_STATUS_WRITE in (self.allowed_scopes or []):
            allowed.add(AbstractApplication.GRANT_CLIENT_CREDENTIALS)
        return bool(allowed & set(grant_types))

    def is_usable(self, request: object) -> bool:
        return self.is_active

    def clean(self) -> None:
        # The toolkit refuses RS256 without a settings key; ours come from SigningKey.
        algorithm, self.algorithm = self.algorithm, AbstractApplication.NO_ALGORITHM
        try:
            super().clean()
        finally:
            self.algorithm = algorithm

    @property
    def jwk_key(self):
        if self.algorithm != AbstractApplication.RS256_ALGORITHM:
            return super().jwk_key
        from .keys import signing_key_current_jwk

        return signing_key_current_jwk()


class AccessToken(AbstractAccessToken):
    user = _user_fk(null=True)

    class Meta(AbstractAccessToken.Meta):
        pass


class RefreshToken(AbstractRefreshToken):
    user = _user_fk(null=False)

    class Meta(AbstractRefreshToken.Meta):
        pass


class IDToken(AbstractIDToken):
    user = _user_fk(null=True)

    class Meta(AbstractIDToken.Meta):
        pass


class Grant(AbstractGrant):
    user = _user_fk(null=False)

    class Meta(AbstractGrant.Meta):
        pass


class DeviceGrant(AbstractDeviceGrant):
    """Not offered (no device endpoints are mounted); unmanaged, so no table per tenant."""

    user = _user_fk(null=True)

    class Meta(AbstractDeviceGrant.Meta):
        managed = False
