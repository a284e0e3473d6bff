from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from catalog.formschema import build_form_class, validate_form_fields, validate_prefill

SCHEMA = [
    {"name": "nama", "label": "Nama lengkap", "type": "text", "required": True,
     "validation": {"min_length": 3, "max_length": 20, "pattern": "^[A-Za-z .']+$"}},
    {"name": "alamat", "label": "Alamat", "type": "textarea", "required": False,
     "validation": {"max_length": 50}},
    {"name": "jumlah", "label": "Jumlah tempat praktik", "type": "number", "required": True,
     "validation": {"min": 1, "max": 3}},
    {"name": "tanggal_lahir", "label": "Tanggal lahir", "type": "date", "required": True,
     "validation": {"max_date": "today"}},
    {"name": "jenis", "label": "Jenis permohonan", "type": "choice", "required": True,
     "choices": [{"value": "baru", "label": "Baru"}, {"value": "hilang", "label": "Hilang"}]},
    {"name": "nik", "label": "NIK", "type": "nik", "required": True},
    {"name": "kecamatan", "label": "Kecamatan", "type": "region_district", "required": True},
    {"name": "desa", "label": "Desa/kelurahan", "type": "region_village", "required": False},
    {"name": "berkas_kk", "label": "Unggah KK", "type": "file", "required": True,
     "requirement": "kk", "validation": {"accept": ["pdf", "jpg"], "max_size_kb": 1}},
    {"name": "berkas_hilang", "label": "Surat kehilangan", "type": "file", "required": False,
     "requirement": "surat_kehilangan",
     "required_when": {"field": "jenis", "in": ["hilang"]}},
    {"name": "no_hp", "label": "Nomor HP", "type": "phone", "required": True},
    {"name": "email", "label": "Email", "type": "email", "required": False},
]
REQUIREMENTS = [
    {"code": "kk", "label": "KK", "kind": "document", "document_type": "KK"},
    {"code": "surat_kehilangan", "label": "Surat", "kind": "document",
     "document_type": "SURAT_KEHILANGAN_KEPOLISIAN"},
]
DISTRICTS = [("32.73.01", "Sukasari"), ("32.73.02", "Coblong")]
VILLAGES = [("32.73.01.1001", "Sarijadi")]
VALID = {
    "nama": "Siti Aminah", "alamat": "Jl. Merdeka 1", "jumlah": "2",
    "tanggal_lahir": "1990-03-15", "jenis": "baru", "nik": "3273011503900001",
    "kecamatan": "32.73.01", "desa": "32.73.01.1001", "no_hp": "0812 3456 7890",
    "email": "siti@contoh.id",
}


def _form(data=None, files=None):
    form_class = build_form_class(SCHEMA, districts=DISTRICTS, villages=VILLAGES)
    payload = {**VALID, **(data or {})}
    payload = {k: v for k, v in payload.items() if v is not None}
    uploads = {"berkas_kk": SimpleUploadedFile("kk.pdf", b"%PDF-1.4")}
    uploads.update(files or {})
    uploads = {k: v for k, v in uploads.items() if v is not None}
    return form_class(data=payload, files=uploads)


def test_schema_is_valid():
    assert validate_form_fields(SCHEMA, requirements=REQUIREMENTS) == []


def test_valid_submission_cleans_every_type():
    # when
    form = _form()
    # then
    assert form.is_valid(), form.errors
    data = form.cleaned_data
    assert data["jumlah"] == 2
    assert data["tanggal_lahir"] == dt.date(1990, 3, 15)
    assert data["nik"] == "3273011503900001"
    assert data["no_hp"] == "6281234567890"
    assert data["kecamatan"] == "32.73.01"


def test_required_fields_have_specific_messages():
    form = _form({"nama": "", "nik": "", "kecamatan": ""}, files={"berkas_kk": None})
    assert not form.is_valid()
    assert form.errors["nama"] == ["Nama lengkap wajib diisi."]
    assert form.errors["nik"] == ["NIK wajib diisi."]
    assert form.errors["kecamatan"] == ["Kecamatan wajib diisi."]
    assert form.errors["berkas_kk"] == ["Unggah KK wajib diisi."]


def test_optional_fields_may_be_empty():
    form = _form({"alamat": "", "desa": "", "email": ""})
    assert form.is_valid(), form.errors


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"nama": "Si"}, "nama", "Nama lengkap paling sedikit 3 karakter."),
        ({"nama": "S" * 21}, "nama", "Nama lengkap paling banyak 20 karakter."),
        ({"nama": "Siti 123"}, "nama", "Format Nama lengkap tidak sesuai."),
        ({"jumlah": "4"}, "jumlah", "Jumlah tempat praktik paling besar 3."),
        ({"jumlah": "0"}, "jumlah", "Jumlah tempat praktik paling kecil 1."),
        ({"jumlah": "dua"}, "jumlah", "Jumlah tempat praktik tidak valid."),
        ({"tanggal_lahir": "15-03-1990x"}, "tanggal_lahir", "Tanggal lahir tidak valid."),
        ({"jenis": "lainnya"}, "jenis", "Pilihan untuk Jenis permohonan tidak tersedia."),
        ({"kecamatan": "33.14.01"}, "kecamatan", "Pilihan untuk Kecamatan tidak tersedia."),
        ({"no_hp": "12345"}, "no_hp",
         "Nomor ponsel tidak valid. Gunakan nomor Indonesia, mis. 0812xxxxxxxx."),
        ({"email": "bukan-email"}, "email", "Alamat email tidak valid, mis. nama@contoh.id."),
    ],
)
def test_validation_rules(data, field, message):
    form = _form(data)
    assert not form.is_valid()
    assert form.errors[field] == [message]


def test_max_date_today_refuses_tomorrow():
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    form = _form({"tanggal_lahir": tomorrow.isoformat()})
    assert not form.is_valid()
    assert form.errors["tanggal_lahir"] == ["Tanggal tidak boleh melewati hari ini."]


def test_nik_field_uses_nik_rules():
    form = _form({"nik": "3200011503900001"})
    assert not form.is_valid()
    assert "Kode wilayah pada NIK (6 digit pertama: 320001)" in form.errors["nik"][0]


def test_file_type_and_size():
    form = _form(files={"berkas_kk": SimpleUploadedFile("kk.exe", b"MZ")})
    assert not form.is_valid()
    assert form.errors["berkas_kk"] == ["Jenis berkas .exe tidak diterima. Unggah berkas PDF, JPG."]
    form = _form(files={"berkas_kk": SimpleUploadedFile("kk.pdf", b"x" * 2048)})
    assert not form.is_valid()
    assert form.errors["berkas_kk"] == ["Ukuran berkas 2 KB melebihi batas 1 KB."]


def test_required_when_applies_only_when_condition_holds():
    # given a "hilang" application without the police letter
    form = _form({"jenis": "hilang"})
    assert not form.is_valid()
    assert form.errors["berkas_hilang"] == ["Surat kehilangan wajib diisi."]
    # when the letter is attached
    form = _form({"jenis": "hilang"},
                 files={"berkas_hilang": SimpleUploadedFile("surat.pdf", b"%PDF")})
    assert form.is_valid(), form.errors


def test_a_desa_outside_the_chosen_kecamatan_is_a_field_error():
    form = _form({"kecamatan": "32.73.02"})
    assert not form.is_valid()
    assert form.errors["desa"] == [
        "Sarijadi tidak berada di Kecamatan Coblong. Pilih desa/kelurahan dari kecamatan yang "
        "dipilih."
    ]


def test_desa_choices_shown_are_those_of_the_chosen_kecamatan():
    form_class = build_form_class(
        SCHEMA[6:8], districts=DISTRICTS,
        villages=[("32.73.01.1004", "Sarijadi", "32.73.01"), ("32.73.02.1004", "Dago", "32.73.02")],
    )
    shown = [code for code, _label in form_class(initial={"kecamatan": "32.73.02"})
             .fields["desa"].widget.choices]
    assert shown == ["", "32.73.02.1004"]
    assert [c for c, _l in form_class().fields["desa"].widget.choices] == [""]  # none chosen
    assert form_class(data={"kecamatan": "32.73.02", "desa": "32.73.02.1004"}).is_valid()


def test_region_choices_accept_objects_with_code_and_name():
    class District:
        def __init__(self, code, name):
            self.code, self.name = code, name

    form_class = build_form_class(SCHEMA[6:7], districts=[District("32.73.01", "Sukasari")])
    assert form_class(data={"kecamatan": "32.73.01"}).is_valid()


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ("nope", "Skema formulir harus berupa daftar isian."),
        ([{"name": "Nama", "label": "Nama", "type": "text", "required": True}], "snake_case"),
        ([{"name": "a", "label": "A", "type": "text", "required": True},
          {"name": "a", "label": "A", "type": "text", "required": True}], "lebih dari sekali"),
        ([{"name": "a", "label": "A", "type": "slider", "required": True}], "tidak dikenal"),
        ([{"name": "a", "label": "A", "type": "text"}], "'required' harus true atau false"),
        ([{"name": "a", "label": "A", "type": "choice", "required": True,
           "choices": [{"value": "x", "label": "X"}]}], "paling sedikit 2 pilihan"),
        ([{"name": "a", "label": "A", "type": "file", "required": True}],
         "wajib menyebut kode persyaratan"),
        ([{"name": "a", "label": "A", "type": "number", "required": True,
           "validation": {"max_length": 3}}], "tidak berlaku untuk jenis number"),
        ([{"name": "a", "label": "A", "type": "number", "required": True,
           "validation": {"min": 5, "max": 1}}], "min lebih besar dari max"),
        ([{"name": "a", "label": "A", "type": "text", "required": True,
           "validation": {"pattern": "("}}], "bukan regex"),
        ([{"name": "a", "label": "A", "type": "date", "required": True,
           "validation": {"max_date": "2020-01-01"}}], "hanya boleh bernilai"),
        ([{"name": "a", "label": "A", "type": "text", "required": False,
           "required_when": {"field": "b", "in": ["x"]}}], "isian b yang tidak ada"),
    ],
)
def test_schema_errors(fields, expected):
    errors = validate_form_fields(fields)
    assert errors
    assert any(expected in e for e in errors), errors


def test_requirement_references_are_checked():
    fields = [{"name": "berkas", "label": "Berkas", "type": "file", "required": True,
               "requirement": "akta"}]
    errors = validate_form_fields(fields, requirements=REQUIREMENTS)
    assert "Isian berkas berkas merujuk persyaratan akta yang tidak ada." in errors
    assert "Persyaratan dokumen kk tidak memiliki isian unggah berkas." in errors


def test_prefill_types_must_match():
    assert validate_prefill({"nik": "nik", "kecamatan": "district_code"}, SCHEMA) == []
    errors = validate_prefill({"nama": "birth_date", "x": "nik", "nik": "umur"}, SCHEMA)
    assert len(errors) == 3


def test_build_form_class_refuses_an_invalid_schema():
    with pytest.raises(ValueError, match="tidak dikenal"):
        build_form_class([{"name": "a", "label": "A", "type": "slider", "required": True}])
