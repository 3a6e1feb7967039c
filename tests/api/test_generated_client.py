"""An agency system built on a client generated from our OpenAPI document, and nothing else.

`openapi-python-client` (what an integrator would run) generates a typed client from the
`/openapi.json` the live server serves, offline into a temporary folder, and must do so without a
warning (a warning means an endpoint or a model was dropped). The generated package then drives an
agency's whole flow: a client-credentials token, a sync batch, the dossier list, one dossier, a
status change, punctuality, payments, the change feed, a webhook registered and a signed ping
received. Each step reads and asserts typed models.

To extend the flow, write a step `def step_<what>(flow: AgencyFlow) -> None` and add it to `STEPS`:
steps run in order and share what earlier steps found through `flow`.
"""

from __future__ import annotations

import base64
import importlib
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import requests

from tests.api.factories import create_agency_client, publish_procedure
from tests.api.live import LiveServer, live_server

__all__ = ["live_server"]

PACKAGE = "generated_portal_client"
AGENCY = "UBND-XA-A"
SCOPES = ["agency:read", "dossiers:read", "dossiers:write", "payments:read", "webhooks:manage"]
VIETNAM = timedelta(hours=7)


@dataclass
class Generated:
    package: ModuleType
    output: str

    def module(self, name: str) -> Any:
        """`api.agency_dossiers.sync_dossiers`, `models`, … of the generated package."""
        return importlib.import_module(f"{PACKAGE}.{name}")

    @property
    def models(self) -> Any:
        return self.module("models")


@pytest.fixture(scope="module")
def generated(live_server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Generated]:
    folder = tmp_path_factory.mktemp("generated-client")
    document = requests.get(live_server.at("/openapi.json"), timeout=10)
    assert document.status_code == 200
    (folder / "openapi.json").write_bytes(document.content)
    # No post hooks (they would run ruff on the generated code): the test needs the code, not its style.
    (folder / "config.yml").write_text(f"package_name_override: {PACKAGE}\npost_hooks: []\n")
    generator = Path(sys.executable).parent / "openapi-python-client"
    run = subprocess.run(
        [
            str(generator),
            "generate",
            "--path",
            "openapi.json",
            "--output-path",
            PACKAGE,
            "--meta",
            "none",
            "--config",
            "config.yml",
            "--fail-on-warning",
        ],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    assert "warning" not in output.lower() and "unable" not in output.lower(), output
    sys.path.insert(0, str(folder))
    try:
        yield Generated(importlib.import_module(PACKAGE), output)
    finally:
        sys.path.remove(str(folder))
        for name in [name for name in sys.modules if name == PACKAGE or name.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


@dataclass
class AgencyFlow:
    """What the steps share: the generated package, the live server, the token, what was found."""

    generated: Generated
    server: LiveServer
    client_id: str
    secret: str
    client: Any = None  # the generated AuthenticatedClient, once a token is obtained
    found: dict[str, Any] = field(default_factory=dict)

    def call(self, operation: str, **arguments: Any) -> Any:
        """Call a generated operation (`"agency_dossiers.get_dossier"`) and return its detailed
        response, after checking it answered with a 2xx status and a parsed body."""
        module = self.generated.module(f"api.{operation}")
        response = module.sync_detailed(client=self.client, **arguments)
        assert 200 <= response.status_code < 300, (operation, response.status_code, response.content)
        assert response.parsed is not None, operation
        return response


def in_vietnam_time(value: datetime) -> bool:
    return value.utcoffset() == VIETNAM


def step_gets_a_client_credentials_token(flow: AgencyFlow) -> None:
    models, generated = flow.generated.models, flow.generated
    basic = base64.b64encode(f"{flow.client_id}:{flow.secret}".encode()).decode()
    public = generated.module("client").Client(
        base_url=flow.server.url, headers={"Authorization": f"Basic {basic}"}, raise_on_unexpected_status=True
    )
    token = generated.module("api.oidc.token").sync_detailed(
        client=public,
        body=models.TokenRequest.from_dict({"grant_type": "client_credentials", "scope": " ".join(SCOPES)}),
    )
    assert token.status_code == 200, token.content
    assert isinstance(token.parsed, models.TokenReply)
    assert set(token.parsed.scope.split()) == set(SCOPES)
    flow.client = generated.module("client").AuthenticatedClient(
        base_url=flow.server.url, token=token.parsed.access_token, raise_on_unexpected_status=True
    )


def step_syncs_a_batch(flow: AgencyFlow) -> None:
    models = flow.generated.models
    now = datetime.now(UTC)
    code = f"{AGENCY}-{now:%y%m%d}-0001"
    owner = {"name": "Trần Văn Đồng", "identifier": "001099054321", "type": 1}
    item = {
        "update_id": "u-1",
        "code": code,
        "updated_at": (now - timedelta(minutes=30)).isoformat(),
        "status": 2,
        "procedure_code": "1.999001",
        "channel": "direct",
        "owner": owner,
        "received_at": (now - timedelta(minutes=30)).isoformat(),
        "due_date": (now + timedelta(days=10)).date().isoformat(),
    }
    batch = models.SyncBatch.from_dict({"items": [item]})
    answer = flow.call("agency_dossiers.sync_dossiers", body=batch)
    assert isinstance(answer.parsed, models.SyncReply)
    [result] = answer.parsed.results
    assert isinstance(result, models.SyncResult) and result.code == code
    assert result.outcome.value == "created", result.to_dict()
    assert all(name in answer.headers for name in ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"))
    flow.found["code"] = code


def step_lists_the_agencys_dossiers(flow: AgencyFlow) -> None:
    models = flow.generated.models
    answer = flow.call("agency_dossiers.list_dossiers", limit=10)
    assert isinstance(answer.parsed, models.DossierList)
    assert [summary.code for summary in answer.parsed.dossiers] == [flow.found["code"]]
    assert all(isinstance(summary, models.DossierSummary) for summary in answer.parsed.dossiers)


def step_reads_one_dossier(flow: AgencyFlow) -> None:
    models = flow.generated.models
    dossier = flow.call("agency_dossiers.get_dossier", code=flow.found["code"]).parsed
    assert isinstance(dossier, models.DossierView)
    assert dossier.status == 2 and dossier.agency_id == AGENCY and dossier.owner_name == "Trần Văn Đồng"
    assert isinstance(dossier.submitted_at, datetime) and in_vietnam_time(dossier.submitted_at)
    assert isinstance(dossier.received_at, datetime) and in_vietnam_time(dossier.received_at)
    assert all(isinstance(event, models.Event) and in_vietnam_time(event.at) for event in dossier.timeline)


def step_changes_the_status(flow: AgencyFlow) -> None:
    models = flow.generated.models
    change = models.DossierStatusChange(status=4, note="Chuyển phòng chuyên môn")
    dossier = flow.call("agency_dossiers.change_status", code=flow.found["code"], body=change).parsed
    assert isinstance(dossier, models.DossierView) and dossier.status == 4
    assert dossier.timeline[-1].status == 4


def step_reads_punctuality(flow: AgencyFlow) -> None:
    models = flow.generated.models
    month = (datetime.now(UTC) + VIETNAM).strftime("%Y-%m")  # this month in Vietnam
    answer = flow.call("agency_dossiers.punctuality", month=month).parsed
    assert isinstance(answer, models.Punctuality)
    assert answer.agency_id == AGENCY and answer.month == month
    assert answer.on_time >= 0 and answer.late >= 0


def step_lists_payments(flow: AgencyFlow) -> None:
    models = flow.generated.models
    answer = flow.call("agency_payments.agency_payments", limit=10).parsed
    assert isinstance(answer, models.IntentList) and answer.intents == []
    refunds = flow.call("agency_payments.agency_refunds").parsed
    assert isinstance(refunds, models.RefundCaseList) and refunds.refunds == []


def step_catches_up_through_the_change_feed(flow: AgencyFlow) -> None:
    from chalicelib.core.feed import SETTLE_SECONDS

    models = flow.generated.models
    time.sleep(SETTLE_SECONDS + 0.2)  # the feed holds back the last seconds' changes
    since = datetime.now(UTC) - timedelta(hours=1)
    page = flow.call("agency_dossiers.list_dossiers", updated_since=since, limit=10).parsed
    assert isinstance(page, models.DossierList)
    assert [(summary.code, summary.status) for summary in page.dossiers] == [(flow.found["code"], 4)]
    assert isinstance(page.next_cursor, str)
    rest = flow.call("agency_dossiers.list_dossiers", updated_since=since, cursor=page.next_cursor).parsed
    assert rest.dossiers == []


def step_registers_a_webhook_and_receives_a_signed_ping(flow: AgencyFlow) -> None:
    from chalicelib.webhooks.delivery import sweep
    from chalicelib.webhooks.signing import verify
    from tests.api.test_webhooks import Receiver

    models = flow.generated.models
    receiver = Receiver()
    try:
        registration = models.WebhookRegistration.from_dict({"url": receiver.url, "events": ["dossier.submitted"]})
        created = flow.call("agency_webhooks.register_webhook", body=registration).parsed
        assert isinstance(created, models.WebhookCreated) and created.secret.startswith("whsec_")
        listed = flow.call("agency_webhooks.list_webhooks").parsed
        assert [hook.id for hook in listed.webhooks] == [created.id]
        ping = flow.call("agency_webhooks.ping_webhook", webhook_id=created.id).parsed
        assert isinstance(ping, models.DeliveryView)
        sweep()  # what the local stack's loop (or the delivery Lambda) does next
        [request] = receiver.received
        assert verify(created.secret, request["headers"], request["body"], time.time())
        dead = flow.call("agency_webhooks.dead_letters").parsed
        assert isinstance(dead, models.DeliveryList) and dead.deliveries == []
    finally:
        receiver.server.shutdown()


STEPS: list[Callable[[AgencyFlow], None]] = [
    step_gets_a_client_credentials_token,
    step_syncs_a_batch,
    step_lists_the_agencys_dossiers,
    step_reads_one_dossier,
    step_changes_the_status,
    step_reads_punctuality,
    step_lists_payments,
    step_catches_up_through_the_change_feed,
    step_registers_a_webhook_and_receives_a_signed_ping,
]


def test_the_generator_keeps_every_operation_and_model(generated: Generated, live_server: LiveServer) -> None:
    document = requests.get(live_server.at("/openapi.json"), timeout=10).json()
    operations = {
        operation["operationId"]
        for item in document["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict) and "operationId" in operation
    }
    api = Path(generated.package.__file__).parent / "api"
    modules = {path.stem for path in api.glob("*/*.py") if path.stem != "__init__"}
    assert operations <= modules, sorted(operations - modules)
    models = generated.models
    assert {name for name in document["components"]["schemas"] if not hasattr(models, name)} == set()


def test_an_agency_system_works_through_the_generated_client_alone(generated: Generated, live_server: LiveServer):
    publish_procedure("1.999001", agencies={"executing": [AGENCY]})
    agency = create_agency_client(AGENCY, scopes=SCOPES)
    flow = AgencyFlow(generated, live_server, agency.client_id, agency.secret)
    for step in STEPS:
        step(flow)
