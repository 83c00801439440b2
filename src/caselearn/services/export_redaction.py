"""How many planted identifiers leak through each way material leaves caselearn.

A labelled set of fictional passages with planted identifiers (the format of
``tests/redaction_set.json``; ``tests/export_redaction_set.json`` was written for this and never
used to tune the engine) is planted into a store: each passage is the whole text of a review's
document, the evidence of a code, one free-text field of an action plan (recommendation, action,
progress update or impact evidence, in turn), and a section of a briefing (one version per
passage). Then every export is taken as the default gives it (and, when ``get`` is given,
through the web app's URLs), and the planted identifiers still readable in it are counted:

* **exposed**: planted identifiers in the unredacted copy of that export (the system's);
* **leaked**: those still in the default copy;
* **engine missed**: those the engine itself leaves when it is run on the same texts the export
  redacts (each cell, each document, the whole briefing). A path that redacts everything it
  should leaks exactly what the engine misses; one that forgot a field leaks more.

An identifier counts as leaked when its exact text (spaces aside, as a whole word) is still in
the export's texts of the same passage; a partly redacted one ("[Name 1] Road") does not.
Report exports are counted over all passages at once: they carry counts, not text.

Run through ``caselearn evaluate --redaction SET.json --exports``, which plants into a new
temporary store and never touches the operator's.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from caselearn.redaction import KINDS, redact_text
from caselearn.security.policy import acting_as

COMMITTEE = "Evalshire CPC"
CARRIER_TITLE = "Learning review: Child Z"
# The review every briefing version is drafted from: no identifiers, so whatever an exported
# briefing leaks came from the planted passage put into it.
CARRIER_TEXT = (
    "Learning review: Child Z\n\n"
    "Child Z was a baby who lived with his mother and her partner. Agencies knew that the "
    "mother had been a victim of domestic abuse and that the partner drank heavily.\n\n"
    "The health visitor saw the baby four times and recorded concerns about the home "
    "conditions, but the concerns were not shared with children's social work.\n\n"
    "Police attended the home twice after reports of shouting. Officers did not see the baby "
    "and did not make a referral.\n\n"
    "The review found that information sharing between health, police and social work was "
    "poor, and that the voice of the child was not heard in any assessment.\n\n"
    "Recommendations: agencies should share concerns about domestic abuse when a baby lives "
    "in the home, and practitioners should see the baby at every visit."
)
BRIEFING_SECTION = 2  # "what happened": where each passage goes in its briefing version
PATHS = (
    "document text",
    "codes csv",
    "codes xlsx",
    "codes qdpx",
    "plan csv",
    "plan xlsx",
    "report html",
    "report csv",
    "report xlsx",
    "report json",
    "briefing md",
    "briefing html",
    "briefing docx",
)
ALL = "*"  # the group of a report: every passage at once

Get = Callable[[str], bytes]
Groups = dict[str, list[str]]  # passage id (or ALL) -> the export's texts from it


@dataclass
class Planted:
    """Where each passage went in the store."""

    passages: dict[str, dict[str, Any]]
    review_of: dict[int, str] = field(default_factory=dict)  # review id -> passage id
    documents: dict[int, str] = field(default_factory=dict)  # document id -> passage id
    briefing_id: int = 0
    versions: dict[int, str] = field(default_factory=dict)  # briefing version -> passage id


def plant(service: Any, passages: list[dict[str, Any]]) -> Planted:
    """Put every passage into a store (as the system) in each place text can leave from."""
    from caselearn.schemas import CodeAdd, ReviewCreate
    from caselearn.services.briefings import BriefingRequest

    planted = Planted({p["id"]: p for p in passages})
    with acting_as(None):
        for index, passage in enumerate(passages):
            review = service.register_review(
                ReviewCreate(
                    title=f"Learning review {passage['id']}",
                    committee=COMMITTEE,
                    review_type="learning_review",
                    notified_on=dt.date(2022, 3, 1),
                    year=2022,
                )
            )
            planted.review_of[review.id] = passage["id"]
            result = service.ingest_bytes(
                f"{passage['id']}.txt", passage["text"].encode("utf-8"), review_id=review.id
            )
            if result.document_id is None:
                raise ValueError(f"{passage['id']}: not stored ({result.error})")
            planted.documents[result.document_id] = passage["id"]
            page = service.document_pages(result.document_id)[0]
            service.add_code(
                review.id,
                CodeAdd(
                    code="theme.information_sharing",
                    document_id=result.document_id,
                    page=1,
                    start=0,
                    end=len(page.text),
                ),
            )
            _plant_in_plan(service, review.id, passage["text"], index % 4)
        carrier = service.register_review(
            ReviewCreate(title=CARRIER_TITLE, committee=COMMITTEE, review_type="learning_review")
        )
        service.ingest_bytes("child-z.txt", CARRIER_TEXT.encode("utf-8"), review_id=carrier.id)
        service.code_review(carrier.id)
        view = service.create_briefing(BriefingRequest(kind="review", review_id=carrier.id))
        planted.briefing_id = view.id
        for passage in passages:
            view = service.edit_section(view.id, BRIEFING_SECTION, passage["text"])
            planted.versions[view.version] = passage["id"]
    return planted


def _plant_in_plan(service: Any, review_id: int, text: str, where: int) -> None:
    from caselearn.schemas import ActionCreate, ImpactCreate, ProgressCreate, RecommendationCreate

    neutral = "Agencies should review how they share information about risk to children."
    recommendation = service.add_recommendation(
        review_id, RecommendationCreate(text=text if where == 0 else neutral)
    )
    action = service.add_action(
        recommendation.id,
        ActionCreate(
            description=text if where == 1 else "Audit information sharing in new cases.",
            owner="Head of Service",
            lead_agency="Social Work",
        ),
    )
    if where == 2:
        service.add_progress(action.id, ProgressCreate(text=text))
    if where == 3:
        service.add_impact(action.id, ImpactCreate(kind="audit", description=text))


# --- reading the texts out of each export ----------------------------------------------------


def _rows_by_review(rows: list[list[str]], planted: Planted) -> dict[str, list[str]]:
    header, body = rows[0], rows[1:]
    column = header.index("review_id")
    groups: dict[str, list[str]] = {}
    for row in body:
        try:
            passage = planted.review_of.get(int(float(row[column])))
        except (TypeError, ValueError):
            passage = None
        if passage is not None:
            groups.setdefault(passage, []).extend(str(c) for c in row if c not in (None, ""))
    return groups


def _csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def _xlsx_rows(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    rows: list[list[str]] = []
    for sheet in load_workbook(io.BytesIO(data), read_only=True).worksheets:
        rows += [
            ["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)
        ]
    return rows


def _html_text(data: bytes) -> str:
    from bs4 import BeautifulSoup

    return BeautifulSoup(data, "lxml").get_text(" ")


def _docx_text(data: bytes) -> str:
    from docx import Document

    document = Document(io.BytesIO(data))
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        texts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(texts)


def _json_strings(value: Any) -> Iterable[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _json_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _json_strings(item)
    elif value is not None:
        yield str(value)


def _markdown_text(data: bytes) -> str:
    # Markdown escapes (\_, \*) would hide an identifier from the count while a reader sees it.
    return re.sub(r"\\([\\`*_{}\[\]()#+\-.!<>|~])", r"\1", data.decode("utf-8"))


def _qdpx_groups(data: bytes, planted: Planted) -> dict[str, list[str]]:
    from caselearn.interchange.refi import qdpx_to_project

    groups: dict[str, list[str]] = {}
    for source in qdpx_to_project(data).documents:
        match = re.match(r"Review (\d+) ", source.name)
        passage = planted.review_of.get(int(match.group(1))) if match else None
        if passage is None and match is None:
            raise ValueError(f"cannot tell which review the source {source.name!r} is")
        if passage is not None:
            groups.setdefault(passage, []).extend([source.name, source.text])
    return groups


def _report_units(fmt: str, data: bytes) -> list[str]:
    if fmt == "html":
        return [_html_text(data)]
    if fmt == "csv":
        return [c for row in _csv_rows(data) for c in row]
    if fmt == "xlsx":
        return [c for row in _xlsx_rows(data) for c in row]
    return list(_json_strings(json.loads(data)))


def _briefing_units(fmt: str, data: bytes) -> list[str]:
    if fmt == "html":
        return [_html_text(data)]
    if fmt == "docx":
        return [_docx_text(data)]
    return [_markdown_text(data)]


# --- counting ---------------------------------------------------------------------------------


def _pattern(text: str) -> re.Pattern[str]:
    words = [re.escape(w) for w in text.split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)")


def readable(spans: list[dict[str, Any]], units: list[str]) -> list[dict[str, Any]]:
    """The planted spans whose text is still readable in ``units``. The same text planted k
    times and found m times counts min(k, m) times."""
    by_text: dict[str, list[dict[str, Any]]] = {}
    for span in spans:
        by_text.setdefault(" ".join(span["text"].split()), []).append(span)
    found: list[dict[str, Any]] = []
    for text, same in by_text.items():
        pattern = _pattern(text)
        seen = sum(len(pattern.findall(unit)) for unit in units)
        found += same[: min(len(same), seen)]
    return found


def _spans_of(planted: Planted, group: str) -> list[dict[str, Any]]:
    if group == ALL:
        return [{**s, "passage": p["id"]} for p in planted.passages.values() for s in p["spans"]]
    return [{**s, "passage": group} for s in planted.passages[group]["spans"]]


def _count(planted: Planted, groups: dict[str, list[str]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for group, units in groups.items():
        out += readable(_spans_of(planted, group), units)
    return out


# --- the paths ---------------------------------------------------------------------------------


class _Path:
    """One export: how to take it by default (service or URL), unredacted, and read it."""

    def __init__(self, service: Any, planted: Planted, get: Get | None) -> None:
        self.service = service
        self.planted = planted
        self.get = get
        self._briefing_texts: dict[int, list[str]] = {}

    def groups(
        self, name: str
    ) -> tuple[dict[str, list[str]], dict[str, list[str]], dict[str, list[str]]]:
        """(default copy's texts, unredacted texts, unredacted texts through the engine),
        each by passage."""
        kind, fmt = name.rsplit(" ", 1) if name != "document text" else ("document", "text")
        return getattr(self, f"_{kind}")(fmt)

    def _fetch(self, url: str, call: Callable[[], bytes]) -> bytes:
        return self.get(url) if self.get is not None else call()

    def _document(self, _fmt: str) -> tuple[Groups, Groups, Groups]:
        default, plain = {}, {}
        for document_id, passage in self.planted.documents.items():
            default[passage] = [
                self._fetch(
                    f"/api/documents/{document_id}/text",
                    lambda d=document_id: self.service.document_text(d).encode("utf-8"),
                ).decode("utf-8")
            ]
            with acting_as(None):
                plain[passage] = [self.service.document_text(document_id, redact=False)]
        return default, plain, _through_engine(plain)

    def _codes(self, fmt: str) -> tuple[Groups, Groups, Groups]:
        data = self._fetch(
            f"/api/export/codes?format={fmt}", lambda: self.service.export_codes(fmt)
        )
        with acting_as(None):
            plain_data = self.service.export_codes(fmt, redact=False)
        if fmt == "qdpx":
            default = _qdpx_groups(data, self.planted)
            plain = _qdpx_groups(plain_data, self.planted)
        else:
            rows = _csv_rows if fmt == "csv" else _xlsx_rows
            default = _rows_by_review(rows(data), self.planted)
            plain = _rows_by_review(rows(plain_data), self.planted)
        return default, plain, _through_engine(plain)

    def _plan(self, fmt: str) -> tuple[Groups, Groups, Groups]:
        data = self._fetch(f"/api/plan/export?format={fmt}", lambda: self.service.export_plan(fmt))
        with acting_as(None):
            plain_data = self.service.export_plan(fmt, redact=False)
        rows = _csv_rows if fmt == "csv" else _xlsx_rows
        default = _rows_by_review(rows(data), self.planted)
        plain = _rows_by_review(rows(plain_data), self.planted)
        return default, plain, _through_engine(plain)

    def _report(self, fmt: str) -> tuple[Groups, Groups, Groups]:
        from caselearn.reports import render_report

        def made() -> bytes:
            return render_report(self.service.report(), fmt)

        data = self._fetch(f"/reports/export.{fmt}", made)
        with acting_as(None):
            plain_data = made()
        default = {ALL: _report_units(fmt, data)}
        plain = {ALL: _report_units(fmt, plain_data)}
        return default, plain, _through_engine(plain)

    def _briefing(self, fmt: str) -> tuple[Groups, Groups, Groups]:
        from caselearn.briefings import Briefing
        from caselearn.briefings.redact import whole_text

        bid = self.planted.briefing_id
        default, plain = {}, {}
        for version, passage in self.planted.versions.items():
            data = self._fetch(
                f"/api/briefings/{bid}/export?format={fmt}&version={version}",
                lambda v=version: self.service.export_briefing(bid, fmt, version=v)[2],
            )
            default[passage] = _briefing_units(fmt, data)
            if version not in self._briefing_texts:
                with acting_as(None):
                    content = Briefing.from_dict(self.service.get_briefing(bid, version).content)
                # The briefing is redacted as one text (a person is [Name 1] in every section).
                self._briefing_texts[version] = [whole_text(content)]
            plain[passage] = self._briefing_texts[version]
        return default, plain, _through_engine(plain)


def _through_engine(groups: dict[str, list[str]]) -> dict[str, list[str]]:
    return {group: [redact_text(unit) for unit in units] for group, units in groups.items()}


def evaluate_exports(
    service: Any, planted: Planted, *, get: Get | None = None, paths: Iterable[str] = PATHS
) -> dict[str, Any]:
    """Per path: planted identifiers exposed, leaked and missed by the engine on the same
    texts, recall (1 - leaked / exposed), and the identifiers that leaked."""
    reader = _Path(service, planted, get)
    figures: dict[str, Any] = {}
    for name in paths:
        default, plain, engine = reader.groups(name)
        exposed = _count(planted, plain)
        leaked = _count(planted, default)
        missed = _count(planted, engine)
        # Kinds the engine looks for; others (school names) are planted only to be counted.
        known = [s for s in exposed if s["kind"] in KINDS]
        known_leaked = [s for s in leaked if s["kind"] in KINDS]
        figures[name] = {
            "exposed": len(exposed),
            "leaked": len(leaked),
            "engine_missed": len(missed),
            "recall": _recall(leaked, exposed),
            "recall_engine_kinds": _recall(known_leaked, known),
            "redacted_as_engine": len(leaked) == len(missed),
            "leaks": [
                {"passage": s["passage"], "kind": s["kind"], "text": s["text"]} for s in leaked
            ],
        }
    return figures


def _recall(leaked: list, exposed: list) -> float | None:
    return round(1 - len(leaked) / len(exposed), 4) if exposed else None


def run_export_evaluation(set_path: str | Path) -> dict[str, Any]:
    """Plant the set into a new temporary store (SQLite), evaluate every path, and remove it."""
    from caselearn.config import Settings
    from caselearn.redaction.evaluate import evaluate_redaction, load_set
    from caselearn.services import CaseLearn

    passages = load_set(set_path)
    with tempfile.TemporaryDirectory(prefix="caselearn-redaction-") as folder:
        home = Path(folder)
        settings = Settings(
            home=home, database_url=f"sqlite:///{home / 'evaluation.db'}", code_on_ingest=False
        )
        service = CaseLearn.open(settings)
        try:
            planted = plant(service, passages)
            paths = evaluate_exports(service, planted)
        finally:
            service.close()
    engine = evaluate_redaction(set_path)
    return {"passages": len(passages), "engine": engine, "paths": paths}


def format_exports_report(result: dict[str, Any]) -> str:
    """A plain-text table of ``run_export_evaluation``'s figures."""
    engine = result["engine"]["overall"]
    lines = [
        f"Planted identifiers through every export: {result['passages']} passages, "
        f"{engine['planted']} identifiers",
        f"(engine recall on the passages themselves {engine['recall']:.3f})",
        f"  {'path':<15}{'exposed':>8}{'leaked':>7}{'recall':>7}{'engine kinds':>13}"
        f"{'engine missed':>14}{'same':>6}",
    ]
    for name, f in result["paths"].items():
        lines.append(
            f"  {name:<15}{f['exposed']:>8}{f['leaked']:>7}{_fmt(f['recall']):>7}"
            f"{_fmt(f['recall_engine_kinds']):>13}{f['engine_missed']:>14}"
            f"{'yes' if f['redacted_as_engine'] else 'NO':>6}"
        )
    kinds: dict[str, int] = {}
    for f in result["paths"].values():
        for leak in f["leaks"]:
            kinds[leak["kind"]] = kinds.get(leak["kind"], 0) + 1
    if kinds:
        lines.append(
            "  leaks by kind, all paths: "
            + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items(), key=lambda kv: -kv[1]))
        )
    lines.append("  engine kinds: recall without kinds the engine does not look for (schools)")
    lines.append("  same: leaked exactly what the engine misses on the texts this path redacts")
    return "\n".join(lines)


def _fmt(value: float | None) -> str:
    return "  -  " if value is None else f"{value:.3f}"


__all__ = [
    "PATHS",
    "Planted",
    "evaluate_exports",
    "format_exports_report",
    "plant",
    "readable",
    "run_export_evaluation",
]
