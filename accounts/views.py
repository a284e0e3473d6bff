from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.services import audit_record
from core.context_processors import platform_url
from core.hosts import canonical_hostname

from . import oidc, ratelimit, services, sso
from .forms import (
    CodeForm,
    LoginCodeForm,
    LoginForm,
    PasswordResetConfirmForm,
    PasswordResetRequestForm,
    ProfileForm,
    RegistrationForm,
    add_service_errors,
)
from .models import OneTimeCode
from .selectors import (
    identifier_key,
    identity_links_of,
    profile_for,
    unverified_contacts,
    user_is_verified,
)

BACKEND = "accounts.backends.EmailOrPhoneBackend"
RESET_SESSION_KEY = "_mpp_reset_identifier"


def _safe_next(request: HttpRequest, default: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or default
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def _tenant(request: HttpRequest):
    tenant = getattr(request, "tenant", None)
    if tenant is None or connection.schema_name == "public":
        return None
    return tenant


def _warn_if_unverified(request: HttpRequest) -> None:
    if not user_is_verified(request.user):
        messages.warning(request, _(
            "Email/nomor ponsel Anda belum diverifikasi. Masukkan kode verifikasi di halaman "
            "Akun saya sebelum mengajukan layanan."
        ))


# --------------------------------------------------------------------------------------------
# Login, logout, registration


def _sso_begin(request: HttpRequest) -> HttpResponse:
    """Tenant host, anonymous: ask the platform host (the identity provider) for the sign-in;
    the state ties the code that comes back to this browser's session (login CSRF)."""
    state = sso.new_state()
    request.session[sso.STATE_SESSION_KEY] = state
    query = urlencode({"next": request.build_absolute_uri(_safe_next(request)), "state": state})
    return HttpResponseRedirect(platform_url(f"{reverse('accounts:sso-start')}?{query}"))


@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    """On a tenant host the sign-in happens on the platform host (`?lokal=1`: this host's own
    form, e.g. while the platform is unreachable). Posting the form here still signs in here."""
    if (request.method == "GET" and _tenant(request) is not None
            and not request.user.is_authenticated and not request.GET.get("lokal")):
        return _sso_begin(request)
    form = LoginForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        login(request, form.get_user(), backend=BACKEND)
        _warn_if_unverified(request)
        return HttpResponseRedirect(_safe_next(request))
    status = 200
    if request.method == "POST":
        status = 429 if form.rate_limited else 400
    response = render(request, "accounts/login.html", {
        "form": form, "next": _safe_next(request), "oidc_enabled": oidc.is_enabled(),
    }, status=status)
    if form.rate_limited:
        response["Retry-After"] = str(form.rate_limited.retry_after)
    return response


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    """Signing out on one host ends the user's sessions on every host (docs/adr/0010)."""
    if request.user.is_authenticated:
        user = request.user
        sso.sign_out_everywhere(user=user)
        audit_record("account.sign_out", actor=user, target=user, tenant=_tenant(request))
    logout(request)
    return HttpResponseRedirect("/")


# --------------------------------------------------------------------------------------------
# One login for every regency: the platform host hands a sign-in to a tenant host


def _sso_error(request: HttpRequest, *, next_url: str = "") -> HttpResponse:
    return render(request, "accounts/sso_error.html", {
        "message": sso.HandoffRefused.message, "next": next_url,
    }, status=400)


def _request_port(request: HttpRequest) -> int:
    host = request.get_host()
    if host.rsplit("]", 1)[-1].count(":") == 1:
        return int(host.rsplit(":", 1)[1])
    return 443 if request.is_secure() else 80


@never_cache
@require_GET
def sso_start_view(request: HttpRequest) -> HttpResponse:
    """Platform host: a tenant asks for its visitor's sign-in. Signed in here → straight back
    with a one-time code; otherwise this host's login form first, then back."""
    if _tenant(request) is not None:
        raise Http404
    state = request.GET.get("state", "")
    target = sso.tenant_target(
        request.GET.get("next", ""), scheme=request.scheme, port=_request_port(request)
    )
    if target is None or not sso.valid_state(state):
        return _sso_error(request)
    if not request.user.is_authenticated:
        login_url = reverse("accounts:login") + "?" + urlencode(
            {"next": request.get_full_path()}
        )
        return HttpResponseRedirect(login_url)
    return HttpResponseRedirect(sso.handoff_url(user=request.user, target=target, state=state))


@never_cache
@require_GET
def sso_redeem_view(request: HttpRequest) -> HttpResponse:
    """Tenant host: redeem the platform's one-time code and sign in here."""
    tenant = _tenant(request)
    if tenant is None:
        raise Http404
    next_url = _safe_next(request)
    try:
        user = sso.handoff_redeem(
            code=request.GET.get("code", ""), host=canonical_hostname(request),
            state=request.session.get(sso.STATE_SESSION_KEY),
        )
    except sso.HandoffRefused as exc:
        audit_record("account.sso_sign_in", target_type="accounts.user",
                     changes={"reason": exc.reason}, outcome="refused", tenant=tenant)
        return _sso_error(request, next_url=next_url)
    request.session.pop(sso.STATE_SESSION_KEY, None)
    login(request, user, backend=BACKEND)
    audit_record("account.sso_sign_in", actor=user, target=user, tenant=tenant)
    _warn_if_unverified(request)
    return HttpResponseRedirect(next_url)


REGISTER_SESSION_KEY = "_mpp_register_contact"


@require_http_methods(["GET", "POST"])
def register_view(request: HttpRequest) -> HttpResponse:
    """Registration never tells whether the contact already has an account (issue 12 item 10):
    both cases end on the same confirmation page; the owner of a known contact gets a notice
    instead of a code (`services.user_register`)."""
    if request.user.is_authenticated:
        return HttpResponseRedirect(reverse("accounts:profile"))
    form = RegistrationForm(data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_register(
                full_name=form.cleaned_data["full_name"], contact=form.cleaned_data["contact"],
                password=form.cleaned_data["password1"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc, {"password": "password1"})
        else:
            request.session[REGISTER_SESSION_KEY] = form.cleaned_data["contact"].strip()
            target = reverse("accounts:register-confirm") + "?" + urlencode(
                {"next": _safe_next(request)}
            )
            return HttpResponseRedirect(target)
    return render(request, "accounts/register.html", {
        "form": form, "next": _safe_next(request), "oidc_enabled": oidc.is_enabled(),
    }, status=400 if request.method == "POST" else 200)


@require_http_methods(["GET", "POST"])
def register_confirm_view(request: HttpRequest) -> HttpResponse:
    contact = request.session.get(REGISTER_SESSION_KEY)
    if not contact:
        return HttpResponseRedirect(reverse("accounts:register"))
    form = CodeForm(data=request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            key, ip = identifier_key(contact), ratelimit.client_ip(request)
            try:
                ratelimit.check("otp", identifier=key, ip=ip)
                user = services.registration_confirm(
                    identifier=contact, code=form.cleaned_data["code"]
                )
            except ratelimit.RateLimited as exc:
                form.add_error("code", exc.message)
                status = 429
            except services.CodeInvalid as exc:
                ratelimit.record_failure("otp", identifier=key, ip=ip)
                form.add_error("code", exc.message)
            else:
                request.session.pop(REGISTER_SESSION_KEY, None)
                login(request, user, backend=BACKEND)
                messages.success(request, _("Akun Anda aktif dan kontak Anda terverifikasi."))
                return HttpResponseRedirect(_safe_next(request))
    return render(request, "accounts/register_confirm.html", {
        "form": form, "contact": contact, "next": _safe_next(request),
    }, status=status)


# --------------------------------------------------------------------------------------------
# Sign-in by one-time code: the owner's way in while password logins are held back


LOGIN_CODE_SESSION_KEY = "_mpp_login_code_identifier"


@require_http_methods(["GET", "POST"])
def login_code_request_view(request: HttpRequest) -> HttpResponse:
    form = PasswordResetRequestForm(data=request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            identifier = form.cleaned_data["identifier"].strip()
            key, ip = identifier_key(identifier), ratelimit.client_ip(request)
            try:
                ratelimit.check("otp", identifier=key, ip=ip)
                services.login_code_request(identifier=identifier)
            except (services.ResendThrottled, services.CodeInvalid):
                pass  # the same answer as for an unknown address: nothing is revealed
            except ratelimit.RateLimited as exc:
                form.add_error("identifier", exc.message)
                status = 429
            if status != 429:
                request.session[LOGIN_CODE_SESSION_KEY] = identifier
                messages.info(request, _(
                    "Jika email/nomor ponsel itu terdaftar dan terverifikasi, kode 6 digit "
                    "telah dikirim ke sana."
                ))
                target = reverse("accounts:login-code-confirm") + "?" + urlencode(
                    {"next": _safe_next(request)}
                )
                return HttpResponseRedirect(target)
    return render(request, "accounts/login_code_request.html", {
        "form": form, "next": _safe_next(request),
    }, status=status)


@require_http_methods(["GET", "POST"])
def login_code_confirm_view(request: HttpRequest) -> HttpResponse:
    initial = {"identifier": request.session.get(LOGIN_CODE_SESSION_KEY, "")}
    form = LoginCodeForm(data=request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            identifier = form.cleaned_data["identifier"].strip()
            key, ip = identifier_key(identifier), ratelimit.client_ip(request)
            try:
                ratelimit.check("otp", identifier=key, ip=ip)
                user = services.login_code_confirm(
                    identifier=identifier, code=form.cleaned_data["code"]
                )
            except ratelimit.RateLimited as exc:
                form.add_error("code", exc.message)
                status = 429
            except services.CodeInvalid as exc:
                ratelimit.record_failure("otp", identifier=key, ip=ip)
                form.add_error("code", exc.message)
            else:
                request.session.pop(LOGIN_CODE_SESSION_KEY, None)
                login(request, user, backend=BACKEND)
                return HttpResponseRedirect(_safe_next(request))
    return render(request, "accounts/login_code_confirm.html", {
        "form": form, "next": _safe_next(request),
    }, status=status)


# --------------------------------------------------------------------------------------------
# Contact verification


def _channel(request: HttpRequest) -> str | None:
    wanted = request.POST.get("kanal") or request.GET.get("kanal")
    pending = unverified_contacts(request.user)
    if wanted in pending:
        return wanted
    return pending[0] if pending else None


@login_required
@require_http_methods(["GET", "POST"])
def verify_view(request: HttpRequest) -> HttpResponse:
    channel = _channel(request)
    next_url = _safe_next(request, reverse("accounts:profile"))
    if channel is None:
        messages.info(request, _("Semua kontak Anda sudah terverifikasi."))
        return HttpResponseRedirect(next_url)
    user = request.user
    destination = user.email if channel == "email" else user.phone
    form = CodeForm(data=request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            key, ip = identifier_key(destination), ratelimit.client_ip(request)
            try:
                ratelimit.check("otp", identifier=key, ip=ip)
                services.one_time_code_verify(
                    user=user, purpose=OneTimeCode.Purpose.VERIFY, channel=channel,
                    code=form.cleaned_data["code"],
                )
            except ratelimit.RateLimited as exc:
                form.add_error("code", exc.message)
                status = 429
            except services.CodeInvalid as exc:
                ratelimit.record_failure("otp", identifier=key, ip=ip)
                form.add_error("code", exc.message)
            else:
                messages.success(request, _("Terima kasih, kontak Anda sudah terverifikasi."))
                return HttpResponseRedirect(next_url)
    return render(request, "accounts/verify.html", {
        "form": form, "channel": channel, "destination": destination, "next": next_url,
        "other_channels": [c for c in unverified_contacts(user) if c != channel],
    }, status=status)


@login_required
@require_POST
def verify_resend_view(request: HttpRequest) -> HttpResponse:
    channel = _channel(request)
    next_url = _safe_next(request, reverse("accounts:profile"))
    if channel is not None:
        try:
            services.one_time_code_issue(
                user=request.user, purpose=OneTimeCode.Purpose.VERIFY, channel=channel
            )
        except (services.ResendThrottled, services.CodeInvalid) as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Kode baru telah dikirim."))
    query = urlencode({"kanal": channel or "", "next": next_url})
    return HttpResponseRedirect(f"{reverse('accounts:verify')}?{query}")


# --------------------------------------------------------------------------------------------
# Password reset by one-time code


@require_http_methods(["GET", "POST"])
def password_reset_request_view(request: HttpRequest) -> HttpResponse:
    form = PasswordResetRequestForm(data=request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            identifier = form.cleaned_data["identifier"].strip()
            key, ip = identifier_key(identifier), ratelimit.client_ip(request)
            try:
                ratelimit.check("otp", identifier=key, ip=ip)
                services.password_reset_request(identifier=identifier)
            except (services.ResendThrottled, services.CodeInvalid):
                pass  # as for an unknown address: a throttled resend reveals nothing
            except ratelimit.RateLimited as exc:
                form.add_error("identifier", exc.message)
                status = 429
            if status != 429:
                request.session[RESET_SESSION_KEY] = identifier
                messages.info(request, _(
                    "Jika email/nomor ponsel itu terdaftar, kode 6 digit telah dikirim ke sana."
                ))
                return HttpResponseRedirect(reverse("accounts:password-reset-confirm"))
    return render(request, "accounts/password_reset_request.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def password_reset_confirm_view(request: HttpRequest) -> HttpResponse:
    initial = {"identifier": request.session.get(RESET_SESSION_KEY, "")}
    form = PasswordResetConfirmForm(data=request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            identifier = form.cleaned_data["identifier"].strip()
            key, ip = identifier_key(identifier), ratelimit.client_ip(request)
            try:
                ratelimit.check("otp", identifier=key, ip=ip)
                services.password_reset_confirm(
                    identifier=identifier, code=form.cleaned_data["code"],
                    password=form.cleaned_data["password1"],
                )
            except ratelimit.RateLimited as exc:
                form.add_error("code", exc.message)
                status = 429
            except services.CodeInvalid as exc:
                ratelimit.record_failure("otp", identifier=key, ip=ip)
                form.add_error("code", exc.message)
            except ValidationError as exc:
                add_service_errors(form, exc, {"password": "password1"})
            else:
                request.session.pop(RESET_SESSION_KEY, None)
                messages.success(request, _(
                    "Kata sandi berhasil diubah. Silakan masuk dengan kata sandi baru."
                ))
                return HttpResponseRedirect(reverse("accounts:login"))
    return render(request, "accounts/password_reset_confirm.html", {"form": form}, status=status)


# --------------------------------------------------------------------------------------------
# Profile


def _profile_initial(request: HttpRequest, profile) -> dict[str, object]:
    user = request.user
    initial: dict[str, object] = {
        "full_name": user.full_name, "email": user.email or "", "phone": user.phone or "",
    }
    if profile is not None:
        for name in ("birth_place", "birth_date", "sex", "address", "province_code",
                     "regency_code", "district_code", "village_code"):
            initial[name] = getattr(profile, name)
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def profile_view(request: HttpRequest) -> HttpResponse:
    tenant = _tenant(request)
    profile = profile_for(request.user)
    form = ProfileForm(
        data=request.POST or None, initial=_profile_initial(request, profile), tenant=tenant,
        profile=profile, villages_url=reverse("accounts:profile-villages") if tenant else "",
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.profile_update(user=request.user, changes=form.changes(), tenant=tenant)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Profil tersimpan."))
                return HttpResponseRedirect(reverse("accounts:profile"))
    profile = profile_for(request.user)
    return render(request, "accounts/profile.html", {
        "form": form, "profile": profile, "tenant": tenant,
        "unverified": unverified_contacts(request.user),
        "is_verified": user_is_verified(request.user),
        "oidc_enabled": oidc.is_enabled(),
        "identity_links": identity_links_of(request.user),
    }, status=status)


@login_required
@require_GET
def profile_villages_view(request: HttpRequest) -> HttpResponse:
    """htmx: the desa/kelurahan <select> for the chosen kecamatan (tenant hosts only)."""
    tenant = _tenant(request)
    if tenant is None:
        raise Http404
    form = ProfileForm(
        initial={"district_code": request.GET.get("district_code", "")}, tenant=tenant,
        villages_url=reverse("accounts:profile-villages"),
    )
    return render(request, "accounts/_village_field.html", {"field": form["village_code"]})


# --------------------------------------------------------------------------------------------
# OpenID Connect (INApas)


def _oidc_error(request: HttpRequest, exc: oidc.OidcError) -> HttpResponse:
    return render(request, "accounts/oidc_error.html", {"message": exc.message}, status=400)


@require_GET
def oidc_login_view(request: HttpRequest) -> HttpResponse:
    if not oidc.is_enabled():
        raise Http404
    try:
        url = oidc.begin(request, next_url=_safe_next(request))
    except oidc.OidcError as exc:
        return _oidc_error(request, exc)
    return HttpResponseRedirect(url)


@require_GET
def oidc_callback_view(request: HttpRequest) -> HttpResponse:
    if not oidc.is_enabled():
        raise Http404
    try:
        result = oidc.complete(request)
        current = request.user if request.user.is_authenticated else None
        user = services.identity_sign_in(
            provider=oidc.provider_key(), claims=result.claims, nik_claim=oidc.nik_claim(),
            current_user=current,
        )
    except (oidc.OidcError, services.IdentityConflict) as exc:
        return _oidc_error(request, exc)
    if current is not None:
        messages.success(request, _("Akun Anda sekarang tertaut dengan INApas."))
    else:
        login(request, user, backend=BACKEND)
        _warn_if_unverified(request)
    next_url = result.next_url
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    return HttpResponseRedirect(next_url)
