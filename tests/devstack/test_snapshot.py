"""Snapshots of the AWS emulation: what is saved comes back exactly, tables, indexes, TTL and objects."""

from __future__ import annotations

import json

import boto3
from moto import mock_aws

from devstack import snapshot

REGION = "ap-southeast-1"


def _clients() -> tuple:
    return boto3.client("dynamodb", region_name=REGION), boto3.client("s3", region_name=REGION)


def _fill(dynamodb, s3) -> None:
    dynamodb.create_table(
        TableName="demo-outbox",
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": "id", "AttributeType": "S"},
            {"AttributeName": "bucket", "AttributeType": "S"},
            {"AttributeName": "at", "AttributeType": "N"},
        ],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "pending",
                "KeySchema": [
                    {"AttributeName": "bucket", "KeyType": "HASH"},
                    {"AttributeName": "at", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )
    dynamodb.update_time_to_live(
        TableName="demo-outbox", TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"}
    )
    for number in range(30):  # more than one batch of 25
        item = {"id": {"S": f"m{number}"}, "bucket": {"S": "1"}, "at": {"N": str(number)}, "tags": {"SS": ["a", "b"]}}
        dynamodb.put_item(TableName="demo-outbox", Item=item)
    s3.create_bucket(Bucket="demo-attachments", CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_object(
        Bucket="demo-attachments", Key="ho-so/giay-to.pdf", Body=b"%PDF-1.7\x00\xff", ContentType="application/pdf"
    )


def test_a_restored_snapshot_equals_the_state_it_was_taken_from(tmp_path):
    with mock_aws():
        _fill(*_clients())
        saved = snapshot.capture(*_clients())
        snapshot.save(saved, tmp_path)
    with mock_aws():  # a new, empty emulation: as after a restart
        dynamodb, s3 = _clients()
        counts = snapshot.restore(snapshot.load(tmp_path), dynamodb, s3)
        assert counts == {"items": 30, "objects": 1}
        assert snapshot.fingerprint(snapshot.capture(dynamodb, s3)) == snapshot.fingerprint(saved)
        ttl = dynamodb.describe_time_to_live(TableName="demo-outbox")["TimeToLiveDescription"]
        assert ttl["AttributeName"] == "expires"
        pending = dynamodb.query(
            TableName="demo-outbox",
            IndexName="pending",
            KeyConditionExpression="#b = :b",
            ExpressionAttributeNames={"#b": "bucket"},
            ExpressionAttributeValues={":b": {"S": "1"}},
        )
        assert pending["Count"] == 30
        body = s3.get_object(Bucket="demo-attachments", Key="ho-so/giay-to.pdf")
        assert body["Body"].read() == b"%PDF-1.7\x00\xff" and body["ContentType"] == "application/pdf"


def test_saving_replaces_the_snapshot_atomically(tmp_path):
    snapshot.save({"version": 1, "dynamodb": {}, "s3": {}}, tmp_path)
    snapshot.save({"version": 1, "dynamodb": {"t": {"items": []}}, "s3": {}}, tmp_path)
    assert [path.name for path in tmp_path.iterdir()] == [snapshot.SNAPSHOT_FILE]
    assert json.loads((tmp_path / snapshot.SNAPSHOT_FILE).read_text())["dynamodb"] == {"t": {"items": []}}


def test_no_snapshot_yet_means_nothing_to_restore(tmp_path):
    assert snapshot.load(tmp_path) is None


def test_the_snapshot_is_readable_by_its_owner_only(tmp_path):
    import stat

    path = snapshot.save({"version": 1, "dynamodb": {}, "s3": {}}, tmp_path / "state")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
