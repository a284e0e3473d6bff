"""The citizen's own data on the platform host: download a copy, erase the account
(UU 27/2022 PDP). Tenant hosts answer 404: the account is global, so is this page."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_GET, require_http_methods

from core.errors import ApplicationError

from .erasure import account_audit, account_erasure_request
from .export import account_export_write

CONFIRM_WORD = "HAPUS"
SPOOL_MAX_BYTES = 16 * 1024 * 1024


def _platform_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if connection.schema_name != "public":
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


class ErasureConfirmForm(forms.Form):
    confirm = forms.CharField(
        label=_l("Ketik HAPUS untuk mengonfirmasi"), max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def clean_confirm(self) -> str:
        value = (self.cleaned_data.get("confirm") or "").strip()
        if value.upper() != CONFIRM_WORD:
            raise forms.ValidationError(_("Ketik HAPUS (huruf besar) untuk mengonfirmasi."))
        return value


@_platform_only
@login_required
@require_GET
def account_export_view(request: HttpRequest) -> HttpResponse:
    """A ZIP with data.json and the vault files, streamed from a spooled temporary file."""
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_MAX_BYTES)
    summary = account_export_write(user=request.user, out=out)
    account_audit("account.export", user_id=request.user.pk, actor=request.user, **summary)
    out.seek(0)
    stamp = timezone.localdate().strftime("%Y%m%d")
    return FileResponse(
        out, as_attachment=True, filename=f"data-saya-mpp-digital-{stamp}.zip",
        content_type="application/zip",
    )


@_platform_only
@login_required
@require_http_methods(["GET", "POST"])
def account_erasure_view(request: HttpRequest) -> HttpResponse:
    form = ErasureConfirmForm(data=request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            user = request.user
            try:
                account_erasure_request(
                    user=user, actor=user, reason="self-service", self_service=True
                )
            except ApplicationError as exc:
                messages.error(request, exc.message)
            else:
                logout(request)
                return render(request, "accounts/erasure_requested.html")
        return render(request, "accounts/erasure_confirm.html", {"form": form}, status=400)
    return render(request, "accounts/erasure_confirm.html", {"form": form})
