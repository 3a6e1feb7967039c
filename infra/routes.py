"""What the Chalice app declares, read from the app itself: its routes and its scheduled jobs.

API Gateway must expose exactly the app's routes (Chalice dispatches on the matched resource
path, so a catch-all `{proxy+}` would not reach its handlers), and each `@app.schedule` job
becomes its own function. Reading both from `functions/app.py` keeps infra and app in step.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from dataclasses import dataclass

from infra import FUNCTIONS_DIR
from infra.models import import_models

# Gateways call these; they run in their own function under a narrower role (see backend.py).
PAYMENT_CALLBACK_PREFIX = "/payments/callbacks/"


@dataclass(frozen=True)
class Route:
    path: str
    methods: tuple[str, ...]

    @property
    def payment_callback(self) -> bool:
        return self.path.startswith(PAYMENT_CALLBACK_PREFIX)


@dataclass(frozen=True)
class Job:
    name: str  # as given to @app.schedule, e.g. "dispatch-notifications"
    handler: str  # Lambda handler string, e.g. "app.dispatch_notifications"
    schedule: str  # "rate(1 minute)" or "cron(...)"


@dataclass(frozen=True)
class StreamHandler:
    name: str  # e.g. "stats-dossiers"
    handler: str
    table: str  # the table (without prefix) whose stream it reads
    batch_size: int
    starting_position: str


@dataclass(frozen=True)
class QueueHandler:
    name: str  # e.g. "deliver-webhooks"
    handler: str
    batch_size: int


@dataclass(frozen=True)
class GatewayAnswer:
    """One of API Gateway's own answers, in the app's error shape (`chalicelib.system.gateway`)."""

    response_type: str
    status: int | None
    body: str  # JSON


@dataclass(frozen=True)
class AppShape:
    routes: tuple[Route, ...]
    jobs: tuple[Job, ...]
    streams: tuple[StreamHandler, ...]
    binary_types: tuple[str, ...]
    queues: tuple[QueueHandler, ...] = ()
    gateway_answers: tuple[GatewayAnswer, ...] = ()
    gateway_headers: tuple[tuple[str, str], ...] = ()


_PLACEHOLDER = "arn:aws:dynamodb:local:000000000000:table/{}/stream/infra"
_QUEUE_PLACEHOLDER = "arn:aws:sqs:local:000000000000:webhook-deliveries"


def _announce_streams() -> None:
    """The app registers one stream handler per entry of PORTAL_STREAM_ARNS (read at import); on
    AWS the stack sets the real ARNs, here stand-ins name each streamed table."""
    from chalicelib.core.config import get_settings
    from infra.models import table_specs

    if "PORTAL_STREAM_ARNS" not in os.environ:
        names = [spec.name for spec in table_specs() if spec.stream]
        os.environ["PORTAL_STREAM_ARNS"] = json.dumps({name: _PLACEHOLDER.format(name) for name in names})
        get_settings.cache_clear()  # read again, now with the stand-ins (table names do not change)
    if "PORTAL_WEBHOOK_QUEUE_ARN" not in os.environ:  # the webhook delivery consumer registers on it
        os.environ["PORTAL_WEBHOOK_QUEUE_ARN"] = _QUEUE_PLACEHOLDER
        get_settings.cache_clear()


def app_shape() -> AppShape:
    import_models()  # sets the configuration the app reads at import, if nothing has yet
    _announce_streams()
    if str(FUNCTIONS_DIR) not in sys.path:
        sys.path.insert(0, str(FUNCTIONS_DIR))
    app = importlib.import_module("app").app
    routes = tuple(Route(path=path, methods=tuple(sorted(methods))) for path, methods in sorted(app.routes.items()))
    kinds = {type(source).__name__ for source in app.event_sources}
    unsupported = kinds - {"ScheduledEventConfig", "DynamoDBEventConfig", "SQSEventConfig"}
    if unsupported:
        raise ValueError(f"infra/ does not describe these event handlers yet: {', '.join(sorted(unsupported))}")
    jobs = tuple(
        Job(name=source.name, handler=source.handler_string, schedule=_expression(source.schedule_expression))
        for source in app.event_sources
        if type(source).__name__ == "ScheduledEventConfig"
    )
    streams = tuple(
        StreamHandler(
            name=source.name,
            handler=source.handler_string,
            table=source.stream_arn.split(":table/")[-1].split("/stream/")[0],
            batch_size=source.batch_size or 100,
            starting_position=source.starting_position or "LATEST",
        )
        for source in app.event_sources
        if type(source).__name__ == "DynamoDBEventConfig"
    )
    queues = tuple(
        QueueHandler(name=source.name, handler=source.handler_string, batch_size=source.batch_size or 10)
        for source in app.event_sources
        if type(source).__name__ == "SQSEventConfig"
    )
    from chalicelib.system.gateway import GATEWAY_ERRORS, GATEWAY_HEADERS

    answers = tuple(
        GatewayAnswer(error.response_type, error.status, json.dumps(error.body(), ensure_ascii=False))
        for error in GATEWAY_ERRORS
    )
    return AppShape(
        routes=routes,
        jobs=jobs,
        streams=streams,
        binary_types=tuple(app.api.binary_types),
        gateway_answers=answers,
        gateway_headers=tuple(GATEWAY_HEADERS.items()),
        queues=queues,
    )


def _expression(value: object) -> str:
    return value if isinstance(value, str) else value.to_string()  # type: ignore[attr-defined]
