"""`python -m devstack.keys [show|rotate]`: inspect or rotate the local signing keys, one step at a time.

Rotation publishes the new key first, then signs with it, then drops the old one (see
`chalicelib.core.keys.rotate`); restart `make run` after each step so the API reloads the set.
On AWS the same JSON lives in the Secrets Manager secret named by PORTAL_KEYS_SECRET_ID.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "functions"))

from chalicelib.core.keys import load_from_dir, rotate, save_to_dir  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack.keys", description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=["show", "rotate"])
    parser.add_argument("--keys-dir", type=Path, default=REPO / ".devstack" / "keys")
    args = parser.parse_args(argv)
    keyset = load_from_dir(args.keys_dir)
    if args.action == "rotate":
        keyset = rotate(keyset)
        save_to_dir(args.keys_dir, keyset)
    for key in keyset.keys:
        created = time.strftime("%Y-%m-%d %H:%M", time.localtime(key.created_at))
        print(f"{key.kid}  {key.state:<9} {key.alg}  created {created}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
