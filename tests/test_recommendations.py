"""The recommendations room: extraction (with exact page offsets), classification, the SMART
check and the evaluation, on documents built in memory and on the bundled corpus."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from caselearn.codebook import core_codebook
from caselearn.ingest import extract
from caselearn.recommendations import (
    CRITERIA,
    Recommendation,
    analyse,
    classify,
    extract_recommendations,
    smart_check,
    to_json,
)
from caselearn.recommendations.evaluate import evaluate_recommendations, match_texts
from tests.samples import csv_bytes, docx_bytes, text_pdf, xlsx_bytes

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"


def pages_of(name: str, data: bytes) -> list[tuple[int, str]]:
    """Page texts exactly as caselearn stores them."""
    document = extract(name, data)
    return [(page.number, page.text) for page in document.pages]


def recommendations(pages: list[tuple[int, str]]) -> list[Recommendation]:
    return [r for r in extract_recommendations(pages) if r.kind == "recommendation"]


def check_offsets(pages: list[tuple[int, str]], rec: Recommendation) -> None:
    """The stored page text, sliced at the offsets, holds the recommendation's text."""
    texts = dict(pages)
    if rec.page == rec.end_page:
        span = texts[rec.page][rec.start : rec.end]
    else:
        middle = [texts[n] for n in range(rec.page + 1, rec.end_page)]
        span = " ".join([texts[rec.page][rec.start :], *middle, texts[rec.end_page][: rec.end]])
    assert texts[rec.page][rec.start :].startswith(rec.text.split()[0])
    assert texts[rec.end_page][: rec.end].endswith(rec.text.split()[-1])
    # Apart from line breaks and page furniture, the span is the text.
    words = rec.text.split()
    assert span.split()[: len(words) // 2] == words[: len(words) // 2]
    assert span.split()[-3:] == words[-3:]


def text_doc(text: str) -> list[tuple[int, str]]:
    return pages_of("review.txt", text.encode())


# --- extraction ----------------------------------------------------------------------------

NUMBERED = """Significant Case Review: Child Q

Contents
1. Introduction .......... 2
2. Chronology .......... 3
3. Recommendations .......... 5

1. Introduction
This review looks at the help given to Child Q and her brother.

2. Chronology
1. On 3 March 2019 the health visitor visited and noted a bruise.
2. The social worker should have visited within 24 hours but did not.
3. Police Scotland should share the report, the manager said on 5 March.

Terms of reference
1. The review should consider how agencies shared information.
2. The review should examine supervision arrangements.

3. Recommendations
1. The CPC should:
(a) revise the escalation protocol by June 2025;
(b) audit 20 case files and report the results to the Chief Officers Group.
2a. NHS Glenbrae should add a bruising prompt to the health visiting record.
2b) Police Scotland should share domestic incident reports within one working day.
3) Education services should record what children say about home.

4. Concluding remarks
We thank the family for their help.
"""


def test_numbered_and_lettered_lists_with_offsets() -> None:
    pages = text_doc(NUMBERED)
    recs = recommendations(pages)
    assert [r.number for r in recs] == ["1a", "1b", "2a", "2b", "3"]
    assert recs[0].text == "revise the escalation protocol by June 2025"
    assert recs[0].lead_in == "The CPC should:"
    assert recs[1].text.startswith("audit 20 case files")
    assert recs[3].text == (
        "Police Scotland should share domestic incident reports within one working day."
    )
    for rec in recs:
        assert rec.kind == "recommendation"
        check_offsets(pages, rec)
        text = pages[rec.page - 1][1]
        assert text[rec.start : rec.end] == rec.text
    # Nothing from the contents, the chronology (even "should" sentences), the terms of
    # reference or the closing section.
    every = " ".join(r.text for r in extract_recommendations(pages))
    assert "social worker should have visited" not in every
    assert "Police Scotland should share the report" not in every
    assert "The review should consider" not in every
    assert "thank the family" not in every


def test_recommendation_headings_inline_and_with_the_text_after() -> None:
    pages = text_doc(
        "Recommendations\n\n"
        "Recommendation 1: Supervision\n\n"
        "Social work services should ensure that every practitioner receives reflective\n"
        "supervision at least monthly.\n\n"
        "Recommendation 2 - The Scottish Government should consider national guidance on "
        "pre-birth assessment.\n\n"
        "Recommendation R3: NHS Glenbrae should fund a safeguarding midwife post.\n"
    )
    recs = recommendations(pages)
    assert [r.number for r in recs] == ["1", "2", "R3"]
    assert recs[0].text == (
        "Social work services should ensure that every practitioner receives reflective "
        "supervision at least monthly."
    )
    assert not recs[0].text.startswith("Supervision")
    assert recs[1].text.startswith("The Scottish Government should")
    for rec in recs:
        check_offsets(pages, rec)


def test_bullets_under_recommendations_and_findings_headings() -> None:
    import docx

    document = docx.Document()
    document.add_heading("Learning Review: Child P", 0)
    document.add_paragraph("FICTIONAL TEST DOCUMENT.")
    document.add_heading("Good practice", 1)
    document.add_paragraph("The school acted quickly.", style="List Bullet")
    document.add_heading("Findings", 1)
    document.add_paragraph("Nobody held the whole picture of the family.", style="List Bullet")
    document.add_paragraph("The father was not seen by any agency.", style="List Bullet")
    document.add_heading("Recommendations", 1)
    document.add_paragraph(
        "The CPC should publish a 7-minute briefing on this review.", style="List Bullet"
    )
    document.add_paragraph("Review the supervision policy", style="List Bullet")
    document.add_heading("Questions for reflection", 1)
    document.add_paragraph("Should we ask about fathers at every visit?", style="List Bullet")
    output = io.BytesIO()
    document.save(output)
    pages = pages_of("review.docx", output.getvalue())
    found = extract_recommendations(pages)
    findings = [r for r in found if r.kind == "finding"]
    recs = [r for r in found if r.kind == "recommendation"]
    assert [f.text for f in findings] == [
        "Nobody held the whole picture of the family.",
        "The father was not seen by any agency.",
    ]
    assert [r.text for r in recs] == [
        "The CPC should publish a 7-minute briefing on this review.",
        "Review the supervision policy",
    ]
    assert all(r.number == "" for r in recs)
    for rec in found:
        check_offsets(pages, rec)


def test_table_rows_from_docx_xlsx_and_csv() -> None:
    pages = pages_of("review.docx", docx_bytes())
    recs = recommendations(pages)
    assert [(r.number, r.text) for r in recs] == [
        ("1", "The CPC should audit chronologies."),
        ("2", "All agencies should train staff on professional curiosity."),
        ("3", "Review supervision policy"),
    ]
    row = recs[2]
    assert pages[0][1][row.start : row.end] == "Review supervision policy"
    for name, data, expected in (
        ("plan.xlsx", xlsx_bytes(), "Audit pre-birth assessments"),
        ("plan.csv", csv_bytes(), "Train staff, including GPs, on neglect"),
    ):
        pages = pages_of(name, data)
        recs = recommendations(pages)
        assert [(r.number, r.text) for r in recs] == [("1", expected)]
        assert pages[0][1][recs[0].start : recs[0].end] == expected


def test_headerless_table_rows_under_a_recommendations_heading() -> None:
    pages = text_doc(
        "Recommendations\n"
        "3 | Review supervision policy | Health board\n"
        "4 | Audit chronologies in all open cases | Social work\n\n"
        "Good practice\n"
        "1 | The nursery noticed the bruise | 2019\n"
    )
    recs = recommendations(pages)
    assert [(r.number, r.text) for r in recs] == [
        ("3", "Review supervision policy"),
        ("4", "Audit chronologies in all open cases"),
    ]
    for rec in recs:
        assert pages[0][1][rec.start : rec.end] == rec.text


def test_a_recommendation_that_runs_over_a_page_break() -> None:
    pdf = text_pdf(
        (
            "Review of Child Z\n\nChronology\n\n1. On 2 May 2021 the school should have "
            "referred.\n\n2. On 9 May the GP saw Child Z.\n\nRecommendations\n\n"
            "1. The CPC should revise the neglect toolkit by June 2025.\n\n"
            "2. NHS Glenbrae should add a bruising prompt to the electronic record used by "
            "health visitors and school nurses, so that every bruise seen on a baby who is not "
            "yet mobile is",
            "recorded and discussed with a paediatrician within one working day.\n\n"
            "3. Police Scotland should audit domestic incident reports.\n\nReferences\n\n"
            "1. Smith (2020) Neglect should be seen.",
        ),
        header="Glenbrae CPC",
        footer="Review of Child Z",
    )
    pages = pages_of("review.pdf", pdf)
    recs = recommendations(pages)
    assert [r.number for r in recs] == ["1", "2", "3"]
    second = recs[1]
    assert (second.page, second.end_page) == (1, 2)
    assert second.text.endswith(
        "not yet mobile is recorded and discussed with a paediatrician within one working day."
    )
    assert "Glenbrae CPC" not in second.text and "Page 1" not in second.text
    assert pages[1][1][: second.end].endswith("within one working day.")
    for rec in recs:
        check_offsets(pages, rec)


def test_findings_and_which_finding_a_recommendation_answers() -> None:
    pages = text_doc(
        "Findings\n\n"
        "Finding 1: Information was not shared\n"
        "Health knew about the bruise; social work did not.\n\n"
        "Recommendations\n"
        "1. All partner agencies should agree an information sharing protocol.\n\n"
        "Finding 2: Nobody saw the child alone\n"
        "The child was always seen with her mother.\n\n"
        "Recommendations\n"
        "2. Social work services should see children alone at every visit.\n\n"
        "Other recommendations\n"
        "3. The CPC should publish a 7-minute briefing on the review (Finding 1).\n"
    )
    found = extract_recommendations(pages)
    findings = [r for r in found if r.kind == "finding"]
    assert [(f.number, f.text.split(" Health")[0]) for f in findings[:1]] == [
        ("1", "Information was not shared")
    ]
    assert [f.number for f in findings] == ["1", "2"]
    recs = [r for r in found if r.kind == "recommendation"]
    assert [(r.number, r.finding) for r in recs] == [("1", "1"), ("2", "2"), ("3", "1")]
    for rec in found:
        check_offsets(pages, rec)


def test_findings_block_then_recommendations_block_links_nothing() -> None:
    """Findings listed first and recommendations after do not say which answers which."""
    pages = text_doc(
        "Findings\n\nFinding 1: History was lost\nNo chronology was kept.\n\n"
        "Finding 2: Change was assumed\nNobody tested it.\n\n"
        "Recommendations\n\n1. The CPC should commission training on neglect.\n\n"
        "2. All agencies should keep chronologies.\n"
    )
    recs = recommendations(pages)
    assert [r.finding for r in recs] == [None, None]


def test_numbered_lists_elsewhere_are_not_recommendations() -> None:
    pages = text_doc(
        "Summary of events\n\n"
        "1. The health visitor should visit was written in the plan in May.\n"
        "2. The school made a referral in June.\n\n"
        "Questions for reflection\n\n"
        "1. Should we see every child alone?\n"
        "2. Who should hold the case when it closes?\n\n"
        "Analysis\n\n"
        "1. The father was largely invisible to services.\n"
        "2. Signals of domestic abuse should have led to a discussion with social work.\n"
    )
    assert recommendations(pages) == []


def test_should_items_outside_a_recommendations_section_are_found() -> None:
    """An ICR decision that asks for an action, with no 'Recommendations' heading."""
    pages = text_doc(
        "Decision\n\nThe group asked that the following action is completed:\n\n"
        "1. Glenbrae Police Division should audit every case in which a registered sex "
        "offender lives with a child by 31 January 2021.\n\n"
        "The school is asked to use this case in its training.\n"
    )
    recs = recommendations(pages)
    assert [r.number for r in recs] == ["1"]
    assert recs[0].text.startswith("Glenbrae Police Division should audit every case")


def test_recommendations_repeated_in_the_summary_are_kept_once() -> None:
    pages = text_doc(
        "Executive summary\nThe review makes these recommendations:\n"
        "1. The CPC should revise the pre-birth protocol.\n"
        "2. NHS Glenbrae should fund a safeguarding midwife post.\n\n"
        "Recommendations\n1. The CPC should revise the pre-birth protocol.\n"
        "2. NHS Glenbrae should fund a safeguarding midwife post.\n"
    )
    recs = recommendations(pages)
    assert [r.number for r in recs] == ["1", "2"]
    # The full section's copy is kept.
    assert pages[0][1][: recs[0].start].count("revise the pre-birth protocol") == 1


def test_no_recommendations_and_odd_input() -> None:
    assert extract_recommendations([]) == []
    assert extract_recommendations([(1, "")]) == []
    assert recommendations(text_doc("Introduction\n\nNo recommendations are made.\n")) == []
    # A recommendation of 5,000 words is extracted, classified and checked, and the check
    # says it is too broad.
    long = "The CPC should " + " ".join(["audit supervision files in every team"] * 840) + "."
    recs = recommendations(text_doc(f"Recommendations\n\n1. {long}\n"))
    assert len(recs) == 1 and len(recs[0].text.split()) > 5000
    check = smart_check(recs[0].text)
    assert "realistic" in check.missing
    assert classify(recs[0].text).target[0].value == "rec_target.cpc"


def test_corpus_review_with_page_break_and_table_action_plan() -> None:
    pages = pages_of("04.pdf", (CORPUS / "documents" / "04_riverside_scr_child_h.pdf").read_bytes())
    found = extract_recommendations(pages)
    recs = [r for r in found if r.kind == "recommendation"]
    assert [r.number for r in recs] == [str(n) for n in range(1, 9)]
    assert [r.number for r in found if r.kind == "finding"] == [str(n) for n in range(1, 7)]
    fifth = recs[4]
    assert fifth.end_page == fifth.page + 1
    assert fifth.text.endswith("tested against the child's daily lived experience and recorded.")
    for rec in found:
        check_offsets(pages, rec)
    plan = pages_of(
        "08.xlsx", (CORPUS / "documents" / "08_riverside_action_plan_child_h.xlsx").read_bytes()
    )
    rows = recommendations(plan)
    assert [r.number for r in rows] == [str(n) for n in range(1, 9)]
    assert all(plan[r.page - 1][1][r.start : r.end] == r.text for r in rows)
    assert rows[0].text.startswith("Riverside CPC should commission multi-agency training")


# --- classification --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "target"),
    [
        ("The CPC should commission multi-agency training on neglect.", {"cpc"}),
        ("All partner agencies should update their escalation procedures.", {"multi_agency"}),
        (
            "Police Scotland and NHS Glenbrae should agree a protocol for sharing concerns.",
            {"multi_agency"},
        ),
        (
            "NHS Glenbrae should add a bruising prompt to the health visiting record.",
            {"single_agency"},
        ),
        (
            "Maternity and health visiting services should record the name of every adult male.",
            {"single_agency"},
        ),
        (
            "Chief officers should review caseloads in the children and families teams.",
            {"senior_managers"},
        ),
        (
            "The Scottish Government should amend the national guidance on pre-birth assessment.",
            {"national"},
        ),
        (
            "The Partnership should write to the Department for Education asking for national "
            "guidance on care leavers who become parents.",
            {"national"},
        ),
    ],
)
def test_targets(text: str, target: set[str]) -> None:
    result = classify(text)
    assert {c.value.split(".", 1)[1] for c in result.target} == target
    for code in result.target:
        assert 0.0 <= code.confidence <= 1.0
        assert code.words


def test_types_patterns_confidences_and_cue_words() -> None:
    codebook = core_codebook()
    cases = [
        (
            "The CPC should commission multi-agency training on working with fathers.",
            "rec_type.training",
            None,
        ),
        (
            "Social work services should introduce a multi-agency chronology template held "
            "in the electronic case management system.",
            "rec_type.it_systems",
            "rec_pattern.tools",
        ),
        (
            "The Chief Officers Group should review caseloads and vacancies in the North "
            "Locality team.",
            "rec_type.staffing",
            "rec_pattern.management_systems",
        ),
        (
            "The CPC should promote a culture of professional challenge and curiosity, "
            "including use of the escalation policy.",
            "rec_type.culture_change",
            "rec_pattern.cognitive_emotional_biases",
        ),
    ]
    for text, rec_type, pattern in cases:
        result = classify(text, codebook)
        assert rec_type in {c.value for c in result.type}, (text, result.type)
        if pattern:
            assert result.pattern.value == pattern, (text, result.pattern)
        for code in [*result.target, *result.type, result.pattern]:
            assert code.value in codebook
            assert 0.0 <= code.confidence <= 1.0
        assert result.type[0].words and result.pattern.words
    # Always an answer, even for text that says nothing.
    empty = classify("")
    assert empty.target and empty.type and empty.pattern.value.startswith("rec_pattern.")


def test_a_committees_own_codes_are_used() -> None:
    from caselearn.codebook import code_from_dict

    codebook = core_codebook().with_codes(
        [
            code_from_dict(
                {
                    "id": "rec_type.safe_sleep",
                    "label": "Safe sleep",
                    "definition": "Safe sleep advice and campaigns.",
                    "indicative": ["safe sleep", "co-sleeping"],
                }
            )
        ]
    )
    result = classify(
        "NHS Glenbrae should give safe sleep advice to both parents at every contact.", codebook
    )
    assert result.type[0].value == "rec_type.safe_sleep"
    assert result.type[0].words == ["safe sleep"]


# --- SMART -----------------------------------------------------------------------------------


def test_smart_vague_recommendation_scores_low_with_advice() -> None:
    check = smart_check("Agencies should improve practice.")
    assert check.score <= 2
    assert {"specific", "measurable", "time_bound"} <= set(check.missing)
    assert [c.name for c in check.criteria] == list(CRITERIA)
    specific = next(c for c in check.criteria if c.name == "specific")
    assert not specific.met and "improve practice" in specific.words
    assert "deadline" in check.advice and "how you will know" in check.advice
    nobody = smart_check("Lessons should be learned and practice should always be improved.")
    assert "assigned" in nobody.missing and "realistic" in nobody.missing
    assert "Name who is responsible" in nobody.advice


def test_smart_complete_recommendation_scores_five() -> None:
    check = smart_check(
        "The CPC should audit 40 case files of children registered under neglect and report "
        "the results to the Chief Officers Group by March 2025."
    )
    assert check.score == 5 and check.missing == []
    words = {c.name: c.words for c in check.criteria}
    assert "by March 2025" in words["time_bound"]
    assert "The CPC" in words["assigned"]
    assert "40" in words["measurable"]
    assert check.advice == "This recommendation meets all five SMART criteria."
    within = smart_check(
        "NHS Glenbrae should revise its bruising protocol within six months of publication "
        "and audit its use."
    )
    assert "time_bound" not in within.missing


# --- JSON shape --------------------------------------------------------------------------------


def test_to_json_has_the_code_json_shape() -> None:
    pages = text_doc(NUMBERED)
    rec = recommendations(pages)[2]
    row = to_json(rec, classify(rec.text), smart_check(rec.text))
    assert set(row) >= {
        "number",
        "text",
        "page",
        "start",
        "end",
        "target",
        "type",
        "pattern",
        "smart",
    }
    assert set(row) - {
        "number",
        "text",
        "page",
        "start",
        "end",
        "target",
        "type",
        "pattern",
        "smart",
    } <= {
        "end_page",
        "kind",
        "finding",
    }
    assert row["number"] == "2a" and row["target"] == ["rec_target.single_agency"]
    assert set(row["smart"]) == {"score", "missing", "advice"}
    assert isinstance(row["smart"]["score"], int) and isinstance(row["pattern"], str)
    rows = analyse(pages)
    assert [r["number"] for r in rows] == ["1a", "1b", "2a", "2b", "3"]
    # A lettered part is classified with its lead-in, so its target is the committee.
    assert rows[0]["target"] == ["rec_target.cpc"]


# --- evaluation ------------------------------------------------------------------------------


def test_match_texts_pairs_each_text_once() -> None:
    pairs = match_texts(
        ["The CPC should audit chronologies.", "All agencies should train staff."],
        ["All agencies should train  staff", "The CPC should audit chronologies", "Other."],
    )
    assert sorted((i, j) for i, j, _ in pairs) == [(0, 1), (1, 0)]


def test_evaluation_runs_on_the_corpus_and_reports_figures() -> None:
    files = [
        "01_riverside_icr_window_fall.pdf",
        "02_glenbrae_icr_child_b.docx",
        "05_eastwick_cspr_child_m.docx",
        "19_eastwick_cspr_child_e.html",
        "25_eastwick_cspr_child_e_action_plan.csv",
    ]
    report = evaluate_recommendations(CORPUS / "labels.json", CORPUS / "documents", files=files)
    assert report["documents"] == 5
    for key in ("precision", "recall", "f1", "found", "labelled", "extracted"):
        assert key in report["extraction"] and key in report["baseline"]["extraction"]
    for key in ("target_exact", "target_jaccard", "type_exact", "type_jaccard", "pattern_accuracy"):
        assert 0.0 <= report["classification"][key] <= 1.0
        assert key in report["baseline"]["majority"] and key in report["baseline"]["keyword"]
        assert key in report["learned_lodo"]
    assert report["extraction"]["labelled"] == 18
    assert report["extraction"]["recall"] >= 0.9 and report["extraction"]["precision"] >= 0.9
    assert report["extraction"]["f1"] > report["baseline"]["extraction"]["f1"]
    assert set(report["goals"]) == {
        "extraction_precision",
        "extraction_recall",
        "target_exact",
        "pattern_accuracy",
    }
    # 19 and 25 share their recommendations: the learned model holds them out together.
    assert report["learned_lodo"]["groups"] == 3
