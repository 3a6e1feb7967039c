"""The Lambda functions: the Chalice app (API and scheduled jobs) and the payment callbacks.

The code comes from `chalice package` (see bundle.py): `deployment.zip` holds the app, and
`layer-deployment.zip` its dependencies, built by Chalice for Lambda's platform.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.permissions import table_statements
from infra.routes import AppShape, Job, QueueHandler, StreamHandler
from infra.stages import Stage
from infra.tables import Tables

RUNTIME = lambda_.Runtime.PYTHON_3_11  # keep infra.LAMBDA_PYTHON in step
PAYMENT_TABLE_PREFIX = "payment"

# What a payment callback touches: the payment tables, the dossier whose fee it settles, the outbox.
CALLBACK_TABLES = ("dossiers", "outbox")


@dataclass(frozen=True)
class Bundle:
    """What `chalice package` produced."""

    app_zip: Path
    layer_zip: Path | None = None


def job_timeout(job: Job) -> Duration:
    """A job must finish before its next run starts: `rate(1 minute)` gets 50 s; others up to 15 min."""
    match = re.fullmatch(r"rate\((\d+) (minute|minutes|hour|hours)\)", job.schedule)
    if not match:
        return Duration.minutes(15)
    seconds = int(match.group(1)) * (60 if match.group(2).startswith("minute") else 3600)
    return Duration.seconds(min(seconds - 10, 900))


class Backend(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        stage: Stage,
        shape: AppShape,
        bundle: Bundle,
        tables: Tables,
        site_bucket: s3.IBucket,
        attachments: s3.IBucket,
    ) -> None:
        super().__init__(scope, construct_id)
        self.stage = stage
        removal = RemovalPolicy.RETAIN if stage.retain_data else RemovalPolicy.DESTROY
        self.signing_keys = secretsmanager.Secret(
            self,
            "SigningKeys",
            secret_name=f"{stage.table_prefix}/signing-keys",
            description="JWT signing key set (JSON); write it with `python -m infra.signing_keys`",
            removal_policy=removal,
        )
        self.gateway_secrets = secretsmanager.Secret(
            self,
            "GatewaySecrets",
            secret_name=f"{stage.table_prefix}/payment-gateways",
            description="Payment gateway credentials: JSON with the fields of chalicelib/payments/credentials.py",
            removal_policy=removal,
        )
        code = lambda_.Code.from_asset(str(bundle.app_zip))
        layers = (
            [lambda_.LayerVersion(self, "Dependencies", code=lambda_.Code.from_asset(str(bundle.layer_zip)))]
            if bundle.layer_zip
            else []
        )
        self.app_role = iam.Role(
            self, "AppRole", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"), description="API and jobs"
        )
        self._grant_app(tables, site_bucket, attachments)
        self.gateway_secrets.grant_read(self.app_role)  # checkout signs the redirect; reconciliation the queries
        self.environment: dict[str, str] = {}  # filled by the stack once the API's address is known
        self.api_function = self._function(
            "Api", code, layers, "app.app", self.app_role, Duration.seconds(28), memory=1024
        )
        self.job_functions: dict[str, lambda_.Function] = {}
        self.dead_letters: dict[str, sqs.Queue] = {}
        for job in shape.jobs:
            self._job(job, code, layers)
        self.stream_arns: dict[str, str] = {}
        for handler in shape.streams:
            self._stream(handler, tables, code, layers)
        self.queues: dict[str, sqs.Queue] = {}
        for consumer in shape.queues:
            self._queue(consumer, code, layers)
        self.callback_role = iam.Role(
            self,
            "PaymentCallbackRole",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="Payment gateway callbacks: payment tables, dossiers and gateway secrets only",
        )
        for statement in table_statements(
            (table, tables.index_names(name))
            for name, table in tables.by_name.items()
            if name.startswith(PAYMENT_TABLE_PREFIX) or name in CALLBACK_TABLES
        ):
            self.callback_role.add_to_policy(statement)
        self.gateway_secrets.grant_read(self.callback_role)
        # The same app code; API Gateway sends only /payments/callbacks/* here (MoMo wants an answer within 15 s).
        self.callback_function = self._function(
            "PaymentCallbacks", code, layers, "app.app", self.callback_role, Duration.seconds(10), memory=512
        )

    @property
    def app_functions(self) -> dict[str, lambda_.Function]:
        """Everything that runs the Chalice app's code, by name."""
        return {"Api": self.api_function, **self.job_functions, "PaymentCallbacks": self.callback_function}

    def set_environment(self, values: dict[str, str]) -> None:
        for function in self.app_functions.values():
            for key, value in values.items():
                function.add_environment(key, value)

    def _grant_app(self, tables: Tables, site_bucket: s3.IBucket, attachments: s3.IBucket) -> None:
        role = self.app_role
        # Citizens' routes create payment intents too, so the app reaches every table; only the
        # callback role is narrowed (to the payment tables).
        app_tables = [(table, tables.index_names(name)) for name, table in tables.by_name.items()]
        for statement in table_statements(app_tables):
            role.add_to_policy(statement)
        self.signing_keys.grant_read(role)
        # drafts/: presigned uploads and the submission checks; dossiers/: files copied there at
        # submission; complaints/: complaint uploads and the agencies' download links.
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["s3:GetObject", "s3:PutObject"],
                resources=[
                    attachments.arn_for_objects(f"{prefix}/*") for prefix in ("drafts", "dossiers", "complaints")
                ],
            )
        )
        # The catalogue's exports the API reads (`read_export`): procedures (submission), linked groups
        # (group submissions, step release), and the quick-lookup export the call centre searches.
        exports = [
            site_bucket.arn_for_objects(key)
            for key in ("du-lieu/thu-tuc/*", "du-lieu/lien-thong/*", "du-lieu/tra-cuu-nhanh.json")
        ]
        role.add_to_policy(iam.PolicyStatement(actions=["s3:GetObject"], resources=exports))
        # The staff audit trail is append-only: the app may add entries (a conditional PutItem), never
        # change or remove one, whatever a bug or a stolen function credential tries.
        role.add_to_policy(
            iam.PolicyStatement(
                effect=iam.Effect.DENY,
                actions=["dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"],
                resources=[tables.by_name["audit"].table_arn],
            )
        )
        stack = Stack.of(self)
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["ses:SendEmail"],
                resources=[stack.format_arn(service="ses", resource="identity", resource_name="*")],
            )
        )
        # SMS goes to phone numbers, which are not resources: SNS cannot scope Publish to them.
        role.add_to_policy(iam.PolicyStatement(actions=["sns:Publish"], resources=["*"]))

    def _function(
        self,
        name: str,
        code: lambda_.Code,
        layers: list[lambda_.ILayerVersion],
        handler: str,
        role: iam.IRole,
        timeout: Duration,
        memory: int,
        dead_letter_queue: sqs.IQueue | None = None,
    ) -> lambda_.Function:
        log_group = logs.LogGroup(
            self,
            f"{name}Logs",
            retention=retention(self.stage.log_retention_days),
            removal_policy=RemovalPolicy.DESTROY,
        )
        return lambda_.Function(
            self,
            name,
            runtime=RUNTIME,
            architecture=lambda_.Architecture.X86_64,  # Chalice packages manylinux x86_64 wheels
            code=code,
            layers=layers,
            handler=handler,
            role=role,
            timeout=timeout,
            memory_size=memory,
            log_group=log_group,
            dead_letter_queue=dead_letter_queue,
            retry_attempts=2 if dead_letter_queue else None,
        )

    def _job(self, job: Job, code: lambda_.Code, layers: list[lambda_.ILayerVersion]) -> None:
        name = "".join(part.title() for part in job.name.split("-"))
        queue = self._dead_letter_queue(name)
        function = self._function(
            name, code, layers, job.handler, self.app_role, job_timeout(job), memory=512, dead_letter_queue=queue
        )
        events.Rule(
            self,
            f"{name}Schedule",
            schedule=events.Schedule.expression(job.schedule),
            targets=[targets.LambdaFunction(function, dead_letter_queue=queue, retry_attempts=2)],
        )
        self.job_functions[job.name] = function
        self.dead_letters[job.name] = queue

    def _stream(
        self, handler: StreamHandler, tables: Tables, code: lambda_.Code, layers: list[lambda_.ILayerVersion]
    ) -> None:
        if handler.table not in tables.by_name or tables.by_name[handler.table].table_stream_arn is None:
            raise ValueError(f"{handler.name}: table {handler.table!r} has no stream")
        table = tables.by_name[handler.table]
        name = "".join(part.title() for part in handler.name.split("-"))
        queue = self._dead_letter_queue(name)
        function = self._function(name, code, layers, handler.handler, self.app_role, Duration.minutes(1), memory=512)
        function.add_event_source(
            event_sources.DynamoEventSource(
                table,
                starting_position=lambda_.StartingPosition[handler.starting_position],
                batch_size=handler.batch_size,
                bisect_batch_on_error=True,
                retry_attempts=5,
                on_failure=event_sources.SqsDlq(queue),
            )
        )
        self.stream_arns[handler.table] = table.table_stream_arn
        self.job_functions[handler.name] = function
        self.dead_letters[handler.name] = queue

    def _queue(self, consumer: QueueHandler, code: lambda_.Code, layers: list[lambda_.ILayerVersion]) -> None:
        """A work queue (webhook deliveries) whose consumer makes one attempt per message. A message the
        consumer fails on five times (it crashed, not the receiver: a failed attempt is recorded and
        rescheduled in DynamoDB) moves to the dead-letter queue, which the alarms watch."""
        name = "".join(part.title() for part in consumer.name.split("-"))
        timeout = Duration.seconds(30)  # a 10-second HTTP attempt, ten messages a batch at most in turn
        function = self._function(name, code, layers, consumer.handler, self.app_role, timeout, memory=512)
        dead = self._dead_letter_queue(name)
        queue = sqs.Queue(
            self,
            f"{name}Queue",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            visibility_timeout=Duration.seconds(timeout.to_seconds() * 6),  # as AWS advises for Lambda consumers
            retention_period=Duration.days(4),
            dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=5, queue=dead),
        )
        function.add_event_source(event_sources.SqsEventSource(queue, batch_size=consumer.batch_size))
        queue.grant_send_messages(self.app_role)
        self.queues[consumer.name] = queue
        self.job_functions[consumer.name] = function
        self.dead_letters[consumer.name] = dead

    def _dead_letter_queue(self, name: str) -> sqs.Queue:
        return sqs.Queue(
            self,
            f"{name}DeadLetters",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=Duration.days(14),
        )


_RETENTION = {
    7: logs.RetentionDays.ONE_WEEK,
    14: logs.RetentionDays.TWO_WEEKS,
    30: logs.RetentionDays.ONE_MONTH,
    90: logs.RetentionDays.THREE_MONTHS,
    180: logs.RetentionDays.SIX_MONTHS,
    365: logs.RetentionDays.ONE_YEAR,
    731: logs.RetentionDays.TWO_YEARS,
}


def retention(days: int) -> logs.RetentionDays:
    if days not in _RETENTION:
        raise ValueError(f"log_retention_days must be one of {sorted(_RETENTION)}")
    return _RETENTION[days]
