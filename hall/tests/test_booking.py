"""Booking, check-in, queue order and the counter flow (tenant A)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from core.errors import PermissionDenied
from hall import services as hs
from hall.errors import CounterBusy, InvalidTicketState, SlotFull, SlotUnavailable
from hall.models import Ticket
from hall.selectors import booking_days, hall_calendar, local_day, slots_for


def _next_day_slots(hall):
    calendar = hall_calendar()
    day = next(d for d in booking_days(calendar=calendar) if d > local_day())
    return day, slots_for(service_code=hall.offering.service_code, day=day, calendar=calendar)


def test_slots_follow_the_work_calendar(hall_a, in_tenant):
    with in_tenant(hall_a.tenant):
        calendar = hall_calendar()
        days = booking_days(calendar=calendar)
        # only working days (no weekends, no holidays)
        assert days and all(calendar.is_working_day(d) for d in days)
        saturday = next(
            local_day() + timedelta(days=n) for n in range(1, 8)
            if (local_day() + timedelta(days=n)).weekday() == 5
        )
        assert slots_for(service_code=hall_a.offering.service_code, day=saturday) == []
        day, slots = _next_day_slots(hall_a)
        local = [s.start.astimezone(calendar.tz) for s in slots]
        # Mon-Thu 08:00-12:00 + 13:00-16:00 in 30-min slots = 14; Friday 08:00-11:30 + 13:30-16:30 = 13
        assert len(slots) == (13 if day.weekday() == 4 else 14)
        assert local[0].strftime("%H:%M") == "08:00"
        assert all(s.capacity == 2 and s.remaining == 2 for s in slots)
        assert "12:00" not in [t.strftime("%H:%M") for t in local]


def test_booking_respects_capacity_cancel_frees_a_place(hall_a, in_tenant, user_factory):
    citizens = [user_factory() for _ in range(3)]
    with in_tenant(hall_a.tenant):
        _day, slots = _next_day_slots(hall_a)
        start = slots[0].start
        code = hall_a.offering.service_code
        first = hs.booking_create(citizen=citizens[0], service_code=code, slot_start=start)
        hs.booking_create(citizen=citizens[1], service_code=code, slot_start=start)
        with pytest.raises(SlotFull):
            hs.booking_create(citizen=citizens[2], service_code=code, slot_start=start)
        # the same citizen cannot book twice on one day
        with pytest.raises(SlotUnavailable):
            hs.booking_create(citizen=citizens[0], service_code=code, slot_start=slots[1].start)
        # another citizen cannot cancel my booking
        with pytest.raises(PermissionDenied):
            hs.booking_cancel(actor=citizens[2], ticket=first)
        hs.booking_cancel(actor=citizens[0], ticket=first)
        third = hs.booking_create(citizen=citizens[2], service_code=code, slot_start=start)
        assert third.status == Ticket.Status.BOOKED
        # reschedule moves the place
        hs.booking_reschedule(actor=citizens[2], ticket=third, slot_start=slots[2].start)
        third.refresh_from_db()
        assert third.slot_start == slots[2].start


def test_past_or_off_grid_slots_are_refused(hall_a, in_tenant, user_factory):
    citizen = user_factory()
    with in_tenant(hall_a.tenant):
        with pytest.raises(SlotUnavailable):
            hs.booking_create(citizen=citizen, service_code=hall_a.offering.service_code,
                              slot_start=timezone.now() - timedelta(hours=1))
        _day, slots = _next_day_slots(hall_a)
        with pytest.raises(SlotUnavailable):
            hs.booking_create(citizen=citizen, service_code=hall_a.offering.service_code,
                              slot_start=slots[0].start + timedelta(minutes=7))


def _booking_today(hall, citizen_id, *, slot_offset_minutes=-10):
    start = timezone.now() + timedelta(minutes=slot_offset_minutes)
    return Ticket.objects.create(
        kind=Ticket.Kind.BOOKING, status=Ticket.Status.BOOKED, offering=hall.offering,
        service_code=hall.offering.service_code, agency=hall.agency, slot_counter=hall.counter,
        day=local_day(), slot_start=start, slot_end=start + timedelta(minutes=30),
        code=f"BK{citizen_id:06d}", citizen_id=citizen_id,
    )


def test_check_in_priority_lane_and_booking_before_walk_ins(hall_a, in_tenant):
    with in_tenant(hall_a.tenant):
        code = hall_a.offering.service_code
        walk_in = hs.walk_in_issue(actor=None, service_code=code)
        booking = _booking_today(hall_a, 1)
        hs.ticket_check_in(actor=None, code=booking.code.lower())
        elderly = hs.walk_in_issue(actor=None, service_code=code, priority="lansia")
        booking.refresh_from_db()
        assert (walk_in.number, booking.number, elderly.number) == ("A001", "B001", "P001")
        # a second check-in is refused
        with pytest.raises(InvalidTicketState):
            hs.ticket_check_in(actor=None, code=booking.code)
        counter = hall_a.counter
        called = []
        for _ in range(3):
            ticket = hs.counter_call_next(actor=None, counter=counter)
            with pytest.raises(CounterBusy):
                hs.counter_call_next(actor=None, counter=counter)
            hs.counter_start(actor=None, counter=counter)
            hs.counter_finish(actor=None, counter=counter)
            called.append(ticket.number)
        # priority lane, then the booking in its slot, then the walk-in who came first
        assert called == ["P001", "B001", "A001"]
        done = Ticket.objects.get(pk=walk_in.pk)
        assert done.wait_seconds is not None and done.service_seconds is not None


def test_recall_and_skip_make_a_no_show_after_n_recalls(hall_a, in_tenant):
    with in_tenant(hall_a.tenant):
        counter = hall_a.counter
        counter.max_recalls = 2
        counter.save()
        ticket = hs.walk_in_issue(actor=None, service_code=hall_a.offering.service_code)
        hs.counter_call_next(actor=None, counter=counter)
        # skip before N recalls: back to the queue
        assert hs.counter_skip(actor=None, counter=counter).status == Ticket.Status.WAITING
        hs.counter_call_next(actor=None, counter=counter)
        assert hs.counter_recall(actor=None, counter=counter).recalls == 2
        assert hs.counter_skip(actor=None, counter=counter).status == Ticket.Status.NO_SHOW
        assert Ticket.objects.get(pk=ticket.pk).status == Ticket.Status.NO_SHOW


def test_finish_invites_to_skm_once_with_attribution(hall_a, in_tenant, staff_user):
    from agencies.models import StaffRole
    from feedback.models import SkmResponse
    from feedback.tests.fixtures import walk_in_served

    officer = staff_user(hall_a.tenant, role=StaffRole.Role.OFFICER, agency=hall_a.agency)
    with in_tenant(hall_a.tenant):
        ticket, token = walk_in_served(hall_a, officer=officer)
        response = SkmResponse.objects.get(source="ticket", source_id=ticket.pk)
        assert token
        assert (response.counter_id, response.officer_id, response.agency_id) == (
            hall_a.counter.pk, officer.pk, hall_a.agency.pk)
        assert response.service_code == hall_a.offering.service_code
        assert response.channel == "counter"


def test_link_ticket_to_application(hall_a, in_tenant, user_factory):
    from feedback.tests.fixtures import make_application

    citizen = user_factory()
    with in_tenant(hall_a.tenant):
        application = make_application(hall_a, applicant_id=citizen.pk, status="submitted")
        ticket = hs.walk_in_issue(actor=None, service_code=hall_a.offering.service_code)
        hs.ticket_link_application(actor=None, ticket=ticket, tracking_code=application.tracking_code)
        assert Ticket.objects.get(pk=ticket.pk).application_id == application.pk
