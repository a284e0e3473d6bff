"""Reads of the regency portal home (``/`` on a tenant host).

The home is three fragments, each rendered from existing selectors and cached for anonymous
visitors per tenant and language (``services.portal_cache``):

* the body (search, popular services, OPDs in the hall, OPD applications, hall address and
  hours, announcements): six queries when rendered, keyed by the local date;
* the published performance (IKM per service and per OPD, SLA compliance, complaint
  follow-up over the last 90 days): seven queries, at most once an hour;
* today's queue (waiting, served, recent wait, open now): two queries, at most every 30 s.

Nothing in them depends on the visitor.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from agencies.models import Agency
from applications.selectors import popular_service_codes
from hall.selectors import agencies_in_hall, hall_calendar, queue_today
from onboarding.selectors import onboarding_progress_of
from reports.selectors import published_performance
from sla.engine import WorkCalendar

from .models import Offering
from .selectors import announcements_published, offerings_for_portal

POPULAR_COUNT = 6
HOURS_DAYS = 7
BODY_TTL = 300  # seconds (services.portal_cache.FRAGMENT_TTL); writes bump the generation
PERFORMANCE_TTL = 3600
QUEUE_TTL = 30


def _clock(seconds: int) -> str:
    return f"{seconds // 3600:02d}.{seconds % 3600 // 60:02d}"


@dataclass(frozen=True)
class DayHours:
    day: date
    windows: tuple[str, ...]  # "08.00–12.00"
    holiday: str  # the holiday's name when the hall is closed for it
    is_today: bool

    @property
    def is_open(self) -> bool:
        return bool(self.windows)


def hall_week(calendar: WorkCalendar, *, today: date, days: int = HOURS_DAYS) -> list[DayHours]:
    """Opening hours of the hall from ``today`` for ``days`` days (the work calendar's
    windows; closed on weekends without windows and on holidays)."""
    result = []
    for offset in range(days):
        day = today + timedelta(days=offset)
        holidays = calendar.holiday_map.get(day, ())
        windows: tuple[str, ...] = ()
        if not holidays:
            windows = tuple(
                f"{_clock(w.start)}–{_clock(w.end)}" for w in calendar.week[day.weekday()]
            )
        result.append(DayHours(
            day=day, windows=windows, holiday=", ".join(h.name for h in holidays),
            is_today=offset == 0,
        ))
    return result


@dataclass
class HallOpd:
    agency_id: int
    name: str
    counters: list[str]
    offerings: list[Offering] = field(default_factory=list)


def _opds_in_hall(offerings: list[Offering]) -> list[HallOpd]:
    counters = agencies_in_hall()  # 1 query
    by_agency: dict[int, HallOpd] = {}
    for offering in offerings:
        if offering.agency_id in counters:
            opd = by_agency.setdefault(offering.agency_id, HallOpd(
                agency_id=offering.agency_id, name=offering.agency.name,
                counters=counters[offering.agency_id],
            ))
            opd.offerings.append(offering)
    missing = set(counters) - set(by_agency)
    if missing:  # an OPD with a counter but no service on the portal yet
        for agency in Agency.objects.filter(pk__in=missing, is_active=True).only("name"):
            by_agency[agency.pk] = HallOpd(agency.pk, agency.name, counters[agency.pk])
    return sorted(by_agency.values(), key=lambda opd: opd.name)


def home_body_context(*, tenant: Any, today: date) -> dict[str, Any]:
    """Everything the cached body of the home shows. Six queries (seven when an OPD with a
    counter has no service yet), whatever the number of rows."""
    offerings = list(offerings_for_portal(cards_only=True))  # 1
    by_code = {o.service_code: o for o in offerings}
    popular = [
        (by_code[code], count)
        for code, count in popular_service_codes(limit=POPULAR_COUNT * 2)  # 1
        if code in by_code
    ][:POPULAR_COUNT]
    calendar = hall_calendar()  # 1 (the engine calendar itself is cached per process)
    profile = onboarding_progress_of(tenant=tenant).profile or {}  # 1
    return {
        "current_tenant": tenant,
        "today": today,
        "service_count": len(offerings),
        "popular": popular,
        "opds": _opds_in_hall(offerings),  # 1
        "external": [o for o in offerings if o.channel == Offering.Channel.EXTERNAL],
        "week": hall_week(calendar, today=today),
        "timezone_label": calendar.timezone,
        "address": str(profile.get("address") or "").strip(),
        "contact_phone": str(profile.get("contact_phone") or "").strip(),
        "contact_email": str(profile.get("contact_email") or "").strip(),
        "announcements": announcements_published(today=today),  # 1
    }


def home_performance_context(*, tenant: Any, today: date) -> dict[str, Any]:
    """The published figures with service names. Seven queries."""
    figures = published_performance(today=today, tz=tenant.timezone or "Asia/Jakarta")  # 6
    names = dict(
        Offering.objects.values_list("service_code", "service_version__name")  # 1
    )
    by_service = sorted(
        ((names.get(code, code), result) for code, result in figures.ikm_by_service.items()
         if result.respondents),
        key=lambda item: item[0],
    )
    by_agency = sorted(
        (item for item in figures.ikm_by_agency if item[1].respondents), key=lambda i: i[0]
    )
    return {
        "figures": figures,
        "ikm_by_service": by_service,
        "ikm_by_agency": by_agency,
    }


def home_queue_context() -> dict[str, Any]:
    """Today's queue in the hall. Two queries."""
    return {"queue": queue_today()}
