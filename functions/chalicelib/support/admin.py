"""An administrator's command for support roles: `grant`, `revoke`, `list`.

    PYTHONPATH=functions python -m chalicelib.support.admin grant 001099000002 operator --by "Trần Quản Trị"

It talks to the tables the environment names (`PORTAL_TABLE_PREFIX`, region, credentials): on AWS
only an administrator's IAM role may write the `staff` table, which is the boundary; no API route
grants a role, so a stolen staff token can never make more staff. `python -m devstack.staff` runs it
against the local stack. Every grant and revocation is written to the audit trail with `--by`.
"""

from __future__ import annotations

import argparse
import sys

from chalicelib.core.errors import PortalError


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="chalicelib.support.admin", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    grant = commands.add_parser("grant", help="make a citizen account operator or supervisor")
    grant.add_argument("identifier", help="the staff member's 12-digit identity number (their portal account)")
    grant.add_argument("role", choices=("operator", "supervisor"))
    grant.add_argument("--by", required=True, help="the administrator's name, for the audit trail")
    revoke = commands.add_parser("revoke", help="take the role away (effective on the next request)")
    revoke.add_argument("identifier")
    revoke.add_argument("--by", required=True)
    commands.add_parser("list", help="list staff members")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    from chalicelib.store.support import StaffMember
    from chalicelib.support import staff

    args = parse_args(argv)
    try:
        if args.command == "grant":
            member = staff.grant(args.identifier, args.role, args.by)
            enrolled = "enrolled" if member.totp_secret else "enrols a TOTP authenticator at first sign-in"
            print(f"{args.identifier}: {member.role} ({enrolled})")
        elif args.command == "revoke":
            staff.revoke(args.identifier, args.by)
            print(f"{args.identifier}: role revoked")
        else:
            for member in StaffMember.scan():
                state = "active" if member.active else "revoked"
                print(f"{member.account_id}  {member.role:<10} {state:<8} {member.full_name}")
    except PortalError as error:
        print(f"error: {error.message}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
