"""`python -m infra.signing_keys --secret-id ID [--rotate]`: write or rotate the key set in Secrets Manager.

The stack creates the secret with a random placeholder; the first run replaces it with a fresh key
set (the JSON `chalicelib.core.keys` reads), later runs leave a valid set alone unless `--rotate`
moves it one step (publish the next key, sign with it, drop the old one).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from infra import FUNCTIONS_DIR


def ensure(client: Any, secret_id: str, rotate_one_step: bool = False) -> str:
    """Returns what was done: "created", "rotated" or "kept"."""
    if str(FUNCTIONS_DIR) not in sys.path:
        sys.path.insert(0, str(FUNCTIONS_DIR))
    from chalicelib.core.keys import KeySet, generate_key, rotate

    current = client.get_secret_value(SecretId=secret_id).get("SecretString", "")
    try:
        keyset = KeySet.from_json(current)
    except (ValueError, KeyError, TypeError):
        client.put_secret_value(SecretId=secret_id, SecretString=KeySet((generate_key(),)).to_json())
        return "created"
    if not rotate_one_step:
        return "kept"
    client.put_secret_value(SecretId=secret_id, SecretString=rotate(keyset).to_json())
    return "rotated"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.signing_keys", description=__doc__.split("\n\n")[0])
    parser.add_argument("--secret-id", required=True, help="stack output SigningKeysSecret")
    parser.add_argument("--region", default=None)
    parser.add_argument("--rotate", action="store_true")
    args = parser.parse_args(argv)
    import boto3

    print(ensure(boto3.client("secretsmanager", region_name=args.region), args.secret_id, args.rotate))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
