"""The workflow of a service version, as data (issue 13, docs/adr/0011).

A published catalogue version carries its ordered steps in ``ServiceVersion.workflow``::

    {"steps": [{"code": "verifikasi_teknis", "name": "Verifikasi teknis", "name_en": "...",
                "agency_kind": "dinkes", "sla": {"value": 2, "unit": "working_days",
                "source": "...", "is_platform_default": true},
                "outcomes": ["forward", "return", "reject"],
                "record": [{"code": "nomor_str", "label": "Nomor STR", "kind": "text"}],
                "optional": false, "when": {"field": "jenis_praktik", "in": ["mandiri"]}}]}

* ``agency_kind``: the kind of OPD that holds the file at that step (the tenant maps each kind
  to one of its own OPDs: ``agencies.AgencyKindMapping``).
* ``outcomes``: how staff may leave the step: ``forward`` (to the next applicable step; on the
  first step this is "berkas lengkap"), ``return`` (to the citizen, which pauses every clock),
  ``send_back`` (to the previous step), ``reject``, ``decide`` (approve or reject) and
  ``complete`` (hand the output over).
* ``record``: what staff must record to leave the step forward (text, date or a document).
* ``when``: the step applies only when a form answer has one of the values (as
  ``required_when`` of a requirement); ``optional`` steps may be skipped by the officer.

A version without steps (catalogue versions older than workflows, or a draft) has the
implicit one-step workflow of :func:`single_step_workflow`: the OPD of the offering does
everything, which is how every application behaved before workflows. Workflows are plain data,
so this module has no database access and no Django models.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

# The OPD kinds a national workflow may name. A tenant maps each to one of its own OPDs.
AGENCY_KINDS: dict[str, Any] = {
    "disdukcapil": _("Dinas Kependudukan dan Pencatatan Sipil"),
    "dpmptsp": _("Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu"),
    "dinkes": _("Dinas Kesehatan"),
}
# The kind of the implicit single step: the OPD that adopted the offering.
OWNER_KIND = ""

FORWARD, RETURN, SEND_BACK, REJECT, DECIDE, COMPLETE = (
    "forward", "return", "send_back", "reject", "decide", "complete",
)
OUTCOMES = (FORWARD, RETURN, SEND_BACK, REJECT, DECIDE, COMPLETE)
RECORD_KINDS = ("text", "date", "document")
SLA_UNITS = ("working_days", "working_hours", "calendar_days")


@dataclass(frozen=True)
class RecordField:
    code: str
    label: str
    kind: str = "text"
    required: bool = True


@dataclass(frozen=True)
class Step:
    code: str
    name: str
    name_en: str
    agency_kind: str
    sla_value: int
    sla_unit: str
    outcomes: frozenset[str]
    sla_source: str = ""
    sla_is_platform_default: bool = True
    record: tuple[RecordField, ...] = ()
    optional: bool = False
    when: Mapping[str, Any] | None = None

    def applies(self, values: Mapping[str, Any]) -> bool:
        """Whether the step applies to an application with these form answers."""
        if not self.when:
            return True
        answer = values.get(self.when.get("field"))
        allowed = self.when.get("in") or []
        return answer is not None and (answer in allowed or str(answer) in map(str, allowed))

    @property
    def sla_text(self) -> str:
        units = {"working_days": "hari kerja", "working_hours": "jam kerja",
                 "calendar_days": "hari kalender"}
        return f"{self.sla_value} {units.get(self.sla_unit, self.sla_unit)}"

    def as_api(self) -> dict[str, Any]:
        return {
            "code": self.code, "name": self.name, "name_en": self.name_en,
            "agency_kind": self.agency_kind,
            "sla_working_days": self.sla_value if self.sla_unit == "working_days" else None,
            "sla": {"value": self.sla_value, "unit": self.sla_unit, "source": self.sla_source,
                    "is_platform_default": self.sla_is_platform_default},
            "optional": self.optional, "when": dict(self.when) if self.when else None,
            "outcomes": [o for o in OUTCOMES if o in self.outcomes],
            "record": [{"code": r.code, "label": r.label, "kind": r.kind,
                        "required": r.required} for r in self.record],
        }


@dataclass(frozen=True)
class Workflow:
    steps: tuple[Step, ...]
    implicit: bool = False  # the single-step workflow of a version without steps
    _index: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._index.update({step.code: i for i, step in enumerate(self.steps)})

    def step(self, code: str | None) -> Step:
        """The step with this code; the first step for an empty or unknown code."""
        return self.steps[self._index.get(code or "", 0)]

    def position(self, code: str | None) -> int:
        return self._index.get(code or "", 0)

    @property
    def first(self) -> Step:
        return self.steps[0]

    def next_step(self, code: str, values: Mapping[str, Any], *, skip: Sequence[str] = ()
                  ) -> Step | None:
        """The next step after ``code`` that applies to these answers (None: the last)."""
        for step in self.steps[self.position(code) + 1:]:
            if step.applies(values) and step.code not in skip:
                return step
        return None

    def previous_step(self, code: str, values: Mapping[str, Any]) -> Step | None:
        """The step before ``code`` that applies, never the first (intake) step: a file goes
        back to the intake only by a return to the citizen."""
        for step in reversed(self.steps[1:self.position(code)]):
            if step.applies(values):
                return step
        return None

    @property
    def agency_kinds(self) -> list[str]:
        return sorted({s.agency_kind for s in self.steps if s.agency_kind})

    @property
    def has_completion_step(self) -> bool:
        return any(COMPLETE in s.outcomes for s in self.steps)

    def as_api(self) -> dict[str, Any]:
        return {"implicit": self.implicit, "steps": [s.as_api() for s in self.steps]}


def single_step_workflow(*, sla_value: int = 1, sla_unit: str = "working_days") -> Workflow:
    """The workflow of a version without steps: one step at the offering's OPD, every outcome."""
    return Workflow(
        steps=(Step(
            code="proses", name="Proses permohonan", name_en="Processing",
            agency_kind=OWNER_KIND, sla_value=sla_value, sla_unit=sla_unit,
            outcomes=frozenset({FORWARD, RETURN, REJECT, DECIDE, COMPLETE}),
            sla_source="Jangka waktu layanan (satu langkah).",
        ),),
        implicit=True,
    )


def workflow_errors(data: Any) -> list[str]:
    """Why ``data`` is not a valid workflow (Bahasa Indonesia); [] when valid or empty."""
    if data in (None, {}, []):
        return []
    if not isinstance(data, dict) or not isinstance(data.get("steps"), list):
        return [str(_("Alur kerja harus berupa objek dengan daftar 'steps'."))]
    errors: list[str] = []
    steps = data["steps"]
    if not steps:
        return [str(_("Alur kerja harus memiliki paling sedikit satu langkah."))]
    seen: set[str] = set()
    for number, step in enumerate(steps, start=1):
        where = str(_("Langkah %(n)s") % {"n": number})
        if not isinstance(step, dict):
            errors.append(f"{where}: " + str(_("harus berupa objek.")))
            continue
        code = step.get("code")
        if not isinstance(code, str) or not code:
            errors.append(f"{where}: " + str(_("kode wajib diisi.")))
        elif code in seen:
            errors.append(f"{where}: " + str(_("kode %(code)s dipakai dua kali.") % {"code": code}))
        else:
            seen.add(code)
        if not step.get("name"):
            errors.append(f"{where}: " + str(_("nama wajib diisi.")))
        if step.get("agency_kind") not in AGENCY_KINDS:
            errors.append(f"{where}: " + str(
                _("jenis OPD %(kind)s tidak dikenal (pilihan: %(choices)s).")
                % {"kind": step.get("agency_kind"), "choices": ", ".join(AGENCY_KINDS)}
            ))
        sla = step.get("sla") or {}
        if not isinstance(sla.get("value"), int) or sla.get("value", 0) < 1 or (
            sla.get("unit") not in SLA_UNITS
        ):
            errors.append(f"{where}: " + str(_("jangka waktu langkah wajib diisi (angka ≥ 1 dan "
                                                "satuan hari kerja, jam kerja atau hari kalender).")))
        outcomes = step.get("outcomes") or []
        unknown = [o for o in outcomes if o not in OUTCOMES]
        if not outcomes or unknown:
            errors.append(f"{where}: " + str(_("hasil langkah tidak valid: %(items)s.")
                                              % {"items": ", ".join(map(str, unknown)) or "-"}))
        for item in step.get("record") or []:
            if not isinstance(item, dict) or not item.get("code") or (
                item.get("kind", "text") not in RECORD_KINDS
            ):
                errors.append(f"{where}: " + str(_("isian yang wajib dicatat tidak valid.")))
    if not errors:
        if FORWARD not in (steps[0].get("outcomes") or []):
            errors.append(str(_("Langkah pertama harus dapat diteruskan (berkas lengkap).")))
        if not any(DECIDE in (s.get("outcomes") or []) for s in steps):
            errors.append(str(_("Alur kerja harus memiliki langkah keputusan.")))
    return errors


def _step(item: Mapping[str, Any]) -> Step:
    sla = item.get("sla") or {}
    return Step(
        code=item["code"], name=str(item.get("name") or item["code"]),
        name_en=str(item.get("name_en") or ""), agency_kind=str(item.get("agency_kind") or ""),
        sla_value=int(sla.get("value") or 1), sla_unit=str(sla.get("unit") or "working_days"),
        sla_source=str(sla.get("source") or ""),
        sla_is_platform_default=bool(sla.get("is_platform_default", True)),
        outcomes=frozenset(item.get("outcomes") or ()),
        record=tuple(
            RecordField(code=r["code"], label=str(r.get("label") or r["code"]),
                        kind=str(r.get("kind") or "text"), required=bool(r.get("required", True)))
            for r in item.get("record") or ()
        ),
        optional=bool(item.get("optional")), when=item.get("when") or None,
    )


def workflow_from_data(data: Any, *, sla_value: int = 1, sla_unit: str = "working_days"
                       ) -> Workflow:
    """The workflow of stored data (the implicit single step when there is none)."""
    if not data or not isinstance(data, dict) or not data.get("steps"):
        return single_step_workflow(sla_value=sla_value, sla_unit=sla_unit)
    return Workflow(steps=tuple(_step(item) for item in data["steps"]))


def workflow_of(version: Any) -> Workflow:
    """The workflow of a catalogue service version."""
    return workflow_from_data(
        getattr(version, "workflow", None), sla_value=version.sla_value,
        sla_unit=str(version.sla_unit),
    )
