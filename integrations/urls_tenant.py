"""Pages of the integrations app on a tenant host (collected by core.discovery), and the
tenant's OpenID Connect provider under /o/ (django-oauth-toolkit's views, namespace
`oauth2_provider` because the toolkit reverses its own URL names)."""

from django.urls import include, path, re_path
from oauth2_provider import views as oauth_views

from . import views
from .oidc import ConsentAuthorizationView, DiscoveryView, JwksView

app_patterns = [
    path("kelola/integrasi/", views.manage, name="manage"),
    path("kelola/integrasi/aplikasi/baru/", views.client_create, name="client-create"),
    path("kelola/integrasi/aplikasi/<str:client_id>/", views.client_edit, name="client-edit"),
    path("kelola/integrasi/aplikasi/<str:client_id>/rahasia-baru/", views.client_rotate,
         name="client-rotate"),
    path("kelola/integrasi/aplikasi/<str:client_id>/hapus/", views.client_delete,
         name="client-delete"),
    path("kelola/integrasi/kunci/rotasi/", views.keys_rotate, name="keys-rotate"),
    path("kelola/integrasi/webhook/baru/", views.webhook_create, name="webhook-create"),
    path("kelola/integrasi/webhook/<int:endpoint_id>/", views.webhook_detail, name="webhook"),
    path("kelola/integrasi/webhook/<int:endpoint_id>/<slug:action>/", views.webhook_action,
         name="webhook-action"),
    path("kelola/integrasi/pengiriman/<int:delivery_id>/kirim-ulang/", views.webhook_redeliver,
         name="webhook-redeliver"),
    path("layanan/<slug:code>/buka/", views.external_open, name="external-open"),
]

oidc_patterns = [
    path("authorize/", ConsentAuthorizationView.as_view(), name="authorize"),
    path("token/", oauth_views.TokenView.as_view(), name="token"),
    path("revoke_token/", oauth_views.RevokeTokenView.as_view(), name="revoke-token"),
    re_path(r"^\.well-known/openid-configuration/?$", DiscoveryView.as_view(),
            name="oidc-connect-discovery-info"),
    path(".well-known/jwks.json", JwksView.as_view(), name="jwks-info"),
    # RFC 8414 metadata; also the base of the RFC 9207 `iss` authorization-response value
    path(".well-known/oauth-authorization-server",
         oauth_views.OAuthServerMetadataView.as_view(), name="oauth-server-metadata"),
    path("userinfo/", oauth_views.UserInfoView.as_view(), name="user-info"),
]
urlpatterns = [
    path("", include((app_patterns, "integrations"))),
    path("o/", include((oidc_patterns, "oauth2_provider"))),
]
