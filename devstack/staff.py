"""`python -m devstack.staff grant|revoke|list ...`: support roles on the running local stack
(`chalicelib.support.admin` with the stack's environment)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    from devstack.__main__ import configure_environment

    ports = argparse.ArgumentParser(add_help=False)
    ports.add_argument("--aws-port", type=int, default=8002, help="the stack's moto port (make run's AWS_PORT)")
    known, rest = ports.parse_known_args(argv)
    configure_environment(
        argparse.Namespace(
            host="127.0.0.1",
            api_port=8001,
            aws_port=known.aws_port,
            site_port=8000,
            state_dir=(REPO / ".devstack").resolve(),
            site_dir=(REPO / "build" / "site").resolve(),
        )
    )
    from chalicelib.support.admin import main as admin

    return admin(rest)


if __name__ == "__main__":
    sys.exit(main())
