"""IAM statements with explicit actions on explicit resources: no `*` action, no `*` on data."""

from __future__ import annotations

from collections.abc import Iterable

from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam

# Everything PynamoDB does for the app: DescribeTable on first use of a model, item reads and
# writes, queries, and the item-level checks and writes of TransactWrite. No Scan, no table admin.
TABLE_ACTIONS = (
    "dynamodb:DescribeTable",
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:ConditionCheckItem",
)
INDEX_ACTIONS = ("dynamodb:Query",)


def table_statements(tables: Iterable[tuple[dynamodb.Table, list[str]]]) -> list[iam.PolicyStatement]:
    """Item access to each table, and queries on each of its named indexes."""
    tables = list(tables)
    if not tables:
        return []
    statements = [
        iam.PolicyStatement(actions=list(TABLE_ACTIONS), resources=[table.table_arn for table, _ in tables]),
    ]
    index_arns = [f"{table.table_arn}/index/{name}" for table, names in tables for name in names]
    if index_arns:
        statements.append(iam.PolicyStatement(actions=list(INDEX_ACTIONS), resources=index_arns))
    return statements
