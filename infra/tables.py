"""DynamoDB tables, one per PynamoDB model: on demand, point-in-time recovery, encrypted, TTL and streams."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct

from infra.models import TableSpec, table_specs
from infra.stages import Stage

# Besides the tables whose models ask for a stream (they feed the statistics), the outbox has
# one so it can be dispatched on write instead of by polling; a stream costs nothing unread.
STREAMED = frozenset({"dossiers", "outbox"})

_TYPES = {
    "S": dynamodb.AttributeType.STRING,
    "N": dynamodb.AttributeType.NUMBER,
    "B": dynamodb.AttributeType.BINARY,
}
_PROJECTIONS = {
    "ALL": dynamodb.ProjectionType.ALL,
    "KEYS_ONLY": dynamodb.ProjectionType.KEYS_ONLY,
    "INCLUDE": dynamodb.ProjectionType.INCLUDE,
}


def _attribute(spec: TableSpec, name: str) -> dynamodb.Attribute:
    return dynamodb.Attribute(name=name, type=_TYPES[spec.attribute_types[name]])


def _key(spec: TableSpec, keys: tuple[tuple[str, str], ...], kind: str) -> dynamodb.Attribute | None:
    names = [name for name, key_type in keys if key_type == kind]
    return _attribute(spec, names[0]) if names else None


def streamed(spec: TableSpec) -> bool:
    return spec.stream is not None or spec.name in STREAMED


class Tables(Construct):
    """Every table the app's models declare, named `<stage prefix>-<name>`; `.by_name["dossiers"]`."""

    def __init__(self, scope: Construct, construct_id: str, stage: Stage) -> None:
        super().__init__(scope, construct_id)
        self.specs = table_specs()
        self.by_name: dict[str, dynamodb.Table] = {}
        for spec in self.specs:
            self.by_name[spec.name] = self._table(spec, stage)

    def _table(self, spec: TableSpec, stage: Stage) -> dynamodb.Table:
        table = dynamodb.Table(
            self,
            spec.model,
            table_name=f"{stage.table_prefix}-{spec.name}",
            partition_key=_key(spec, spec.keys, "HASH"),
            sort_key=_key(spec, spec.keys, "RANGE"),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            time_to_live_attribute=spec.ttl_attribute,
            stream=dynamodb.StreamViewType.NEW_AND_OLD_IMAGES if streamed(spec) else None,
            deletion_protection=stage.retain_data,
            removal_policy=RemovalPolicy.RETAIN if stage.retain_data else RemovalPolicy.DESTROY,
        )
        for index in spec.indexes:
            table.add_global_secondary_index(
                index_name=index.name,
                partition_key=_key(spec, index.keys, "HASH"),
                sort_key=_key(spec, index.keys, "RANGE"),
                projection_type=_PROJECTIONS[index.projection],
                non_key_attributes=list(index.non_key_attributes) or None,
            )
        return table

    def index_names(self, name: str) -> list[str]:
        return [index.name for spec in self.specs if spec.name == name for index in spec.indexes]
