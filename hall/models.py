"""Models of the hall app (tenant schema): counters (loket) and queue tickets of the MPP hall.

Two lean tables:

* :class:`Counter` - a loket, optionally run by one OPD, serving a list of offering codes
  (``services`` JSON), with its booking grid (``slot_minutes``) and capacity per slot.
  Opening hours are not stored: they are the tenant's work calendar (``sla``).
* :class:`Ticket` - ONE table for online bookings and walk-in tickets (``kind``). A booking
  holds a place in a slot of a counter until it is checked in; from then on bookings and
  walk-ins share the queue. Wait and service times are stored per ticket (seconds) so the
  reports aggregate them in SQL.

Overbooking is prevented by ``hall.services.booking_create``: it locks the counter row
(``SELECT … FOR UPDATE``), counts the slot's active bookings and inserts, all in one
transaction, so concurrent bookings for one counter are serialised.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Counter(models.Model):
    """A loket in the MPP building, optionally run by one OPD."""

    code = models.SlugField(_("kode"), max_length=20, unique=True)
    name = models.CharField(_("nama"), max_length=100)
    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="counters", verbose_name=_("OPD"),
    )
    is_active = models.BooleanField(_("aktif"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # --- hall app ------------------------------------------------------------------------
    # Offering service codes served at this counter, e.g. ["ADM-KTP", "ADM-KK"].
    services = models.JSONField(_("layanan"), default=list, blank=True)
    slot_minutes = models.PositiveSmallIntegerField(_("durasi slot (menit)"), default=30)
    capacity_per_slot = models.PositiveSmallIntegerField(_("kapasitas per slot"), default=4)
    max_recalls = models.PositiveSmallIntegerField(
        _("panggilan ulang sebelum dianggap tidak hadir"), default=3
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("loket")
        verbose_name_plural = _("loket")
        constraints = [
            models.CheckConstraint(
                condition=Q(slot_minutes__gte=5) & Q(slot_minutes__lte=240),
                name="counter_slot_minutes_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Ticket(models.Model):
    """A booking (``kind=booking``) or a walk-in ticket (``kind=walk_in``)."""

    class Kind(models.TextChoices):
        BOOKING = "booking", _("Reservasi daring")
        WALK_IN = "walk_in", _("Datang langsung")

    class Status(models.TextChoices):
        BOOKED = "booked", _("Dipesan")
        CANCELLED = "cancelled", _("Dibatalkan")
        WAITING = "waiting", _("Menunggu")
        CALLED = "called", _("Dipanggil")
        SERVING = "serving", _("Sedang dilayani")
        DONE = "done", _("Selesai")
        NO_SHOW = "no_show", _("Tidak hadir")

    class Priority(models.TextChoices):
        NONE = "", _("Reguler")
        ELDERLY = "lansia", _("Lansia")
        PREGNANT = "hamil", _("Ibu hamil")
        DISABILITY = "disabilitas", _("Penyandang disabilitas")

    kind = models.CharField(_("jenis"), max_length=10, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    priority = models.CharField(
        _("prioritas"), max_length=12, choices=Priority.choices, default="", blank=True
    )
    offering = models.ForeignKey(
        "services.Offering", on_delete=models.PROTECT, related_name="+",
        verbose_name=_("layanan"),
    )
    service_code = models.CharField(_("kode layanan"), max_length=12)
    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("OPD")
    )
    # Bookings: the counter whose slot capacity they hold (kept after check-in).
    slot_counter = models.ForeignKey(
        Counter, on_delete=models.SET_NULL, null=True, blank=True, related_name="bookings",
        verbose_name=_("loket slot"),
    )
    # The counter that called / served the ticket.
    counter = models.ForeignKey(
        Counter, on_delete=models.SET_NULL, null=True, blank=True, related_name="tickets",
        verbose_name=_("loket"),
    )
    day = models.DateField(_("tanggal"))
    slot_start = models.DateTimeField(_("awal slot"), null=True, blank=True)
    slot_end = models.DateTimeField(_("akhir slot"), null=True, blank=True)
    # Bookings: the code on the QR (check-in); walk-ins get one too (link to SKM, tracking).
    code = models.CharField(_("kode"), max_length=12, unique=True)
    # Queue number of the day, e.g. "B007"; set when the ticket enters the queue.
    prefix = models.CharField(max_length=1, blank=True)
    seq = models.PositiveIntegerField(null=True, blank=True)
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False,
        related_name="+", null=True, blank=True,
    )
    name = models.CharField(_("nama"), max_length=120, blank=True)
    application_id = models.BigIntegerField(_("permohonan"), null=True, blank=True)
    queued_at = models.DateTimeField(_("masuk antrean"), null=True, blank=True)
    called_at = models.DateTimeField(_("dipanggil"), null=True, blank=True)
    recalls = models.PositiveSmallIntegerField(_("panggilan ulang"), default=0)
    started_at = models.DateTimeField(_("mulai dilayani"), null=True, blank=True)
    finished_at = models.DateTimeField(_("selesai dilayani"), null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    wait_seconds = models.PositiveIntegerField(_("waktu tunggu (detik)"), null=True, blank=True)
    service_seconds = models.PositiveIntegerField(
        _("waktu layanan (detik)"), null=True, blank=True
    )
    served_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False,
        related_name="+", null=True, blank=True,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Last change of the row: a rolled-up past day of the dashboard's queue figures with a
    # ticket changed after its rollup is read live (reports.QueueDailyFigures, ADR 0015).
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("tiket antrean")
        verbose_name_plural = _("tiket antrean")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "prefix", "seq"], name="ticket_unique_queue_number",
                condition=Q(seq__isnull=False),
            ),
            models.CheckConstraint(
                condition=Q(kind="walk_in") | Q(slot_start__isnull=False),
                name="ticket_booking_has_slot",
            ),
        ]
        indexes = [
            # capacity check of a booking slot
            models.Index(
                fields=["slot_counter", "slot_start"], name="ticket_slot_idx",
                condition=Q(kind="booking"),
            ),
            # the live queue
            models.Index(
                fields=["service_code", "queued_at"], name="ticket_queue_idx",
                condition=Q(status="waiting"),
            ),
            models.Index(fields=["day", "status"], name="ticket_day_status_idx"),
            # the dashboard's check "a ticket of this rolled-up day changed since": one probe
            # per day (reports.selectors)
            models.Index(fields=["day", "updated_at"], name="ticket_day_updated_idx"),
        ]

    def __str__(self) -> str:
        return self.number or self.code

    def save(self, *args: Any, **kwargs: Any) -> None:
        # the services save with ``update_fields``: keep ``updated_at`` (auto_now) in them
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "updated_at"}
        super().save(*args, **kwargs)

    @property
    def number(self) -> str:
        return f"{self.prefix}{self.seq:03d}" if self.seq is not None else ""
