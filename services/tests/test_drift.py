"""Drift from the national standard: longer SLA, local requirements without justification."""

from __future__ import annotations

from services.selectors import drift_summary, offering_by_code, offering_drift
from services.services import offering_update
from sla.services import sla_policy_update


def test_an_offering_as_adopted_has_no_drift(tenant_a, in_tenant, offering_a):
    with in_tenant(tenant_a):
        assert offering_drift(offering_by_code("T-KTP")) == []


def test_longer_sla_is_flagged(tenant_a, in_tenant, permit_offering_a):
    with in_tenant(tenant_a):
        sla_policy_update(offering=permit_offering_a, actor=None, target_value=7)
        flags = offering_drift(offering_by_code("T-SIP"))
        assert [f.code for f in flags] == ["sla_longer"]
        assert "7 hari kerja lebih lama dari standar nasional 5 hari kerja" in flags[0].message


def test_shorter_sla_in_another_unit_is_not_flagged(tenant_a, in_tenant, permit_offering_a):
    with in_tenant(tenant_a):
        sla_policy_update(
            offering=permit_offering_a, actor=None, target_value=21, target_unit="working_hours"
        )
        assert offering_drift(offering_by_code("T-SIP")) == []
        sla_policy_update(
            offering=permit_offering_a, actor=None, target_value=14, target_unit="calendar_days"
        )
        assert [f.code for f in offering_drift(offering_by_code("T-SIP"))] == ["sla_longer"]


def test_local_requirement_without_justification_is_flagged(
    tenant_a, in_tenant, permit_offering_a
):
    with in_tenant(tenant_a):
        offering_update(
            offering=permit_offering_a, actor=None,
            local_requirements=[
                {"code": "surat_sehat", "label": "Surat keterangan sehat", "kind": "document",
                 "required": True, "justification": ""},
                {"code": "npwp", "label": "NPWP", "kind": "document", "required": False,
                 "justification": "Perwal 12/2024 Pasal 3"},
            ],
        )
        flags = offering_drift(offering_by_code("T-SIP"))
        assert [f.code for f in flags] == ["requirement_unjustified"]
        assert "Surat keterangan sehat" in flags[0].message
        assert "NPWP" not in flags[0].message


def test_drift_summary_counts(tenant_a, in_tenant, offering_a, permit_offering_a):
    with in_tenant(tenant_a):
        sla_policy_update(offering=permit_offering_a, actor=None, target_value=10)
        summary = drift_summary()
    assert summary == {
        "offerings": 2, "enabled": 2, "with_drift": 1, "sla_longer": 1,
        "requirement_unjustified": 0, "new_version_available": 0,
    }
