"""Open data: the whole catalogue as JSON and JSON Lines, plain and gzipped, linked into the site
without rewriting what did not change; and a one-procedure rebuild that touches only what it must."""

import gzip
import json
import shutil
from pathlib import Path

from catalog_build import build as build_module
from catalog_build import exports, open_data
from catalog_build.build import build
from catalog_build.loader import load_catalogue
from catalog_build.records import ProcedureRecord
from catalog_build.writer import WriteReport
from tests.factories import make_data_dir, procedure_record, scratch_build, snapshot, write_yaml

DATA = Path("du-lieu")
CATALOGUE_JSONL_GZ = "du-lieu/danh-muc.jsonl.gz"


def test_the_catalogue_comes_as_json_and_json_lines_plain_and_gzipped(workspace):
    options, _docs, site = workspace
    build(options)
    data = site / DATA
    catalogue = json.loads((data / "danh-muc.json").read_text(encoding="utf-8"))
    assert catalogue["count"] == 3
    lines = (data / "danh-muc.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == catalogue["procedures"]
    assert gzip.decompress((data / "danh-muc.json.gz").read_bytes()) == (data / "danh-muc.json").read_bytes()
    assert gzip.decompress((data / "danh-muc.jsonl.gz").read_bytes()) == (data / "danh-muc.jsonl").read_bytes()
    record = json.loads((data / "thu-tuc" / "1-999002.json").read_text(encoding="utf-8"))
    assert record in catalogue["procedures"]


URL = "https://dvc.example/"
SALT = "salt"


def updated(n: int) -> str:
    return f"202{n % 5}-{n % 12 + 1:02d}-{n % 28 + 1:02d}"


def write_catalogue(root: Path, count: int = 250) -> Path:
    """A data folder of `count` procedures, 1.000000 upwards: groups 1.0000, 1.0001, ..."""
    records = [procedure_record(f"1.{n:06d}", name=f"Thủ tục số {n}", updated=updated(n)) for n in range(count)]
    return make_data_dir(root, records)


def rename(data: Path, code: str, name: str) -> None:
    write_yaml(data / "procedures" / f"{code}.yaml", procedure_record(code, name=name, updated=updated(len(code))))


def export(data: Path, work: Path, *, fresh: bool = False) -> WriteReport:
    """The build's whole-catalogue exports into `work`/exports, from the last ones there unless `fresh`."""
    report = WriteReport()
    build_module._open_data(load_catalogue(data), URL, work / "exports", work / "parts.pickle", report, fresh=fresh)
    return report


def exported(work: Path) -> dict[str, bytes]:
    root = work / "exports"
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def as_before(catalogue) -> dict[str, bytes]:
    """The files as the build made them before they were assembled from the last build's parts:
    the records joined whole, one gzip member per group (and per separator) in JSON."""
    groups: dict[str, list[str]] = {}
    for code, procedure in catalogue.procedures.items():
        groups.setdefault(open_data.group_of(code), []).append(exports.procedure_json(procedure))
    as_json = [",\n".join(bodies) for bodies in groups.values()]
    as_jsonl = ["\n".join(bodies) + "\n" for bodies in groups.values()]
    head = f'{{"count": {len(catalogue.procedures)},\n"procedures": [\n'
    tail = ("\n" if catalogue.procedures else "") + "]}\n"

    def gz(text: str) -> bytes:
        return gzip.compress(text.encode(), 6, mtime=0)

    return {
        "du-lieu/danh-muc.json": (head + ",\n".join(as_json) + tail).encode(),
        "du-lieu/danh-muc.json.gz": gz(head) + gz(",\n").join(gz(text) for text in as_json) + gz(tail),
        "du-lieu/danh-muc.jsonl": "".join(as_jsonl).encode(),
        "du-lieu/danh-muc.jsonl.gz": b"".join(gz(text) for text in as_jsonl),
        "du-lieu/tra-cuu-nhanh.json": exports.quick_lookup_json(catalogue).encode(),
        "du-lieu/thay-doi.xml": exports.atom_feed(catalogue, URL).encode(),
    }


def test_the_exports_assembled_from_the_last_build_equal_those_of_a_cold_build_edit_after_edit(tmp_path):
    data = write_catalogue(tmp_path)
    work = tmp_path / "work"
    export(data, work)
    procedures = data / "procedures"
    sectors = data / "sectors" / "sectors.yaml"
    edits = [
        lambda: rename(data, "1.000123", "Tên mới"),
        lambda: (procedures / "1.000007.yaml").unlink(),  # the count in the head changes
        lambda: rename(data, "1.000300", "Thủ tục của nhóm mới"),
        # a long code sorts inside group 1.0001 but is a group of its own, between 1.0001 and 1.0002
        lambda: rename(data, "1.000124.001.00.00.H01", "Biến thể địa phương"),
        lambda: [(procedures / f"1.{n:06d}.yaml").unlink() for n in range(200, 250)],  # group 1.0002 gone
        lambda: (procedures / "1.000010.yaml").write_text(
            (procedures / "1.000010.yaml").read_text(encoding="utf-8") + "# chỉ thêm ghi chú\n", encoding="utf-8"
        ),
        lambda: sectors.write_text(
            sectors.read_text(encoding="utf-8").replace("name: Đường bộ,", "name: Giao thông đường bộ,"),
            encoding="utf-8",
        ),
        lambda: write_yaml(data / "faq" / "test.yaml", [{"question": "Hỏi gì?", "answer": "Đáp thế này."}]),
        lambda: [path.unlink() for path in procedures.glob("*.yaml")],  # none left
    ]
    for number, edit in enumerate(edits):
        edit()
        export(data, work)
        cold = tmp_path / f"cold-{number}"
        export(data, cold, fresh=True)
        assert exported(work) == exported(cold), f"edit {number}"
        files = exported(work)
        for rel, expected in as_before(load_catalogue(data)).items():
            assert files[rel] == expected, f"edit {number}: {rel}"
        assert gzip.decompress(files["du-lieu/danh-muc.jsonl.gz"]) == files["du-lieu/danh-muc.jsonl"]
    assert json.loads(exported(work)["du-lieu/danh-muc.json"]) == {"count": 0, "procedures": []}


class Exports:
    """The parted whole-catalogue files written from a data folder, with what each run cost."""

    def __init__(self, data: Path, root: Path) -> None:
        self.data, self.root, self.index = data, root, root.with_name(root.name + ".pickle")

    def write(self) -> tuple[WriteReport, open_data.CatalogueReport]:
        report, cost = WriteReport(), open_data.CatalogueReport()
        previous = open_data.PartsIndex.load(self.index, SALT)
        catalogue = load_catalogue(self.data)
        index, _recent = open_data.write_catalogue(catalogue, URL, self.root, previous, report, cost)
        index.save(self.index)
        return report, cost

    def files(self) -> dict[str, tuple[int, int]]:
        """Each file's inode and modification time: what shows it was not written again."""
        return {
            rel: ((self.root / rel).stat().st_ino, (self.root / rel).stat().st_mtime_ns) for rel in open_data.PARTED
        }


def test_only_a_changed_group_is_joined_again_and_compressed_and_unchanged_files_are_not_written(tmp_path):
    data = write_catalogue(tmp_path)
    files = Exports(data, tmp_path / "exports")
    report, cost = files.write()
    assert (cost.groups_made, cost.records_made, cost.compressed) == (3, 250, 6)
    assert sorted(report.written) == sorted(open_data.PARTED)
    before = files.files()

    report, cost = files.write()
    assert (cost.groups_made, cost.records_made, cost.compressed) == (0, 0, 0)
    assert report.written == [] and report.unchanged == len(open_data.PARTED)
    assert files.files() == before

    rename(data, "1.000123", "Đăng ký lại")
    report, cost = files.write()
    # group 1.0001: one record serialised, the others taken from the last JSON Lines file
    assert (cost.groups_made, cost.records_made, cost.compressed) == (1, 1, 2)
    assert sorted(report.written) == sorted(open_data.PARTED)  # the name is in every one of them
    records = [
        json.loads(line) for line in gzip.decompress((files.root / CATALOGUE_JSONL_GZ).read_bytes()).splitlines()
    ]
    assert records[123]["name"] == "Đăng ký lại" and len(records) == 250

    # an edit that changes no record: the group is made again, found equal, and nothing is written
    before = files.files()
    path = data / "procedures" / "1.000010.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "# ghi chú\n", encoding="utf-8")
    report, cost = files.write()
    assert (cost.groups_made, cost.records_made, cost.compressed) == (1, 1, 0)
    assert report.written == [] and files.files() == before


def test_a_file_changed_behind_the_builds_back_is_made_again_whole(tmp_path):
    data = write_catalogue(tmp_path)
    files = Exports(data, tmp_path / "exports")
    files.write()
    (files.root / "du-lieu" / "danh-muc.jsonl").write_bytes(b"{}\n")  # in place: same inode, new size
    rename(data, "1.000005", "Tên khác")
    report, cost = files.write()
    # Every record is serialised again (the JSON Lines file they are taken from is not the one
    # written); the gzip members of unchanged groups are still reused, their records being equal.
    assert (cost.groups_made, cost.records_made, cost.compressed) == (3, 250, 2)
    assert "du-lieu/danh-muc.jsonl" in report.written
    assert exported(tmp_path) == exported_cold(data, tmp_path / "cold")


def exported_cold(data: Path, root: Path) -> dict[str, bytes]:
    Exports(data, root / "exports").write()
    return exported(root)


def test_exports_are_hard_links_to_the_work_folder_and_unchanged_ones_keep_their_file(workspace):
    options, _docs, site = workspace
    build(options)
    published = site / DATA / "thu-tuc" / "1-999002.json"
    kept = options.work_dir / "exports" / DATA / "thu-tuc" / "1-999002.json"
    assert published.stat().st_ino == kept.stat().st_ino
    before = published.stat().st_mtime_ns
    write_yaml(options.data_dir / "procedures" / "1.999001.yaml", procedure_record("1.999001", name="Tên mới"))
    assert build(options).site_mode == "incremental"
    assert published.stat().st_mtime_ns == before and published.stat().st_ino == kept.stat().st_ino
    assert "Tên mới" in (site / DATA / "thu-tuc" / "1-999001.json").read_text(encoding="utf-8")


def test_an_incremental_build_publishes_the_exports_a_cold_build_of_the_same_data_publishes(workspace, tmp_path):
    options, _docs, site = workspace
    for code in ("1.999101", "1.999102", "1.999201"):  # groups 1.9991 and 1.9992 beside 1.9990
        write_yaml(options.data_dir / "procedures" / f"{code}.yaml", procedure_record(code, name=f"Thủ tục {code}"))
    build(options)
    write_yaml(options.data_dir / "procedures" / "1.999101.yaml", procedure_record("1.999101", name="Tên mới"))
    assert build(options).site_mode == "incremental"
    cold = scratch_build(tmp_path / "cold")
    shutil.rmtree(cold.data_dir)
    shutil.copytree(options.data_dir, cold.data_dir)
    assert build(cold).site_mode == "full"
    for mine, theirs in (
        (site, tmp_path / "cold" / "ws" / "site"),
        (options.work_dir / "exports", cold.work_dir / "exports"),
    ):
        files = {str(p.relative_to(mine)): p.read_bytes() for p in sorted((mine / DATA).rglob("*")) if p.is_file()}
        expected = {
            str(p.relative_to(theirs)): p.read_bytes() for p in sorted((theirs / DATA).rglob("*")) if p.is_file()
        }
        assert files.keys() == expected.keys()
        assert [rel for rel in files if files[rel] != expected[rel]] == []
    assert "Tên mới".encode() in (site / DATA / "danh-muc.jsonl").read_bytes()


# What a changed name may reach: the page, its record, the lists that name it, the whole-catalogue
# exports and feed, the search index and its synonyms, the service worker that lists the index, and
# what every MkDocs build writes again (sitemap, 404, robots.txt).
MAY_CHANGE = (
    "thu-tuc/1-999001/index.html",
    "du-lieu/thu-tuc/1-999001.json",
    "index.html",
    "linh-vuc/",
    "co-quan/",
    "cap-thuc-hien/",
    "doi-tuong/",
    "a-z/",
    "du-lieu/danh-muc.",
    "du-lieu/thay-doi.xml",
    "du-lieu/tra-cuu-nhanh.json",  # names and keywords, for the call centre's search
    "pagefind/",
    "tim-kiem/tu-dong-nghia.json",
    "sw.js",
    "sitemap.xml",
    "404.html",
    "robots.txt",
)


def test_a_one_procedure_rebuild_touches_only_its_page_lists_search_entry_and_feeds(workspace):
    options, _docs, site = workspace
    build(options)
    before = snapshot(site)
    write_yaml(options.data_dir / "procedures" / "1.999001.yaml", procedure_record("1.999001", name="Tên mới"))
    report = build(options)
    assert report.site_mode == "incremental" and report.rerendered == 1
    after = snapshot(site)
    touched = {str(Path(p).relative_to(site)) for p in before.keys() | after.keys() if before.get(p) != after.get(p)}
    assert touched, "the rebuild changed nothing"
    assert [rel for rel in touched if not rel.startswith(MAY_CHANGE)] == []
    assert "thu-tuc/1-999001/index.html" in touched and "du-lieu/thu-tuc/1-999001.json" in touched
    assert report.site.pages < 15  # the page and its lists, not the site


def test_exporting_the_catalogue_from_cached_records_leaves_no_full_record_held(tmp_path):
    """The whole-catalogue exports read every full record; kept, they would be the build's largest
    use of memory (165 MB at 10,000 procedures)."""
    data = write_catalogue(tmp_path)
    load_catalogue(data, cache_file=tmp_path / "records.pickle")  # writes the record cache
    catalogue = load_catalogue(data, cache_file=tmp_path / "records.pickle")
    assert all(isinstance(p, ProcedureRecord) for p in catalogue.procedures.values())
    open_data.write_catalogue(catalogue, URL, tmp_path / "exports", open_data.PartsIndex(SALT), WriteReport())
    assert json.loads((tmp_path / "exports" / "du-lieu" / "danh-muc.json").read_text())["count"] == 250
    assert [code for code, p in catalogue.procedures.items() if p._full is not None] == []
