"""The codebook data file, its validator and a committee's own codes."""

import pytest

from caselearn.codebook import (
    CORE_IDS,
    CodebookError,
    core_codebook,
    parse_codebook,
    parse_custom_codes,
)

MINIMAL = """
version: "t1"
codes:
  - id: theme.information_sharing
    label: Information sharing
    definition: Sharing between agencies.
    questions: ["a?", "b?"]
"""


def test_core_codebook_has_every_domain_identifier_with_questions():
    book = core_codebook()
    assert {code.id for code in book.codes} >= CORE_IDS
    for code in book.codes:
        assert code.definition and len(code.questions) >= 2, code.id
        if code.category in ("theme", "family", "child", "harm"):
            assert len(code.indicative) >= 12, code.id
            assert code.include and code.exclude, code.id
    assert {c.fatal for c in book.in_category("harm")} == {True, False}


def test_duplicate_identifier_is_refused():
    text = MINIMAL + MINIMAL.split("codes:\n", 1)[1]
    with pytest.raises(CodebookError, match="duplicate identifiers: theme.information_sharing"):
        parse_codebook(text, require_core=False)


@pytest.mark.parametrize(
    "bad, message",
    [
        ("id: wrongcategory.x_y", "unknown category"),
        ("id: Theme Sharing", "not an identifier"),
    ],
)
def test_unknown_or_malformed_identifier_is_refused(bad, message):
    text = MINIMAL.replace("id: theme.information_sharing", bad)
    with pytest.raises(CodebookError, match=message):
        parse_codebook(text, require_core=False)


def test_missing_core_identifiers_are_named():
    with pytest.raises(CodebookError, match="missing core identifiers: .*family.domestic_abuse"):
        parse_codebook(MINIMAL)


def test_invalid_yaml_is_a_clear_error():
    with pytest.raises(CodebookError, match="not valid YAML"):
        parse_codebook("codes: [unclosed", source="mine.yaml")


def test_committee_codes_extend_the_codebook_and_its_version(service):
    codes = parse_custom_codes(
        """
- id: theme.neglect_toolkit
  label: Use of the neglect toolkit
  definition: Whether the local neglect toolkit was used.
  indicative: [neglect toolkit, graded care profile]
  questions: ["Was the toolkit used?", "What did it show?"]
""",
        source="ours.yaml",
        committee="Riverside CPC",
    )
    before = service.codebook().version
    service.add_custom_codes([c.to_dict() for c in codes], committee="Riverside CPC")
    book = service.codebook()
    assert "theme.neglect_toolkit" in book
    assert book.version != before and book.version.startswith(before)
    with pytest.raises(CodebookError, match="reuse existing identifiers"):
        service.add_custom_codes([c.to_dict() for c in codes], committee="Riverside CPC")


def test_custom_codes_may_not_rename_core_ones(service):
    with pytest.raises(CodebookError, match="reuse existing identifiers"):
        service.add_custom_codes(
            [{"id": "theme.recording", "label": "x", "definition": "y"}], committee=None
        )
