"""The engine on small texts: presence, negation, sections, evidence offsets, facts."""

import pytest

from caselearn.codebook import core_codebook
from caselearn.coding.agreement import cohen_kappa, compare, krippendorff_alpha_binary
from caselearn.coding.engine import CodingEngine
from caselearn.coding.evaluation import keyword_baseline, score
from caselearn.coding.facts import age_band, extract_facts
from caselearn.coding.negation import assertion
from caselearn.coding.segment import segment


@pytest.fixture(scope="module")
def engine():
    return CodingEngine(core_codebook())


FINDINGS = """Significant Case Review: Child T

Findings

Finding 1. The mother disclosed domestic abuse by her partner to the health visitor, and police
attended three domestic incidents, but the information was not shared with the school.
Finding 2. There was a history of domestic violence in the household that no agency analysed.
Professionals accepted the father's reassurances with an over-optimistic view of his capacity
to change, and did not challenge each other when the plan drifted.

Learning

Practitioners should share information about domestic abuse with all agencies, and managers
should use supervision to test optimism.
"""


def test_present_codes_come_with_exact_evidence(engine):
    coding = engine.code_pages([(1, FINDINGS)])
    present = {r.code: r for r in coding.present}
    assert "family.domestic_abuse" in present
    assert "theme.information_sharing" in present
    for result in present.values():
        assert 0 <= result.confidence <= 1
        for evidence in result.evidence:
            assert FINDINGS[evidence.start : evidence.end] == evidence.text


def test_negated_factor_is_absent(engine):
    text = (
        "Initial Case Review of Child Q\n\nFindings\n\n"
        "There was no evidence of parental substance misuse or drug use in the household. "
        "Domestic abuse was not a feature of this family's history. The child was seen at school "
        "every day and the school nurse shared information with the GP promptly and fully. "
        "The review found that agencies worked together well throughout."
    )
    coding = engine.code_pages([(1, text)])
    present = {r.code for r in coding.present}
    assert "family.parental_substance_misuse" not in present
    assert "family.domestic_abuse" not in present
    negated = next(r for r in coding.results if r.code == "family.domestic_abuse")
    assert negated.negated_evidence


def test_contents_and_references_do_not_count(engine):
    text = (
        "Contents\nDomestic abuse 3\nParental mental health 4\nNeglect 5\n\n"
        "References\nSmith, J. (2019) Domestic abuse and children, London: Example Press.\n\n"
        "Summary\n\nThe review concerns a child who was injured at nursery in a fall from a "
        "climbing frame. Staff responded quickly and the accident was reported properly."
    )
    coding = engine.code_pages([(1, text)])
    present = {r.code for r in coding.present}
    assert "family.domestic_abuse" not in present
    assert "family.parental_mental_health" not in present


def test_blank_and_foreign_text_cannot_be_coded(engine):
    assert engine.code_pages([(1, "   ")]).status == "could_not_code"
    german = (
        "Das Kind wurde von der Mutter vernachlässigt und die Behörden haben nicht "
        "rechtzeitig gehandelt. Die Schule hat die Informationen nicht weitergegeben. "
    ) * 5
    result = engine.code_pages([(1, german)])
    assert result.status == "could_not_code" and "English" in result.message


@pytest.mark.parametrize(
    "sentence, mention, practice, expected",
    [
        ("There was no evidence of domestic abuse.", "domestic abuse", False, "negated"),
        ("Domestic abuse was not a feature of the case.", "Domestic abuse", False, "negated"),
        (
            "If domestic abuse had been disclosed, a referral would follow.",
            "domestic abuse",
            False,
            "hypothetical",
        ),
        (
            "No referral was made despite domestic abuse being reported.",
            "domestic abuse",
            False,
            "asserted",
        ),
        (
            "Information was not shared with the school.",
            "Information was not shared",
            True,
            "asserted",
        ),
        (
            "There were no concerns about information sharing.",
            "information sharing",
            True,
            "negated",
        ),
    ],
)
def test_assertion(sentence, mention, practice, expected):
    start = sentence.index(mention)
    assert assertion(sentence, start, start + len(mention), practice_theme=practice) == expected


def test_segmentation_classifies_sections_and_keeps_offsets():
    text = "Background\nThe family moved.\n\nFindings\nAgencies did not share. The plan drifted."
    segmented = segment([(2, text)])
    kinds = {s.text: s.section.kind for s in segmented.sentences}
    assert kinds["The family moved."] == "case"
    assert kinds["The plan drifted."] == "findings"
    for sentence in segmented.sentences:
        assert sentence.page == 2 and text[sentence.start : sentence.end] == sentence.text


def test_child_facts_from_text(engine):
    text = (
        "This review concerns Child H, a girl who was six years old, and her brother Child K, "
        "who was two. Child H lived with her mother. Child K died in hospital on 3 May 2021 "
        "from a head injury. Child K had been placed in foster care a month before."
    )
    coding = engine.code_pages([(1, text)])
    facts = extract_facts([(1, text)], coding, "Significant Case Review")
    children = {c.label: c.values() for c in facts.children}
    assert children["Child H"]["age_band"] == "5-10" and children["Child H"]["gender"] == "female"
    assert children["Child K"]["age_band"] == "1-2" and children["Child K"]["gender"] == "male"
    assert children["Child K"]["fatal"] == "yes" and children["Child H"]["fatal"] == "no"
    assert children["Child H"]["living"] == "home"
    assert children["Child K"]["living"] == "looked_after"


def test_icr_decision_and_rationale():
    text = (
        "Initial Case Review: Child P\n\nDecision\n\nThe ICR panel decided not to proceed to a "
        "Significant Case Review. The criteria for a Significant Case Review were not met, and "
        "the circumstances will be considered through the SUDI review process instead."
    )
    facts = extract_facts([(1, text)], None, "Initial Case Review: Child P")
    assert facts.review_type.value == "icr"
    assert facts.proceeded.value == "no"
    assert facts.decision_rationale.value == "criteria_not_met"
    assert facts.proceeded.evidence


def test_age_bands():
    assert [age_band(x) for x in (0.2, 1, 2.9, 4, 7, 16, 19)] == [
        "<1",
        "1-2",
        "1-2",
        "3-4",
        "5-10",
        "11-17",
        "18+",
    ]


def test_keyword_baseline_and_scores():
    book = core_codebook()
    found = keyword_baseline(book, "There was no evidence of domestic abuse.")
    assert "family.domestic_abuse" in found  # the baseline cannot see negation
    report = score({"d": {"a", "b"}}, {"d": {"a", "c"}}, ["a", "b", "c"])
    assert (report.codes["a"].tp, report.codes["b"].fn, report.codes["c"].fp) == (1, 1, 1)
    assert report.micro().f1 == pytest.approx(0.5)


def test_agreement_statistics_match_hand_computation():
    # 10 items: both 3, only A 1, only B 1, neither 5.
    assert cohen_kappa(3, 1, 1, 5) == pytest.approx((0.8 - 0.52) / 0.48)
    assert krippendorff_alpha_binary(3, 1, 1, 5) == pytest.approx(1 - 19 * 2 / (8 * 12), rel=1e-6)
    assert cohen_kappa(0, 0, 0, 10) == 1.0  # both coders agree the code is absent everywhere
    per_code, overall = compare({1: {"x"}, 2: set()}, {1: {"x"}, 2: {"x"}}, ["x"])
    assert per_code[0].both == 1 and per_code[0].only_b == 1 and overall.f1 == pytest.approx(2 / 3)
