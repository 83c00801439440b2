"""The annual impact self-assessment: each committee answers once a year; the national view
aggregates the answers into the survey tables."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from caselearn.store import queries as q
from caselearn.store.models import SelfAssessment
from caselearn.tracker.survey import (
    DISSEMINATION,
    MONITORING,
    SurveyError,
    choice_table,
    frequency_table,
    validate_answers,
)


class SurveyMixin:
    def survey_questions(self) -> dict[str, Any]:
        book = self.codebook()  # type: ignore[attr-defined]
        return {
            "targets": [(c.id, c.label) for c in book.in_category("rec_target")],
            "types": [(c.id, c.label) for c in book.in_category("rec_type")],
            "monitoring": list(MONITORING),
            "dissemination": list(DISSEMINATION),
        }

    def save_self_assessment(
        self, committee: str, year: int, answers: dict[str, Any], *, actor: str = "system"
    ) -> dict[str, Any]:
        if not 2000 <= year <= 2100:
            raise self._invalid(f"{year} is not a survey year")  # type: ignore[attr-defined]
        questions = self.survey_questions()
        try:
            clean = validate_answers(
                answers, [c for c, _ in questions["targets"]], [c for c, _ in questions["types"]]
            )
        except SurveyError as exc:
            raise self._invalid(str(exc)) from exc  # type: ignore[attr-defined]
        with self.db.session() as session:  # type: ignore[attr-defined]
            owner = q.committee_named(session, committee)
            row = session.scalar(
                select(SelfAssessment).where(
                    SelfAssessment.committee_id == owner.id, SelfAssessment.year == year
                )
            )
            before = dict(row.answers) if row else None
            if row is None:
                row = SelfAssessment(committee_id=owner.id, year=year, answers=clean)
                session.add(row)
            row.answers, row.submitted_by = clean, actor
            session.flush()
            q.record_history(
                session,
                actor=actor,
                entity="self_assessment",
                entity_id=row.id,
                action="save",
                before=before,
                after=clean,
            )
        return {"committee": committee, "year": year, "answers": clean}

    def self_assessment(self, committee: str, year: int) -> dict[str, Any] | None:
        with self.db.session() as session:  # type: ignore[attr-defined]
            owner = q.committee_named(session, committee, create=False)
            if owner is None:
                return None
            row = session.scalar(
                select(SelfAssessment).where(
                    SelfAssessment.committee_id == owner.id, SelfAssessment.year == year
                )
            )
            return {"committee": owner.name, "year": year, "answers": row.answers} if row else None

    def survey_tables(self, year: int) -> dict[str, Any]:
        """The national tables for one year: how much each target and type of recommendation
        changed practice, how committees monitor plans and disseminate learning."""
        questions = self.survey_questions()
        with self.db.session() as session:  # type: ignore[attr-defined]
            rows = list(
                session.scalars(
                    select(SelfAssessment)
                    .where(SelfAssessment.year == year)
                    .options(selectinload(SelfAssessment.committee))
                )
            )
            responses = [row.answers for row in rows]
            committees = sorted(row.committee.name for row in rows)
        return {
            "year": year,
            "respondents": len(responses),
            "committees": committees,
            "tables": {
                "survey_targets": frequency_table(responses, "targets", questions["targets"]),
                "survey_types": frequency_table(responses, "types", questions["types"]),
                "survey_monitoring": choice_table(responses, "monitoring", MONITORING),
                "survey_dissemination": choice_table(responses, "dissemination", DISSEMINATION),
            },
            "evidence": [r.get("evidence") for r in responses if r.get("evidence")],
        }
