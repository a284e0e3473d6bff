"""Calendar versions, policy validation and the due-date API for applications."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from sla.errors import InvalidCalendar, InvalidPolicy
from sla.models import CalendarVersion, SlaPolicy
from sla.selectors import calendar_current, due_for, engine_calendar, upcoming_holidays
from sla.services import calendar_holiday_add, calendar_update, sla_policy_update

WIB = ZoneInfo("Asia/Jakarta")


def _wib(*args: int) -> datetime:
    return datetime(*args, tzinfo=WIB)


def test_provisioning_seeds_calendar_version_1(tenant_a, tenant_b, in_tenant):
    with in_tenant(tenant_a):
        v1 = calendar_current()
        assert v1.version == 1
        assert v1.timezone == tenant_a.timezone
        assert v1.working_days == [0, 1, 2, 3, 4]
        assert v1.windows["0"] == [["08:00", "12:00"], ["13:00", "16:00"]]
        assert v1.windows["4"] == [["08:00", "11:30"], ["13:30", "16:30"]]
        assert v1.include_cuti_bersama
    with in_tenant(tenant_b):
        assert calendar_current().version == 1


def test_update_creates_a_new_version_and_keeps_the_old(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        v1 = calendar_current()
        v2 = calendar_update(
            actor=None, working_days=[0, 1, 2, 3, 4, 5],
            windows={**v1.windows, "5": [["08:00", "12:00"]]}, note="Sabtu buka",
        )
        assert (v2.version, v2.working_days) == (2, [0, 1, 2, 3, 4, 5])
        v1.refresh_from_db()
        assert v1.working_days == [0, 1, 2, 3, 4]
        # the same calendar again creates nothing
        assert calendar_update(actor=None, include_cuti_bersama=True).pk == v2.pk
        assert CalendarVersion.objects.count() == 2
        with pytest.raises(ValueError, match="immutable"):
            v1.save()


@pytest.mark.parametrize(
    ("changes", "field", "text"),
    [
        ({"windows": {"0": [["08:00", "12:00"], ["11:00", "16:00"]]}, "working_days": [0]},
         "windows_0", "tumpang tindih"),
        ({"windows": {"1": [["12:00", "08:00"]]}, "working_days": [1]},
         "windows_1", "harus setelah jam mulai"),
        ({"windows": {"2": [["20:00", "24:30"]]}, "working_days": [2]},
         "windows_2", "di luar rentang 00:00–24:00"),
        ({"windows": {"3": [["25:00", "26:00"]]}, "working_days": [3]},
         "windows_3", "tidak valid"),
        ({"working_days": []}, "working_days", "minimal satu hari kerja"),
        ({"working_days": [5], "windows": {}}, "windows_5", "isi minimal satu rentang"),
        ({"local_holidays": [{"date": "2026-13-01", "name": "X"}]}, "local_holidays",
         "tidak valid"),
        ({"local_holidays": [{"date": "2026-09-01", "name": " "}]}, "local_holidays",
         "wajib diisi"),
    ],
)
def test_invalid_calendar_is_refused_per_field_and_nothing_saved(
    tenant_a, in_tenant, changes, field, text
):
    with in_tenant(tenant_a):
        with pytest.raises(InvalidCalendar) as caught:
            calendar_update(actor=None, **changes)
        assert field in caught.value.fields
        assert any(text in m for m in caught.value.fields[field]), caught.value.fields
        assert CalendarVersion.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "field", "text"),
    [
        ({"target_value": -1}, "target_value", "lebih dari 0"),
        ({"target_value": 0}, "target_value", "lebih dari 0"),
        ({"target_unit": "weeks"}, "target_unit", "tidak dikenal"),
        ({"at_risk_threshold": 1}, "at_risk_threshold", "kurang dari 100 persen"),
        ({"at_risk_threshold": "1.5"}, "at_risk_threshold", "kurang dari 100 persen"),
        ({"at_risk_threshold": 0}, "at_risk_threshold", "lebih dari 0 dan"),
        ({"at_risk_threshold": "abc"}, "at_risk_threshold", "berupa angka"),
    ],
)
def test_invalid_policy_is_refused_per_field_and_nothing_saved(
    tenant_a, in_tenant, permit_offering_a, changes, field, text
):
    with in_tenant(tenant_a):
        before = SlaPolicy.objects.values().get(offering=permit_offering_a)
        with pytest.raises(InvalidPolicy) as caught:
            sla_policy_update(offering=permit_offering_a, actor=None, **changes)
        assert any(text in m for m in caught.value.fields[field]), caught.value.fields
        assert SlaPolicy.objects.values().get(offering=permit_offering_a) == before


def test_due_for_explains_a_holiday_and_a_pause(tenant_a, in_tenant, permit_offering_a):
    with in_tenant(tenant_a):
        # received Mon 10 Aug 2026, 5 hari kerja; 17 Aug is a national holiday
        plain = due_for(offering=permit_offering_a, start=_wib(2026, 8, 10, 10))
        assert plain.due == _wib(2026, 8, 18, 16)
        assert plain.due_local().isoformat() == "2026-08-18T16:00:00+07:00"
        assert plain.reasons == ["+1 hari: Hari Kemerdekaan Republik Indonesia"]
        assert plain.target_text == "5 hari kerja"
        assert plain.calendar_version_id == calendar_current().pk
        assert plain.at_risk is not None and plain.at_risk < plain.due
        # the applicant is asked for a correction for two whole working days (Wed, Thu)
        paused = due_for(
            offering=permit_offering_a, start=_wib(2026, 8, 10, 10),
            pauses=[(_wib(2026, 8, 12, 8), _wib(2026, 8, 14, 8))],
        )
        assert paused.due == _wib(2026, 8, 20, 16)
        assert paused.reasons == [
            "+1 hari: Hari Kemerdekaan Republik Indonesia",
            "+2 hari: menunggu perbaikan dari pemohon",
        ]
        # a pause still open stops the clock
        open_pause = due_for(
            offering=permit_offering_a, start=_wib(2026, 8, 10, 10),
            pauses=[(_wib(2026, 8, 12, 8), None)],
        )
        assert open_pause.is_paused and open_pause.due is None
        assert open_pause.paused_since == _wib(2026, 8, 12, 8)


def test_a_due_date_keeps_its_calendar_version(tenant_a, in_tenant, permit_offering_a):
    with in_tenant(tenant_a):
        v1 = calendar_current()
        before = due_for(offering=permit_offering_a, start=_wib(2026, 8, 10, 10))
        # when the tenant adds a local holiday inside the period (version 2)
        v2 = calendar_holiday_add(actor=None, day=_wib(2026, 8, 13).date(), name="Hari Jadi Kota")
        assert v2.version == 2
        # then the due date set under v1 is unchanged when judged by v1 ...
        again = due_for(
            offering=permit_offering_a, start=_wib(2026, 8, 10, 10), calendar_version=v1
        )
        assert (again.due, again.reasons, again.calendar_version_id) == (
            before.due, before.reasons, v1.pk
        )
        # ... and a new one under v2 moves by the local holiday
        now = due_for(offering=permit_offering_a, start=_wib(2026, 8, 10, 10))
        assert now.calendar_version_id == v2.pk
        assert now.due == _wib(2026, 8, 19, 16)
        assert "+1 hari: Hari Jadi Kota (libur daerah)" in now.reasons


def test_cuti_bersama_toggle(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        with_cb = engine_calendar(calendar_current())
        v2 = calendar_update(actor=None, include_cuti_bersama=False)
        without = engine_calendar(v2)
        day = _wib(2026, 12, 24).date()  # Cuti Bersama Hari Raya Natal 2026
        assert day in with_cb.holiday_map and day not in without.holiday_map
        current = calendar_current()
        assert current.pk == v2.pk
        assert all(h.day != day for h in upcoming_holidays(current, start=day))


def test_engine_calendars_are_cached_per_schema(tenant_a, tenant_b, in_tenant):
    with in_tenant(tenant_a):
        a = calendar_current()
        assert engine_calendar(a) is engine_calendar(a)
        calendar_holiday_add(actor=None, day=_wib(2026, 9, 1).date(), name="Libur A")
        a2 = engine_calendar(calendar_current())
    with in_tenant(tenant_b):
        b = engine_calendar(calendar_current())
    assert _wib(2026, 9, 1).date() in a2.holiday_map
    assert _wib(2026, 9, 1).date() not in b.holiday_map


def test_changes_notify_sla_hooks_on_commit(
    tenant_a, in_tenant, permit_offering_a, monkeypatch, django_capture_on_commit_callbacks
):
    calls = []

    def hook(*, reason, offering_id):
        calls.append((reason, offering_id))

    monkeypatch.setattr("sla.services.collect", lambda module, attr: [hook])
    with in_tenant(tenant_a):
        with django_capture_on_commit_callbacks(execute=True):
            sla_policy_update(offering=permit_offering_a, actor=None, target_value=4)
            calendar_update(actor=None, include_cuti_bersama=False)
        with django_capture_on_commit_callbacks(execute=True):
            with pytest.raises(InvalidPolicy):
                sla_policy_update(offering=permit_offering_a, actor=None, target_value=0)
    assert calls == [("policy_changed", permit_offering_a.pk), ("calendar_changed", None)]


def test_model_clean_reports_field_errors():
    from django.core.exceptions import ValidationError

    policy = SlaPolicy(target_value=0, target_unit="working_days", at_risk_threshold=1)
    with pytest.raises(ValidationError) as caught:
        policy.clean()
    assert set(caught.value.message_dict) == {"target_value", "at_risk_threshold"}
    version = CalendarVersion(
        version=9, working_days=[4], windows={"4": [["13:00", "12:00"]]}, local_holidays=[]
    )
    with pytest.raises(ValidationError) as caught:
        version.clean()
    assert list(caught.value.message_dict) == ["windows_4"]


def test_deemed_approval_is_refused_for_adminduk_and_allowed_for_permits(
    tenant_a, in_tenant, offering_a, permit_offering_a
):
    # adminduk documents come from SIAK: they can never be "dianggap dikabulkan"
    with in_tenant(tenant_a):
        before = SlaPolicy.objects.values().get(offering=offering_a)
        with pytest.raises(InvalidPolicy) as caught:
            sla_policy_update(offering=offering_a, actor=None, deemed_approval=True)
        assert "SIAK" in caught.value.fields["deemed_approval"][0]
        assert SlaPolicy.objects.values().get(offering=offering_a) == before
        permit = sla_policy_update(offering=permit_offering_a, actor=None, deemed_approval=True)
        assert permit.deemed_approval is True
