"""Public statistics as JSON time series (month by month), for the site's statistics page and anyone."""

from __future__ import annotations

import re

from chalice import Blueprint, Response

from chalicelib.core import clock
from chalicelib.core.api import Call, LazyModule, ModelRefs, Returns, endpoint, json_reply
from chalicelib.core.errors import InvalidInput

stats_api = Blueprint(__name__)
indicators = LazyModule("chalicelib.stats.indicators")
schemas = ModelRefs("chalicelib.stats.schemas")
_SERIES = {200: Returns("Số liệu theo tháng", schemas.Series)}
_AGENCY = re.compile(r"[A-Za-z0-9.\-]{2,60}")
_CACHE = {"Cache-Control": "public, max-age=300"}


@endpoint(
    stats_api,
    "/statistics/overview",
    "GET",
    summary="National counters and indicators by month",
    tag="statistics",
    query=schemas.SeriesQuery,
    responses=_SERIES,
)
def statistics_overview(call: Call) -> Response:
    return _series("all", call)


@endpoint(
    stats_api,
    "/statistics/agencies/{agency_id}",
    "GET",
    summary="An agency's indicators by month",
    tag="statistics",
    query=schemas.SeriesQuery,
    responses=_SERIES,
)
def agency_statistics(call: Call) -> Response:
    agency_id = call.params["agency_id"]
    if not _AGENCY.fullmatch(agency_id):
        raise InvalidInput("Mã cơ quan không hợp lệ.", field="agency_id")
    return _series(agency_id, call)


def _series(scope: str, call: Call) -> Response:
    from chalicelib.core.calendar import vietnam_now

    now = vietnam_now(clock.now())
    default_last = now.strftime("%Y-%m")
    year, month = (now.year - 1, now.month + 1) if now.month < 12 else (now.year, 1)
    first = call.query.from_ or f"{year:04d}-{month:02d}"
    last = call.query.to or default_last
    if first > last:
        raise InvalidInput("Tháng bắt đầu phải trước tháng kết thúc.", field="from")
    months = indicators.months_between(first, last)
    return json_reply({"scope": scope, "months": indicators.monthly(scope, months)}, headers=_CACHE)
