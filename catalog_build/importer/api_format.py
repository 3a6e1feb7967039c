"""Records in the national database's API format (`configuring/formality/get-formality-by-citizen`),
the format an operator pulls from the national database: the importer's primary input."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from catalog_build.importer import cleanup
from catalog_build.importer.drafts import VIETNAM, Draft, Ref, audiences_of, split_agency_names
from catalog_build.importer.legal import clean_number, issued_date, issuer_of


class _Loose(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)


class Named(_Loose):
    name: str = ""
    code: str | None = None


class Fee(_Loose):
    type: str = "FEE"
    value: float | None = None
    currencyName: str | None = None
    description: str | None = None


class Method(_Loose):
    submissionMethod: str
    processingTime: float | None = None
    processingTimeUnit: str | None = None
    description: str | None = None
    fees: list[Fee] = []


class Attachment(_Loose):
    fileName: str | None = None


class Component(_Loose):
    name: str = ""
    code: str | None = None
    originalQty: int = 0
    copyQty: int = 0
    required: bool = False
    hasElectronicForm: bool = False
    attachments: list[Attachment] = []


class ExecutionCase(_Loose):
    name: str = ""
    profileComponents: list[Component] = []


class Step(_Loose):
    name: str = ""
    description: str = ""


class Proposal(_Loose):
    proposalNumber: str | None = None
    decisionDate: int | None = None


class ApiRecord(_Loose):
    """The fields the importer reads, with the types the API gives them; others are kept as extras
    so that fields with content the importer does not map can be reported."""

    id: str | None = None
    code: str = Field(min_length=1)
    name: str = Field(min_length=1)
    description: str = ""
    executionSteps: list[Step] = []
    executionMethods: list[Method] = []
    executionCases: list[ExecutionCase] = []
    formalityType: str | None = None
    type: str | None = None
    state: str | None = None
    isInternal: bool = False
    isMinistry: bool = False
    isProvince: bool = False
    isWard: bool = False
    isOtherAgency: bool = False
    isUndetermined: bool = False
    isVertical: bool = False
    isFullProcess: bool = False
    isOfflineOnly: bool = False
    note: str = ""
    keywords: str = ""
    categoriesDetails: list[Named] = []
    departmentsExecuting: list[Named] = []
    departmentsAuthority: list[Named] = []
    departmentsAuthorized: list[Named] = []
    departmentsCoordinating: list[Named] = []
    unitGroupsExecuting: list[Named] = []
    unitGroupsAuthority: list[Named] = []
    unitGroupsAuthorized: list[Named] = []
    unitGroupsCoordinating: list[Named] = []
    executingAgencies: str = ""
    authorizedAgencies: str = ""
    delegatedAgencies: str = ""
    coordinatingAgencies: str = ""
    dossierReceivingAddresses: str = ""
    requirementsAndConditions: str = ""
    legalBasisesDetails: list[Named] = []
    resultsDetails: list[Named] = []
    subjectTypesDetails: list[Named] = []
    procedureProposal: Proposal | None = None
    updatedAt: int | None = None
    createdAt: int | None = None


# Fields the importer reads through another field (ids beside their details, copies of the first
# sector) or that carry no information for the catalogue (storage ids, empty top-level copies).
COVERED = frozenset(
    {
        "codeNotation",
        "categoryIds",
        "category",
        "departmentExecutingIds",
        "departmentAuthorityIds",
        "departmentAuthorizedIds",
        "departmentCoordinatingIds",
        "unitGroupExecutingIds",
        "unitGroupAuthorityIds",
        "unitGroupAuthorizedIds",
        "unitGroupCoordinatingIds",
        "legalBasisIds",
        "resultIds",
        "subjectTypeIds",
        "serviceGroupIds",
        "departmentPromulgateId",
        "departmentPromulgateCode",
        "departmentPromulgateName",
        "decisionNo",
        "fees",
        "profileComponents",
        "targetObjects",
        "formalityTargetType",
        "procedureRelatedGroup",
        "departmentDetails",
        "isNonTerritorial",
    }
)
FULL_WITHOUT_ONLINE = "Nguồn ghi là dịch vụ công trực tuyến toàn trình nhưng không có cách thức nộp trực tuyến."
METHODS = {"ONLINE": "online", "DIRECT": "direct", "POSTAL": "postal"}
UNITS = {"WORKING_DAY": "working_days", "DAY": "days", "HOUR": "hours", "MONTH": "months"}
TYPES = {"STANDARD": "standard", "SPECIFIC": "specific", "STANDARD_INTERNAL": "internal"}
LEGAL_ORIGINS = {
    "ASSIGNED_REGULATION": "assigned",
    "NOT_ASSIGNED_REGULATION": "not_assigned",
    "LOCAL_REGULATION": "local",
    "CENTRAL_REGULATION": "central",
}
STATES = {"ACTIVE": "active", "UPDATED": "active", "SUSPENDED": "suspended", "ABOLISHED": "repealed"}
FEE_TYPES = {"FEE": "unspecified", "SERVICE_FEE": "fee", "CHARGE": "charge"}
CURRENCIES = {"việt nam đồng": "VND", "vnd": "VND", "đồng": "VND", "usd": "USD", "đô la mỹ": "USD"}
ROLES = {
    "executing": ("departmentsExecuting", "unitGroupsExecuting", "executingAgencies"),
    "competent": ("departmentsAuthority", "unitGroupsAuthority", None),
    "authorised": ("departmentsAuthorized", "unitGroupsAuthorized", "authorizedAgencies"),
    "coordinating": ("departmentsCoordinating", "unitGroupsCoordinating", "coordinatingAgencies"),
}


def moment(epoch_ms: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch_ms / 1000, VIETNAM)


def draft(raw: ApiRecord, origin: str, known_agencies: frozenset[str] = frozenset()) -> Draft:
    record: dict[str, Any] = {"code": raw.code.strip(), "name": cleanup.sentence_case(" ".join(raw.name.split()))}
    d = Draft(code=record["code"], origin=origin, record=record)
    d.rate("name", True)
    d.unmapped = _unmapped(raw)
    _classification(raw, d)
    _agencies(raw, d, known_agencies)
    _cases(raw, d)
    _channels(raw, d)
    _outcome(raw, d)
    return d


def _unmapped(raw: ApiRecord) -> list[str]:
    extras = raw.model_extra or {}
    return sorted(
        name for name, value in extras.items() if name not in COVERED and value not in ("", None, [], {}, False)
    )


def _classification(raw: ApiRecord, d: Draft) -> None:
    flags = (
        (raw.isMinistry, "ministry"),
        (raw.isProvince, "province"),
        (raw.isWard, "commune"),
        (raw.isOtherAgency, "other"),
        (raw.isVertical, "vertical"),
    )
    levels = [level for flag, level in flags if flag]
    d.record["levels"] = levels or ["other"]
    d.rate("levels", bool(levels))
    d.record["type"] = "internal" if raw.isInternal else TYPES.get(raw.type or "", "standard")
    if raw.formalityType:
        d.rate("legal_origin", raw.formalityType in LEGAL_ORIGINS)
        if origin := LEGAL_ORIGINS.get(raw.formalityType):
            d.record["legal_origin"] = origin
        else:
            d.note("legal_origin", raw.formalityType)
    d.record["status"] = STATES.get(raw.state or "ACTIVE", "active")
    if raw.categoriesDetails:
        first = raw.categoriesDetails[0]
        d.sector = Ref(" ".join(first.name.split()), (first.code or "").strip() or None)
        d.rate("sector", True)
        for other in raw.categoriesDetails[1:]:
            d.note("sector", f"Lĩnh vực khác: {other.name}")
    names = [" ".join(s.name.split()) for s in raw.subjectTypesDetails if s.name.strip()]
    audiences, recognised = audiences_of(names)
    d.record["audiences"] = audiences or ["citizen"]
    if names:
        d.record["audience_details"] = names
        d.rate("audiences", recognised)
    if keywords := cleanup.split_list(raw.keywords):
        d.record["keywords"] = keywords
    _provenance(raw, d)


def _provenance(raw: ApiRecord, d: Draft) -> None:
    """The announcing decision, the national record id and its last update time."""
    proposal = raw.procedureProposal
    if proposal and proposal.proposalNumber and proposal.proposalNumber.strip():
        d.record["decision"] = proposal.proposalNumber.strip()
        d.rate("decision", True)
        if proposal.decisionDate:
            d.record["decision_date"] = moment(proposal.decisionDate).date().isoformat()
    provenance: dict[str, Any] = {"source": "api"}
    if raw.id:
        provenance["record_id"] = raw.id
        provenance["url"] = f"https://dichvucong.gov.vn/thu-tuc-hanh-chinh/{raw.id}"
    if raw.updatedAt or raw.createdAt:
        stamp = moment(raw.updatedAt or raw.createdAt or 0)
        provenance["updated_at"] = stamp.isoformat(timespec="milliseconds")
        d.record["updated"] = stamp.date().isoformat()
    d.record["provenance"] = provenance
    d.rate("provenance", "record_id" in provenance and "updated_at" in provenance)


def _agencies(raw: ApiRecord, d: Draft, known: frozenset[str]) -> None:
    for role, (departments, groups, names) in ROLES.items():
        refs = [Ref(" ".join(a.name.split()), (a.code or "").strip() or None) for a in getattr(raw, departments)]
        refs += [Ref(" ".join(a.name.split())) for a in getattr(raw, groups)]
        if not refs and names:
            refs = [Ref(name) for name in split_agency_names(cleanup.one_line(getattr(raw, names)) or "", known)]
        refs = [ref for ref in refs if ref.name]
        if refs:
            d.agencies[role] = list(dict.fromkeys(refs))
    d.rate("agencies", bool(d.agencies))


def _cases(raw: ApiRecord, d: Draft) -> None:
    steps: list[str] = []
    for step in raw.executionSteps:
        found = cleanup.steps(step.description)
        title = cleanup.one_line(step.name)
        if title and found:
            found[0] = f"{title}: {found[0]}"
        steps += found or ([title] if title else [])
    d.rate("steps", bool(steps))
    cases = []
    for case in raw.executionCases:
        documents = [_document(component) for component in case.profileComponents if cleanup.clean(component.name)]
        entry: dict[str, Any] = {"documents": documents}
        if name := cleanup.one_line(case.name):
            entry["name"] = cleanup.strip_bullet(name).rstrip(":").strip()
        cases.append(entry)
    if raw.executionCases:
        d.rate("documents", True)
    if not cases:
        cases = [{"documents": []}]
    cases[0]["steps"] = steps
    d.record["cases"] = [{k: v for k, v in case.items() if v} for case in cases]
    if raw.note.strip():
        note = cleanup.clean(raw.note)
        description = cleanup.clean(raw.description)
        if note:
            d.record["description"] = f"{description}\nGhi chú: {note}" if description else f"Ghi chú: {note}"


def _document(component: Component) -> dict[str, Any]:
    name = cleanup.strip_bullet(cleanup.one_line(component.name) or "").rstrip(";").strip()
    document: dict[str, Any] = {
        "name": name,
        "originals": max(component.originalQty, 0),
        "copies": max(component.copyQty, 0),
        # Every record of the national API says `required: false`: a document is required unless
        # its name says it is asked for only in some cases (cleanup.is_conditional).
        "required": component.required or not cleanup.is_conditional(name),
        "e_form": component.hasElectronicForm,
    }
    if code := (component.code or "").strip():
        document["code"] = code
    templates = [a.fileName.strip() for a in component.attachments if a.fileName and a.fileName.strip()]
    if templates:
        document["template"] = "; ".join(templates)
    return document


def _channels(raw: ApiRecord, d: Draft) -> None:
    channels = [_channel(method, d) for method in raw.executionMethods]
    channels = [channel for channel in channels if channel]
    d.record["channels"] = channels
    d.rate("channels", len(channels) == len(raw.executionMethods) and bool(channels))
    d.rate("fees", True)
    online = any(channel["kind"] == "online" for channel in channels)
    if raw.isOfflineOnly or not online:
        d.record["online_level"] = "offline"
        if raw.isFullProcess and not raw.isOfflineOnly:
            d.note(
                "online_level",
                "Nguồn ghi là dịch vụ công trực tuyến toàn trình nhưng không có cách thức nộp trực tuyến.",
            )
    else:
        d.record["online_level"] = "full" if raw.isFullProcess else "partial"
    d.rate("online_level", not (raw.isFullProcess and not online))


def _channel(method: Method, d: Draft) -> dict[str, Any] | None:
    kind = METHODS.get(method.submissionMethod.upper())
    if kind is None:
        d.note("channels", f"Cách thức nộp không rõ: {method.submissionMethod}")
        return None
    channel: dict[str, Any] = {"kind": kind}
    unit = UNITS.get((method.processingTimeUnit or "").upper())
    if method.processingTime is not None and unit:
        channel["time_value"] = float(method.processingTime)
        channel["time_unit"] = unit
    else:
        channel["time_note"] = "Không có thông tin"
    if description := cleanup.clean(method.description):
        channel["description"] = description
    fees = [_fee(fee) for fee in method.fees]
    if fees:
        channel["fees"] = fees
    return channel


def _fee(fee: Fee) -> dict[str, Any]:
    entry: dict[str, Any] = {"kind": FEE_TYPES.get(fee.type.upper(), "unspecified")}
    if fee.value is not None:
        entry["amount"] = int(fee.value)
    currency = CURRENCIES.get((fee.currencyName or "").strip().lower())
    if currency and currency != "VND":
        entry["currency"] = currency
        entry["unit"] = f"{currency}/hồ sơ"
    if description := cleanup.one_line(fee.description):
        entry["description"] = description
        if entry.get("amount") == 0 and cleanup.names_an_amount(description):
            del entry["amount"]  # a zero figure beside words that give the amount: the figure is missing
    if entry.get("amount") is None and "description" not in entry:
        entry["description"] = "Không có thông tin về mức thu"
    return entry


def _outcome(raw: ApiRecord, d: Draft) -> None:
    results = [{"name": cleanup.one_line(r.name) or r.name} for r in raw.resultsDetails if r.name.strip()]
    for result, source in zip(results, [r for r in raw.resultsDetails if r.name.strip()], strict=True):
        if source.code and source.code.strip():
            result["code"] = source.code.strip()
        result["name"] = result["name"][:1].upper() + result["name"][1:]
    d.record["results"] = results
    d.rate("results", bool(results))
    _legal_basis(raw, d)
    description = cleanup.clean(raw.description)
    requirements = cleanup.items(raw.requirementsAndConditions)
    if requirements:
        d.record["requirements"] = requirements
        d.rate("requirements", True)
    if description and "description" not in d.record and description != cleanup.clean(raw.requirementsAndConditions):
        d.record["description"] = description
    if address := cleanup.clean(raw.dossierReceivingAddresses):
        d.record["receiving_address"] = address


def _legal_basis(raw: ApiRecord, d: Draft) -> None:
    legal = []
    for basis in raw.legalBasisesDetails:
        number = clean_number(basis.code or "")
        title = cleanup.one_line(basis.name) or number
        if not number:
            d.note("legal_basis", title)
            continue
        document: dict[str, Any] = {"number": number, "title": title}
        if issuer := issuer_of(number):
            document["issuer"] = issuer
        if issued := issued_date(title, number):
            document["issued"] = issued
        legal.append(document)
    d.record["legal_basis"] = legal
    if raw.legalBasisesDetails:
        d.rate("legal_basis", len(legal) == len(raw.legalBasisesDetails))
