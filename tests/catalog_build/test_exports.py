import csv
import io
import json
import xml.etree.ElementTree as ET

import jsonschema

from catalog_build import exports, text
from catalog_build.loader import load_catalogue
from tests.factories import make_data_dir, procedure_record

ATOM = "{http://www.w3.org/2005/Atom}"


def catalogue_of(tmp_path, count=3):
    records = [
        procedure_record(f"1.99900{i}", name=f"Thủ tục số {i}", updated=f"2025-0{i}-01") for i in range(1, count + 1)
    ]
    return load_catalogue(make_data_dir(tmp_path, records))


def test_each_procedure_export_validates_against_the_published_schema(tmp_path):
    catalogue = catalogue_of(tmp_path)
    schema = json.loads(exports.record_schema())
    for procedure in catalogue.procedures.values():
        jsonschema.validate(json.loads(exports.procedure_json(procedure)), schema)


def test_the_whole_catalogue_json_holds_every_record(tmp_path):
    catalogue = catalogue_of(tmp_path)
    bodies = {c: exports.procedure_json(p) for c, p in catalogue.procedures.items()}
    data = json.loads(exports.catalogue_json(catalogue, bodies))
    assert data["count"] == 3
    assert [p["code"] for p in data["procedures"]] == ["1.999001", "1.999002", "1.999003"]


def test_the_csv_has_a_row_per_procedure_and_opens_as_utf8(tmp_path):
    text = exports.catalogue_csv(catalogue_of(tmp_path), "https://dvc.example/")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text[1:])))
    assert len(rows) == 3
    assert rows[0]["sector_name"] == "Đường bộ"
    assert rows[0]["url"] == "https://dvc.example/thu-tuc/1-999001/"


def test_the_agency_list_names_every_agency_in_vietnamese_order(tmp_path):
    catalogue = catalogue_of(tmp_path)
    data = json.loads(exports.agencies_json(catalogue))
    assert data["count"] == len(catalogue.agencies) == len(data["agencies"])
    names = [agency["name"] for agency in data["agencies"]]
    assert names == sorted(names, key=text.sort_key)
    police = next(agency for agency in data["agencies"] if agency["name"] == "Công an cấp tỉnh")
    assert set(police) <= {"code", "name", "level", "parent"} and police["level"] == "province"


def test_the_atom_feed_lists_the_most_recently_updated_first(tmp_path):
    feed = ET.fromstring(exports.atom_feed(catalogue_of(tmp_path), "https://dvc.example/"))
    entries = feed.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == ["Thủ tục số 3", "Thủ tục số 2", "Thủ tục số 1"]
    assert entries[0].find(f"{ATOM}updated").text == "2025-03-01T00:00:00+07:00"


def test_json_ld_describes_a_government_service(tmp_path):
    catalogue = catalogue_of(tmp_path, 1)
    data = exports.jsonld(catalogue.procedures["1.999001"], catalogue)
    assert data["@type"] == "GovernmentService"
    assert data["provider"] == [{"@type": "GovernmentOrganization", "name": "Công an cấp tỉnh"}]
    assert data["availableChannel"][0] == {"@type": "ServiceChannel", "name": "Trực tiếp", "processingTime": "P5D"}
    assert "processingTime" not in data["availableChannel"][2]  # 7.5 days has no exact ISO duration here
