"""Back-office forms of the sla app (parsing only; rules live in sla.services)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext as _gettext
from django.utils.translation import gettext_lazy as _

from core.errors import ApplicationError

from .engine import WEEKDAY_NAMES
from .models import CalendarVersion, SlaPolicy, TargetUnit
from .selectors import StepSla
from .services import STEP_FIELD_PREFIX

_WINDOW_RE = re.compile(r"^\s*(\d{1,2}[:.]\d{2})\s*(?:-|–|—|s\.?d\.?|sampai)\s*(\d{1,2}[:.]\d{2})\s*$")


def add_service_errors(form: forms.Form, exc: ApplicationError) -> None:
    """Put a service's field errors on the matching form fields (others on the form)."""
    fields = getattr(exc, "fields", None) or {}
    if not fields:
        form.add_error(None, exc.message)
        return
    for name, msgs in fields.items():
        target = name if name in form.fields else None
        for msg in msgs:
            form.add_error(target, msg)


def windows_to_text(windows: list[list[str]]) -> str:
    return ", ".join(f"{a}-{b}" for a, b in windows)


def _normalise_clock(value: str) -> str:
    hours, minutes = value.replace(".", ":").split(":")
    return f"{int(hours):02d}:{minutes}"


def parse_windows_text(text: str) -> list[list[str]]:
    """``"08:00-12:00, 13:00-16:00"`` -> ``[["08:00", "12:00"], ["13:00", "16:00"]]``."""
    result = []
    for part in re.split(r"[,;\n]+", text or ""):
        if not part.strip():
            continue
        match = _WINDOW_RE.match(part)
        if match is None:
            raise forms.ValidationError(
                _gettext("Format jam tidak dikenali: \"%(part)s\". Tulis seperti 08:00-12:00, "
                         "13:00-16:00.") % {"part": part.strip()}
            )
        result.append([_normalise_clock(match[1]), _normalise_clock(match[2])])
    return result


WEEKDAY_CHOICES = [(str(i), name) for i, name in enumerate(WEEKDAY_NAMES)]


class CalendarForm(forms.Form):
    working_days = forms.MultipleChoiceField(
        label=_("Hari kerja"), choices=WEEKDAY_CHOICES, required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    include_cuti_bersama = forms.BooleanField(
        label=_("Cuti bersama dihitung sebagai hari libur"), required=False,
        help_text=_("Cuti bersama ditetapkan tiap tahun dengan SKB 3 Menteri."),
    )
    note = forms.CharField(
        label=_("Catatan perubahan"), required=False, max_length=200,
        help_text=_("Mis. Perbup jam kerja baru, berlaku mulai Januari."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for day, name in enumerate(WEEKDAY_NAMES):
            self.fields[f"windows_{day}"] = forms.CharField(
                label=_gettext("Jam kerja %(day)s") % {"day": name}, required=False,
                max_length=200, help_text=_("Mis. 08:00-12:00, 13:00-16:00"),
            )

    @classmethod
    def initial_for(cls, version: CalendarVersion) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "working_days": [str(d) for d in version.working_days],
            "include_cuti_bersama": version.include_cuti_bersama,
        }
        for day in range(7):
            initial[f"windows_{day}"] = windows_to_text(version.windows.get(str(day), []))
        return initial

    def windows_fields(self) -> list[forms.BoundField]:
        return [self[f"windows_{day}"] for day in range(7)]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        windows: dict[str, list[list[str]]] = {}
        for day in range(7):
            name = f"windows_{day}"
            if name not in data:
                continue
            try:
                windows[str(day)] = parse_windows_text(data[name])
            except forms.ValidationError as exc:
                self.add_error(name, exc)
        data["windows"] = windows
        return data

    def changes(self) -> dict[str, Any]:
        data = self.cleaned_data
        days = [int(d) for d in data["working_days"]]
        return {
            "working_days": days,
            "windows": {str(d): data["windows"].get(str(d), []) for d in days},
            "include_cuti_bersama": data["include_cuti_bersama"],
        }


class HolidayForm(forms.Form):
    date = forms.DateField(
        label=_("Tanggal"), widget=forms.DateInput(attrs={"type": "date"}),
        input_formats=["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"],
        error_messages={"required": _("Isi tanggal hari libur."),
                        "invalid": _("Tanggal tidak valid; gunakan format HH-BB-TTTT.")},
    )
    name = forms.CharField(
        label=_("Nama hari libur"), max_length=120,
        error_messages={"required": _("Isi nama hari libur, mis. Hari Jadi Kota.")},
    )


class PolicyForm(forms.Form):
    target_value = forms.IntegerField(
        label=_("Target waktu penyelesaian"),
        error_messages={"required": _("Isi target waktu."),
                        "invalid": _("Target harus berupa bilangan bulat.")},
    )
    target_unit = forms.ChoiceField(label=_("Satuan"), choices=TargetUnit.choices)
    at_risk_percent = forms.DecimalField(
        label=_("Ambang berisiko (%)"), max_digits=5, decimal_places=1,
        help_text=_("Permohonan ditandai berisiko bila waktu terpakai mencapai persentase ini "
                    "(lebih dari 0 dan kurang dari 100)."),
        error_messages={"required": _("Isi ambang berisiko."),
                        "invalid": _("Ambang berisiko harus berupa angka, mis. 75.")},
    )
    deemed_approval = forms.BooleanField(
        label=_("Anggap disetujui bila tidak diputus tepat waktu (fiktif positif)"),
        required=False,
        help_text=_("UU 30/2014 Pasal 53 sebagaimana diubah UU 6/2023. Bila aktif, permohonan "
                    "lengkap yang tidak diputus sampai batas waktu dicatat sebagai dianggap "
                    "disetujui beserta bukti waktunya."),
    )

    @classmethod
    def initial_for(cls, policy: SlaPolicy) -> dict[str, Any]:
        return {
            "target_value": policy.target_value,
            "target_unit": policy.target_unit,
            "at_risk_percent": format((Decimal(policy.at_risk_threshold) * 100).normalize(), "f"),
            "deemed_approval": policy.deemed_approval,
        }

    def changes(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "target_value": data["target_value"],
            "target_unit": data["target_unit"],
            "at_risk_threshold": data["at_risk_percent"] / 100,
            "deemed_approval": data["deemed_approval"],
        }

    def add_service_errors(self, exc: ApplicationError) -> None:
        fields = dict(getattr(exc, "fields", None) or {})
        if "at_risk_threshold" in fields:
            fields["at_risk_percent"] = fields.pop("at_risk_threshold")
        exc.fields = fields
        add_service_errors(self, exc)


class StepTargetsForm(forms.Form):
    """One field per workflow step: the tenant's SLA for it (blank = the national maximum).
    Bounds are checked by ``sla.services.sla_policy_set_step_targets``."""

    def __init__(self, *args: Any, steps: Sequence[StepSla], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.steps = list(steps)
        for step in self.steps:
            self.fields[f"{STEP_FIELD_PREFIX}{step.code}"] = forms.IntegerField(
                label=step.name, required=False,
                widget=forms.NumberInput(attrs={"min": 1, "max": step.national_value}),
                help_text=_gettext(
                    "Dalam %(unit)s; paling lama %(max)s (batas nasional). Kosongkan untuk "
                    "memakai batas nasional."
                ) % {"unit": TargetUnit(step.unit).label, "max": step.national_text},
                error_messages={"invalid": _gettext(
                    "SLA langkah \"%(step)s\" harus berupa bilangan bulat."
                ) % {"step": step.name}},
            )

    @classmethod
    def initial_for(cls, steps: Sequence[StepSla]) -> dict[str, Any]:
        return {f"{STEP_FIELD_PREFIX}{step.code}": step.value for step in steps}

    def targets(self) -> dict[str, dict[str, Any] | None]:
        data = self.cleaned_data
        result: dict[str, dict[str, Any] | None] = {}
        for step in self.steps:
            value = data.get(f"{STEP_FIELD_PREFIX}{step.code}")
            result[step.code] = None if value is None else {"value": value, "unit": step.unit}
        return result
