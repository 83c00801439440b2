"""Recommendations and action plans: extracted and classified from reviews, turned into
actions with owners and dates, monitored by RAG, closed only with evidence of impact."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from caselearn.schemas import (
    ActionCreate,
    ActionPublic,
    ActionUpdate,
    ImpactCreate,
    ImpactPublic,
    ProgressCreate,
    ProgressPublic,
    RecommendationCreate,
    RecommendationPublic,
    RecommendationUpdate,
)
from caselearn.store import queries as q
from caselearn.store.models import (
    Action,
    CodeAssignment,
    Document,
    ImpactEvidence,
    ProgressUpdate,
    RecommendationRow,
    Review,
)
from caselearn.tracker.rag import computed_rag
from caselearn.tracker.spreadsheet import PlanSheet, parse_plan

PLAN_COLUMNS = (
    "review_id",
    "review_title",
    "committee",
    "recommendation_number",
    "recommendation",
    "target",
    "type",
    "pattern",
    "smart_score",
    "action_id",
    "action",
    "lead_agency",
    "owner",
    "due_date",
    "status",
    "progress",
    "rag",
    "rag_reason",
    "latest_update",
    "impact_evidence",
)
# Columns people type into (the rest are numbers, dates, codes and labels): redacted on export.
PLAN_FREE_TEXT = (
    "review_title",
    "recommendation",
    "action",
    "lead_agency",
    "owner",
    "latest_update",
    "impact_evidence",
)


class TrackerMixin:
    """Mixed into CaseLearn."""

    # --- recommendations ------------------------------------------------------------------

    def store_recommendations(
        self, session: Session, review: Review, document_id: int, pages: list[tuple[int, str]]
    ) -> int:
        """Extract, classify and SMART-check the review's recommendations (engine rows are
        replaced; rows a person added or corrected stay)."""
        from caselearn.recommendations import classify, extract_recommendations, smart_check

        codebook = self.codebook()  # type: ignore[attr-defined]
        existing = list(
            session.scalars(
                select(RecommendationRow)
                .where(RecommendationRow.review_id == review.id)
                .options(selectinload(RecommendationRow.actions))
            )
        )
        keep = {(r.kind, r.number, r.text[:200]) for r in existing}
        for row in existing:
            if row.origin == "engine" and not row.person_fields and not row.actions:
                session.delete(row)
                keep.discard((row.kind, row.number, row.text[:200]))
        session.flush()
        added = 0
        for position, found in enumerate(extract_recommendations(pages)):
            if (found.kind, found.number, found.text[:200]) in keep:
                continue
            # Lettered parts ("1a") inherit their list's lead-in ("The CPC should:").
            classes = classify(f"{found.lead_in} {found.text}".strip(), codebook)
            smart = smart_check(found.text)
            session.add(
                RecommendationRow(
                    review_id=review.id,
                    document_id=document_id,
                    position=position,
                    kind=found.kind,
                    number=found.number,
                    text=found.text,
                    page=found.page,
                    start=found.start,
                    end=found.end,
                    end_page=found.end_page,
                    finding=found.finding,
                    target=[c.value for c in classes.target],
                    type=[c.value for c in classes.type],
                    pattern=classes.pattern.value if classes.pattern else None,
                    classification=_classification_json(classes),
                    smart=_smart_json(smart),
                    origin="engine",
                    person_fields=[],
                )
            )
            added += 1
        return added

    def recommendations(
        self, review_id: int, *, today: dt.date | None = None
    ) -> list[RecommendationPublic]:
        today = today or dt.date.today()
        with self.db.session() as session:  # type: ignore[attr-defined]
            self._review(session, review_id)  # type: ignore[attr-defined]
            rows = session.scalars(
                select(RecommendationRow)
                .where(RecommendationRow.review_id == review_id)
                .options(
                    selectinload(RecommendationRow.actions).selectinload(Action.updates),
                    selectinload(RecommendationRow.actions).selectinload(Action.evidence),
                )
                .order_by(
                    RecommendationRow.kind.desc(), RecommendationRow.position, RecommendationRow.id
                )
            )
            return [_recommendation_public(row, today) for row in rows]

    def check_drafts(self, text: str) -> list[dict[str, Any]]:
        """SMART check of draft recommendations: each numbered one on its own, or the whole
        text as one recommendation when it has no list."""
        from caselearn.recommendations import extract_recommendations, smart_check

        # Drafts are all recommendations: read them as a report's recommendations section.
        found = extract_recommendations([(1, f"Recommendations\n\n{text[:100_000]}")])
        drafts = [(r.number, r.text) for r in found if r.kind == "recommendation"]
        return [
            {"number": number, "text": draft, **smart_check(draft).to_dict()}
            for number, draft in (drafts or [("", text.strip())])
            if draft
        ]

    def check_draft_file(self, filename: str, data: bytes) -> list[dict[str, Any]]:
        from caselearn.ingest import extract

        document = extract(filename, data, self.limits)  # type: ignore[attr-defined]
        return self.check_drafts(document.text.replace("\f", "\n"))

    def add_recommendation(
        self, review_id: int, data: RecommendationCreate, *, actor: str = "system"
    ) -> RecommendationPublic:
        from caselearn.recommendations import classify, smart_check

        self._check_rec_codes(data.target, data.type, data.pattern)
        classes = classify(data.text, self.codebook())  # type: ignore[attr-defined]
        with self.db.session() as session:  # type: ignore[attr-defined]
            self._review(session, review_id)  # type: ignore[attr-defined]
            row = RecommendationRow(
                review_id=review_id,
                kind=data.kind,
                number=data.number,
                text=data.text,
                target=data.target
                if data.target is not None
                else [c.value for c in classes.target],
                type=data.type if data.type is not None else [c.value for c in classes.type],
                pattern=data.pattern or (classes.pattern.value if classes.pattern else None),
                classification=_classification_json(classes),
                smart=_smart_json(smart_check(data.text)),
                origin="person",
                position=10_000,
                person_fields=[k for k in ("target", "type", "pattern") if getattr(data, k)],
            )
            session.add(row)
            session.flush()
            q.record_history(
                session,
                actor=actor,
                entity="recommendation",
                entity_id=row.id,
                review_id=review_id,
                action="add",
                after=data.model_dump(),
            )
            return _recommendation_public(row, dt.date.today())

    def update_recommendation(
        self, recommendation_id: int, change: RecommendationUpdate, *, actor: str = "system"
    ) -> RecommendationPublic:
        from caselearn.recommendations import smart_check

        fields = change.model_dump(exclude_unset=True)
        self._check_rec_codes(fields.get("target"), fields.get("type"), fields.get("pattern"))
        with self.db.session() as session:  # type: ignore[attr-defined]
            row = self._recommendation(session, recommendation_id)
            before = {name: getattr(row, name) for name in fields}
            for name, value in fields.items():
                setattr(row, name, value)
            if "text" in fields:
                row.smart = _smart_json(smart_check(row.text))
            row.person_fields = sorted(set(row.person_fields or []) | set(fields))
            q.record_history(
                session,
                actor=actor,
                entity="recommendation",
                entity_id=row.id,
                review_id=row.review_id,
                action="update",
                before=before,
                after=fields,
            )
            session.flush()
            return _recommendation_public(row, dt.date.today())

    def _check_rec_codes(self, target, kinds, pattern) -> None:  # type: ignore[no-untyped-def]
        book = self.codebook()  # type: ignore[attr-defined]
        for prefix, values in (
            ("rec_target.", target or []),
            ("rec_type.", kinds or []),
            ("rec_pattern.", [pattern] if pattern else []),
        ):
            for value in values:
                if not value.startswith(prefix) or value not in book:
                    raise self._invalid(f"{value!r} is not a {prefix[:-1]} code")  # type: ignore[attr-defined]

    # --- actions -----------------------------------------------------------------------------

    def add_action(
        self, recommendation_id: int, data: ActionCreate, *, actor: str = "system"
    ) -> ActionPublic:
        with self.db.session() as session:  # type: ignore[attr-defined]
            recommendation = self._recommendation(session, recommendation_id)
            if data.status == "completed":
                raise self._invalid(  # type: ignore[attr-defined]
                    "a new action cannot start as completed: add it, then record its impact"
                )
            action = Action(
                recommendation=recommendation,
                **data.model_dump(),
                started_on=dt.date.today() if data.status == "in_progress" else None,
            )
            session.add(action)
            session.flush()
            q.record_history(
                session,
                actor=actor,
                entity="action",
                entity_id=action.id,
                review_id=recommendation.review_id,
                action="add",
                after=data.model_dump(mode="json"),
            )
            return _action_public(action, dt.date.today())

    def update_action(
        self, action_id: int, change: ActionUpdate, *, actor: str = "system"
    ) -> ActionPublic:
        fields = change.model_dump(exclude_unset=True)
        with self.db.session() as session:  # type: ignore[attr-defined]
            action = self._action(session, action_id)
            before = {name: _jsonable(getattr(action, name)) for name in fields}
            if fields.get("rag_override") and not (
                fields.get("rag_override_reason") or action.rag_override_reason
            ):
                raise self._invalid("overriding the RAG rating needs a reason")  # type: ignore[attr-defined]
            for name, value in fields.items():
                setattr(action, name, value)
            if fields.get("status") == "in_progress" and action.started_on is None:
                action.started_on = dt.date.today()
            if fields.get("status") == "completed":
                if not action.evidence and not action.closed_reason:
                    raise self._invalid(  # type: ignore[attr-defined]
                        "an action closes only with evidence of impact or a recorded reason "
                        "(closed_reason)"
                    )
                action.completed_on = action.completed_on or dt.date.today()
                action.progress = 100
            q.record_history(
                session,
                actor=actor,
                entity="action",
                entity_id=action.id,
                review_id=action.recommendation.review_id,
                action="update",
                before=before,
                after={k: _jsonable(v) for k, v in fields.items()},
            )
            session.flush()
            return _action_public(action, dt.date.today())

    def add_progress(
        self, action_id: int, data: ProgressCreate, *, actor: str = "system"
    ) -> ActionPublic:
        with self.db.session() as session:  # type: ignore[attr-defined]
            action = self._action(session, action_id)
            action.updates.append(
                ProgressUpdate(actor=actor, text=data.text, progress=data.progress)
            )
            if data.progress is not None:
                action.progress = data.progress
                if action.status == "not_started" and data.progress > 0:
                    action.status, action.started_on = "in_progress", dt.date.today()
            q.record_history(
                session,
                actor=actor,
                entity="action",
                entity_id=action.id,
                review_id=action.recommendation.review_id,
                action="progress",
                after=data.model_dump(),
            )
            session.flush()
            return _action_public(action, dt.date.today())

    def add_impact(
        self, action_id: int, data: ImpactCreate, *, actor: str = "system"
    ) -> ActionPublic:
        with self.db.session() as session:  # type: ignore[attr-defined]
            action = self._action(session, action_id)
            if data.document_id is not None and session.get(Document, data.document_id) is None:
                raise self._not_found(f"document {data.document_id} does not exist")  # type: ignore[attr-defined]
            action.evidence.append(ImpactEvidence(actor=actor, **data.model_dump()))
            q.record_history(
                session,
                actor=actor,
                entity="action",
                entity_id=action.id,
                review_id=action.recommendation.review_id,
                action="impact",
                after=data.model_dump(),
            )
            session.flush()
            return _action_public(action, dt.date.today())

    def actions_due(
        self, within_days: int = 30, *, today: dt.date | None = None
    ) -> list[ActionPublic]:
        """Open actions due within the window or already overdue, soonest first."""
        today = today or dt.date.today()
        limit = today + dt.timedelta(days=within_days)
        with self.db.session() as session:  # type: ignore[attr-defined]
            actions = session.scalars(
                select(Action)
                .where(
                    Action.status != "completed", Action.due_on.is_not(None), Action.due_on <= limit
                )
                .options(
                    selectinload(Action.updates),
                    selectinload(Action.evidence),
                    selectinload(Action.recommendation),
                )
                .order_by(Action.due_on, Action.id)
            )
            return [_action_public(action, today) for action in actions]

    def portfolio(self, *, today: dt.date | None = None) -> dict[str, Any]:
        """The chief officers' view across reviews."""
        today = today or dt.date.today()
        with self.db.session() as session:  # type: ignore[attr-defined]
            actions = [
                _action_public(a, today)
                for a in session.scalars(
                    select(Action).options(
                        selectinload(Action.updates),
                        selectinload(Action.evidence),
                        selectinload(Action.recommendation),
                    )
                )
            ]
            recommendations = list(
                session.scalars(
                    select(RecommendationRow).where(RecommendationRow.kind == "recommendation")
                )
            )
            titles = dict(session.execute(select(Review.id, Review.title)).all())
            themes = session.execute(
                select(CodeAssignment.code, CodeAssignment.review_id).where(
                    CodeAssignment.coder == "",
                    CodeAssignment.status != "rejected",
                    CodeAssignment.code.like("theme.%"),
                )
            ).all()
        open_actions = [a for a in actions if a.status != "completed"]
        by_review_actions: dict[int, list[ActionPublic]] = {}
        for action in actions:
            by_review_actions.setdefault(action.review_id, []).append(action)
        reviews_by_theme: dict[str, set[int]] = {}
        for code, review_id in themes:
            reviews_by_theme.setdefault(code, set()).add(review_id)
        recurring = [
            {
                "theme": code,
                "reviews": [{"id": r, "title": titles.get(r, "")} for r in sorted(ids)],
                "actions": [
                    a.model_dump(
                        mode="json", include={"id", "review_id", "description", "status", "rag"}
                    )
                    for r in sorted(ids)
                    for a in by_review_actions.get(r, [])
                ],
            }
            for code, ids in sorted(reviews_by_theme.items(), key=lambda kv: (-len(kv[1]), kv[0]))
            if len(ids) >= 2
        ]
        return {
            "today": today.isoformat(),
            "counts": {
                "actions": len(actions),
                "open": len(open_actions),
                "red": sum(a.rag == "red" for a in open_actions),
                "amber": sum(a.rag == "amber" for a in open_actions),
                "green": sum(a.rag == "green" for a in open_actions),
                "completed": len(actions) - len(open_actions),
            },
            "overdue": [a for a in open_actions if a.due_on and a.due_on < today],
            "red": [a for a in open_actions if a.rag == "red"],
            "amber": [a for a in open_actions if a.rag == "amber"],
            "completed_without_impact": [
                a for a in actions if a.status == "completed" and not a.evidence
            ],
            "by_target": Counter(t for r in recommendations for t in r.target).most_common(),
            "by_type": Counter(t for r in recommendations for t in r.type).most_common(),
            "by_pattern": Counter(r.pattern for r in recommendations if r.pattern).most_common(),
            "recurring_themes": recurring,
        }

    # --- spreadsheets -------------------------------------------------------------------------

    def import_plan(
        self,
        review_id: int,
        filename: str,
        data: bytes,
        *,
        mapping: dict[str, str] | None = None,
        dry_run: bool = False,
        actor: str = "system",
    ) -> dict[str, Any]:
        """Actions from a committee's existing plan (XLSX or CSV). Rows that cannot be read are
        listed with the reason; nothing is stored unless every readable row stores."""
        from caselearn.recommendations import classify, smart_check

        sheet: PlanSheet = parse_plan(filename, data, mapping)
        report = {
            "file": filename,
            "mapping": sheet.mapping,
            "unmapped_columns": sheet.unmapped,
            "rows_read": len(sheet.rows),
            "problems": [{"row": r, "message": m} for r, m in sheet.problems],
            "recommendations_created": 0,
            "actions_created": 0,
            "actions_already_stored": 0,
            "dry_run": dry_run,
        }
        if dry_run:
            return report
        codebook = self.codebook()  # type: ignore[attr-defined]
        with self.db.session() as session:  # type: ignore[attr-defined]
            self._review(session, review_id)  # type: ignore[attr-defined]
            existing = {
                (r.number or r.text[:200]): r
                for r in session.scalars(
                    select(RecommendationRow).where(
                        RecommendationRow.review_id == review_id,
                        RecommendationRow.kind == "recommendation",
                    )
                )
            }
            stored_actions: dict[int, Counter[tuple[Any, ...]]] = {}
            for row in sheet.rows:
                values = row.values
                key = values.get("recommendation_number") or values.get("recommendation", "")[:200]
                recommendation = existing.get(key)
                if recommendation is None:
                    text = values.get("recommendation") or f"Recommendation {key}".strip()
                    classes = classify(text, codebook)
                    recommendation = RecommendationRow(
                        review_id=review_id,
                        kind="recommendation",
                        number=values.get("recommendation_number", ""),
                        text=text,
                        target=[c.value for c in classes.target],
                        type=[c.value for c in classes.type],
                        pattern=classes.pattern.value if classes.pattern else None,
                        classification=_classification_json(classes),
                        smart=_smart_json(smart_check(text)),
                        origin="import",
                        person_fields=[],
                        position=len(existing),
                    )
                    session.add(recommendation)
                    existing[key] = recommendation
                    report["recommendations_created"] += 1
                # Importing the same plan again (e.g. after a run killed once it had committed)
                # must not store its actions twice; rows repeated within one file still count.
                if recommendation.id is not None:
                    stored = stored_actions.setdefault(
                        recommendation.id,
                        Counter((a.description, a.owner, a.due_on) for a in recommendation.actions),
                    )
                    signature = (values["action"], values.get("owner", ""), row.due_on)
                    if stored[signature] > 0:
                        stored[signature] -= 1
                        report["actions_already_stored"] += 1
                        continue
                progress_text = values.get("progress", "")
                action = Action(
                    recommendation=recommendation,
                    description=values["action"],
                    lead_agency=values.get("lead_agency", ""),
                    owner=values.get("owner", ""),
                    due_on=row.due_on,
                    status=row.status,
                    progress=100 if row.status == "completed" else 0,
                    closed_reason="imported as complete from an earlier plan"
                    if row.status == "completed" and not values.get("impact")
                    else None,
                )
                if progress_text:
                    action.updates.append(ProgressUpdate(actor=actor, text=progress_text))
                impact = values.get("impact", "")
                if impact and impact.lower() not in ("none", "none yet", "n/a", "tbc"):
                    action.evidence.append(
                        ImpactEvidence(kind="other", description=impact, actor=actor)
                    )
                session.add(action)
                report["actions_created"] += 1
            q.record_history(
                session,
                actor=actor,
                entity="review",
                entity_id=review_id,
                action="import_plan",
                after={
                    k: report[k]
                    for k in ("file", "rows_read", "actions_created", "recommendations_created")
                },
            )
        return report

    def plan_rows(
        self, review_id: int | None = None, *, today: dt.date | None = None
    ) -> list[dict[str, Any]]:
        today = today or dt.date.today()
        with self.db.session() as session:  # type: ignore[attr-defined]
            query = (
                select(RecommendationRow, Review)
                .join(Review, Review.id == RecommendationRow.review_id)
                .options(
                    selectinload(RecommendationRow.actions).selectinload(Action.updates),
                    selectinload(RecommendationRow.actions).selectinload(Action.evidence),
                    selectinload(Review.committee),
                )
                .order_by(Review.id, RecommendationRow.position, RecommendationRow.id)
            )
            if review_id is not None:
                query = query.where(Review.id == review_id)
            rows = []
            for recommendation, review in session.execute(query):
                base = {
                    "review_id": review.id,
                    "review_title": review.title,
                    "committee": review.committee.name,
                    "recommendation_number": recommendation.number,
                    "recommendation": recommendation.text,
                    "target": "; ".join(recommendation.target),
                    "type": "; ".join(recommendation.type),
                    "pattern": recommendation.pattern or "",
                    "smart_score": (recommendation.smart or {}).get("score"),
                }
                for action in recommendation.actions or [None]:
                    if action is None:
                        rows.append({**base, **{c: "" for c in PLAN_COLUMNS if c not in base}})
                        continue
                    public = _action_public(action, today)
                    rows.append(
                        {
                            **base,
                            "action_id": action.id,
                            "action": action.description,
                            "lead_agency": action.lead_agency,
                            "owner": action.owner,
                            "due_date": action.due_on.isoformat() if action.due_on else "",
                            "status": action.status,
                            "progress": action.progress,
                            "rag": public.rag,
                            "rag_reason": public.rag_reason,
                            "latest_update": action.updates[-1].text if action.updates else "",
                            "impact_evidence": "; ".join(e.description for e in action.evidence),
                        }
                    )
            return rows

    def export_plan(self, fmt: str, review_id: int | None = None, *, redact: bool = True) -> bytes:
        """One review's plan or every visible plan, with names, addresses, dates of birth and
        identifiers replaced in every text; ``redact=False`` leaves them to those the
        disclosure rule allows (``AccessDenied`` for others)."""
        from caselearn.redaction import redact_text
        from caselearn.services.interchange import _cell

        rows = self.plan_rows(review_id)
        if not redact:
            self.check_unredacted(row["review_id"] for row in rows)  # type: ignore[attr-defined]
        else:
            for row in rows:
                for key in PLAN_FREE_TEXT:
                    if row.get(key):
                        row[key] = redact_text(str(row[key]))
        if fmt == "csv":
            buffer = io.StringIO()
            writer = csv.DictWriter(buffer, fieldnames=PLAN_COLUMNS)
            writer.writeheader()
            writer.writerows({k: _cell(row.get(k, "")) for k in PLAN_COLUMNS} for row in rows)
            return buffer.getvalue().encode("utf-8-sig")
        if fmt == "xlsx":
            from openpyxl import Workbook

            workbook = Workbook()
            sheet = workbook.active
            sheet.title = "Action plan"
            sheet.append(list(PLAN_COLUMNS))
            for row in rows:
                sheet.append([_cell(row.get(c, "")) for c in PLAN_COLUMNS])
            sheet.freeze_panes = "A2"
            output = io.BytesIO()
            workbook.save(output)
            return output.getvalue()
        raise ValueError(f"unknown plan format {fmt!r}; use csv or xlsx")

    # --- helpers -------------------------------------------------------------------------------

    def _recommendation(self, session: Session, recommendation_id: int) -> RecommendationRow:
        row = session.get(RecommendationRow, recommendation_id)
        if row is None:
            raise self._not_found(f"recommendation {recommendation_id} does not exist")  # type: ignore[attr-defined]
        return row

    def _action(self, session: Session, action_id: int) -> Action:
        action = session.scalar(
            select(Action)
            .where(Action.id == action_id)
            .options(
                selectinload(Action.updates),
                selectinload(Action.evidence),
                selectinload(Action.recommendation),
            )
        )
        if action is None:
            raise self._not_found(f"action {action_id} does not exist")  # type: ignore[attr-defined]
        return action


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _classification_json(classes) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    def one(c):  # type: ignore[no-untyped-def]
        return {"value": c.value, "confidence": round(c.confidence, 3), "words": list(c.words)}

    return {
        "target": [one(c) for c in classes.target],
        "type": [one(c) for c in classes.type],
        "pattern": one(classes.pattern) if classes.pattern else None,
    }


def _smart_json(check) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return {
        "score": check.score,
        "missing": list(check.missing),
        "advice": check.advice,
        "criteria": [
            {"name": c.name, "met": c.met, "words": list(c.words), "advice": c.advice}
            for c in check.criteria
        ],
    }


def _action_public(action: Action, today: dt.date) -> ActionPublic:
    rag, reason = computed_rag(
        status=action.status,
        progress=action.progress,
        due_on=action.due_on,
        started_on=action.started_on,
        created_on=(action.created_at or dt.datetime.now()).date(),
        today=today,
    )
    shown, shown_reason = (
        (action.rag_override, f"set by hand: {action.rag_override_reason}")
        if action.rag_override
        else (rag, reason)
    )
    return ActionPublic(
        id=action.id,
        recommendation_id=action.recommendation_id,
        review_id=action.recommendation.review_id,
        description=action.description,
        lead_agency=action.lead_agency,
        owner=action.owner,
        due_on=action.due_on,
        status=action.status,
        progress=action.progress,
        rag=shown,
        rag_reason=shown_reason,
        rag_computed=rag,
        rag_override_reason=action.rag_override_reason,
        closed_reason=action.closed_reason,
        completed_on=action.completed_on,
        updates=[
            ProgressPublic(id=u.id, at=u.at, actor=u.actor, text=u.text, progress=u.progress)
            for u in action.updates
        ],
        evidence=[
            ImpactPublic(
                id=e.id,
                at=e.at,
                actor=e.actor,
                kind=e.kind,  # type: ignore[arg-type]
                description=e.description,
                document_id=e.document_id,
                link=e.link,
            )
            for e in action.evidence
        ],
    )


def _recommendation_public(row: RecommendationRow, today: dt.date) -> RecommendationPublic:
    return RecommendationPublic(
        id=row.id,
        review_id=row.review_id,
        kind=row.kind,
        number=row.number,
        text=row.text,
        page=row.page,
        start=row.start,
        end=row.end,
        end_page=row.end_page,
        document_id=row.document_id,
        finding=row.finding,
        target=list(row.target or []),
        type=list(row.type or []),
        pattern=row.pattern,
        classification=row.classification or {},
        smart=row.smart or {},
        origin=row.origin,
        person_fields=list(row.person_fields or []),
        actions=[_action_public(a, today) for a in (row.actions or [])],
    )
