from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("masuk/", views.login_view, name="login"),
    path("keluar/", views.logout_view, name="logout"),
    path("akun/daftar/", views.register_view, name="register"),
    path("akun/daftar/kode/", views.register_confirm_view, name="register-confirm"),
    path("akun/masuk-kode/", views.login_code_request_view, name="login-code"),
    path("akun/masuk-kode/masuk/", views.login_code_confirm_view, name="login-code-confirm"),
    path("akun/verifikasi/", views.verify_view, name="verify"),
    path("akun/verifikasi/kirim-ulang/", views.verify_resend_view, name="verify-resend"),
    path("akun/lupa-sandi/", views.password_reset_request_view, name="password-reset"),
    path("akun/lupa-sandi/atur/", views.password_reset_confirm_view,
         name="password-reset-confirm"),
    path("akun/profil/", views.profile_view, name="profile"),
    path("akun/profil/desa/", views.profile_villages_view, name="profile-villages"),
    path("akun/sso/", views.sso_start_view, name="sso-start"),
    path("akun/sso/terima/", views.sso_redeem_view, name="sso-redeem"),
    path("akun/oidc/masuk/", views.oidc_login_view, name="oidc-login"),
    path("akun/oidc/callback/", views.oidc_callback_view, name="oidc-callback"),
]
