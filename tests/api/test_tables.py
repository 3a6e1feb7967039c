"""Creating the tables locally: what exists is kept, what an older version lacks is added."""

from __future__ import annotations


def test_create_tables_adds_an_index_a_table_from_an_older_version_lacks():
    import boto3

    from chalicelib.store.base import create_tables
    from chalicelib.store.complaints import Complaint

    client = boto3.client("dynamodb", region_name="ap-southeast-1")
    client.update_table(
        TableName=Complaint.Meta.table_name,
        GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "changes-by-agency"}}],
    )
    assert f"{Complaint.Meta.table_name}/changes-by-agency" in create_tables()
    indexes = client.describe_table(TableName=Complaint.Meta.table_name)["Table"]["GlobalSecondaryIndexes"]
    assert "changes-by-agency" in {index["IndexName"] for index in indexes}
    assert create_tables() == []
