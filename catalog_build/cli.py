"""Command line: `python -m catalog_build {validate,build,import,synth,import-answers}`."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from tqdm import tqdm

from catalog_build.errors import BuildFailed, CatalogueInvalid
from catalog_build.loader import load_catalogue


def _validate(args: argparse.Namespace) -> int:
    catalogue = load_catalogue(args.data)
    print(
        f"ok: {len(catalogue.procedures)} procedures, {len(catalogue.agencies)} agencies, "
        f"{len(catalogue.sectors)} sectors, {len(catalogue.faq)} FAQ entries"
    )
    return 0


def _build(args: argparse.Namespace) -> int:
    from catalog_build.build import BuildOptions, build

    started = time.perf_counter()
    options = BuildOptions(
        data_dir=args.data,
        config_file=args.config,
        work_dir=args.work,
        full=args.full,
        progress=not args.quiet and sys.stderr.isatty(),
        workers=args.workers,
    )
    report = build(options)
    print(f"{report.summary()} in {time.perf_counter() - started:.1f} s")
    return 0


def _synth(args: argparse.Namespace) -> int:
    from catalog_build.synth import write_synthetic

    write_synthetic(args.out, args.count, seed=args.seed, base_data=args.data)
    print(f"wrote {args.count} synthetic procedures to {args.out}")
    return 0


def _import(args: argparse.Namespace) -> int:
    from catalog_build.importer.run import ImportOptions, run_import

    show = not args.quiet and sys.stderr.isatty()
    options = ImportOptions(
        sources=args.sources,
        data_dir=args.data,
        format=args.format,
        dry_run=args.dry_run,
        strict=args.strict,
        prune=args.prune,
        cache_file=args.work / "records.pickle",
        progress=(lambda items: tqdm(items, desc="import", unit="record", leave=False)) if show else None,
    )
    started = time.perf_counter()
    report = run_import(options)
    print(report.summary(verbose=args.verbose))
    print(
        f"imported in {time.perf_counter() - started:.1f} s" + (" (dry run: nothing written)" if args.dry_run else "")
    )
    return 0


def _import_answers(args: argparse.Namespace) -> int:
    from catalog_build.answers import import_answers, read_export

    written, problems = import_answers(read_export(args.source), args.data, args.file)
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"imported {written} answered question(s) into {args.data / 'faq'}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m catalog_build", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    validate = commands.add_parser("validate", help="check the source data and report every problem")
    validate.add_argument("--data", type=Path, default=Path("data"), help="source data folder")
    validate.set_defaults(run=_validate)

    build = commands.add_parser("build", help="validate, render changed pages, build the site and search index")
    build.add_argument("--data", type=Path, default=Path("data"), help="source data folder")
    build.add_argument("--config", type=Path, default=Path("mkdocs.yml"), help="MkDocs config")
    build.add_argument("--work", type=Path, default=Path("build/.catalog"), help="cache and state folder")
    build.add_argument("--full", action="store_true", help="ignore the previous build and rebuild everything")
    build.add_argument("--quiet", action="store_true", help="no progress bars")
    build.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="processes rendering pages (default: one per core)"
    )
    build.set_defaults(run=_build)

    synth = commands.add_parser("synth", help="write N synthetic procedures (for scale tests, never published)")
    synth.add_argument("--count", type=int, required=True)
    synth.add_argument("--out", type=Path, required=True, help="a data folder to create or refresh")
    synth.add_argument("--seed", type=int, default=1)
    synth.add_argument("--data", type=Path, default=Path("data"), help="real data whose agencies and sectors to reuse")
    synth.set_defaults(run=_synth)

    imports = commands.add_parser(
        "import",
        help="import national procedure records into data/ (API format or the portal's pages)",
        description="Read national records and write or update data/procedures/*.yaml. SOURCE is a folder "
        "of JSON files, a JSON or JSON Lines file, or an http(s) URL answering the API format.",
    )
    imports.add_argument("sources", nargs="+", metavar="SOURCE")
    imports.add_argument(
        "--format", choices=("auto", "api", "pages"), default="auto", help="record format (auto: per record)"
    )
    imports.add_argument("--dry-run", action="store_true", help="report what would change, write nothing")
    imports.add_argument("--strict", action="store_true", help="fail on any field not mapped structurally")
    imports.add_argument(
        "--prune", action="store_true", help="remove records imported earlier from the same format that are gone"
    )
    imports.add_argument("--verbose", action="store_true", help="list every changed record")
    imports.add_argument("--quiet", action="store_true", help="no progress bar")
    imports.add_argument("--data", type=Path, default=Path("data"), help="source data folder")
    imports.add_argument("--work", type=Path, default=Path("build/.catalog"), help="the build's cache folder")
    imports.set_defaults(run=_import)

    answers = commands.add_parser("import-answers", help="add questions answered through the API to the FAQ")
    answers.add_argument("--source", required=True, help="URL or file of the API's /questions/answers export")
    answers.add_argument("--data", type=Path, default=Path("data"), help="source data folder")
    answers.add_argument(
        "--file",
        default="tra-loi-tu-cong-dan.yaml",
        help="the FAQ file under data/faq/ this source owns (ho-tro-truc-tuyen.yaml for the support centre)",
    )
    answers.set_defaults(run=_import_answers)

    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except CatalogueInvalid as invalid:
        for problem in invalid.problems:
            print(problem, file=sys.stderr)
        print(f"error: {invalid}; nothing was written", file=sys.stderr)
        return 1
    except BuildFailed as failed:
        print(f"error: {failed}; the previous site is left as it was", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
