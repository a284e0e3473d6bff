"""The application form of an offering: the catalogue version's field schema as a Django form
(catalog.formschema), the tenant's kecamatan/desa as choices, the profile prefill, and the
document requirements (national + local) satisfied from the vault."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Requirement:
    code: str
    label: str
    document_type: str
    alternatives: tuple[str, ...] = ()
    required: bool = True
    required_when: Mapping[str, Any] | None = None
    note: str = ""
    local: bool = False

    def is_required(self, values: Mapping[str, Any]) -> bool:
        condition = self.required_when
        if condition:
            trigger = values.get(condition.get("field"))
            allowed = condition.get("in") or []
            return trigger is not None and (
                trigger in allowed or str(trigger) in map(str, allowed)
            )
        return self.required

    @property
    def accepted_types(self) -> tuple[str, ...]:
        return (self.document_type, *self.alternatives)


@dataclass
class FormSpec:
    version: Any
    form_class: type[forms.Form]
    requirements: list[Requirement]
    fields: list[dict[str, Any]]
    prefill: dict[str, str] = field(default_factory=dict)

    @property
    def field_names(self) -> list[str]:
        return [f["name"] for f in self.fields]

    @property
    def identity_fields(self) -> list[str]:
        return [f["name"] for f in self.fields if f.get("type") in {"nik", "phone"}]

    def labels(self) -> dict[str, str]:
        labels = {f["name"]: str(f.get("label") or f["name"]) for f in self.fields}
        labels.update({f"doc_{r.code}": r.label for r in self.requirements})
        return labels

    def initial_from_profile(
        self, values: Mapping[str, Any], *, saved: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """Initial values: `saved` (a draft's answers) first, then, for every prefilled field
        left empty, the profile's value (`accounts.selectors.profile_prefill_values`)."""
        initial = {k: v for k, v in (saved or {}).items() if v not in (None, "")}
        for name, source in self.prefill.items():
            value = values.get(source)
            if value in (None, "") or name in initial or name not in self.field_names:
                continue
            initial[name] = value.isoformat() if isinstance(value, dt.date) else value
        return initial

    def explain_unfilled(self, form: forms.Form, initial: Mapping[str, Any]) -> None:
        """A prefilled field the profile could not fill says so, instead of promising an
        automatic value ("Diisi otomatis dari profil")."""
        for name in self.prefill:
            if name in form.fields and initial.get(name) in (None, ""):
                form.fields[name].help_text = _(
                    "Belum ada di profil Anda, jadi belum terisi otomatis. Isi di sini, atau "
                    "lengkapi profil agar terisi otomatis pada permohonan berikutnya."
                )


def _regions() -> tuple[list[tuple[str, str]], list[tuple[str, str, str]]]:
    """Active kecamatan (code, name) and their active desa (code, name, kecamatan code)."""
    try:
        from regions.models import District, Village
    except ImportError:  # pragma: no cover
        return [], []
    districts = list(
        District.objects.filter(is_active=True).order_by("name").values_list("code", "name")
    )
    villages = list(
        Village.objects.filter(is_active=True, district__is_active=True)
        .order_by("name", "code").values_list("code", "name", "district__code")
    )
    return districts, villages


def _villages_url(offering: Any, version: Any) -> str:
    from django.urls import NoReverseMatch, reverse

    try:
        url = reverse("applications:villages", args=[offering.service_code])
    except NoReverseMatch:  # pragma: no cover - applications pages not routed
        return ""
    return f"{url}?versi={version.pk}"


def _version(offering: Any, version_id: int | None) -> Any:
    if version_id is None or version_id == offering.service_version_id:
        return offering.service_version
    from catalog.models import ServiceVersion

    return ServiceVersion.objects.get(pk=version_id)


def requirements_of(version: Any, offering: Any) -> list[Requirement]:
    file_fields = {
        f.get("requirement"): f for f in (version.form_fields or [])
        if isinstance(f, dict) and f.get("type") == "file"
    }
    result = []
    for item in version.requirements or []:
        if not isinstance(item, dict) or item.get("kind") != "document":
            continue
        file_field = file_fields.get(item.get("code")) or {}
        result.append(Requirement(
            code=item["code"], label=str(item.get("label") or item["code"]),
            document_type=str(item.get("document_type") or "DOKUMEN_PENDUKUNG"),
            alternatives=tuple(item.get("alternative_document_types") or ()),
            required=bool(item.get("required")),
            required_when=item.get("required_when") or file_field.get("required_when"),
            note=str(item.get("note") or ""),
        ))
    for item in getattr(offering, "local_requirements", None) or []:
        if not isinstance(item, dict) or item.get("kind") != "document":
            continue
        result.append(Requirement(
            code=item["code"], label=str(item.get("label") or item["code"]),
            document_type="DOKUMEN_PENDUKUNG", required=bool(item.get("required")),
            note=str(item.get("justification") or ""), local=True,
        ))
    return result


def form_spec_for(offering: Any, *, version_id: int | None = None) -> FormSpec:
    from catalog.formschema import build_form_class

    version = _version(offering, version_id)
    fields = [
        f for f in (version.form_fields or [])
        if isinstance(f, dict) and f.get("type") != "file"
    ]
    districts: list[Any] = []
    villages: list[Any] = []
    villages_url = ""
    if any(f.get("type") in {"region_district", "region_village"} for f in fields):
        districts, villages = _regions()
        villages_url = _villages_url(offering, version)
    if districts or villages:  # the tenant's regions are choices: built per call
        form_class = build_form_class(
            fields, districts=districts, villages=villages,
            name=f"{offering.service_code}Form", villages_url=villages_url,
        )
    else:
        form_class = _form_class(version, fields, name=f"{offering.service_code}Form")
    return FormSpec(
        version=version, form_class=form_class, requirements=requirements_of(version, offering),
        fields=fields, prefill=dict(version.prefill or {}),
    )


_FORM_CLASSES: dict[tuple[Any, ...], Any] = {}
_FORM_CLASSES_MAX = 512


def _form_class(version: Any, fields: list[dict[str, Any]], *, name: str) -> Any:
    """The Form class of a published version without region fields, built once per process
    and language (a published version's form does not change: ADR 0011; the date rules that
    depend on today are checked when the form validates, not when the class is built). Drafts
    and unsaved versions are built per call."""
    from django.utils import translation

    from catalog.formschema import build_form_class

    if not version.pk or getattr(version, "status", "") != "published":
        return build_form_class(fields, name=name)
    key = (version.pk, version.number, name, translation.get_language())
    form_class = _FORM_CLASSES.get(key)
    if form_class is None:
        if len(_FORM_CLASSES) >= _FORM_CLASSES_MAX:
            _FORM_CLASSES.clear()
        form_class = _FORM_CLASSES[key] = build_form_class(fields, name=name)
    return form_class


def serialize_cleaned(cleaned: Mapping[str, Any]) -> dict[str, Any]:
    """JSON-safe form data (dates as ISO strings)."""
    result: dict[str, Any] = {}
    for name, value in cleaned.items():
        if isinstance(value, dt.date | dt.datetime):
            result[name] = value.isoformat()
        elif isinstance(value, Decimal):
            result[name] = str(value)
        elif value is None:
            result[name] = ""
        else:
            result[name] = value
    return result


def display_value(spec_field: Mapping[str, Any], value: Any) -> str:
    """A stored value as shown to people (choice labels, not codes)."""
    if value in (None, ""):
        return "—"
    if spec_field.get("type") == "choice":
        for choice in spec_field.get("choices") or []:
            if choice.get("value") == value:
                return str(choice.get("label"))
    if spec_field.get("type") in {"region_district", "region_village"}:
        return _region_name(spec_field["type"], str(value))
    return str(value)


def _region_name(kind: str, code: str) -> str:
    """A stored kecamatan/desa code as its name in the tenant (the code when unknown)."""
    from regions.models import District, Village

    model = District if kind == "region_district" else Village
    name = model.objects.filter(code=code).values_list("name", flat=True).first()
    return str(name) if name else code
