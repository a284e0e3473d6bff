"""Reads of the feedback app: settings, SKM links, IKM per period, complaints."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core import signing
from django.db import connection
from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from agencies.models import StaffRole

from .errors import ComplaintNotFound, SurveyLinkInvalid
from .ikm import IkmResult, ikm_compute
from .models import Complaint, FeedbackSettings, SkmResponse
from .questionnaire import UNSUR_CODES

SKM_SALT = "feedback.skm"
SKM_LINK_MAX_AGE = 60 * 60 * 24 * 30  # 30 days


def feedback_settings() -> FeedbackSettings:
    settings_row, _created = FeedbackSettings.objects.get_or_create(pk=1)
    return settings_row


# --------------------------------------------------------------------------- SKM


def skm_response_from_token(*, token: str) -> SkmResponse:
    try:
        data = signing.loads(token, salt=SKM_SALT, max_age=SKM_LINK_MAX_AGE)
    except signing.SignatureExpired:
        raise SurveyLinkInvalid(_("Tautan survei ini sudah kedaluwarsa.")) from None
    except signing.BadSignature:
        raise SurveyLinkInvalid(_("Tautan survei tidak valid.")) from None
    response = SkmResponse.objects.filter(pk=data.get("r"), source=data.get("s")).first()
    if response is None:
        raise SurveyLinkInvalid(_("Tautan survei tidak valid."))
    return response


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    def bounds(self, tz: str) -> tuple[datetime, datetime]:
        zone = ZoneInfo(tz)
        return (
            datetime.combine(self.start, time(0), tzinfo=zone),
            datetime.combine(self.end + timedelta(days=1), time(0), tzinfo=zone),
        )


def _result(row: dict[str, Any], population: int) -> IkmResult:
    return ikm_compute(
        sums={code: row.get(f"{code}_sum") for code in UNSUR_CODES},
        counts={code: row.get(f"{code}_n") for code in UNSUR_CODES},
        respondents=row.get("respondents") or 0, population=population,
    )


def ikm_for_period(
    *, period: Period, tz: str, group_by: str | None = None,
    agency_ids: list[int] | None = None,
) -> dict[Any, IkmResult] | IkmResult:
    """IKM of the tenant (``group_by=None``), per service (``"service_code"``) or per OPD
    (``"agency_id"``) for ``period`` - one SQL aggregate.

    Respondents are questionnaires submitted in the period; the population (for the
    Krejcie–Morgan minimum) is the transactions invited in the period (one invitation per
    completed application or served ticket)."""
    start, end = period.bounds(tz)
    qs = SkmResponse.objects.filter(
        Q(submitted_at__gte=start, submitted_at__lt=end) | Q(invited_at__gte=start, invited_at__lt=end)
    )
    if agency_ids is not None:
        qs = qs.filter(agency_id__in=agency_ids)
    population = Count("id", filter=Q(invited_at__gte=start, invited_at__lt=end))
    submitted_in = Q(submitted_at__gte=start, submitted_at__lt=end)
    aggregates = {}
    for code in UNSUR_CODES:
        aggregates[f"{code}_sum"] = Sum(code, filter=submitted_in)
        aggregates[f"{code}_n"] = Count(code, filter=submitted_in)
    aggregates["respondents"] = Count("id", filter=submitted_in)
    aggregates["population"] = population
    if group_by is None:
        row = qs.aggregate(**aggregates)
        return _result(row, row["population"] or 0)
    rows = qs.values(group_by).annotate(**aggregates).order_by(group_by)
    return {row[group_by]: _result(row, row["population"] or 0) for row in rows}


@dataclass(frozen=True)
class IkmBreakdown:
    total: IkmResult
    by_service: dict[str, IkmResult]
    by_agency: dict[int | None, IkmResult]


def _breakdown(total: dict[str, Any], services: dict[str, dict[str, Any]],
               agencies: dict[int | None, dict[str, Any]]) -> IkmBreakdown:
    """The summed groups as IKM results: services by code, OPDs by id with "no OPD" last."""
    return IkmBreakdown(
        total=_result(total, total["population"]),
        by_service={code: _result(row, row["population"]) for code, row in sorted(
            services.items())},
        by_agency={pk: _result(row, row["population"]) for pk, row in sorted(
            agencies.items(), key=lambda item: (item[0] is None, item[0] or 0))},
    )


# The figures of PermenPANRB 14/2017 that add up across days, services and OPDs: per unsur
# the sum and the count of the answers, the respondents (questionnaires submitted) and the
# population (transactions invited). The columns of an SKM rollup row (reports, ADR 0015).
SKM_SUM_COLUMNS: tuple[str, ...] = (
    *(f"{code}_sum" for code in UNSUR_CODES), *(f"{code}_n" for code in UNSUR_CODES),
    "respondents", "population",
)


_SKM_ROWS_SQL = """SELECT sp.day, s.service_code, COALESCE(s.agency_id, 0) AS agency_id, {answers},
           1 AS respondents, 0 AS population
    FROM {spans} sp JOIN {table} s ON s.submitted_at >= sp.lo AND s.submitted_at < sp.hi
    WHERE TRUE {agency_filter}
    UNION ALL
    SELECT sp.day, s.service_code, COALESCE(s.agency_id, 0), {invited}, 0, 1
    FROM {spans} sp JOIN {table} s ON s.invited_at >= sp.lo AND s.invited_at < sp.hi
    WHERE TRUE {agency_filter}"""


def skm_rows_sql(*, spans: str, agency_filter: str = "") -> str:
    """SQL of the unaggregated SKM rows of the day spans in the relation ``spans`` (columns
    ``day``, ``lo``, ``hi``: a tenant-local day and its [lo, hi) instants): one row per
    questionnaire submitted in a span (its answers, respondents 1) and one per invitation
    made in a span (population 1), as ``day, service_code, agency_id`` (0: no OPD) and
    ``SKM_SUM_COLUMNS``. Both branches read by index range (``skm_submitted_idx``,
    ``skm_invited_idx``). ``agency_filter``: a condition on ``s.agency_id``, e.g.
    ``"AND s.agency_id = ANY(%(k_agencies)s)"``. The rows the reports app rolls up per day
    and sums for the days it reads live."""
    return _SKM_ROWS_SQL.format(
        spans=spans, agency_filter=agency_filter,
        table=connection.ops.quote_name(SkmResponse._meta.db_table),
        answers=", ".join([f"s.{code} AS {code}_sum" for code in UNSUR_CODES]
                          + [f"(s.{code} IS NOT NULL)::int AS {code}_n" for code in UNSUR_CODES]),
        invited=", ".join(["NULL::smallint"] * len(UNSUR_CODES) + ["0"] * len(UNSUR_CODES)),
    )


DAY_SPANS_SQL = """SELECT g::date AS day, g::date::timestamp AT TIME ZONE {tz} AS lo,
           (g::date + 1)::timestamp AT TIME ZONE {tz} AS hi
    FROM generate_series({first}::date, {last}::date, interval '1 day') AS g"""

_SKM_DAY_ROWS_SQL = """WITH spans AS ({spans})
    SELECT day, service_code, agency_id, {sums}
    FROM ({rows}) r
    GROUP BY day, service_code, agency_id"""


def skm_day_rows(*, first: date, last: date, tz: str) -> list[dict[str, Any]]:
    """The SKM figures of the tenant-local days ``first``..``last``, one row per day ×
    service × OPD (``agency_id`` 0: none) with ``SKM_SUM_COLUMNS``. One query."""
    sql = _SKM_DAY_ROWS_SQL.format(
        spans=DAY_SPANS_SQL.format(tz="%(tz)s", first="%(first)s", last="%(last)s"),
        sums=", ".join(f"COALESCE(sum({c}), 0)::int AS {c}" for c in SKM_SUM_COLUMNS),
        rows=skm_rows_sql(spans="spans"),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, {"tz": tz, "first": first, "last": last})
        names = [column.name for column in cursor.description]
        return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]


def ikm_breakdown_from_groups(rows: list[dict[str, Any]]) -> IkmBreakdown:
    """An :class:`IkmBreakdown` from the rows of a ``GROUPING SETS ((), (service_code),
    (agency_id))`` sum of ``SKM_SUM_COLUMNS`` (``g_service``/``g_agency``: 1 where the column
    is rolled up; ``agency_id`` 0: no OPD), ordered as :func:`ikm_breakdown` orders it."""
    total: dict[str, Any] = dict.fromkeys(SKM_SUM_COLUMNS, 0)  # (an empty input)
    services: dict[str, dict[str, Any]] = {}
    agencies: dict[int | None, dict[str, Any]] = {}
    for row in rows:
        if not row["g_service"]:
            services[row["service_code"]] = row
        elif not row["g_agency"]:
            agencies[row["agency_id"] or None] = row
        else:
            total = row
    return _breakdown(total, services, agencies)


def ikm_breakdown(
    *, period: Period, tz: str, agency_ids: list[int] | None = None,
) -> IkmBreakdown:
    """The tenant's IKM, per service and per OPD for ``period`` in one SQL aggregate (grouped
    by service and OPD): the sums, counts, respondents and population of PermenPANRB 14/2017
    add up, so the three views are sums of the same groups (equal to three
    ``ikm_for_period`` calls, each of which scans the responses once)."""
    start, end = period.bounds(tz)
    qs = SkmResponse.objects.filter(
        Q(submitted_at__gte=start, submitted_at__lt=end) | Q(invited_at__gte=start, invited_at__lt=end)
    )
    if agency_ids is not None:
        qs = qs.filter(agency_id__in=agency_ids)
    submitted_in = Q(submitted_at__gte=start, submitted_at__lt=end)
    aggregates: dict[str, Any] = {}
    for code in UNSUR_CODES:
        aggregates[f"{code}_sum"] = Sum(code, filter=submitted_in)
        aggregates[f"{code}_n"] = Count(code, filter=submitted_in)
    aggregates["respondents"] = Count("id", filter=submitted_in)
    aggregates["population"] = Count("id", filter=Q(invited_at__gte=start, invited_at__lt=end))
    keys = [*aggregates]
    total: dict[str, int] = dict.fromkeys(keys, 0)
    services: dict[str, dict[str, int]] = {}
    agencies: dict[int | None, dict[str, int]] = {}
    for row in qs.values("service_code", "agency_id").annotate(**aggregates).order_by():
        for bucket in (total, services.setdefault(row["service_code"], dict.fromkeys(keys, 0)),
                       agencies.setdefault(row["agency_id"], dict.fromkeys(keys, 0))):
            for key in keys:
                bucket[key] += row[key] or 0
    return _breakdown(total, services, agencies)


# --------------------------------------------------------------------------- complaints


def _is_admin(roles: list[StaffRole]) -> bool:
    return any(role.role == StaffRole.Role.TENANT_ADMIN for role in roles)


def complaint_scope(*, roles: list[StaffRole]) -> QuerySet[Complaint]:
    """Complaints a staff member may see: all for the tenant admin, else their OPDs'."""
    qs = Complaint.objects.select_related("agency", "offering__service_version")
    if _is_admin(roles):
        return qs
    agency_ids = [role.agency_id for role in roles if role.agency_id]
    return qs.filter(agency_id__in=agency_ids)


def complaint_list(*, roles: list[StaffRole], status: str = "") -> QuerySet[Complaint]:
    qs = complaint_scope(roles=roles)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at")


def complaint_get_for_staff(*, roles: list[StaffRole], complaint_id: int) -> Complaint:
    complaint = complaint_scope(roles=roles).filter(pk=complaint_id).first()
    if complaint is None:
        raise ComplaintNotFound(_("Pengaduan tidak ditemukan."))
    return complaint


def complaint_get_by_code(*, code: str) -> Complaint:
    complaint = (
        Complaint.objects.select_related("agency")
        .filter(tracking_code=code.strip().upper())
        .first()
    )
    if complaint is None:
        raise ComplaintNotFound(_("Pengaduan dengan kode lacak itu tidak ditemukan."))
    return complaint


def identity_visible(*, complaint: Complaint, roles: list[StaffRole]) -> bool:
    """Open identities are shown to staff; confidential ones only to the tenant admin (the
    complaint-handling unit, UU 25/2009 Pasal 40); anonymous ones were never stored."""
    if complaint.identity == Complaint.Identity.OPEN:
        return True
    return complaint.identity == Complaint.Identity.CONFIDENTIAL and _is_admin(roles)


def user_is_staff_here(*, user: AbstractBaseUser | AnonymousUser) -> bool:
    if not user.is_authenticated:
        return False
    return StaffRole.objects.filter(user_id=user.pk, is_active=True).exists()
