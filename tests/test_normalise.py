from caselearn.ingest.normalise import (
    join_hyphenated,
    normalise_pages,
    reflow,
    strip_running_lines,
    tidy_whitespace,
)


def test_hyphen_at_line_end_is_joined_for_split_words():
    assert join_hyphenated("the assess-\nment of risk") == "the assessment of risk"


def test_hyphen_is_kept_for_compound_prefixes():
    assert join_hyphenated("a multi-\nagency meeting") == "a multi-agency meeting"


def test_document_vocabulary_decides_between_forms():
    vocabulary = {"decision-making"}
    assert (
        join_hyphenated("the decision-\nmaking was slow", vocabulary)
        == "the decision-making was slow"
    )


def test_soft_hyphen_from_pdf_text_layer_is_removed():
    assert join_hyphenated("chrono\u00ad\nlogy") == "chronology"


def test_running_header_footer_and_page_numbers_are_removed():
    pages = [
        f"Glenbrae CPC - OFFICIAL SENSITIVE\nBody text of page {n} about Child K.\n"
        f"More body text.\nSignificant Case Review: Child K Page {n} of 4"
        for n in range(1, 5)
    ]
    cleaned = strip_running_lines(pages)
    for n, page in enumerate(cleaned, start=1):
        assert "OFFICIAL SENSITIVE" not in page
        assert "Page" not in page
        assert f"Body text of page {n} about Child K." in page


def test_lines_repeated_on_few_pages_are_kept():
    pages = ["Findings\nOne.", "Findings\nTwo.", "Other\nThree.", "Other\nFour.", "Else\nFive."]
    assert strip_running_lines(pages)[0].startswith("Findings")


def test_whitespace_is_tidied_and_paragraphs_kept():
    assert tidy_whitespace("a \t b\u00a0c\n\n\n\nd  ") == "a b c\n\nd"


def test_reflow_joins_wrapped_lines_inside_a_sentence_only():
    assert reflow("the health visitor\nwas not told.\nThe school") == (
        "the health visitor was not told.\nThe school"
    )


def test_pipeline_keeps_one_text_per_page():
    pages = normalise_pages(["Page one text.", "Page two text."])
    assert pages == ["Page one text.", "Page two text."]
