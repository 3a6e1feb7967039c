"""Every scheduled job and stream handler is reachable the way Lambda calls it: `app.<name>(event, context)`."""

from __future__ import annotations

import importlib

from chalice.app import EventSourceHandler
from chalice.test import Client


def test_every_event_source_names_a_wrapped_handler_in_app_py(app):
    module = importlib.import_module("app")
    assert app.event_sources, "the app registers its scheduled jobs"
    for source in app.event_sources:
        module_name, _, name = source.handler_string.partition(".")
        assert module_name == "app"
        assert isinstance(getattr(module, name), EventSourceHandler), f"{name} is not the wrapped handler"


def test_scheduled_jobs_run_as_lambda_invokes_them(app):
    module = importlib.import_module("app")
    with Client(app) as client:
        event = client.events.generate_cw_event(
            source="aws.events", detail_type="Scheduled Event", detail={}, resources=[]
        )
    for source in app.event_sources:
        handler = getattr(module, source.handler_string.partition(".")[2])
        result = handler(event, None)
        assert not result or not any(result.values()), source.name  # nothing to do on empty tables
