"""Coding stored reviews: suggestions with evidence, people's decisions kept across re-runs,
corrections with history, training on decisions, and the CLI and API faces."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from caselearn.cli import app
from caselearn.schemas import ChildUpdate, CodeAdd, CodeChange, CodeDecision
from caselearn.services import InvalidChange
from tests.conftest import CORPUS, SEEDS

REPORT = b"""Significant Case Review: Child T
FICTIONAL TEST DOCUMENT.

Background

Child T, a boy aged 3, lived at home with his mother and her partner.

Findings

The mother disclosed domestic abuse by her partner to the health visitor, and police attended
three domestic incidents, but the information was not shared with the nursery. There was a
history of domestic violence that no agency analysed in a chronology. There was no evidence of
parental substance misuse. Child T was seriously injured; the injuries were non-accidental.

Learning

Agencies should share information about domestic abuse and build a multi-agency chronology.
"""


@pytest.fixture
def coded(service):
    result = service.ingest_bytes("child-t.txt", REPORT, review_type="scr")
    return result.review_id


def codes(service, review_id):
    return {c.code: c for c in service.review_coding(review_id).codes}


def test_ingest_codes_the_review_with_evidence_and_facts(service, coded):
    coding = service.review_coding(coded)
    assert coding.status == "coded" and coding.codebook_version
    found = codes(service, coded)
    assert "family.domestic_abuse" in found
    assert "family.parental_substance_misuse" not in found
    page = service.document_pages(service.get_review(coded).documents[0].id)[0].text
    for assignment in found.values():
        assert assignment.status == "suggested" and assignment.origin == "engine"
        for evidence in assignment.evidence:
            assert page[evidence.start : evidence.end] == evidence.text
    child = coding.children[0]
    assert (child.label, child.age_band, child.gender, child.living) == (
        "Child T",
        "3-4",
        "male",
        "home",
    )


def test_decisions_survive_recoding(service, coded):
    found = codes(service, coded)
    service.decide_code(
        coded, "family.domestic_abuse", CodeDecision(status="rejected"), actor="ann"
    )
    kept = next(c for c in found if c != "family.domestic_abuse")
    service.decide_code(coded, kept, CodeDecision(status="accepted"), actor="ann")
    service.code_review(coded)
    after = codes(service, coded)
    assert after["family.domestic_abuse"].status == "rejected"
    assert after[kept].status == "accepted"


def test_person_adds_a_code_by_quote_and_changes_another(service, coded):
    review = service.get_review(coded)
    added = service.add_code(
        coded,
        CodeAdd(
            code="theme.male_carers",
            document_id=review.documents[0].id,
            page=1,
            quote="lived at home with his mother and   her partner",
        ),
        actor="ann",
    )
    assert added.status == "accepted" and added.origin == "person"
    assert added.evidence[0].text == "lived at home with his mother and her partner"
    changed = service.change_code(
        coded, "family.domestic_abuse", CodeChange(new_code="harm.emotional_abuse"), actor="ann"
    )
    assert changed.code == "harm.emotional_abuse" and changed.evidence
    after = codes(service, coded)
    assert after["family.domestic_abuse"].status == "rejected"
    service.code_review(coded)
    assert codes(service, coded)["theme.male_carers"].status == "accepted"
    with pytest.raises(InvalidChange, match="not found"):
        service.add_code(
            coded,
            CodeAdd(
                code="theme.recording",
                document_id=review.documents[0].id,
                page=1,
                quote="words that are not there",
            ),
        )
    with pytest.raises(InvalidChange, match="outside page"):
        service.add_code(
            coded,
            CodeAdd(
                code="theme.recording",
                document_id=review.documents[0].id,
                page=1,
                start=5,
                end=10**6,
            ),
        )


def test_corrected_child_fields_are_not_re_guessed(service, coded):
    child = service.review_coding(coded).children[0]
    service.update_child(
        coded, child.id, ChildUpdate(age_years=4, living="relatives_friends"), actor="ann"
    )
    service.code_review(coded)
    again = service.review_coding(coded).children[0]
    assert (again.age_band, again.living) == ("3-4", "relatives_friends")
    assert set(again.person_fields) == {"age_years", "living"}


def test_every_change_is_in_the_append_only_history(service, coded):
    service.decide_code(
        coded, "family.domestic_abuse", CodeDecision(status="rejected", note="x"), actor="ann"
    )
    history = service.review_history(coded)
    actions = [(h["entity"], h["action"]) for h in history]
    assert ("document", "ingest") in actions and ("review", "code") in actions
    rejected = next(h for h in history if h["action"] == "rejected")
    assert rejected["actor"] == "ann"
    assert rejected["before"]["status"] == "suggested" and rejected["after"]["status"] == "rejected"


def test_short_text_is_marked_could_not_code_and_kept(service):
    result = service.ingest_bytes("tiny.txt", b"Child Z. Review.")
    assert result.status == "ingested"
    assert service.review_coding(result.review_id).status == "could_not_code"


def test_a_two_thousand_page_document_is_coded(service):
    pages = "\f".join(
        f"Page {n}. The health visitor shared information with the school." for n in range(2000)
    ).encode()
    result = service.ingest_bytes("long.txt", pages)
    assert result.pages == 2000
    assert service.review_coding(result.review_id).status == "coded"


def test_training_uses_people_decisions(service, coded, tmp_path):
    service.decide_code(coded, "family.domestic_abuse", CodeDecision(status="accepted"))
    service.decide_code(coded, next(iter(codes(service, coded))), CodeDecision(status="rejected"))
    gold = tmp_path / "gold.json"
    documents = tmp_path / "docs"
    documents.mkdir()
    (documents / "a.txt").write_bytes(REPORT)
    (documents / "b.txt").write_bytes(REPORT.replace(b"domestic", b"household"))
    gold.write_text(
        json.dumps(
            {
                "documents": [
                    {
                        "file": "a.txt",
                        "codes": ["family.domestic_abuse", "theme.information_sharing"],
                    },
                    {"file": "b.txt", "codes": ["theme.information_sharing"]},
                ]
            }
        )
    )
    summary = service.train(gold, documents)
    assert summary["decisions"] == 2 and "decision" in summary["sources"]
    assert service.model_path().exists()
    assert service.load_model()[1].startswith("trained:")


def test_independent_coders_and_agreement(service, coded):
    service.set_independent_coding(
        coded, "ann", ["family.domestic_abuse", "theme.information_sharing"]
    )
    service.set_independent_coding(coded, "bob", ["family.domestic_abuse"])
    result = service.agreement()
    pairs = {(p["a"], p["b"]): p for p in result["pairs"]}
    assert ("ann", "bob") in pairs and ("engine", "ann") in pairs
    assert pairs[("ann", "bob")]["overall"]["f1"] == pytest.approx(2 / 3, abs=1e-3)
    with pytest.raises(InvalidChange, match="unknown codes"):
        service.set_independent_coding(coded, "ann", ["theme.nonsense"])


runner = CliRunner()


def test_cli_code_file_json_shape(tmp_path, cli_env):
    path = tmp_path / "child-t.txt"
    path.write_bytes(REPORT)
    result = runner.invoke(app, ["code", str(path), "--json"], env=cli_env)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {
        "codebook_version",
        "document",
        "review",
        "codes",
        "children",
        "recommendations",
    } <= set(data)
    assert set(data["document"]) == {"path", "sha256", "pages", "characters"}
    assert set(data["review"]) == {"type", "committee", "title", "proceeded", "decision_rationale"}
    for entry in data["codes"]:
        assert set(entry) == {"code", "confidence", "evidence"}
        assert all(set(e) == {"page", "start", "end", "text"} for e in entry["evidence"])
    assert set(data["children"][0]) == {"age_band", "gender", "living", "fatal", "harm"}
    assert data["recommendations"] == []


def test_cli_code_review_accept_reject_and_list(tmp_path, cli_env):
    path = tmp_path / "child-t.txt"
    path.write_bytes(REPORT)
    review_id = json.loads(runner.invoke(app, ["ingest", str(path), "--json"], env=cli_env).stdout)[
        0
    ]["review_id"]
    listed = json.loads(
        runner.invoke(app, ["codes", "list", str(review_id), "--json"], env=cli_env).stdout
    )
    assert listed["status"] == "coded" and listed["codes"]
    first = listed["codes"][0]["code"]
    assert (
        runner.invoke(app, ["codes", "reject", str(review_id), first], env=cli_env).exit_code == 0
    )
    recoded = json.loads(
        runner.invoke(app, ["code", "--review", str(review_id), "--json"], env=cli_env).stdout
    )
    assert {c["code"]: c["status"] for c in recoded["codes"]}[first] == "rejected"
    missing = runner.invoke(
        app, ["codes", "accept", str(review_id), "theme.not_there"], env=cli_env
    )
    assert missing.exit_code == 1 and "no code" in missing.stderr


@pytest.mark.slow
def test_cli_evaluate_prints_engine_and_baseline(cli_env):
    result = runner.invoke(
        app, ["evaluate", "--gold", str(CORPUS / "labels.json"), "--json"], env=cli_env
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    for side in ("engine", "baseline"):
        assert 0 <= data[side]["theme_family"]["f1"] <= 1
        assert "theme.information_sharing" in data[side]["codes"]
    human = runner.invoke(
        app, ["evaluate", "--gold", str(CORPUS / "labels.json")], env={**cli_env, "COLUMNS": "200"}
    )
    assert "baseline" in human.stdout and "theme_family" in human.stdout


@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not present")
def test_evaluate_on_the_held_out_seeds(cli_env):
    gold = CORPUS.parent / "tests" / "gold" / "seeds_labels.json"
    result = runner.invoke(
        app, ["evaluate", "--gold", str(gold), "--documents", str(SEEDS), "--json"], env=cli_env
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["documents"] == 5


def test_api_coding_routes(client):
    created = client.post("/api/ingest", files=[("files", ("t.txt", REPORT))]).json()[0]
    review_id, document_id = created["review_id"], created["document_id"]
    coding = client.get(f"/api/reviews/{review_id}/codes").json()
    code = coding["codes"][0]["code"]
    decided = client.post(
        f"/api/reviews/{review_id}/codes/{code}/decision", json={"status": "accepted"}
    )
    assert decided.json()["status"] == "accepted"
    added = client.post(
        f"/api/reviews/{review_id}/codes",
        json={
            "code": "theme.recording",
            "document_id": document_id,
            "page": 1,
            "quote": "no agency analysed",
        },
    )
    assert added.status_code == 201 and added.json()["evidence"][0]["text"] == "no agency analysed"
    child = coding["children"][0]["id"]
    patched = client.patch(f"/api/reviews/{review_id}/children/{child}", json={"fatal": "no"})
    assert patched.json()["person_fields"] == ["fatal"]
    assert client.post(f"/api/reviews/{review_id}/code").json()["codes"]
    assert client.get("/api/codebook").json()["version"]
    uploaded = client.post("/api/code", files=[("file", ("x.txt", REPORT))]).json()
    assert uploaded["document"]["path"] == "x.txt" and uploaded["codes"]
    bad = client.post(f"/api/reviews/{review_id}/codes/{code}/decision", json={"status": "maybe"})
    assert bad.status_code == 422
    unknown = client.post(
        f"/api/reviews/{review_id}/codes",
        json={"code": "theme.nope", "document_id": document_id, "page": 1, "quote": "x"},
    )
    assert unknown.status_code == 409
