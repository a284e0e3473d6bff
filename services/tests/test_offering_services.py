"""Adoption rules, updates and explicit adoption of new catalogue versions."""

from __future__ import annotations

import pytest

from catalog.models import ServiceVersion
from services.errors import AlreadyAdopted, FeeForbidden, InvalidOffering, VersionNotPublished
from services.models import Offering
from services.selectors import offering_by_code, offerings_with_new_version
from services.services import (
    offering_adopt,
    offering_adopt_version,
    offering_set_enabled,
    offering_update,
)
from services.tests.factories import service_version
from sla.models import SlaPolicy
from sla.services import sla_policy_update


def _state(offering_id: int) -> tuple:
    offering = Offering.objects.get(pk=offering_id)
    policy = SlaPolicy.objects.get(offering_id=offering_id)
    return (
        offering.service_version_id, offering.channel, offering.external_url,
        offering.local_fee_amount, offering.local_fee_basis, offering.local_requirements,
        offering.is_enabled, offering.agency_id, policy.target_value, policy.target_unit,
    )


def test_adopt_creates_offering_with_the_national_sla(tenant_a, in_tenant, offering_a):
    with in_tenant(tenant_a):
        offering = offering_by_code("t-ktp")
        assert offering.service_code == "T-KTP"
        assert offering.is_enabled
        assert (offering.sla_policy.target_value, offering.sla_policy.target_unit) == (
            1, "working_days"
        )
        assert offering.sla_policy.at_risk_threshold == pytest.approx(0.75)


def test_adminduk_local_fee_is_refused_with_the_legal_basis(
    tenant_a, in_tenant, agency_a, adminduk_version
):
    with in_tenant(tenant_a):
        with pytest.raises(FeeForbidden) as caught:
            offering_adopt(
                service_version=adminduk_version, agency=agency_a, channel="online",
                actor=None, local_fee_amount=10_000, local_fee_basis="Perda 1/2020",
            )
        assert "Pasal 79A" in caught.value.message
        assert caught.value.code == "fee_forbidden"
        assert "local_fee_amount" in caught.value.extra["fields"]
        assert not Offering.objects.exists()
        assert not SlaPolicy.objects.exists()


def test_adminduk_fee_refused_on_update_and_nothing_changes(tenant_a, in_tenant, offering_a):
    with in_tenant(tenant_a):
        before = _state(offering_a.pk)
        with pytest.raises(FeeForbidden, match="UU 24/2013 Pasal 79A"):
            offering_update(
                offering=offering_a, actor=None, local_fee_amount=5_000,
                local_fee_basis="Perda", channel="counter",
            )
        assert _state(offering_a.pk) == before


def test_external_channel_needs_the_opd_url(tenant_a, in_tenant, agency_a, permit_version):
    with in_tenant(tenant_a):
        with pytest.raises(InvalidOffering) as caught:
            offering_adopt(
                service_version=permit_version, agency=agency_a, channel="external", actor=None
            )
        assert caught.value.fields == {
            "external_url": ["Tautan aplikasi OPD wajib diisi bila kanalnya aplikasi OPD."]
        }
        assert not Offering.objects.exists()
        offering = offering_adopt(
            service_version=permit_version, agency=agency_a, channel="external", actor=None,
            external_url="https://sip.example.go.id/",
        )
        assert offering.channel == "external"


def test_permit_fee_needs_a_regional_legal_basis(tenant_a, in_tenant, permit_offering_a):
    with in_tenant(tenant_a):
        with pytest.raises(InvalidOffering) as caught:
            offering_update(offering=permit_offering_a, actor=None, local_fee_amount=50_000)
        assert list(caught.value.fields) == ["local_fee_basis"]
        offering = offering_update(
            offering=permit_offering_a, actor=None, local_fee_amount=50_000,
            local_fee_basis="Perda Kota Bandung 1/2024",
        )
        assert offering.total_fee == 50_000


def test_adopting_twice_conflicts(tenant_a, in_tenant, agency_a, offering_a, adminduk_version):
    with in_tenant(tenant_a), pytest.raises(AlreadyAdopted):
        offering_adopt(
            service_version=adminduk_version, agency=agency_a, channel="online", actor=None
        )


def test_only_published_versions_can_be_adopted(tenant_a, in_tenant, agency_a):
    draft = service_version(code="T-DRAFT", category_code="IZN", status="draft")
    with in_tenant(tenant_a):
        with pytest.raises(VersionNotPublished):
            offering_adopt(service_version=draft, agency=agency_a, channel="online", actor=None)
        assert not Offering.objects.exists()


def test_local_requirements_are_validated(tenant_a, in_tenant, permit_offering_a):
    with in_tenant(tenant_a):
        before = _state(permit_offering_a.pk)
        with pytest.raises(InvalidOffering) as caught:
            offering_update(
                offering=permit_offering_a, actor=None,
                local_requirements=[
                    {"code": "kk", "label": "KK lagi", "kind": "document", "required": True},
                    {"code": "Bad Code", "label": "", "kind": "photo", "required": True},
                ],
            )
        messages = caught.value.fields["local_requirements"]
        assert any("sudah dipakai persyaratan nasional" in m for m in messages)
        assert any("nama wajib diisi" in m for m in messages)
        assert any("dokumen, data atau kondisi" in m for m in messages)
        assert _state(permit_offering_a.pk) == before


def test_publishing_a_new_version_leaves_the_offering_until_explicit_adoption(
    tenant_a, in_tenant, offering_a, adminduk_version
):
    # given the ministry publishes version 2 with a shorter SLA unit change
    v2 = service_version(
        code="T-KTP", number=2, sla_value=8, sla_unit=ServiceVersion.SlaUnit.WORKING_HOURS
    )
    with in_tenant(tenant_a):
        # then the live offering is untouched and flagged
        offering = offering_by_code("T-KTP")
        assert offering.service_version_id == adminduk_version.pk
        assert offering.sla_policy.target_unit == "working_days"
        assert [o.service_code for o in offerings_with_new_version()] == ["T-KTP"]
        # when the admin adopts it explicitly
        offering_adopt_version(offering=offering, service_version=v2, actor=None)
        offering = offering_by_code("T-KTP")
        assert offering.service_version_id == v2.pk
        assert offering.version_history[0]["number"] == 1
        assert (offering.sla_policy.target_value, offering.sla_policy.target_unit) == (
            8, "working_hours"
        )
        assert list(offerings_with_new_version()) == []


def test_new_version_keeps_a_customised_sla(tenant_a, in_tenant, permit_offering_a):
    with in_tenant(tenant_a):
        sla_policy_update(offering=permit_offering_a, actor=None, target_value=3)
    v2 = service_version(code="T-SIP", category_code="IZN", number=2, sla_value=4)
    with in_tenant(tenant_a):
        offering_adopt_version(offering=permit_offering_a, service_version=v2, actor=None)
        assert SlaPolicy.objects.get(offering=permit_offering_a).target_value == 3


def test_older_or_foreign_versions_are_refused(tenant_a, in_tenant, offering_a, permit_version):
    with in_tenant(tenant_a):
        before = _state(offering_a.pk)
        with pytest.raises(InvalidOffering, match="layanan lain"):
            offering_adopt_version(offering=offering_a, service_version=permit_version, actor=None)
        with pytest.raises(InvalidOffering, match="tidak lebih baru"):
            offering_adopt_version(
                offering=offering_a, service_version=offering_a.service_version, actor=None
            )
        assert _state(offering_a.pk) == before


def test_enable_and_disable(tenant_a, in_tenant, offering_a):
    with in_tenant(tenant_a):
        offering_set_enabled(offering=offering_a, is_enabled=False, actor=None)
        assert not Offering.objects.get(pk=offering_a.pk).is_enabled
        with pytest.raises(Exception, match="tidak ditemukan"):
            offering_by_code("T-KTP", enabled_only=True)


def test_demo_seed_adopts_the_catalogue_idempotently(tenant_a, in_tenant, adminduk_version,
                                                    permit_version):
    from services.seeding import seed_demo_tenant

    with in_tenant(tenant_a):
        seed_demo_tenant(tenant=tenant_a)
        count = Offering.objects.count()
        seed_demo_tenant(tenant=tenant_a)
        assert Offering.objects.count() == count
        assert Offering.objects.get(service_code="T-KTP").agency.code == "disdukcapil"
        assert Offering.objects.get(service_code="T-SIP").agency.code == "dpmptsp"
        assert SlaPolicy.objects.count() == count
