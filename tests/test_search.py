"""The knowledge hub as a library, on a real database (SQLite, or PostgreSQL with
CASELEARN_TEST_DATABASE_URL): passages and offsets, hybrid search, facets, similar reviews,
index updates, bad input, the visible-reviews scope, and relevance measures."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select, text

from caselearn.schemas import ChildUpdate, CodeAdd, CodeDecision, ReviewUpdate
from caselearn.search.facets import parse_facets
from caselearn.search.fusion import group_by_review, rrf
from caselearn.search.highlight import highlight
from caselearn.search.metrics import ndcg_at, recall_at
from caselearn.search.passages import split_passages
from caselearn.search.query import InvalidSearch, parse_query
from caselearn.search.scope import SearchScope
from caselearn.services import CaseLearn, NotFound
from caselearn.store import search_index as ix
from caselearn.store.models import Passage

# Three short fictional reviews on different subjects; the father review has two pages.
FATHER = (
    "Child Safeguarding Practice Review: Baby P\n\n"
    "Findings\n\n"
    "The father was never seen by the health visitor. Professionals did not ask who lived in "
    "the household, and the father's history of violence was held by the police alone.\n\n"
    "The mother had postnatal depression and was treated by her GP.\f"
    "Recommendations\n\n"
    "Maternity services should invite fathers and male carers to antenatal appointments and "
    "record their names."
)
INSULIN = (
    "Rapid Review: Child R\n\n"
    "Child R was twelve and had type 1 diabetes. She stopped injecting insulin and was not "
    "brought to four clinic appointments. The pharmacy saw that insulin was not collected. "
    "She died of diabetic ketoacidosis."
)
WINDOW = (
    "Initial Case Review: Child E\n\n"
    "Child E, aged two, fell from a bedroom window of a second floor flat. The window "
    "restrictor had been reported broken to housing services four months earlier, and the "
    "repair was logged as routine."
)


@pytest.fixture
def service(settings):  # type: ignore[no-untyped-def]
    """Without coding on ingest, so the codes a test relies on are the ones it adds."""
    instance = CaseLearn.open(settings.model_copy(update={"code_on_ingest": False}))
    yield instance
    instance.close()


def build_hub(service: CaseLearn) -> dict[str, int]:
    """Three reviews in two committees, with codes, children, years and publication."""
    father = service.ingest_bytes(
        "baby-p.txt", FATHER.encode(), committee="Eastwick Partnership", review_type="cspr"
    )
    insulin = service.ingest_bytes(
        "child-r.txt",
        INSULIN.encode(),
        committee="Northmoor Partnership",
        review_type="rapid_review",
    )
    window = service.ingest_bytes(
        "child-e.txt", WINDOW.encode(), committee="Northmoor Partnership", review_type="icr"
    )
    ids = {"father": father.review_id, "insulin": insulin.review_id, "window": window.review_id}
    documents = {"father": father.document_id, "insulin": insulin.document_id}
    documents["window"] = window.document_id
    for name, year in (("father", 2022), ("insulin", 2023), ("window", 2022)):
        service.update_review(ids[name], ReviewUpdate(year=year))
    service.publish_review(ids["father"])

    def code(name: str, code_id: str, quote: str) -> None:
        service.add_code(
            ids[name], CodeAdd(code=code_id, document_id=documents[name], page=1, quote=quote)
        )

    code("father", "theme.male_carers", "The father was never seen")
    code("father", "family.parental_mental_health", "postnatal depression")
    code("father", "theme.information_sharing", "held by the police alone")
    code("insulin", "harm.death_health_condition", "diabetic ketoacidosis")
    code("insulin", "theme.non_engagement", "not brought to four clinic appointments")
    code("insulin", "theme.information_sharing", "The pharmacy saw")
    code("window", "harm.accident", "fell from a bedroom window")
    code("window", "theme.information_sharing", "reported broken to housing services")
    service.update_child(ids["father"], None, ChildUpdate(label="Baby P", age_band="<1"))
    service.update_child(ids["insulin"], None, ChildUpdate(label="Child R", age_band="11-17"))
    service.update_child(ids["window"], None, ChildUpdate(label="Child E", age_band="1-2"))
    return ids


# --- the pure room ------------------------------------------------------------------------


def test_passages_keep_page_offsets_into_the_stored_text():
    pages = [(1, FATHER.split("\f")[0]), (2, FATHER.split("\f")[1])]
    passages = split_passages(pages)
    assert {p.page for p in passages} == {1, 2}
    for passage in passages:
        assert dict(pages)[passage.page][passage.start : passage.end] == passage.text
    # A heading opens a passage and stays with the text under it.
    assert passages[-1].text.startswith("Recommendations")
    assert "invite fathers" in passages[-1].text


def test_passages_are_about_a_paragraph_and_leave_out_contents_pages():
    body = "\n\n".join(
        f"Paragraph {n}. The health visitor recorded the concern and shared it with the school."
        for n in range(30)
    )
    contents = (
        "Contents\n1. Introduction ........ 3\n2. Findings ........ 5\n3. Learning ........ 9\n"
    )
    passages = split_passages([(1, contents + "\n" + body)])
    assert len(passages) > 3
    assert all(len(p.text) <= 1200 for p in passages)
    assert not any("........" in p.text for p in passages)


def test_query_parsing_neutralises_syntax_and_keeps_phrases():
    parsed = parse_query('"rule of optimism" AND NOT (father*) OR NEAR(x) ^col:y \'; DROP--')
    assert ["rule", "of", "optimism"] in parsed.phrases
    assert {"father", "near", "col", "drop"} <= set(parsed.terms)
    assert all(term.isalnum() for term in parsed.terms)
    assert parsed.fts5().count('"') % 2 == 0
    assert "'" not in "".join(parsed.terms)


def test_long_queries_are_shortened_and_say_so():
    parsed = parse_query(" ".join(f"word{n}" for n in range(5000)))
    assert parsed.truncated
    assert len(parsed.text) <= 1000
    assert len(parsed.terms) == 32
    assert parse_query("   ").empty


def test_facet_syntax_and_clear_errors():
    selection = parse_facets(
        ["theme:male_carers", "harm.neglect", "review_type:scr", "age_band:<1", "published:YES"]
    )
    assert selection.codes == ["theme.male_carers", "harm.neglect"]
    assert selection.values["published"] == ["yes"]
    with pytest.raises(InvalidSearch, match="unknown facet 'colour'"):
        parse_facets(["colour:red"])
    with pytest.raises(InvalidSearch, match="age band"):
        parse_facets(["age_band:teen"])
    with pytest.raises(InvalidSearch, match="four-digit year"):
        parse_facets(["year:20x2"])
    with pytest.raises(InvalidSearch, match="unknown code theme.made_up"):
        parse_facets(["theme:made_up"], known_codes={"theme.male_carers"})
    with pytest.raises(InvalidSearch, match="NAME:VALUE"):
        parse_facets(["neglect"])


def test_highlight_escapes_everything_then_marks_word_families():
    html = str(highlight("<script>alert(1)</script> Engagement & engaging fathers", ["engaging"]))
    assert "<script>" not in html
    assert "&lt;script&gt;" in html and "&amp;" in html
    assert html.count("<mark>") == 2
    assert "<mark>Engagement</mark>" in html


def test_rank_fusion_and_grouping_by_review():
    fused = rrf([[1, 2, 3], [3, 1, 4]])
    assert max(fused, key=fused.get) == 1
    hits = group_by_review(fused, {1: 10, 2: 20, 3: 10, 4: 30})
    assert [h.review_id for h in hits][0] == 10
    assert hits[0].passages == [1, 3]
    assert len({h.review_id for h in hits}) == len(hits)


def test_relevance_measures():
    relevant = {1: 2, 2: 1, 3: 1}
    assert recall_at([1, 9, 2], relevant, k=10) == pytest.approx(2 / 3)
    assert ndcg_at([1, 2, 3], relevant) == pytest.approx(1.0)
    assert ndcg_at([9, 8, 7], relevant) == 0.0
    assert ndcg_at([2, 1, 3], relevant) < ndcg_at([1, 2, 3], relevant)


# --- search on the store ----------------------------------------------------------------------


def test_ingest_indexes_passages_with_offsets_and_embeddings(service):
    ids = build_hub(service)
    with service.db.session() as session:
        passages = list(session.scalars(select(Passage).where(Passage.review_id == ids["father"])))
    assert {p.page for p in passages} == {1, 2}
    document = service.get_review(ids["father"]).documents[0]
    texts = {page.number: page.text for page in service.document_pages(document.id)}
    for passage in passages:
        assert texts[passage.page][passage.start : passage.end] == passage.text
        assert len(passage.embedding) == 256 * 2


def test_words_find_the_review_with_highlighted_passages_one_result_per_review(service):
    ids = build_hub(service)
    result = service.search("father health visitor")
    assert result.results[0].review_id == ids["father"]
    assert len({hit.review_id for hit in result.results}) == len(result.results)
    best = result.results[0]
    assert best.committee == "Eastwick Partnership" and best.published and best.year == 2022
    assert "<mark>father</mark>" in best.passages[0].highlighted
    pages = {p.number: p.text for p in service.document_pages(best.passages[0].document_id)}
    for passage in best.passages:
        assert pages[passage.page][passage.start : passage.end] == passage.text


def test_meaning_finds_a_review_that_shares_no_words_with_the_query(service):
    ids = build_hub(service)
    query = "blood sugar medicine for a diabetic youngster"
    assert "insulin" not in query
    result = service.search(query, mode="semantic")
    assert result.results[0].review_id == ids["insulin"]
    hybrid = service.search(query)
    assert hybrid.results[0].review_id == ids["insulin"]


def test_phrases_match_words_in_order(service):
    ids = build_hub(service)
    found = service.search('"window restrictor"', mode="lexical")
    assert [h.review_id for h in found.results] == [ids["window"]]
    assert service.search('"restrictor window"', mode="lexical").results == []


def test_facet_counts_and_combined_filters(service):
    ids = build_hub(service)
    browse = service.search("")
    assert browse.total == 3
    counts = {v["value"]: v["count"] for v in browse.facets["theme"]["values"]}
    assert counts["information_sharing"] == 3 and counts["male_carers"] == 1
    assert {v["value"]: v["count"] for v in browse.facets["committee"]["values"]} == {
        "Northmoor Partnership": 2,
        "Eastwick Partnership": 1,
    }
    assert {v["value"]: v["count"] for v in browse.facets["year"]["values"]} == {
        "2022": 2,
        "2023": 1,
    }
    assert {v["value"]: v["count"] for v in browse.facets["published"]["values"]} == {
        "no": 2,
        "yes": 1,
    }
    narrowed = service.search("", ["committee:Northmoor Partnership", "year:2022"])
    assert [h.review_id for h in narrowed.results] == [ids["window"]]
    both_years = service.search("", ["year:2022", "year:2023"])
    assert both_years.total == 3
    codes = service.search("", ["theme:information_sharing", "harm.accident"])
    assert [h.review_id for h in codes.results] == [ids["window"]]
    babies = service.search("appointments", ["age_band:<1"])
    assert {h.review_id for h in babies.results} <= {ids["father"]}
    ages = {v["value"]: v for v in babies.facets["age_band"]["values"]}
    assert ages["<1"]["selected"] and ages["<1"]["count"] == 1
    assert service.search("insulin", ["review_type:icr"]).results == []


def test_facets_count_the_reviews_the_query_found(service):
    build_hub(service)
    result = service.search("insulin ketoacidosis", mode="lexical")
    assert result.total == 1
    assert {v["value"] for v in result.facets["harm"]["values"]} == {"death_health_condition"}


def test_facets_past_the_time_limit_say_so_and_results_still_come(settings):
    limited = settings.model_copy(update={"code_on_ingest": False, "search_facet_time_limit_ms": 0})
    service = CaseLearn.open(limited)
    try:
        build_hub(service)
        result = service.search("father")
        assert result.results
        assert result.facets_timed_out
        assert all(f["timed_out"] and f["values"] == [] for f in result.facets.values())
        assert any("took too long" in m for m in result.messages)
    finally:
        service.close()


def test_a_slow_facet_query_is_interrupted_and_the_session_goes_on(service):
    slow = (
        "SELECT count(*) FROM (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
        "WHERE i < 100000000) SELECT i FROM n) AS counted"
    )
    with service.db.session() as session:
        with pytest.raises(ix.TimedOut), ix.time_limit(session, 50):
            session.execute(text(slow))
        assert session.execute(text("SELECT 1")).scalar() == 1


def test_corrections_update_facets_and_similar_reviews(service):
    ids = build_hub(service)
    before = service.similar_reviews(ids["insulin"])
    assert any("theme.information_sharing" in {c.code for c in s.shared_codes} for s in before)
    service.decide_code(ids["window"], "theme.information_sharing", CodeDecision(status="rejected"))
    counts = {v["value"]: v["count"] for v in service.search("").facets["theme"]["values"]}
    assert counts["information_sharing"] == 2
    after = {s.review_id: s for s in service.similar_reviews(ids["insulin"])}
    assert "theme.information_sharing" not in {c.code for c in after[ids["window"]].shared_codes}


def test_a_new_document_is_searchable_at_once(service):
    build_hub(service)
    assert service.search("paddling pool", mode="lexical").results == []
    service.search("paddling pool")  # the vector cache is built now and must notice the change
    added = service.ingest_bytes(
        "child-z.txt", b"Child Z drowned in a garden paddling pool on a summer afternoon."
    )
    found = service.search("paddling pool")
    assert found.results[0].review_id == added.review_id
    assert service.search("toddler drowned in water", mode="semantic").results


def test_reindex_rebuilds_every_passage(service):
    ids = build_hub(service)
    with service.db.session() as session:
        session.execute(text("DELETE FROM passages"))
        ix.bump(session, passages=True)
    assert service.search("insulin").results == []
    summary = service.reindex()
    assert summary["documents"] == 3 and summary["passages"] >= 4
    assert service.search("insulin").results[0].review_id == ids["insulin"]


def test_similar_reviews_by_codes_and_text(service):
    ids = build_hub(service)
    other = service.ingest_bytes(
        "baby-q.txt",
        b"Repository summary: Baby Q. The father was not seen or assessed before the birth, and "
        b"the mother's depression was known to her GP.",
        committee="Afonfach Board",
    )
    document = other.document_id
    service.add_code(
        other.review_id,
        CodeAdd(
            code="theme.male_carers", document_id=document, page=1, quote="father was not seen"
        ),
    )
    similar = service.similar_reviews(other.review_id)
    assert similar[0].review_id == ids["father"]
    assert "theme.male_carers" in {c.code for c in similar[0].shared_codes}
    assert other.review_id not in {s.review_id for s in similar}
    with pytest.raises(NotFound):
        service.similar_reviews(99999)


def test_more_like_this_passage_finds_other_reviews(service):
    ids = build_hub(service)
    passage = service.search("fathers male carers antenatal").results[0].passages[0]
    like = service.search(like=passage.id)
    assert like.mode == "semantic"
    assert ids["father"] not in {h.review_id for h in like.results}
    with pytest.raises(NotFound):
        service.search(like=123456)


def test_scope_limits_search_facets_and_similar_to_visible_reviews(service):
    ids = build_hub(service)
    with service.db.session() as session:
        northmoor = session.execute(
            text("SELECT id FROM committees WHERE name = 'Northmoor Partnership'")
        ).scalar()
    own = SearchScope(committee_ids=frozenset({northmoor}), published=False)
    assert {h.review_id for h in service.search("", scope=own).results} == {
        ids["insulin"],
        ids["window"],
    }
    assert service.search("father", scope=own, mode="lexical").results == []
    theme = {v["value"] for v in service.search("", scope=own).facets["theme"]["values"]}
    assert "male_carers" not in theme
    with_published = SearchScope(committee_ids=frozenset({northmoor}))
    assert service.search("father", scope=with_published).results[0].review_id == ids["father"]
    similar = service.similar_reviews(ids["insulin"], scope=own)
    assert ids["father"] not in {s.review_id for s in similar}


BAD_QUERIES = [
    '"',
    '""',
    "'",
    "a AND",
    "OR OR OR",
    "NOT",
    "NEAR(father health, 2)",
    "father*",
    "^father",
    "text:father",
    "(father",
    "{father}",
    "father -visitor",
    "'; DROP TABLE reviews; --",
    "%_%",
    "\\",
    "\x00father",
    "ÆØÅ ünïcödé 汉字 🙂",
    "the of and",
]


@pytest.mark.parametrize("query", BAD_QUERIES)
def test_bad_queries_give_sensible_results_not_errors(service, query):
    build_hub(service)
    for mode in ("hybrid", "lexical", "semantic"):
        result = service.search(query, mode=mode)
        assert result.total >= len(result.results)
    assert service.search("father").results  # nothing was dropped


def test_a_ten_thousand_character_query_is_shortened(service):
    ids = build_hub(service)
    result = service.search("father " * 1500)
    assert result.truncated and any("shortened" in m for m in result.messages)
    assert result.results[0].review_id == ids["father"]


def test_empty_query_browses_newest_first_with_paging(service):
    ids = build_hub(service)
    first = service.search("", per_page=2)
    assert first.total == 3 and first.pages == 2 and len(first.results) == 2
    second = service.search("", per_page=2, page=2)
    assert len(second.results) == 1
    assert {h.review_id for h in first.results + second.results} == set(ids.values())
    assert first.results[0].year == 2023


def test_unknown_facets_and_modes_are_refused_by_name(service):
    with pytest.raises(InvalidSearch, match="unknown facet 'bogus'"):
        service.search("father", ["bogus:1"])
    with pytest.raises(InvalidSearch, match="unknown code harm.made_up"):
        service.search("father", ["harm.made_up"])
    with pytest.raises(InvalidSearch, match="unknown mode"):
        service.search("father", mode="psychic")


def test_evaluate_search_reports_recall_and_ndcg_per_mode(service, tmp_path):
    folder = tmp_path / "documents"
    folder.mkdir()
    (folder / "p.txt").write_text(FATHER)
    (folder / "r.txt").write_text(INSULIN)
    (folder / "e.txt").write_text(WINDOW)
    queries = tmp_path / "queries.json"
    queries.write_text(
        json.dumps(
            {
                "queries": [
                    {"id": "a", "query": "insulin and diabetes", "relevant": {"r.txt": 2}},
                    {"id": "b", "query": "broken window restrictor", "relevant": {"e.txt": 2}},
                ]
            }
        )
    )
    figures = service.evaluate_search(queries, folder)
    assert figures["queries"] == 2 and figures["reviews"] == 3
    for mode in ("hybrid", "lexical", "semantic"):
        assert 0 <= figures["modes"][mode]["ndcg_at_10"] <= 1
    assert figures["modes"]["lexical"]["recall_at_10"] == 1.0
    assert figures["per_query"][0]["lexical"]["ndcg"] == 1.0
    queries.write_text(json.dumps({"queries": [{"query": "x", "relevant": {"nope.txt": 1}}]}))
    with pytest.raises(ValueError, match="nope.txt"):
        service.evaluate_search(queries, folder)
