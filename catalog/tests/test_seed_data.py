"""Validator for the national catalogue seed (catalog/seed/*.yaml).

Plain pytest, no database and no Django:

    python -m pytest -p no:django catalog/tests/test_seed_data.py

Only PyYAML is required. When ``jsonschema`` is importable the entries are also validated
with the reference Draft 2020-12 implementation; a small built-in validator that understands
the subset of JSON Schema used by ``schema.json`` always runs, so the checks never silently
disappear.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

SEED_DIR = Path(__file__).resolve().parent.parent / "seed"
SCHEMA_PATH = SEED_DIR / "schema.json"
README_PATH = SEED_DIR / "README.md"
SERVICE_FILES = {"adminduk.yaml": "ADM", "perizinan_kesehatan.yaml": "IZN"}

PLATFORM_DEFAULT = (
    "Tidak ada ketentuan nasional; nilai default platform, wajib disesuaikan dengan "
    "standar pelayanan daerah"
)
PROFILE_FIELDS = {
    "nik",
    "full_name",
    "birth_place",
    "birth_date",
    "sex",
    "address",
    "district_code",
    "village_code",
    "phone",
    "email",
}
# profile field -> form field types it may prefill
PREFILL_TYPES = {
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
SEX_VALUES = {"L", "P"}

PUBLISHED_COMPONENTS = ("requirements", "procedure", "sla", "fee", "product", "complaints")
INTERNAL_COMPONENTS = (
    "legal_basis_text",
    "facilities",
    "competence",
    "internal_supervision",
    "staffing",
    "service_guarantee",
    "security_guarantee",
    "performance_evaluation",
)

REQUIRED_ADMINDUK = {
    "KTP-BARU",
    "KTP-UBAH",
    "KTP-HILANG",
    "KK-BARU",
    "KK-UBAH",
    "KK-HILANG",
    "KIA",
    "AKTA-LAHIR",
    "AKTA-MATI",
    "SKPWNI",
    "PINDAH-DTG",
    "AKTA-KAWIN",
    "AKTA-CERAI",
}
REQUIRED_SIP = {"SIP-DOKTER", "SIP-SPESIAL", "SIP-DRG", "SIPP", "SIPB", "SIPA", "SIPTTK"}
THREE_PLACES = {"SIP-DOKTER", "SIP-SPESIAL", "SIP-DRG"}


# --------------------------------------------------------------------------- loading
def _load_yaml(name: str):
    with (SEED_DIR / name).open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


SCHEMA = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
CATEGORIES = _load_yaml("categories.yaml")
FILES = {name: _load_yaml(name) for name in SERVICE_FILES}
SERVICES = [svc for data in FILES.values() for svc in data["services"]]
BY_CODE = {svc["code"]: svc for svc in SERVICES}
IDS = [svc["code"] for svc in SERVICES]


def _services(category: str):
    return [s for s in SERVICES if s["category"] == category]


def _svc_params(category: str | None = None):
    items = SERVICES if category is None else _services(category)
    return pytest.mark.parametrize("svc", items, ids=[s["code"] for s in items])


# ------------------------------------------------------------ minimal schema validator
_TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


def _resolve(ref: str) -> dict:
    assert ref.startswith("#/"), f"only local $ref supported: {ref}"
    node = SCHEMA
    for part in ref[2:].split("/"):
        node = node[part]
    return node


def mini_validate(value, schema: dict, path: str = "$") -> list[str]:
    """Validate against the JSON Schema subset used by schema.json; return error strings."""
    errors: list[str] = []
    if "$ref" in schema:
        errors += mini_validate(value, _resolve(schema["$ref"]), path)
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_TYPES[t](value) for t in types):
            return [*errors, f"{path}: expected {types}, got {type(value).__name__}"]
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{path}: {value!r} not in {schema['enum']}")
    if "const" in schema and value != schema["const"]:
        errors.append(f"{path}: {value!r} != {schema['const']!r}")
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0):
            errors.append(f"{path}: shorter than {schema['minLength']}")
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            errors.append(f"{path}: longer than {schema['maxLength']}")
        if "pattern" in schema and not re.search(schema["pattern"], value):
            errors.append(f"{path}: {value!r} does not match {schema['pattern']}")
    if _TYPES["number"](value):
        if "minimum" in schema and value < schema["minimum"]:
            errors.append(f"{path}: {value} < {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            errors.append(f"{path}: {value} > {schema['maximum']}")
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            errors.append(f"{path}: fewer than {schema['minItems']} items")
        if "items" in schema:
            for i, item in enumerate(value):
                errors += mini_validate(item, schema["items"], f"{path}[{i}]")
    if isinstance(value, dict):
        for key in schema.get("required", []):
            if key not in value:
                errors.append(f"{path}: missing required {key!r}")
        props = schema.get("properties", {})
        extra = schema.get("additionalProperties", True)
        for key, item in value.items():
            if "propertyNames" in schema:
                errors += mini_validate(key, schema["propertyNames"], f"{path}.<{key}>")
            if key in props:
                errors += mini_validate(item, props[key], f"{path}.{key}")
            elif extra is False:
                errors.append(f"{path}: unexpected property {key!r}")
            elif isinstance(extra, dict):
                errors += mini_validate(item, extra, f"{path}.{key}")
    for sub in schema.get("allOf", []):
        errors += mini_validate(value, sub, path)
    if "not" in schema and not mini_validate(value, schema["not"], path):
        errors.append(f"{path}: matches a schema it must not match ({schema['not']})")
    if "if" in schema:
        branch = "then" if not mini_validate(value, schema["if"], path) else "else"
        if branch in schema:
            errors += mini_validate(value, schema[branch], path)
    return errors


def test_mini_validator_rejects_obvious_breakage():
    """Guard the built-in validator itself against becoming a no-op."""
    svc = json.loads(json.dumps(SERVICES[0]))
    assert mini_validate(svc, SCHEMA) == []
    svc["code"] = "not a code!"
    svc["fee"]["amount"] = -1
    svc["requirements"][0]["kind"] = "document"
    svc["requirements"][0].pop("document_type", None)
    svc["form_fields"].append({"name": "x", "label": "X", "type": "choice", "required": True})
    svc["unexpected"] = 1
    del svc["staffing"]
    errors = "\n".join(mini_validate(svc, SCHEMA))
    for fragment in ("code", "amount", "document_type", "choices", "unexpected", "staffing"):
        assert fragment in errors, f"mini validator missed {fragment!r}:\n{errors}"


# ----------------------------------------------------------------------- schema checks
def test_schema_is_draft_2020_12():
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@_svc_params()
def test_entry_matches_schema_builtin(svc):
    assert mini_validate(svc, SCHEMA) == []


@_svc_params()
def test_entry_matches_schema_jsonschema(svc):
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(SCHEMA)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(svc)]
    assert errors == []


# ------------------------------------------------------------------ files and categories
def test_categories_file():
    assert CATEGORIES["schema_version"] == 1
    cats = CATEGORIES["categories"]
    assert [c["code"] for c in cats] == ["ADM", "IZN", "NON"]
    names = {c["code"]: c["name"] for c in cats}
    assert names == {
        "ADM": "Administrasi Kependudukan",
        "IZN": "Perizinan",
        "NON": "Non-Perizinan",
    }
    for cat in cats:
        assert len(cat["description"]) > 20
        assert cat["name_en"]
        assert isinstance(cat["fee_forbidden"], bool)
    assert next(c for c in cats if c["code"] == "ADM")["fee_forbidden"] is True


@pytest.mark.parametrize(("filename", "category"), sorted(SERVICE_FILES.items()))
def test_service_file_header_and_category(filename, category):
    data = FILES[filename]
    assert set(data) == {"schema_version", "category", "services"}
    assert data["schema_version"] == 1
    assert data["category"] == category
    assert data["services"], filename
    assert {s["category"] for s in data["services"]} == {category}


def test_codes_are_unique_short_and_well_formed():
    assert len(IDS) == len(set(IDS)), "duplicate service codes"
    for code in IDS:
        assert len(code) <= 12, code
        assert re.fullmatch(r"[A-Z][A-Z0-9]*(-[A-Z0-9]+)*", code), code


def test_required_services_present():
    assert REQUIRED_ADMINDUK <= {s["code"] for s in _services("ADM")}
    assert REQUIRED_SIP <= {s["code"] for s in _services("IZN")}


# --------------------------------------------------------------- Standar Pelayanan (14)
@_svc_params()
def test_all_14_standar_pelayanan_components_present(svc):
    components = PUBLISHED_COMPONENTS + INTERNAL_COMPONENTS
    assert len(components) == 14
    for key in components:
        assert key in svc, key
        assert svc[key] not in (None, "", [], {}), key
    assert svc["sla"]["value"] >= 1
    assert svc["product"].strip()


@_svc_params()
def test_sla_source_is_explicit(svc):
    sla = svc["sla"]
    if sla["is_platform_default"]:
        assert PLATFORM_DEFAULT in sla["source"]
    else:
        assert PLATFORM_DEFAULT not in sla["source"]
        assert re.search(
            r"(UU|PP|Perpres|Permendagri|Permenkes|PermenPANRB) \d+/\d{4}", sla["source"]
        ), sla["source"]


@_svc_params("IZN")
def test_sip_sla_is_the_general_five_working_days_of_uu_30_2014(svc):
    # UU 30/2014 Pasal 53(2) as amended by the job-creation law: 5 hari kerja after a complete
    # application when no other regulation sets a limit (none does for SIP).
    sla = svc["sla"]
    assert sla["is_platform_default"] is False
    assert (sla["value"], sla["unit"]) == (5, "working_days")
    assert "UU 30/2014" in sla["source"] and "Pasal 53 ayat (2)" in sla["source"]
    assert "UU 6/2023" in sla["source"]
    assert any("Jangka waktu" in n and "5 hari kerja" in n for n in svc["notes"])


@_svc_params("ADM")
def test_adminduk_sla_cites_permendagri_19_2018_with_caveat(svc):
    sla = svc["sla"]
    assert "Permendagri 19/2018" in sla["source"]
    assert sla["unit"] in {"working_days", "working_hours"}
    assert any("1-24 jam" in n and "[unconfirmed]" in n for n in svc["notes"])


# --------------------------------------------------------------------------- adminduk
@_svc_params("ADM")
def test_adminduk_fee_is_zero_and_forbidden(svc):
    fee = svc["fee"]
    assert fee["amount"] == 0
    assert fee["fee_forbidden"] is True
    assert fee["basis"] == "UU 24/2013 Pasal 79A"
    assert "Pasal 95B" in fee["sanction"]
    refs = {lb["ref"] for lb in svc["legal_basis"]}
    assert {"UU 24/2013 Pasal 79A", "UU 24/2013 Pasal 95B"} <= refs


@_svc_params("ADM")
def test_adminduk_is_siak_handoff(svc):
    assert svc["fulfilment"] == "siak_handoff"
    assert svc["output_document"]["template"] is None
    assert svc["owning_agency_hint"] == "Disdukcapil"
    assert any("SIAK" in n and "hand-off" in n for n in svc["notes"])


# ------------------------------------------------------------------- health permits
def _requirement_text(req: dict) -> str:
    return " ".join(str(req.get(k) or "") for k in ("code", "label", "note")).lower()


@_svc_params("IZN")
def test_sip_requires_str_and_tempat_praktik(svc):
    by_type = {r.get("document_type"): r for r in svc["requirements"]}
    assert by_type["STR"]["required"] is True
    assert by_type["SURAT_KETERANGAN_TEMPAT_PRAKTIK"]["required"] is True
    assert by_type["STR"]["legal_basis"] == "UU 17/2023 Pasal 264 ayat (1)"


@_svc_params("IZN")
def test_sip_has_no_rekomendasi_organisasi_profesi(svc):
    for req in svc["requirements"]:
        text = _requirement_text(req)
        assert "rekomendasi" not in text, req["code"]
        assert "organisasi profesi" not in text, req["code"]
    assert any("rekomendasi organisasi profesi" in n.lower() and "TIDAK" in n for n in svc["notes"])


@_svc_params("IZN")
def test_sip_validity_and_template(svc):
    assert svc["output_document"] == {
        "name": svc["output_document"]["name"],
        "template": "sip",
        "validity_years": 5,
    }
    assert svc["rules"]["validity_years"] == 5
    assert svc["rules"]["one_place_per_sip"] is True
    assert svc["fulfilment"] == "platform_issued"
    refs = {lb["ref"] for lb in svc["legal_basis"]}
    assert "UU 17/2023 Pasal 264 ayat (3)-(4)" in refs


@_svc_params("IZN")
def test_sip_practice_place_cap(svc):
    rules = svc["rules"]
    urutan = next(f for f in svc["form_fields"] if f["name"] == "urutan_sip")
    if svc["code"] in THREE_PLACES:
        assert rules["max_practice_places"] == 3
        assert "PP 28/2024 Pasal 682(2)" in rules["source"]
        assert "Permenkes 13/2025 Pasal 149" in rules["source"]
        assert urutan["validation"]["max"] == 3
    else:
        # not confirmed for other professions: no invented number anywhere
        assert rules["max_practice_places"] is None
        assert "[unconfirmed]" in rules["max_practice_places_status"]
        assert "max" not in urutan["validation"]
        assert any("[unconfirmed]" in n and "tempat praktik" in n for n in svc["notes"])


# --------------------------------------------------------------------- legal sources
@_svc_params()
def test_legal_basis_entries_have_ref_and_source(svc):
    refs = [lb["ref"] for lb in svc["legal_basis"]]
    assert len(refs) == len(set(refs)), "duplicate legal_basis ref"
    for lb in svc["legal_basis"]:
        assert lb["ref"].strip()
        assert re.match(r"https?://\S+$", lb["source_url"]), lb
        assert "..." not in lb["source_url"], "truncated URL"
        assert lb["summary"].strip()


@_svc_params()
def test_cited_refs_exist_in_legal_basis(svc):
    refs = {lb["ref"] for lb in svc["legal_basis"]}
    for req in svc["requirements"]:
        if req["legal_basis"] is not None:
            assert req["legal_basis"] in refs, (req["code"], req["legal_basis"])
    for ref in svc["complaints"]["legal_basis"]:
        assert ref in refs, ref
    for ref in refs:
        assert ref in svc["legal_basis_text"], f"legal_basis_text omits {ref}"


@_svc_params()
def test_complaints_include_sp4n_lapor(svc):
    c = svc["complaints"]
    assert c["sp4n_lapor"] is True
    assert any("SP4N-LAPOR!" in ch for ch in c["channels"])


# ------------------------------------------------------------------ forms and prefill
@_svc_params()
def test_form_field_names_and_requirement_codes_unique(svc):
    names = [f["name"] for f in svc["form_fields"]]
    assert len(names) == len(set(names))
    codes = [r["code"] for r in svc["requirements"]]
    assert len(codes) == len(set(codes))
    for field in svc["form_fields"]:
        if field["type"] == "choice":
            values = [c["value"] for c in field["choices"]]
            assert len(values) == len(set(values)), field["name"]


@_svc_params()
def test_file_fields_reference_existing_requirements(svc):
    reqs = {r["code"]: r for r in svc["requirements"]}
    covered = set()
    for field in svc["form_fields"]:
        if field["type"] != "file":
            continue
        req = reqs.get(field["requirement"])
        assert req is not None, f"{field['name']} -> unknown requirement {field['requirement']}"
        assert req["kind"] == "document", field["name"]
        if req["required"]:
            assert field["required"], f"{field['name']} optional but requirement is required"
        assert field.get("required_when") == req.get("required_when"), field["name"]
        covered.add(req["code"])
    documents = {c for c, r in reqs.items() if r["kind"] == "document"}
    assert documents <= covered, f"document requirements without upload: {documents - covered}"


@_svc_params()
def test_required_when_points_to_real_choices(svc):
    fields = {f["name"]: f for f in svc["form_fields"]}
    conditional = [f for f in svc["form_fields"] if "required_when" in f]
    conditional += [r for r in svc["requirements"] if "required_when" in r]
    for item in conditional:
        cond = item["required_when"]
        target = fields.get(cond["field"])
        assert target is not None, cond
        assert item is not target
        assert not item["required"], "required_when only makes sense on optional items"
        if target["type"] == "choice":
            allowed = {c["value"] for c in target["choices"]}
            assert set(cond["in"]) <= allowed, (cond, allowed)
        else:
            assert target["type"] == "number", cond
            lo = target.get("validation", {}).get("min", float("-inf"))
            hi = target.get("validation", {}).get("max", float("inf"))
            assert all(isinstance(v, int) and lo <= v <= hi for v in cond["in"]), cond


@_svc_params()
def test_prefill_sources_and_targets(svc):
    fields = {f["name"]: f for f in svc["form_fields"]}
    assert svc["prefill"], "every service prefills at least the NIK"
    assert "nik" in svc["prefill"].values()
    for form_name, profile_name in svc["prefill"].items():
        assert form_name in fields, f"prefill source {form_name} is not a form field"
        assert profile_name in PROFILE_FIELDS, profile_name
        assert fields[form_name]["type"] in PREFILL_TYPES[profile_name], form_name
        if profile_name == "sex":
            assert {c["value"] for c in fields[form_name]["choices"]} == SEX_VALUES


@_svc_params()
def test_field_validation_is_consistent(svc):
    for field in svc["form_fields"]:
        rules = field.get("validation", {})
        if "pattern" in rules:
            re.compile(rules["pattern"])
        if "min_length" in rules and "max_length" in rules:
            assert rules["min_length"] <= rules["max_length"], field["name"]
        if "min" in rules and "max" in rules:
            assert rules["min"] <= rules["max"], field["name"]
        if {"max_date", "min_date"} & set(rules):
            assert field["type"] == "date", field["name"]
        if {"accept", "max_size_kb"} & set(rules):
            assert field["type"] == "file", field["name"]
        if {"min", "max"} & set(rules):
            assert field["type"] == "number", field["name"]


# ------------------------------------------------------------------- README vocabulary
def test_readme_lists_the_vocabularies():
    readme = README_PATH.read_text(encoding="utf-8")
    defs = SCHEMA["$defs"]
    vocab = (
        defs["document_type"]["enum"]
        + defs["form_field"]["properties"]["type"]["enum"]
        + defs["profile_field"]["enum"]
        + defs["duration_unit"]["enum"]
    )
    missing = [term for term in vocab if f"`{term}`" not in readme]
    assert missing == [], f"README.md does not document: {missing}"


def test_every_document_type_in_use_is_in_vocabulary():
    vocab = set(SCHEMA["$defs"]["document_type"]["enum"])
    used = set()
    for svc in SERVICES:
        for req in svc["requirements"]:
            used.add(req.get("document_type"))
            used.update(req.get("alternative_document_types", []))
    used.discard(None)
    assert used <= vocab
