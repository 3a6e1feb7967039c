"""`python -m devstack.sandbox`: self-service sandbox credentials for an agency developer.

Against the running local stack (`make run`, same ports), creates an API client of a demo agency,
marked `sandbox`, and prints its client_id and client_secret (shown once: only a digest is stored),
the token URL and a curl line that gets a token. By default each run makes a new sandbox office of
the provincial Sở Tư pháp (`SO-TP.SB<hex>`), which executes every procedure the catalogue gives to
`SO-TP`; `--agency SO-TP.HN` adds a client to the provincial demo agency instead.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import socket
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
AGENCY_CODE = re.compile(r"^[A-Za-z0-9.\-]{2,40}$")  # room for the dossier code's `-yyMMdd-NNNN` tail


@dataclass(frozen=True)
class SandboxClient:
    agency_id: str
    client_id: str
    client_secret: str
    scopes: tuple[str, ...]
    issuer: str

    @property
    def token_url(self) -> str:
        return f"{self.issuer}/oidc/token"

    def lines(self) -> list[str]:
        return [
            f"agency_id      {self.agency_id}",
            f"client_id      {self.client_id}",
            f"client_secret  {self.client_secret}",
            f"scopes         {' '.join(self.scopes)}",
            f"token URL      {self.token_url}",
            "get a token:",
            f"  curl -s -u '{self.client_id}:{self.client_secret}' -d grant_type=client_credentials {self.token_url}",
        ]

    def env_lines(self) -> list[str]:
        """Shell assignments, for `eval "$(python -m devstack.sandbox --env)"`."""
        return [
            f"export AGENCY_ID='{self.agency_id}'",
            f"export CLIENT_ID='{self.client_id}'",
            f"export CLIENT_SECRET='{self.client_secret}'",
            f"export API='{self.issuer}'",
        ]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m devstack.sandbox", description=__doc__.split("\n\n")[0])
    parser.add_argument("--agency", help="agency code (default: a new sandbox office SO-TP.SB<hex>)")
    parser.add_argument("--name", help="the client's display name")
    parser.add_argument("--env", action="store_true", help="print shell `export` lines instead")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--api-port", type=int, default=8001)
    parser.add_argument("--aws-port", type=int, default=8002)
    parser.add_argument("--site-port", type=int, default=8000)
    parser.add_argument("--state-dir", type=Path, default=REPO / ".devstack")
    parser.add_argument("--site-dir", type=Path, default=REPO / "build" / "site")
    return parser.parse_args(argv)


def create_sandbox_client(agency_id: str | None, name: str | None, issuer: str) -> SandboxClient:
    """Register a sandbox client (the environment must point at the stack's tables)."""
    from chalicelib.sso.clients import get_client, register_client
    from devstack.seed import AGENCY_SCOPES

    agency = (agency_id or f"SO-TP.SB{secrets.token_hex(2).upper()}").upper()
    if not AGENCY_CODE.match(agency):
        raise ValueError(f"--agency {agency!r}: letters, digits, '.' and '-' only, 2 to 40 characters")
    client_id = f"sandbox-{agency.lower()}-{secrets.token_hex(3)}"
    while get_client(client_id) is not None:
        client_id = f"sandbox-{agency.lower()}-{secrets.token_hex(3)}"
    _, secret = register_client(
        client_id,
        kind="agency",
        name=name or f"Hộp cát — {agency}",
        agency_id=agency,
        scopes=AGENCY_SCOPES,
        sandbox=True,
    )
    assert secret is not None
    return SandboxClient(agency, client_id, secret, AGENCY_SCOPES, issuer)


def _stack_is_running(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def main(argv: list[str] | None = None) -> int:
    from devstack.__main__ import configure_environment

    args = parse_args(argv)
    args.state_dir = args.state_dir.resolve()
    args.site_dir = args.site_dir.resolve()
    if not _stack_is_running(args.host, args.aws_port):
        print(
            f"error: no local stack on {args.host}:{args.aws_port}; start it with `make run` "
            "(same ports as here: --aws-port, --api-port)",
            file=sys.stderr,
        )
        return 2
    configure_environment(args)
    try:
        client = create_sandbox_client(args.agency, args.name, os.environ["PORTAL_ISSUER"])
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print("\n".join(client.env_lines() if args.env else client.lines()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
