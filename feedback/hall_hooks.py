"""Subscribed to `hall.hooks`: a finished counter service invites the citizen to the SKM
(PermenPANRB 14/2017: the survey of every service transaction)."""

from __future__ import annotations


def on_ticket_finished(*, ticket_id: int, counter_id: int) -> str:
    from hall.models import Ticket

    from .services import skm_invite, skm_token

    ticket = Ticket.objects.get(pk=ticket_id)
    response = skm_invite(
        source="ticket", source_id=ticket.pk, reference=ticket.number or ticket.code,
        channel="counter", offering_id=ticket.offering_id, service_code=ticket.service_code,
        agency_id=ticket.agency_id, counter_id=counter_id, officer_id=ticket.served_by_id,
        citizen_id=ticket.citizen_id,
    )
    return skm_token(response)
