"""Work calendar versions and per-offering SLA policies (tenant schema, two lean tables).

* :class:`CalendarVersion` rows are immutable: a change creates version N+1 (see
  ``sla.services.calendar_update``), so a due date set under version N is always judged by
  version N's rules.
* :class:`SlaPolicy` is one row per offering: the target (value + unit), the at-risk
  threshold, deemed approval and the steps the tenant tightened. When the clock runs, pauses and stops is not a policy
  setting: the workflow and the status machine define it (see :class:`SlaPolicy`).

The pure deadline engine lives in ``sla.engine`` (no Django); ``sla.services`` turns these
rows into engine objects.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .engine import WEEKDAY_NAMES, WorkWindow, validate_calendar

# Weekday keys are "0" (Senin) … "6" (Minggu); windows are ["HH:MM", "HH:MM"] pairs.
DEFAULT_WORKING_DAYS = [0, 1, 2, 3, 4]
DEFAULT_WINDOWS: dict[str, list[list[str]]] = {
    "0": [["08:00", "12:00"], ["13:00", "16:00"]],
    "1": [["08:00", "12:00"], ["13:00", "16:00"]],
    "2": [["08:00", "12:00"], ["13:00", "16:00"]],
    "3": [["08:00", "12:00"], ["13:00", "16:00"]],
    "4": [["08:00", "11:30"], ["13:30", "16:30"]],
}

_HHMM_RE = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")


def _default_working_days() -> list[int]:
    return list(DEFAULT_WORKING_DAYS)


def _default_windows() -> dict[str, list[list[str]]]:
    return {day: [list(w) for w in windows] for day, windows in DEFAULT_WINDOWS.items()}


class TargetUnit(models.TextChoices):
    WORKING_DAYS = "working_days", _("hari kerja")
    WORKING_HOURS = "working_hours", _("jam kerja")
    CALENDAR_DAYS = "calendar_days", _("hari kalender")


def parse_window(value: object) -> WorkWindow | None:
    """``["08:00", "12:00"]`` -> WorkWindow; ``None`` when the shape or a time is invalid."""
    if not isinstance(value, list | tuple) or len(value) != 2:
        return None
    start, end = value
    if not isinstance(start, str) or not isinstance(end, str):
        return None
    if not _HHMM_RE.match(start.strip()) or not _HHMM_RE.match(end.strip()):
        return None
    try:
        return WorkWindow.parse(start.strip(), end.strip())
    except ValueError:
        return None


class CalendarVersion(models.Model):
    """One immutable version of the tenant's work calendar."""

    version = models.PositiveIntegerField(_("versi"), unique=True)
    timezone = models.CharField(_("zona waktu"), max_length=32, default="Asia/Jakarta")
    working_days = models.JSONField(_("hari kerja"), default=_default_working_days)
    windows = models.JSONField(_("jam kerja per hari"), default=_default_windows)
    include_cuti_bersama = models.BooleanField(_("cuti bersama dihitung libur"), default=True)
    local_holidays = models.JSONField(_("hari libur daerah"), default=list, blank=True)
    note = models.CharField(_("catatan perubahan"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, null=True, blank=True,
        related_name="+", db_constraint=False,
    )

    class Meta:
        ordering = ["-version"]
        verbose_name = _("versi kalender kerja")
        verbose_name_plural = _("versi kalender kerja")

    def __str__(self) -> str:
        return gettext("Kalender kerja v%(version)s") % {"version": self.version}

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValueError("CalendarVersion is immutable: create a new version instead.")
        super().save(*args, **kwargs)

    # --- typed accessors -----------------------------------------------------------------
    def windows_for(self, weekday: int) -> list[WorkWindow]:
        if weekday not in self.working_days:
            return []
        return [w for w in (parse_window(v) for v in self.windows.get(str(weekday), [])) if w]

    def local_holiday_items(self) -> list[tuple[date, str]]:
        return [
            (date.fromisoformat(item["date"]), item["name"]) for item in self.local_holidays
        ]

    # --- validation ----------------------------------------------------------------------
    def clean(self) -> None:
        errors = calendar_field_errors(
            timezone=self.timezone, working_days=self.working_days, windows=self.windows,
            local_holidays=self.local_holidays,
        )
        if errors:
            raise ValidationError(errors)


def calendar_field_errors(
    *, timezone: object, working_days: object, windows: object, local_holidays: object
) -> dict[str, list[str]]:
    """Field-specific errors (Bahasa Indonesia) for calendar input; ``{}`` when valid.

    Keys: ``timezone``, ``working_days``, ``windows`` (shape), ``windows_<0-6>`` (one
    weekday: overlap, end before start, outside 00:00–24:00, missing), ``local_holidays``.
    """
    errors: dict[str, list[str]] = {}
    days: list[int] = []
    if not isinstance(working_days, list) or not all(
        isinstance(d, int) and not isinstance(d, bool) and 0 <= d <= 6 for d in working_days
    ):
        errors["working_days"] = [gettext("Hari kerja tidak valid (0 = Senin … 6 = Minggu).")]
    else:
        days = sorted(set(working_days))
        if not days:
            errors["working_days"] = [gettext("Pilih minimal satu hari kerja.")]
    if not isinstance(windows, dict):
        errors["windows"] = [gettext("Jam kerja harus berupa daftar per hari.")]
        windows = {}
    week: list[list[WorkWindow]] = [[] for _ in range(7)]
    for day in days:
        raw = windows.get(str(day))
        name = WEEKDAY_NAMES[day]
        if not raw:
            errors[f"windows_{day}"] = [
                gettext("%(day)s adalah hari kerja: isi minimal satu rentang jam kerja.")
                % {"day": name}
            ]
            continue
        if not isinstance(raw, list):
            errors[f"windows_{day}"] = [gettext("Jam kerja %(day)s tidak valid.") % {"day": name}]
            continue
        for item in raw:
            window = parse_window(item)
            if window is None:
                errors.setdefault(f"windows_{day}", []).append(
                    gettext("%(day)s: jam %(value)s tidak valid (gunakan JJ:MM, 00:00–24:00).")
                    % {"day": name, "value": "–".join(map(str, item))
                       if isinstance(item, list | tuple) else item}
                )
            else:
                week[day].append(window)
    if days and not any(f"windows_{d}" in errors for d in days):
        engine_errors = validate_calendar(
            timezone=timezone if isinstance(timezone, str) else "", week=[tuple(w) for w in week]
        )
        for key, messages in engine_errors.items():
            if key.startswith("week."):
                errors.setdefault(f"windows_{key.split('.')[1]}", []).extend(messages)
            elif key == "week":
                errors.setdefault("working_days", []).extend(messages)
            elif key == "timezone":
                errors.setdefault("timezone", []).extend(messages)
    elif not isinstance(timezone, str) or not timezone:
        errors["timezone"] = [gettext("Zona waktu wajib diisi.")]
    holiday_errors = _local_holiday_errors(local_holidays)
    if holiday_errors:
        errors["local_holidays"] = holiday_errors
    return errors


def _local_holiday_errors(value: object) -> list[str]:
    if not isinstance(value, list):
        return [gettext("Daftar hari libur daerah tidak valid.")]
    messages: list[str] = []
    seen: set[str] = set()
    for item in value:
        if not isinstance(item, dict) or set(item) != {"date", "name"}:
            messages.append(gettext("Hari libur daerah harus berisi tanggal dan nama."))
            continue
        try:
            day = date.fromisoformat(str(item["date"]))
        except ValueError:
            messages.append(
                gettext("Tanggal hari libur daerah tidak valid: %(value)s.") % {"value": item["date"]}
            )
            continue
        name = item["name"]
        if not isinstance(name, str) or not name.strip():
            messages.append(
                gettext("Nama hari libur tanggal %(date)s wajib diisi.") % {"date": day.isoformat()}
            )
        elif len(name) > 120:
            messages.append(gettext("Nama hari libur paling banyak 120 karakter."))
        if day.isoformat() in seen:
            messages.append(
                gettext("Tanggal %(date)s sudah ada di daftar hari libur daerah.")
                % {"date": day.isoformat()}
            )
        seen.add(day.isoformat())
    return messages


class SlaPolicy(models.Model):
    """The SLA of one offering. Created with the catalogue version's jangka waktu.

    The policy holds *how long*, never *when the clock counts*: that is defined by the
    workflow and the status machine (``applications.clock``, ``applications.steps``). The
    clock starts when the intake step accepts the file as complete, a return to the citizen
    (the ``return`` outcome of a step) pauses the service clock and the step's own deadline
    until the resubmission, and the decision stops it. There are no per-tenant state lists.
    """

    offering = models.OneToOneField(
        "services.Offering", on_delete=models.CASCADE, related_name="sla_policy"
    )
    target_value = models.PositiveIntegerField(_("target"))
    target_unit = models.CharField(
        _("satuan target"), max_length=16, choices=TargetUnit.choices,
        default=TargetUnit.WORKING_DAYS,
    )
    at_risk_threshold = models.DecimalField(
        _("ambang berisiko"), max_digits=4, decimal_places=3, default=Decimal("0.750"),
        help_text=_("Bagian waktu yang sudah terpakai saat permohonan ditandai berisiko."),
    )
    # Steps of the offering's workflow the tenant made shorter (issue 13):
    # {step code: {"value": n, "unit": u}}, always in the step's unit and below its SLA in the
    # adopted catalogue version (the national maximum; a tenant may tighten, never exceed).
    # Written by sla.services.sla_policy_set_step_targets; read through
    # sla.selectors.step_target, which also ignores an entry the catalogue no longer allows.
    step_targets = models.JSONField(_("target per langkah"), default=dict, blank=True)
    # "Fiktif positif": UU 30/2014 Pasal 53 as amended by UU 6/2023 — a complete application not
    # decided within the time limit is deemed granted. Off by default; the sweep records evidence.
    deemed_approval = models.BooleanField(_("anggap disetujui bila lewat batas"), default=False)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, null=True, blank=True,
        related_name="+", db_constraint=False,
    )

    class Meta:
        verbose_name = _("kebijakan SLA")
        verbose_name_plural = _("kebijakan SLA")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(target_value__gt=0), name="slapolicy_target_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(at_risk_threshold__gt=0, at_risk_threshold__lt=1),
                name="slapolicy_threshold_between_0_and_1",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.target_value} {self.get_target_unit_display()}"

    @property
    def target_text(self) -> str:
        return f"{self.target_value} {self.get_target_unit_display()}"

    def clean(self) -> None:
        errors = policy_field_errors(
            target_value=self.target_value, target_unit=self.target_unit,
            at_risk_threshold=self.at_risk_threshold,
        )
        if errors:
            raise ValidationError(errors)


def policy_field_errors(
    *, target_value: object, target_unit: object, at_risk_threshold: object,
    deemed_approval: object = False,
) -> dict[str, list[str]]:
    """Field-specific errors (Bahasa Indonesia) for an SLA policy; ``{}`` when valid."""
    errors: dict[str, list[str]] = {}
    if isinstance(target_value, bool) or not isinstance(target_value, int):
        errors["target_value"] = [gettext("Target harus berupa bilangan bulat.")]
    elif target_value <= 0:
        errors["target_value"] = [gettext("Target harus lebih dari 0.")]
    elif target_unit == TargetUnit.WORKING_HOURS and target_value > 24 * 3660:
        errors["target_value"] = [gettext("Target terlalu besar.")]
    elif target_unit != TargetUnit.WORKING_HOURS and target_value > 3660:
        errors["target_value"] = [gettext("Target terlalu besar (maksimal 3660 hari).")]
    if target_unit not in TargetUnit.values:
        errors["target_unit"] = [
            gettext("Satuan target tidak dikenal (hari kerja, jam kerja, hari kalender).")
        ]
    try:
        threshold = Decimal(str(at_risk_threshold))
    except (ArithmeticError, ValueError, TypeError):
        threshold = None
    if threshold is None or not threshold.is_finite():
        errors["at_risk_threshold"] = [gettext("Ambang berisiko harus berupa angka.")]
    elif not Decimal(0) < threshold < Decimal(1):
        errors["at_risk_threshold"] = [
            gettext("Ambang berisiko harus lebih dari 0 dan kurang dari 100 persen.")
        ]
    return errors
