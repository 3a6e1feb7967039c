"""Signing keys for every token the portal mints, with room for rotation.

A key set holds one `active` key (signs) and, during a rollover, a `next` key (published so
relying parties cache it before it signs) or a `retiring` key (still published so tokens it
signed keep verifying until they expire). `rotate()` moves one step:

    [active]             -> [active, next]        publish the new key
    [active, next]       -> [retiring, active]    sign with it
    [retiring, active]   -> [active]              drop the old one

Locally the set lives in a JSON file in an ignored folder, generated on first use; on AWS in a
Secrets Manager secret of the same JSON. Private keys are never committed or logged.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import Any

from chalicelib.core.secrets import new_id

ALGORITHM = "ES256"
KEYS_FILE = "signing-keys.json"


@dataclass(frozen=True)
class SigningKey:
    kid: str
    state: str  # "active" | "next" | "retiring"
    private_pem: str
    created_at: float
    alg: str = ALGORITHM

    @cached_property
    def private_key(self) -> Any:
        from cryptography.hazmat.primitives.serialization import load_pem_private_key

        return load_pem_private_key(self.private_pem.encode(), password=None)

    @cached_property
    def public_key(self) -> Any:
        return self.private_key.public_key()

    def public_jwk(self) -> dict[str, Any]:
        from jwt.algorithms import ECAlgorithm

        jwk = ECAlgorithm.to_jwk(self.public_key, as_dict=True)
        return {**jwk, "kid": self.kid, "use": "sig", "alg": self.alg}


@dataclass(frozen=True)
class KeySet:
    keys: tuple[SigningKey, ...]

    @property
    def active(self) -> SigningKey:
        return next(key for key in self.keys if key.state == "active")

    def find(self, kid: str) -> SigningKey | None:
        return next((key for key in self.keys if key.kid == kid), None)

    def jwks(self) -> dict[str, Any]:
        return {"keys": [key.public_jwk() for key in self.keys]}

    def to_json(self) -> str:
        return json.dumps({"keys": [asdict(key) for key in self.keys]}, indent=2)

    @classmethod
    def from_json(cls, text: str) -> KeySet:
        keys = tuple(SigningKey(**entry) for entry in json.loads(text)["keys"])
        states = [key.state for key in keys]
        if states.count("active") != 1:
            raise ValueError("a signing key set needs exactly one active key")
        return cls(keys)


def generate_key(state: str = "active") -> SigningKey:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    private = ec.generate_private_key(ec.SECP256R1())
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return SigningKey(kid=new_id()[:16], state=state, private_pem=pem, created_at=time.time())


def rotate(keyset: KeySet) -> KeySet:
    """One step of the rollover described in the module docstring."""
    states = {key.state for key in keyset.keys}
    if "retiring" in states:
        return KeySet(tuple(key for key in keyset.keys if key.state != "retiring"))
    if "next" in states:
        promoted = {"active": "retiring", "next": "active"}
        return KeySet(tuple(replace(key, state=promoted[key.state]) for key in keyset.keys))
    return KeySet((*keyset.keys, generate_key("next")))


def load_from_dir(folder: Path) -> KeySet:
    """Read the key set, creating it (owner-only permissions) on first use."""
    path = folder / KEYS_FILE
    if path.exists():
        return KeySet.from_json(path.read_text())
    keyset = KeySet((generate_key(),))
    save_to_dir(folder, keyset)
    return keyset


def save_to_dir(folder: Path, keyset: KeySet) -> None:
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / KEYS_FILE
    partial = path.with_suffix(".tmp")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(keyset.to_json())
    partial.replace(path)


def load_from_secret(secret_id: str, client: Any) -> KeySet:
    return KeySet.from_json(client.get_secret_value(SecretId=secret_id)["SecretString"])
