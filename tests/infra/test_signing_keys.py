"""The signing-key secret: filled once with a valid key set, rotated only when asked."""

from __future__ import annotations

import json

import boto3
from moto import mock_aws

from infra.signing_keys import ensure


def test_a_placeholder_secret_gets_a_key_set_and_a_valid_one_is_kept_until_rotated() -> None:
    with mock_aws():
        client = boto3.client("secretsmanager", region_name="ap-southeast-1")
        client.create_secret(Name="dvc-test/signing-keys", SecretString="generated-placeholder")
        assert ensure(client, "dvc-test/signing-keys") == "created"
        first = json.loads(client.get_secret_value(SecretId="dvc-test/signing-keys")["SecretString"])
        assert [key["state"] for key in first["keys"]] == ["active"]
        assert ensure(client, "dvc-test/signing-keys") == "kept"
        assert ensure(client, "dvc-test/signing-keys", rotate_one_step=True) == "rotated"
        after = json.loads(client.get_secret_value(SecretId="dvc-test/signing-keys")["SecretString"])
        assert [key["state"] for key in after["keys"]] == ["active", "next"]
