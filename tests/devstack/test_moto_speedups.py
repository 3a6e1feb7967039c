"""The local stack's item-level transaction rollback: a cancelled transaction leaves every item it
named as it was (updated, put, deleted), a successful one applies them all, as moto's table copies did."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from devstack.moto_speedups import item_level_transactions, table_level_transactions

TABLE = "transactions-probe"


@pytest.fixture
def dynamodb() -> Iterator[object]:
    item_level_transactions()
    try:
        with mock_aws():
            client = boto3.client("dynamodb", region_name="ap-southeast-1")
            client.create_table(
                TableName=TABLE,
                BillingMode="PAY_PER_REQUEST",
                AttributeDefinitions=[{"AttributeName": "key", "AttributeType": "S"}],
                KeySchema=[{"AttributeName": "key", "KeyType": "HASH"}],
            )
            for key, value in (("a", "1"), ("taken", "1"), ("gone", "1")):
                client.put_item(TableName=TABLE, Item={"key": {"S": key}, "n": {"N": value}})
            yield client
    finally:
        table_level_transactions()


def items(client) -> dict[str, str]:
    return {item["key"]["S"]: item["n"]["N"] for item in client.scan(TableName=TABLE)["Items"]}


def writes(refused: bool) -> list[dict]:
    return [
        {"Update": {"TableName": TABLE, "Key": {"key": {"S": "a"}}, "UpdateExpression": "SET n = :two",
                    "ExpressionAttributeValues": {":two": {"N": "2"}}}},
        {"Put": {"TableName": TABLE, "Item": {"key": {"S": "new"}, "n": {"N": "9"}}}},
        {"Delete": {"TableName": TABLE, "Key": {"key": {"S": "gone"}}}},
        {"Put": {"TableName": TABLE, "Item": {"key": {"S": "taken"}, "n": {"N": "5"}},
                 **({"ConditionExpression": "attribute_not_exists(#k)", "ExpressionAttributeNames": {"#k": "key"}}
                    if refused else {})}},
    ]  # fmt: skip


def test_a_cancelled_transaction_leaves_every_item_as_it_was(dynamodb):
    with pytest.raises(ClientError) as refused:
        dynamodb.transact_write_items(TransactItems=writes(refused=True))
    assert refused.value.response["Error"]["Code"] == "TransactionCanceledException"
    assert items(dynamodb) == {"a": "1", "taken": "1", "gone": "1"}


def test_a_successful_transaction_applies_every_write(dynamodb):
    dynamodb.transact_write_items(TransactItems=writes(refused=False))
    assert items(dynamodb) == {"a": "2", "taken": "5", "new": "9"}
