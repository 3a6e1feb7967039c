"""Where signing keys come from: a Secrets Manager secret on AWS, never a generated file in Lambda."""

from __future__ import annotations

import boto3
import pytest

from chalicelib.core import tokens
from chalicelib.core.keys import KeySet, generate_key, load_from_secret


def test_key_set_is_read_from_a_secrets_manager_secret():
    keyset = KeySet((generate_key(),))
    client = boto3.client("secretsmanager", region_name="ap-southeast-1")
    client.create_secret(Name="dvc/signing-keys", SecretString=keyset.to_json())
    loaded = load_from_secret("dvc/signing-keys", client)
    assert loaded.active.kid == keyset.active.kid
    assert loaded.jwks() == keyset.jwks()


def test_lambda_without_a_key_secret_refuses_to_generate_keys(monkeypatch):
    previous = tokens.keyset()
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "dvc-portal-dev")
    tokens.use_keyset(None)
    try:
        with pytest.raises(RuntimeError, match="PORTAL_KEYS_SECRET_ID"):
            tokens.keyset()
    finally:
        tokens.use_keyset(previous)


def test_a_key_set_needs_exactly_one_active_key():
    two_active = KeySet((generate_key(), generate_key()))
    with pytest.raises(ValueError, match="exactly one active key"):
        KeySet.from_json(two_active.to_json())
