"""Reads of the hall app: booking slots from the work calendar, queue, board, wait times."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Avg, Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from sla.engine import WorkCalendar
from sla.selectors import calendar_current, engine_calendar

from .errors import TicketNotFound
from .models import Counter, Ticket

BOOKING_HORIZON_DAYS = 30
# Statuses that hold a place in a booking slot (everything except a cancellation).
HOLDING = (
    Ticket.Status.BOOKED, Ticket.Status.WAITING, Ticket.Status.CALLED, Ticket.Status.SERVING,
    Ticket.Status.DONE, Ticket.Status.NO_SHOW,
)
ACTIVE_AT_COUNTER = (Ticket.Status.CALLED, Ticket.Status.SERVING)


@dataclass(frozen=True)
class Slot:
    start: datetime
    end: datetime
    capacity: int
    booked: int

    @property
    def remaining(self) -> int:
        return max(self.capacity - self.booked, 0)

    @property
    def is_open(self) -> bool:
        return self.remaining > 0


def hall_calendar() -> WorkCalendar:
    """The engine calendar of the tenant's current work calendar (opening hours)."""
    return engine_calendar(calendar_current())


def local_day(moment: datetime | None = None) -> date:
    """The hall's local date of ``moment`` (now) in the work calendar's timezone."""
    return (moment or timezone.now()).astimezone(hall_calendar().tz).date()


def counters_for(*, service_code: str) -> QuerySet[Counter]:
    return Counter.objects.filter(is_active=True, services__contains=[service_code]).order_by("code")


def counter_slot_starts(
    *, counter: Counter, day: date, calendar: WorkCalendar
) -> list[tuple[datetime, datetime]]:
    """Slot (start, end) of ``counter`` on ``day``: the day's working windows cut into
    ``slot_minutes`` pieces (a partial piece at a window's end is dropped); none on
    weekends and holidays."""
    if not calendar.is_working_day(day):
        return []
    length = counter.slot_minutes * 60
    midnight = datetime.combine(day, time(0), tzinfo=calendar.tz)
    slots = []
    for window in calendar.week[day.weekday()]:
        start = window.start
        while start + length <= window.end:
            slots.append(
                (midnight + timedelta(seconds=start), midnight + timedelta(seconds=start + length))
            )
            start += length
    return slots


def booking_days(*, calendar: WorkCalendar | None = None, today: date | None = None) -> list[date]:
    calendar = calendar or hall_calendar()
    today = today or local_day()
    days = (today + timedelta(days=n) for n in range(BOOKING_HORIZON_DAYS + 1))
    return [day for day in days if calendar.is_working_day(day)]


def slots_for(
    *, service_code: str, day: date, now: datetime | None = None,
    calendar: WorkCalendar | None = None,
) -> list[Slot]:
    """Open and full slots of an offering on ``day`` (future slots only), merged over the
    counters serving it: capacity and bookings are summed per start time. Two queries."""
    now = now or timezone.now()
    calendar = calendar or hall_calendar()
    counters = list(counters_for(service_code=service_code))
    grid: dict[datetime, list[int]] = {}
    ends: dict[datetime, datetime] = {}
    for counter in counters:
        for start, end in counter_slot_starts(counter=counter, day=day, calendar=calendar):
            if start <= now:
                continue
            grid.setdefault(start, [0, 0])[0] += counter.capacity_per_slot
            ends[start] = max(ends.get(start, end), end)
    if not grid:
        return []
    booked = (
        Ticket.objects.filter(
            kind=Ticket.Kind.BOOKING, slot_counter__in=counters, status__in=HOLDING,
            slot_start__in=list(grid),
        )
        .values("slot_start")
        .annotate(n=Count("id"))
    )
    for row in booked:
        if row["slot_start"] in grid:
            grid[row["slot_start"]][1] += row["n"]
    return [
        Slot(start=start, end=ends[start], capacity=cap, booked=n)
        for start, (cap, n) in sorted(grid.items())
    ]


def bookable_service_codes() -> set[str]:
    codes: set[str] = set()
    for services in Counter.objects.filter(is_active=True).values_list("services", flat=True):
        codes.update(code for code in services or [] if isinstance(code, str))
    return codes


def ticket_get(*, code: str) -> Ticket:
    ticket = (
        Ticket.objects.select_related("offering__service_version", "agency", "counter")
        .filter(code=code.strip().upper())
        .first()
    )
    if ticket is None:
        raise TicketNotFound(_("Tiket dengan kode itu tidak ditemukan."))
    return ticket


def citizen_tickets(*, citizen_id: int) -> QuerySet[Ticket]:
    return (
        Ticket.objects.filter(citizen_id=citizen_id)
        .select_related("offering__service_version", "counter")
        .order_by("-day", "-created_at")
    )


def counter_current(*, counter: Counter) -> Ticket | None:
    return (
        Ticket.objects.filter(counter=counter, status__in=ACTIVE_AT_COUNTER)
        .select_related("offering__service_version")
        .order_by("-called_at")
        .first()
    )


def queue_waiting(*, service_codes: Iterable[str], day: date | None = None) -> QuerySet[Ticket]:
    day = day or local_day()
    return Ticket.objects.filter(
        status=Ticket.Status.WAITING, service_code__in=list(service_codes), day=day
    )


@dataclass(frozen=True)
class BoardRow:
    counter_code: str
    counter_name: str
    number: str
    status: str
    called_at: datetime | None


def board(*, day: date | None = None, recent: int = 8) -> dict[str, object]:
    """What the hall TV shows: per counter the number being called/served, the last calls,
    and how many are waiting. Three queries."""
    day = day or local_day()
    counters = list(Counter.objects.filter(is_active=True).order_by("code"))
    active = {
        t.counter_id: t
        for t in Ticket.objects.filter(day=day, status__in=ACTIVE_AT_COUNTER).order_by("called_at")
    }
    rows = []
    for counter in counters:
        ticket = active.get(counter.pk)
        rows.append(
            BoardRow(
                counter_code=counter.code, counter_name=counter.name,
                number=ticket.number if ticket else "",
                status=ticket.status if ticket else "",
                called_at=ticket.called_at if ticket else None,
            )
        )
    last_calls = list(
        Ticket.objects.filter(day=day, called_at__isnull=False)
        .select_related("counter")
        .order_by("-called_at")[:recent]
    )
    return {"rows": rows, "recent": last_calls, "day": day}


@dataclass(frozen=True)
class WaitEstimate:
    service_code: str
    waiting: int
    avg_wait_minutes: int | None


def wait_estimates(*, now: datetime | None = None, window_minutes: int = 120) -> list[WaitEstimate]:
    """Per service: tickets waiting now and the average wait of tickets called in the last
    ``window_minutes`` (the public "waktu tunggu saat ini"). One query."""
    now = now or timezone.now()
    day = local_day(now)
    since = now - timedelta(minutes=window_minutes)
    rows = (
        Ticket.objects.filter(day=day)
        .values("service_code")
        .annotate(
            waiting=Count("id", filter=Q(status=Ticket.Status.WAITING)),
            avg_wait=Avg("wait_seconds", filter=Q(called_at__gte=since)),
        )
        .order_by("service_code")
    )
    return [
        WaitEstimate(
            service_code=row["service_code"], waiting=row["waiting"],
            avg_wait_minutes=None if row["avg_wait"] is None else round(row["avg_wait"] / 60),
        )
        for row in rows
    ]


def agencies_in_hall() -> dict[int, list[str]]:
    """OPD id → names of its active counters in the MPP building (the OPDs present in the
    hall). One query."""
    found: dict[int, list[str]] = {}
    rows = (
        Counter.objects.filter(is_active=True, agency__isnull=False)
        .order_by("code").values_list("agency_id", "name")
    )
    for agency_id, name in rows:
        found.setdefault(agency_id, []).append(name)
    return found


@dataclass(frozen=True)
class QueueToday:
    """Today's queue in the hall, for the portal home (public figures, no names)."""

    day: date
    is_open_now: bool
    is_working_day: bool
    waiting: int
    served: int
    avg_wait_minutes: int | None  # tickets called in the last two hours


def queue_today(*, now: datetime | None = None, window_minutes: int = 120) -> QueueToday:
    """Waiting and served tickets of today and the recent average wait. Two queries (the
    current calendar version, the ticket aggregate)."""
    now = now or timezone.now()
    calendar = hall_calendar()
    local = now.astimezone(calendar.tz)
    day = local.date()
    seconds = local.hour * 3600 + local.minute * 60 + local.second
    working = calendar.is_working_day(day)
    open_now = working and any(w.start <= seconds < w.end for w in calendar.week[day.weekday()])
    row = Ticket.objects.filter(day=day).aggregate(
        waiting=Count("id", filter=Q(status=Ticket.Status.WAITING)),
        served=Count("id", filter=Q(status=Ticket.Status.DONE)),
        avg_wait=Avg("wait_seconds", filter=Q(called_at__gte=now - timedelta(minutes=window_minutes))),
    )
    return QueueToday(
        day=day, is_open_now=open_now, is_working_day=working,
        waiting=row["waiting"] or 0, served=row["served"] or 0,
        avg_wait_minutes=None if row["avg_wait"] is None else round(row["avg_wait"] / 60),
    )


# --------------------------------------------------------------------------- queue figures


@dataclass(frozen=True)
class QueueFigures:
    """Tickets of a period: the whole hall, per counter and per hour of the call."""

    totals: dict[str, object]
    by_counter: list[dict[str, object]]
    by_hour: list[dict[str, object]]


_QUEUE_SQL = """
SELECT GROUPING(t.counter_id) AS g_counter, GROUPING(t.hour) AS g_hour,
       t.counter_id, c.name AS counter_name, t.hour,
       count(*) FILTER (WHERE t.status <> %(cancelled)s) AS tickets,
       count(*) FILTER (WHERE t.status = %(done)s) AS served,
       count(*) FILTER (WHERE t.status = %(no_show)s) AS no_show,
       count(*) FILTER (WHERE t.kind = %(booking)s) AS bookings,
       avg(t.wait_seconds) AS avg_wait,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY t.wait_seconds)
           FILTER (WHERE t.wait_seconds IS NOT NULL) AS median_wait,
       avg(t.service_seconds) AS avg_service
FROM (SELECT counter_id, status, kind, wait_seconds, service_seconds,
             extract(hour FROM called_at AT TIME ZONE %(tz)s)::int AS hour
      FROM {tickets} WHERE day >= %(start)s AND day <= %(end)s {agency_filter}) t
LEFT JOIN {counters} c ON c.id = t.counter_id
GROUP BY GROUPING SETS ((), (t.counter_id, c.name), (t.hour))
"""


def queue_figures(
    *, start: date, end: date, tz: str, agency_ids: list[int] | None = None,
) -> QueueFigures:
    """Ticket counts, mean and median wait and mean service time of the tickets of the days
    `start`..`end`: for the whole hall, per counter (tickets that reached one) and per hour
    of the call in the tenant's time zone (tickets that were called). One scan of the
    tickets (`GROUPING SETS`) instead of one per view; medians stay exact."""
    from django.db import connection

    quote = connection.ops.quote_name
    params: dict[str, object] = {
        "cancelled": Ticket.Status.CANCELLED, "done": Ticket.Status.DONE,
        "no_show": Ticket.Status.NO_SHOW, "booking": Ticket.Kind.BOOKING, "tz": tz,
        "start": start, "end": end,
    }
    agency_filter = ""
    if agency_ids is not None:
        agency_filter, params["agencies"] = "AND agency_id = ANY(%(agencies)s)", list(agency_ids)
    sql = _QUEUE_SQL.format(tickets=quote(Ticket._meta.db_table),
                            counters=quote(Counter._meta.db_table), agency_filter=agency_filter)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column.name for column in cursor.description]
        rows = [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
    return queue_figures_from_rows(rows)


def queue_figures_from_rows(rows: list[dict[str, object]]) -> QueueFigures:
    """The result rows of a ``GROUPING SETS ((), (counter), (hour))`` queue aggregate (this
    module's or the dashboard rollups', reports.selectors) → :class:`QueueFigures`."""
    figures = ("tickets", "served", "no_show", "avg_wait", "median_wait", "avg_service")
    empty = {**dict.fromkeys(figures), "tickets": 0, "served": 0, "no_show": 0, "bookings": 0}
    totals, by_counter, by_hour = dict(empty), [], []
    for row in rows:
        values = {key: row[key] for key in figures}
        values = {k: float(v) if k.startswith(("avg", "median")) and v is not None else v
                  for k, v in values.items()}
        if row["g_counter"] and row["g_hour"]:
            totals = {**values, "bookings": row["bookings"]}
        elif not row["g_counter"] and row["counter_id"] is not None:
            by_counter.append({"counter_id": row["counter_id"],
                               "counter__name": row["counter_name"], **values})
        elif not row["g_hour"] and row["hour"] is not None:
            by_hour.append({"hour": row["hour"], **values})
    by_counter.sort(key=lambda r: (r["counter__name"] or "", r["counter_id"]))
    by_hour.sort(key=lambda r: r["hour"])
    return QueueFigures(totals=totals, by_counter=by_counter, by_hour=by_hour)


# The tickets of some days in two kinds of rows: per day × OPD × counter (0: none) over all
# hours (``hour = ALL_HOURS``), and per day × OPD × hour of the call in the tenant's time zone
# (-1: never called) over all counters (``counter_id = ALL_COUNTERS``). Each has the counts of
# ``queue_figures``, the sums and counts of its means and the sorted waits (its median stays
# exact over any set of rows of one kind). The shape of the dashboard's queue rollups
# (reports.QueueDailyFigures, docs/adr/0015); two kinds rather than counter × hour, which
# would have about one ticket per row.
QUEUE_ROW_COLUMNS = (
    "agency_id", "counter_id", "hour", "tickets", "served", "no_show", "bookings", "wait_n",
    "wait_sum", "service_n", "service_sum", "waits",
)
ALL_HOURS, ALL_COUNTERS = -3, -1

_QUEUE_ROWS_SQL = """
SELECT day, agency_id,
       CASE WHEN GROUPING(counter_id) = 1 THEN %(qr_all_counters)s ELSE counter_id END
           AS counter_id,
       CASE WHEN GROUPING(hour) = 1 THEN %(qr_all_hours)s ELSE hour END AS hour,
       count(*) FILTER (WHERE status <> %(qr_cancelled)s) AS tickets,
       count(*) FILTER (WHERE status = %(qr_done)s) AS served,
       count(*) FILTER (WHERE status = %(qr_no_show)s) AS no_show,
       count(*) FILTER (WHERE kind = %(qr_booking)s) AS bookings,
       count(wait_seconds) AS wait_n, COALESCE(sum(wait_seconds), 0) AS wait_sum,
       count(service_seconds) AS service_n, COALESCE(sum(service_seconds), 0) AS service_sum,
       COALESCE(array_agg(wait_seconds ORDER BY wait_seconds)
                FILTER (WHERE wait_seconds IS NOT NULL), '{{}}') AS waits
FROM (SELECT day, agency_id, COALESCE(counter_id, 0) AS counter_id,
             COALESCE(extract(hour FROM called_at AT TIME ZONE %(qr_tz)s)::int, -1) AS hour,
             status, kind, wait_seconds, service_seconds
      FROM {tickets} WHERE {days} {agency_filter}) t
GROUP BY GROUPING SETS ((day, agency_id, counter_id), (day, agency_id, hour))
"""


def queue_rows_sql(
    *, days: str, tz: str, agency_ids: list[int] | None = None,
) -> tuple[str, dict[str, object]]:
    """The SQL (pyformat, parameters prefixed ``qr_``) of the per-day ticket rows of the days
    matched by the SQL condition ``days`` on the ticket's ``day`` column, e.g.
    ``"day BETWEEN %(first)s AND %(last)s"`` (its parameters are the caller's). For the
    dashboard's rollup writer and for its live read of the days not rolled up."""
    from django.db import connection

    params: dict[str, object] = {
        "qr_tz": tz, "qr_cancelled": Ticket.Status.CANCELLED, "qr_done": Ticket.Status.DONE,
        "qr_no_show": Ticket.Status.NO_SHOW, "qr_booking": Ticket.Kind.BOOKING,
        "qr_all_counters": ALL_COUNTERS, "qr_all_hours": ALL_HOURS,
    }
    agency_filter = ""
    if agency_ids is not None:
        agency_filter, params["qr_agencies"] = "AND agency_id = ANY(%(qr_agencies)s)", list(agency_ids)
    sql = _QUEUE_ROWS_SQL.format(tickets=connection.ops.quote_name(Ticket._meta.db_table),
                                 days=days, agency_filter=agency_filter)
    return sql, params


def queue_day_rows(*, first: date, last: date, tz: str) -> list[dict[str, object]]:
    """The per-day ticket rows (``queue_rows_sql``) of the days ``first``..``last``, all OPDs.
    One query."""
    from django.db import connection

    sql, params = queue_rows_sql(days="day >= %(qr_first)s AND day <= %(qr_last)s", tz=tz)
    with connection.cursor() as cursor:
        cursor.execute(sql, {**params, "qr_first": first, "qr_last": last})
        names = [column.name for column in cursor.description]
        return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]


def ticket_table() -> str:
    """The quoted table names of tickets and counters (for SQL composed by the reports)."""
    from django.db import connection

    return connection.ops.quote_name(Ticket._meta.db_table)


def counter_table() -> str:
    from django.db import connection

    return connection.ops.quote_name(Counter._meta.db_table)


_CHANGED_SQL = """
SELECT s.day FROM unnest(%s::date[], %s::timestamptz[]) AS s(day, since)
WHERE EXISTS (SELECT 1 FROM {tickets} t WHERE t.day = s.day AND t.updated_at > s.since)
"""


def ticket_days_changed(*, computed: dict[date, datetime]) -> set[date]:
    """The days of ``computed`` (day → moment) with a ticket changed after that moment
    (``updated_at``). One query, one index probe per day (``ticket_day_updated_idx``)."""
    from django.db import connection

    if not computed:
        return set()
    days = sorted(computed)
    sql = _CHANGED_SQL.format(tickets=ticket_table())
    with connection.cursor() as cursor:
        cursor.execute(sql, [days, [computed[day] for day in days]])
        return {row[0] for row in cursor.fetchall()}


def first_ticket_day() -> date | None:
    return Ticket.objects.order_by("day").values_list("day", flat=True).first()
