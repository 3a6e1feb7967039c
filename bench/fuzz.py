"""Nightly-size fuzzing: schemathesis against the API over real HTTP, every check on, until at least
20,000 generated requests (half positive, half negative data), reporting server errors and every
check that failed.

    .venv/bin/python bench/fuzz.py [--cases 20000] [--seed 17]

The API runs in this process exactly as `tests/api/test_contract.py` serves it (Chalice's local
server on loopback over moto), with a seeded citizen's and agency system's access tokens, renewed
before they expire. The suite runs the same checks with 25 examples per operation; this is the
same thing at a size only a nightly job can afford. Exits 1 on any server error or failed check.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import logging
import sys
import threading
import time
from collections import Counter
from typing import Any

from portal_env import use_portal_environment


def start_api() -> tuple[str, Any]:
    from urllib.parse import urlsplit

    from chalice.config import Config
    from chalice.local import LocalDevServer

    from app import app
    from chalicelib.core.config import get_settings
    from tests.api.live import _QuietHandler

    issuer = get_settings().issuer
    address = urlsplit(issuer)
    server = LocalDevServer(app, Config(), address.hostname, address.port, handler_cls=_QuietHandler)
    threading.Thread(target=server.server.serve_forever, daemon=True).start()
    return issuer, server


_citizens = iter(range(1, 100_000))


def fresh_tokens() -> dict[str, str]:
    """A citizen's and an agency system's access tokens (10 and 5 minutes), through the real flows.
    A new citizen each time: the fuzzer may well have changed the last one's password or locked it."""
    from chalice.test import Client

    from app import app
    from tests.api.factories import Flow, agency_token, create_agency_client, create_citizen, create_relying_party

    citizen = create_citizen(identity_number=f"0010990{next(_citizens):05d}")
    with Client(app) as client:
        http = client.http
        user = Flow(http, create_relying_party("fuzz-rp")).tokens(citizen.identifier)["access_token"]
        from chalicelib.agencies.service import AGENCY_SCOPES

        scopes = sorted(AGENCY_SCOPES)
        agency = create_agency_client("CA-TINH", client_id="fuzz-agency", scopes=scopes)
        return {"userToken": user, "agencyToken": agency_token(http, agency)}


class Fuzzer:
    """Sends generated cases, with the tokens their operation asks for, and counts what came back."""

    def __init__(self, base_url: str, checks: list[Any]) -> None:
        self.base_url = base_url
        self.checks = checks
        self.tokens, self.minted = fresh_tokens(), time.monotonic()
        self.cases: Counter[str] = Counter()
        self.statuses: Counter[int] = Counter()
        self.failures: Counter[str] = Counter()
        self.server_errors: list[str] = []
        self.examples: list[str] = []

    @property
    def total(self) -> int:
        return sum(self.cases.values())

    def exercise(self, case: Any) -> None:
        if time.monotonic() - self.minted > 60:  # agency tokens live 5 minutes; the fuzzer may revoke either
            self.tokens, self.minted = fresh_tokens(), time.monotonic()
        for requirement in case.operation.definition.raw.get("security", []):
            for scheme in requirement:
                case.headers = {**(case.headers or {}), "Authorization": f"Bearer {self.tokens[scheme]}"}
        self.cases[case.operation.label] += 1
        try:
            response = case.call_and_validate(base_url=self.base_url, checks=self.checks, timeout=30)
            self.statuses[response.status_code] += 1
        except (Exception, BaseExceptionGroup) as failure:  # each failed check is counted, the run goes on
            inner_failures = list(getattr(failure, "exceptions", [failure]))
            names = [type(inner).__name__ for inner in inner_failures]
            self.failures.update(names)
            for inner in inner_failures:
                if len(self.examples) < 40:
                    summary = f"{getattr(inner, 'title', '')} | {getattr(inner, 'message', inner)}".splitlines()[:8]
                    self.examples.append(
                        f"{case.operation.label}: {type(inner).__name__}: {' | '.join(summary)[:600]}"
                        f" | {case.as_curl_command()[:400]}"
                    )
            if any("ServerError" in name for name in names):
                self.server_errors.append(f"{case.operation.label}: {case.as_curl_command()[:300]}")

    def run(self, operation: Any, mode: Any, examples: int, seed_value: int) -> None:
        from hypothesis import HealthCheck, Phase, given, seed, settings
        from hypothesis.errors import Unsatisfiable

        test = given(operation.as_strategy(generation_mode=mode))(self.exercise)
        test = settings(
            max_examples=examples,
            deadline=None,
            database=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )(seed(seed_value)(test))
        with contextlib.suppress(Unsatisfiable):  # nothing negative to say about an operation without input
            test()

    def report(self, operations: int, elapsed: float, rounds: int) -> int:
        import schemathesis

        print(f"\nschemathesis {schemathesis.__version__}, {operations} operations, {len(self.checks)} checks")
        print(f"requests: {self.total:,} in {elapsed:.0f} s ({self.total / elapsed:.0f}/s), {rounds} round(s)")
        print("statuses: " + ", ".join(f"{code}: {count:,}" for code, count in sorted(self.statuses.items())))
        print(f"server errors (5xx): {len(self.server_errors)}")
        for line in self.server_errors[:20]:
            print(f"  {line}")
        print(f"failed checks: {sum(self.failures.values())}")
        for name, count in self.failures.items():
            print(f"  {name}: {count}")
        for line in self.examples:
            print(f"    {line}")
        print(f"requests per operation: {min(self.cases.values())} to {max(self.cases.values())}")
        return 1 if self.server_errors or self.failures else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=20_000, help="at least this many requests in all")
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--only", default="", help="only operations whose label contains this")
    args = parser.parse_args()
    use_portal_environment()

    import schemathesis
    from moto import mock_aws
    from schemathesis.checks import CHECKS as REGISTRY
    from schemathesis.checks import load_all_checks
    from schemathesis.generation import GenerationMode

    from chalicelib.core.logs import get_logger
    from chalicelib.store.base import create_tables
    from chalicelib.store.files import create_buckets
    from chalicelib.system.routes import openapi_document
    from tests.api.test_contract import configure_checks

    get_logger().setLevel(logging.CRITICAL)  # one JSON line per request otherwise
    load_all_checks()
    checks = [check for check in REGISTRY.get_all() if check.__name__ != "max_response_time"]
    with mock_aws():
        create_tables()
        create_buckets()
        base_url, server = start_api()
        schema = schemathesis.openapi.from_dict(copy.deepcopy(openapi_document()))
        configure_checks(schema)
        operations = [result.ok() for result in schema.get_all_operations()]
        operations = [operation for operation in operations if args.only in operation.label]
        fuzzer = Fuzzer(base_url, checks)
        started, rounds = time.perf_counter(), 0
        while fuzzer.total < args.cases:
            rounds += 1
            examples = max(10, (args.cases - fuzzer.total) // (2 * len(operations)) + 1)
            for operation in operations:
                for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                    fuzzer.run(operation, mode, examples, args.seed + rounds)
            print(f"round {rounds}: {fuzzer.total:,} requests so far", flush=True)
        elapsed = time.perf_counter() - started
        server.shutdown()
    return fuzzer.report(len(operations), elapsed, rounds)


if __name__ == "__main__":
    sys.exit(main())
