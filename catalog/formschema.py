"""Typed form-field schema of a service version: validation and Django form generation.

Schema of one field (catalog/seed/README.md, "Form fields"): `{name, label, type, required,
choices?, validation?, help?, requirement?, required_when?}`.

`build_form_class` turns the schema into a `forms.Form` subclass. A field with `required_when`
is optional at field level and required in the form's `clean()` when the condition holds
(whatever its `required` flag says: the seed marks conditional items `required: false`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from pathlib import PurePath
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.nik import normalize_nik, validate_nik
from accounts.phone import normalize_phone

FIELD_TYPES = (
    "text", "textarea", "number", "date", "choice", "nik", "region_district", "region_village",
    "file", "phone", "email",
)
PROFILE_FIELDS = {
    "nik": {"nik"},
    "full_name": {"text"},
    "birth_place": {"text"},
    "birth_date": {"date"},
    "sex": {"choice"},
    "address": {"text", "textarea"},
    "district_code": {"region_district"},
    "village_code": {"region_village"},
    "phone": {"phone"},
    "email": {"email"},
}
VALIDATION_KEYS = {
    "text": {"min_length", "max_length", "pattern"},
    "textarea": {"min_length", "max_length", "pattern"},
    "number": {"min", "max"},
    "date": {"min_date", "max_date"},
    "choice": set(),
    "nik": set(),
    "region_district": set(),
    "region_village": set(),
    "file": {"accept", "max_size_kb"},
    "phone": set(),
    "email": {"max_length"},
}
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
DEFAULT_ACCEPT = ("pdf", "jpg", "jpeg", "png")
DEFAULT_MAX_SIZE_KB = 2048

REQUIRED_MESSAGE = gettext_lazy("%(label)s wajib diisi.")


# --- schema validation -------------------------------------------------------------------


def validate_form_fields(
    fields: Any, *, requirements: Sequence[dict[str, Any]] | None = None
) -> list[str]:
    """Errors (Indonesian) in a form-field schema; empty when valid.

    With `requirements`, file fields must point at an existing requirement code and every
    `document` requirement needs at least one file field."""
    if not isinstance(fields, list):
        return [_("Skema formulir harus berupa daftar isian.")]
    errors: list[str] = []
    names: dict[str, dict[str, Any]] = {}
    for index, field in enumerate(fields, start=1):
        errors.extend(_field_errors(index, field, names))
    for name, field in names.items():
        errors.extend(_required_when_errors(name, field.get("required_when"), names))
    if requirements is not None:
        errors.extend(_requirement_reference_errors(fields, requirements))
    return errors


def _field_errors(index: int, field: Any, names: dict[str, dict[str, Any]]) -> list[str]:
    if not isinstance(field, dict):
        return [_("Isian ke-%(index)d harus berupa objek.") % {"index": index}]
    name = field.get("name")
    where = _("Isian ke-%(index)d (%(name)s)") % {"index": index, "name": name or "?"}
    errors: list[str] = []
    if not isinstance(name, str) or not _NAME.match(name):
        errors.append(
            _("%(where)s: nama harus huruf kecil, angka dan garis bawah (snake_case).")
            % {"where": where}
        )
    elif name in names:
        errors.append(_("%(where)s: nama isian %(name)s dipakai lebih dari sekali.")
                      % {"where": where, "name": name})
    else:
        names[name] = field
    if not str(field.get("label") or "").strip():
        errors.append(_("%(where)s: label wajib diisi.") % {"where": where})
    ftype = field.get("type")
    if ftype not in FIELD_TYPES:
        errors.append(
            _("%(where)s: jenis isian %(type)s tidak dikenal (pilihan: %(types)s).")
            % {"where": where, "type": ftype, "types": ", ".join(FIELD_TYPES)}
        )
        return errors
    if not isinstance(field.get("required"), bool):
        errors.append(_("%(where)s: 'required' harus true atau false.") % {"where": where})
    errors.extend(_choice_errors(where, ftype, field.get("choices")))
    if ftype == "file" and not field.get("requirement"):
        errors.append(_("%(where)s: isian berkas wajib menyebut kode persyaratan.")
                      % {"where": where})
    if ftype != "file" and field.get("requirement"):
        errors.append(_("%(where)s: hanya isian berkas yang boleh menyebut persyaratan.")
                      % {"where": where})
    errors.extend(_validation_errors(where, ftype, field.get("validation")))
    return errors


def _choice_errors(where: str, ftype: str, choices: Any) -> list[str]:
    if ftype != "choice":
        if choices:
            return [_("%(where)s: pilihan hanya untuk isian jenis choice.") % {"where": where}]
        return []
    if not isinstance(choices, list) or len(choices) < 2:
        return [_("%(where)s: isian pilihan membutuhkan paling sedikit 2 pilihan.")
                % {"where": where}]
    values = [c.get("value") if isinstance(c, dict) else None for c in choices]
    if any(not isinstance(v, str) or not v for v in values) or any(
        not isinstance(c, dict) or not c.get("label") for c in choices
    ):
        return [_("%(where)s: setiap pilihan membutuhkan value dan label.") % {"where": where}]
    if len(set(values)) != len(values):
        return [_("%(where)s: nilai pilihan tidak boleh kembar.") % {"where": where}]
    return []


def _validation_errors(where: str, ftype: str, validation: Any) -> list[str]:
    if validation in (None, {}):
        return []
    if not isinstance(validation, dict):
        return [_("%(where)s: validasi harus berupa objek.") % {"where": where}]
    errors = []
    unknown = set(validation) - VALIDATION_KEYS[ftype]
    if unknown:
        errors.append(
            _("%(where)s: aturan validasi %(keys)s tidak berlaku untuk jenis %(type)s.")
            % {"where": where, "keys": ", ".join(sorted(unknown)), "type": ftype}
        )
    for key in ("min_length", "max_length", "max_size_kb"):
        if key in validation and (
            not isinstance(validation[key], int) or isinstance(validation[key], bool)
            or validation[key] < 0
        ):
            errors.append(_("%(where)s: %(key)s harus bilangan bulat tidak negatif.")
                          % {"where": where, "key": key})
    for key in ("min", "max"):
        if key in validation and (
            not isinstance(validation[key], int | float) or isinstance(validation[key], bool)
        ):
            errors.append(_("%(where)s: %(key)s harus angka.") % {"where": where, "key": key})
    if not errors:
        low, high = validation.get("min_length"), validation.get("max_length")
        if low is not None and high is not None and low > high:
            errors.append(_("%(where)s: min_length lebih besar dari max_length.")
                          % {"where": where})
        low, high = validation.get("min"), validation.get("max")
        if low is not None and high is not None and low > high:
            errors.append(_("%(where)s: min lebih besar dari max.") % {"where": where})
    for key in ("min_date", "max_date"):
        if key in validation and validation[key] != "today":
            errors.append(_("%(where)s: %(key)s hanya boleh bernilai \"today\".")
                          % {"where": where, "key": key})
    if "pattern" in validation:
        try:
            re.compile(validation["pattern"])
        except (re.error, TypeError):
            errors.append(_("%(where)s: pola (pattern) bukan regex yang valid.")
                          % {"where": where})
    accept = validation.get("accept")
    if accept is not None and (
        not isinstance(accept, list) or not accept
        or not all(isinstance(a, str) and re.fullmatch(r"[a-z0-9]+", a) for a in accept)
    ):
        errors.append(_("%(where)s: accept harus daftar ekstensi berkas (mis. pdf, jpg).")
                      % {"where": where})
    return errors


def _required_when_errors(
    name: str, condition: Any, names: dict[str, dict[str, Any]]
) -> list[str]:
    if condition is None:
        return []
    if not isinstance(condition, dict) or not condition.get("field") or not condition.get("in"):
        return [_("Isian %(name)s: required_when membutuhkan field dan in.") % {"name": name}]
    target = names.get(condition["field"])
    if target is None:
        return [_("Isian %(name)s: required_when merujuk isian %(field)s yang tidak ada.")
                % {"name": name, "field": condition["field"]}]
    if target.get("type") == "choice":
        allowed = {c.get("value") for c in target.get("choices") or [] if isinstance(c, dict)}
        unknown = [v for v in condition["in"] if v not in allowed]
        if unknown:
            return [
                _("Isian %(name)s: required_when memakai nilai %(values)s yang bukan pilihan "
                  "isian %(field)s.")
                % {"name": name, "values": ", ".join(map(str, unknown)),
                   "field": condition["field"]}
            ]
    return []


def _requirement_reference_errors(
    fields: list[Any], requirements: Sequence[dict[str, Any]]
) -> list[str]:
    errors = []
    codes = {r.get("code") for r in requirements if isinstance(r, dict)}
    covered = set()
    for field in fields:
        if isinstance(field, dict) and field.get("type") == "file":
            code = field.get("requirement")
            covered.add(code)
            if code and code not in codes:
                errors.append(
                    _("Isian berkas %(name)s merujuk persyaratan %(code)s yang tidak ada.")
                    % {"name": field.get("name"), "code": code}
                )
    for requirement in requirements:
        if (
            isinstance(requirement, dict) and requirement.get("kind") == "document"
            and requirement.get("code") not in covered
        ):
            errors.append(
                _("Persyaratan dokumen %(code)s tidak memiliki isian unggah berkas.")
                % {"code": requirement.get("code")}
            )
    return errors


def validate_prefill(prefill: Any, fields: Sequence[dict[str, Any]]) -> list[str]:
    """Errors in a prefill mapping (form field name -> profile field)."""
    if prefill in (None, {}):
        return []
    if not isinstance(prefill, dict):
        return [_("Isian otomatis (prefill) harus berupa pemetaan.")]
    by_name = {f.get("name"): f for f in fields if isinstance(f, dict)}
    errors = []
    for name, target in prefill.items():
        field = by_name.get(name)
        if field is None:
            errors.append(_("Prefill: isian %(name)s tidak ada di formulir.") % {"name": name})
        elif target not in PROFILE_FIELDS:
            errors.append(_("Prefill: kolom profil %(target)s tidak dikenal.")
                          % {"target": target})
        elif field.get("type") not in PROFILE_FIELDS[target]:
            errors.append(
                _("Prefill: kolom profil %(target)s tidak cocok dengan jenis isian %(name)s "
                  "(%(type)s).") % {"target": target, "name": name, "type": field.get("type")}
            )
    return errors


# --- form generation ---------------------------------------------------------------------


class NikField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 32)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})

    def to_python(self, value: Any) -> str:
        return normalize_nik(super().to_python(value))

    def validate(self, value: str) -> None:
        super().validate(value)
        if value:
            validate_nik(value)


class PhoneField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)
        self.widget.input_type = "tel"
        self.widget.attrs.update({"inputmode": "tel", "autocomplete": "tel"})

    def clean(self, value: Any) -> str:
        value = super().clean(value)
        if not value:
            return value
        normalized = normalize_phone(value)
        if normalized is None:
            raise ValidationError(
                _("Nomor ponsel tidak valid. Gunakan nomor Indonesia, mis. 0812xxxxxxxx."),
                code="phone",
            )
        return normalized


class UploadField(forms.FileField):
    def __init__(self, *, accept: Iterable[str], max_size_kb: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.accept = tuple(a.lower() for a in accept)
        self.max_size_kb = max_size_kb
        self.widget.attrs["accept"] = ",".join(f".{a}" for a in self.accept)

    def clean(self, data: Any, initial: Any = None) -> Any:
        file = super().clean(data, initial)
        if not file or not hasattr(file, "name"):
            return file
        extension = PurePath(file.name).suffix.lower().lstrip(".")
        if extension not in self.accept:
            raise ValidationError(
                _("Jenis berkas .%(ext)s tidak diterima. Unggah berkas %(accept)s.")
                % {"ext": extension or "?", "accept": ", ".join(self.accept).upper()},
                code="file_type",
            )
        if file.size > self.max_size_kb * 1024:
            raise ValidationError(
                _("Ukuran berkas %(size)d KB melebihi batas %(max)d KB.")
                % {"size": -(-file.size // 1024), "max": self.max_size_kb},
                code="file_size",
            )
        return file


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("format", "%Y-%m-%d")
        super().__init__(**kwargs)


def _today_validator(key: str):  # type: ignore[no-untyped-def]
    def check(value: dt.date) -> None:
        today = timezone.localdate()
        if key == "max_date" and value > today:
            raise ValidationError(_("Tanggal tidak boleh melewati hari ini."), code="max_date")
        if key == "min_date" and value < today:
            raise ValidationError(_("Tanggal tidak boleh sebelum hari ini."), code="min_date")

    return check


def _messages(label: str) -> dict[str, str]:
    return {
        "required": REQUIRED_MESSAGE % {"label": label},
        "invalid": _("%(label)s tidak valid.") % {"label": label},
        "invalid_choice": _("Pilihan untuk %(label)s tidak tersedia.") % {"label": label},
        "max_length": _("%(label)s paling banyak %%(limit_value)d karakter.") % {"label": label},
        "min_length": _("%(label)s paling sedikit %%(limit_value)d karakter.") % {"label": label},
        "max_value": _("%(label)s paling besar %%(limit_value)s.") % {"label": label},
        "min_value": _("%(label)s paling kecil %%(limit_value)s.") % {"label": label},
        "empty": _("Berkas %(label)s kosong.") % {"label": label},
        "missing": _("Berkas %(label)s belum diunggah.") % {"label": label},
    }


def _region_choices(items: Iterable[Any]) -> list[tuple[str, str]]:
    choices = []
    for item in items:
        if isinstance(item, tuple | list):
            choices.append((str(item[0]), str(item[1])))
        else:
            choices.append((str(item.code), str(item.name)))
    return choices


def build_field(
    spec: dict[str, Any], *, districts: Iterable[Any] = (), villages: Iterable[Any] = ()
) -> forms.Field:
    """One Django form field from one schema entry."""
    ftype = spec["type"]
    label = str(spec.get("label") or spec["name"])
    validation = spec.get("validation") or {}
    required = bool(spec.get("required")) and not spec.get("required_when")
    common: dict[str, Any] = {
        "label": label,
        "required": required,
        "help_text": spec.get("help", ""),
        "error_messages": _messages(label),
    }
    if ftype in {"text", "textarea"}:
        validators = []
        if validation.get("pattern"):
            validators.append(RegexValidator(
                validation["pattern"],
                _("Format %(label)s tidak sesuai.") % {"label": label}, code="pattern",
            ))
        field: forms.Field = forms.CharField(
            min_length=validation.get("min_length"), max_length=validation.get("max_length"),
            widget=forms.Textarea(attrs={"rows": 3}) if ftype == "textarea" else None,
            validators=validators, **common,
        )
    elif ftype == "number":
        field = forms.IntegerField(
            min_value=validation.get("min"), max_value=validation.get("max"), **common
        )
    elif ftype == "date":
        validators = [_today_validator(k) for k in ("min_date", "max_date") if k in validation]
        field = forms.DateField(widget=DateInput(), validators=validators, **common)
    elif ftype == "choice":
        choices = [(c["value"], c["label"]) for c in spec.get("choices") or []]
        field = forms.ChoiceField(choices=[("", _("— Pilih —")), *choices], **common)
    elif ftype == "nik":
        field = NikField(**common)
    elif ftype == "region_district":
        field = forms.ChoiceField(
            choices=[("", _("— Pilih kecamatan —")), *_region_choices(districts)], **common
        )
    elif ftype == "region_village":
        field = forms.ChoiceField(
            choices=[("", _("— Pilih desa/kelurahan —")), *_region_choices(villages)], **common
        )
    elif ftype == "file":
        field = UploadField(
            accept=validation.get("accept") or DEFAULT_ACCEPT,
            max_size_kb=validation.get("max_size_kb") or DEFAULT_MAX_SIZE_KB, **common,
        )
    elif ftype == "phone":
        field = PhoneField(**common)
    elif ftype == "email":
        common["error_messages"]["invalid"] = _(
            "Alamat email tidak valid, mis. nama@contoh.id."
        )
        field = forms.EmailField(max_length=validation.get("max_length", 254), **common)
    else:
        raise ValueError(f"unknown form field type {ftype!r}")
    field.schema = spec  # type: ignore[attr-defined]
    return field


def region_pairs(fields: Sequence[dict[str, Any]]) -> dict[str, str]:
    """{desa field name: its kecamatan field name}: each region_village belongs to the nearest
    region_district before it (or, when none comes before, the first one after it)."""
    districts = [f["name"] for f in fields if f.get("type") == "region_district"]
    pairs: dict[str, str] = {}
    last = ""
    for spec in fields:
        if spec.get("type") == "region_district":
            last = spec["name"]
        elif spec.get("type") == "region_village":
            after = [name for name in districts if name != last]
            parent = last or (after[0] if after else "")
            if parent:
                pairs[spec["name"]] = parent
    return pairs


def _village_parent(item: Any) -> str:
    """The kecamatan code of a desa given as `(code, name, kecamatan code)`, `(code, name)` or an
    object; without an explicit kecamatan, the first 8 characters of the Kemendagri code."""
    if isinstance(item, tuple | list):
        code, parent = str(item[0]), str(item[2]) if len(item) > 2 else ""
    else:
        code, parent = str(item.code), str(getattr(item, "district_code", "") or "")
    return parent or code[:8]


class SchemaForm(forms.Form):
    """Base of generated forms: enforces `required_when` after field validation, and that each
    desa/kelurahan lies in the kecamatan chosen with it.

    The desa list shown is narrowed to the chosen kecamatan ("pick the kecamatan first" while
    none is chosen); with `villages_url`, changing the kecamatan fetches the narrowed list
    (htmx, `?isian=<desa field>&<kecamatan field>=<code>`) into `#village-<desa field>`."""

    schema: tuple[dict[str, Any], ...] = ()
    region_pairs: dict[str, str] = {}  # set per generated class
    village_districts: dict[str, str] = {}
    district_names: dict[str, str] = {}
    village_names: dict[str, str] = {}
    villages_url = ""

    def __init__(self, *args: Any, villages_url: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        villages_url = villages_url or self.villages_url
        for village_name, district_name in self.region_pairs.items():
            if village_name not in self.fields or district_name not in self.fields:
                continue
            self.fields[village_name].widget.choices = self.village_choices(
                self.chosen_district(district_name)
            )
            if villages_url:
                separator = "&" if "?" in villages_url else "?"
                self.fields[district_name].widget.attrs.update({
                    "hx-get": f"{villages_url}{separator}isian={village_name}",
                    "hx-target": f"#village-{village_name}", "hx-swap": "outerHTML",
                    "hx-trigger": "change", "autocomplete": "off",
                })

    @property
    def regions_missing(self) -> bool:
        """The form asks for a kecamatan or desa but the tenant has none to choose from."""
        types = {spec.get("type") for spec in self.schema}
        return ("region_district" in types and not self.district_names) or (
            "region_village" in types and not self.village_names
        )

    def chosen_district(self, district_name: str) -> str:
        if self.is_bound:
            return str(self.data.get(self.add_prefix(district_name)) or "")
        return str(self.initial.get(district_name) or "")

    def village_choices(self, district_code: str) -> list[tuple[str, str]]:
        """The desa/kelurahan of one kecamatan, as <select> choices."""
        if not district_code:
            return [("", _("— Pilih kecamatan dahulu —"))]
        villages = [
            (code, name) for code, name in self.village_names.items()
            if self.village_districts.get(code) == district_code
        ]
        return [("", _("— Pilih desa/kelurahan —")), *villages]

    def _clean_region_pairs(self, cleaned: dict[str, Any]) -> None:
        for village_name, district_name in self.region_pairs.items():
            village, district = cleaned.get(village_name), cleaned.get(district_name)
            if not village or not district or village_name in self.errors:
                continue
            if self.village_districts.get(str(village)) != str(district):
                labels = {s["name"]: str(s.get("label") or s["name"]) for s in self.schema}
                self.add_error(village_name, ValidationError(
                    _("%(village)s tidak berada di Kecamatan %(district)s. Pilih %(label)s dari "
                      "kecamatan yang dipilih.") % {
                        "village": self.village_names.get(str(village), village),
                        "district": self.district_names.get(str(district), district),
                        "label": labels.get(village_name, village_name).lower(),
                    },
                    code="region_mismatch",
                ))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        self._clean_region_pairs(cleaned)
        for spec in self.schema:
            condition = spec.get("required_when")
            if not condition:
                continue
            name = spec["name"]
            if name in self.errors or cleaned.get(name) not in (None, "", []):
                continue
            trigger = cleaned.get(condition["field"])
            if trigger is not None and (trigger in condition["in"]
                                        or str(trigger) in map(str, condition["in"])):
                self.add_error(
                    name, ValidationError(
                        REQUIRED_MESSAGE % {"label": spec.get("label") or name},
                        code="required",
                    )
                )
        return cleaned


def build_form_class(
    fields: Sequence[dict[str, Any]], *, districts: Iterable[Any] = (),
    villages: Iterable[Any] = (), name: str = "ServiceForm", villages_url: str = "",
) -> type[forms.Form]:
    """A Form class for a form-field schema. `districts`/`villages`: the tenant's regions,
    as objects with `code` and `name` or as `(code, name)` pairs; a desa may be given as
    `(code, name, kecamatan code)` (otherwise its kecamatan is read from its code).
    `villages_url`: the htmx endpoint of the narrowed desa list (SchemaForm)."""
    errors = validate_form_fields(list(fields))
    if errors:
        raise ValueError("; ".join(errors))
    districts, villages = list(districts), list(villages)
    attrs: dict[str, Any] = {
        "schema": tuple(fields),
        "region_pairs": region_pairs(fields),
        "village_districts": {
            code: _village_parent(item)
            for item, (code, _name) in zip(villages, _region_choices(villages), strict=True)
        },
        "district_names": dict(_region_choices(districts)),
        "village_names": dict(_region_choices(villages)),
        "villages_url": villages_url,
    }
    for spec in fields:
        attrs[spec["name"]] = build_field(spec, districts=districts, villages=villages)
    return type(name, (SchemaForm,), attrs)
