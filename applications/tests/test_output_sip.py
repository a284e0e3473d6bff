"""The SIP output document (templates/applications/pdf/output_sip.html) for an application on
the seeded SIP-DOKTER form: it names the practice place and its address (1 SIP = 1 place,
PP 28/2024 Pasal 682 ayat 2), the STR number and validity, the SIP number and validity (5 years,
never beyond a time-limited STR), the profession, and the signing official."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from agencies.models import StaffRole

# Field names of the seeded SIP forms (catalog/seed/perizinan_kesehatan.yaml) the document reads.
SIP_FIELDS = {
    "nama_lengkap", "gelar", "nomor_str", "str_seumur_hidup", "str_berlaku_sampai",
    "jenis_fasilitas", "nama_tempat_praktik", "alamat_tempat_praktik",
    "kecamatan_tempat_praktik", "desa_tempat_praktik",
}


def _form(version, **overrides):
    from regions.models import Village

    names = {field["name"] for field in version.form_fields}
    assert SIP_FIELDS <= names, SIP_FIELDS - names  # the template follows the seed's names
    village = Village.objects.select_related("district").order_by("code").first()
    data = {
        "nama_lengkap": "Siti Warga", "gelar": "dr.", "jenis_permohonan": "baru",
        "nomor_str": "KKI.3273/STR-2024/0001", "str_seumur_hidup": "ya",
        "str_berlaku_sampai": "", "urutan_sip": 1, "jenis_praktik": "fasilitas_kesehatan",
        "jenis_fasilitas": "klinik_pratama", "nama_tempat_praktik": "Klinik Pratama Sehat Sentosa",
        "alamat_tempat_praktik": "Jl. Braga No. 10",
        "kecamatan_tempat_praktik": village.district.code if village else "",
        "desa_tempat_praktik": village.code if village else "",
    }
    data.update(overrides)
    return data, village


def _approved_and_issued(sip_offering, citizen, decider, **form_overrides):
    from applications.models import Application
    from applications.services import output_generate
    from applications.statemachine import application_transition
    from catalog.models import ServiceVersion

    version = ServiceVersion.objects.get(pk=sip_offering.service_version_id)
    form, village = _form(version, **form_overrides)
    app = Application.objects.create(
        offering=sip_offering, service_code=sip_offering.service_code,
        service_version_id=sip_offering.service_version_id, agency=sip_offering.agency,
        applicant_id=citizen.pk, status="in_process", tracking_code="3273-SIPDOKTER-2601-0042",
        current_step="keputusan",  # the deciding step of the SIP workflow
        form_data=form,
    )
    application_transition(application_id=app.pk, action="approve", actor=decider)
    app = output_generate(application_id=app.pk, actor=decider, base_url="http://x.localhost")
    return app, version, village


def _html(app, version):
    from applications.pdf import render_output_html

    return render_output_html(application=app, template="sip",
                              verify_url="http://x.localhost/verifikasi/t/",
                              service_version=version)


def test_the_sip_names_place_str_sip_validity_profession_and_signatory(
    citizen, sip_offering, staff, tenant_a, in_tenant
):
    # given a SIP-DOKTER application approved by the head of the owning OPD
    head = staff(StaffRole.Role.AGENCY_HEAD, sip_offering)
    head.full_name = "Dr. Bambang Kepala"
    head.save(update_fields=["full_name"])
    with in_tenant(tenant_a):
        app, version, village = _approved_and_issued(sip_offering, citizen, head)

        # when the output document is rendered
        html = _html(app, version)

    # then it names the practice place (kind and name) and its full address
    assert "Klinik Pratama Sehat Sentosa" in html
    assert "Klinik pratama" in html
    assert "Jl. Braga No. 10" in html
    if village is not None:
        assert village.name in html and village.district.name in html
    # the STR number and its validity
    assert "KKI.3273/STR-2024/0001" in html
    assert "Berlaku seumur hidup" in html
    # the SIP number and its validity: 5 years from issue
    assert app.output_number and app.output_number in html
    issued = timezone.localdate(app.output_issued_at)  # the regency's day, as the service counts it
    assert app.output_valid_until == issued.replace(year=issued.year + 5)
    assert f"{app.output_valid_until:%Y}" in html
    # the profession, never a raw field name
    assert "Dokter" in html
    assert "Nomor_str" not in html and "nomor_str" not in html
    # and the signing official: name, position, OPD
    assert "Dr. Bambang Kepala" in html
    assert f"Kepala {sip_offering.agency.name}" in html


def test_an_officers_decision_is_signed_on_behalf_of_the_head_and_follows_an_old_str(
    citizen, sip_offering, staff, tenant_a, in_tenant
):
    # given an officer approves a SIP whose (old) STR ends in two years
    officer = staff(StaffRole.Role.OFFICER, sip_offering)
    officer.full_name = "Rina Petugas"
    officer.save(update_fields=["full_name"])
    str_end = dt.date.today() + dt.timedelta(days=730)
    with in_tenant(tenant_a):
        app, version, _village = _approved_and_issued(
            sip_offering, citizen, officer, str_seumur_hidup="tidak",
            str_berlaku_sampai=str_end.isoformat(),
        )
        html = _html(app, version)

    # then the SIP ends with the STR, not after 5 years
    assert app.output_valid_until == str_end
    assert "Berlaku seumur hidup" not in html
    # and the officer signs on behalf of the OPD head
    assert "Rina Petugas" in html
    assert f"a.n. Kepala {sip_offering.agency.name}" in html
    assert "Petugas" in html
