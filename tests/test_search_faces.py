"""The knowledge hub through its faces: the JSON API and pages (TestClient) and the CLI
(CliRunner), on SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from caselearn.cli import app
from caselearn.services import CaseLearn
from tests.test_search import build_hub

runner = CliRunner()


@pytest.fixture
def service(settings):  # type: ignore[no-untyped-def]
    instance = CaseLearn.open(settings.model_copy(update={"code_on_ingest": False}))
    yield instance
    instance.close()


def test_api_search_with_facets_highlights_and_paging(client, service):
    ids = build_hub(service)
    response = client.get("/api/search", params={"q": "father", "facet": ["theme:male_carers"]})
    assert response.status_code == 200
    body = response.json()
    assert [hit["review_id"] for hit in body["results"]] == [ids["father"]]
    passage = body["results"][0]["passages"][0]
    assert "<mark>father</mark>" in passage["highlighted"]
    assert {"document_id", "page", "start", "end", "text"} <= set(passage)
    assert body["facet"] == ["theme:male_carers"]
    assert body["facets"]["theme"]["values"][0]["selected"] is not None
    paged = client.get("/api/search", params={"per_page": 1, "page": 3}).json()
    assert paged["pages"] == 3 and len(paged["results"]) == 1


@pytest.mark.parametrize(
    "params,fragment",
    [
        ({"q": "father", "facet": "colour:red"}, "unknown facet 'colour'"),
        ({"facet": "harm.made_up"}, "unknown code harm.made_up"),
        ({"facet": "age_band:teen"}, "unknown age band"),
    ],
)
def test_api_refuses_unknown_facets_with_422_naming_them(client, service, params, fragment):
    response = client.get("/api/search", params=params)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_search"
    assert fragment in response.json()["error"]["message"]


@pytest.mark.parametrize(
    "q",
    ["x" * 10000, "father " * 2000, '"', "'; DROP TABLE reviews; --", "NEAR(a b) OR *", "%_\\"],
)
def test_api_bad_queries_never_fail(client, service, q):
    build_hub(service)
    response = client.get("/api/search", params={"q": q})
    assert response.status_code == 200, response.text
    assert client.get("/api/search", params={"q": "father"}).json()["results"]


def test_search_page_renders_results_facets_and_errors(client, service):
    ids = build_hub(service)
    page = client.get("/search", params={"q": "insulin"})
    assert page.status_code == 200
    assert "<mark>insulin</mark>" in page.text
    assert f'href="/reviews/{ids["insulin"]}"' in page.text
    assert "facet=harm%3Adeath_health_condition" in page.text
    assert "More like this passage" in page.text
    bad = client.get("/search", params={"q": "x", "facet": "colour:red"})
    assert bad.status_code == 422 and "unknown facet" in bad.text
    assert client.get("/search", params={"q": "<script>alert(1)</script>"}).status_code == 200
    assert (
        "<script>alert(1)</script>"
        not in client.get("/search", params={"q": "<script>alert(1)</script>"}).text
    )


def test_similar_reviews_in_the_api_and_on_the_review_page(client, service):
    ids = build_hub(service)
    similar = client.get(f"/api/reviews/{ids['insulin']}/similar").json()
    assert ids["insulin"] not in {s["review_id"] for s in similar}
    assert {"shared_codes", "code_similarity", "text_similarity"} <= set(similar[0])
    page = client.get(f"/reviews/{ids['insulin']}")
    assert "Similar reviews" in page.text
    assert client.get(f"/reviews/{ids['insulin']}/similar").status_code == 200
    assert client.get("/api/reviews/99999/similar").status_code == 404


def test_more_like_this_passage_in_the_api(client, service):
    ids = build_hub(service)
    passage = client.get("/api/search", params={"q": "insulin"}).json()["results"][0]
    like = client.get("/api/search", params={"like": passage["passages"][0]["id"]}).json()
    assert ids["insulin"] not in {h["review_id"] for h in like["results"]}
    assert client.get("/api/search", params={"like": 99999}).status_code == 404


def test_cli_search_json_is_exactly_the_stable_shape(cli_env, service):
    ids = build_hub(service)
    result = runner.invoke(
        app, ["search", "father health visitor", "--facet", "published:yes", "--json"], env=cli_env
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert set(body) == {"results", "facets"}
    assert [r["review_id"] for r in body["results"]] == [ids["father"]]
    hit = body["results"][0]
    assert set(hit) == {"review_id", "title", "score", "passages"}
    assert all(set(p) == {"text", "page", "start", "end"} for p in hit["passages"])
    assert body["facets"]["published"]["values"][0]["value"] == "yes"


def test_cli_search_limit_facet_code_and_text_output(cli_env, service):
    ids = build_hub(service)
    result = runner.invoke(
        app, ["search", "appointments", "--facet", "harm.death_health_condition"], env=cli_env
    )
    assert result.exit_code == 0, result.output
    assert "Rapid Review" in result.stdout and "Facets" in result.stdout
    limited = runner.invoke(app, ["search", "", "--limit", "1", "--json"], env=cli_env)
    assert len(json.loads(limited.stdout)["results"]) == 1
    bad = runner.invoke(app, ["search", "x", "--facet", "colour:red"], env=cli_env)
    assert bad.exit_code == 2 and "unknown facet 'colour'" in bad.output
    similar = runner.invoke(app, ["similar", str(ids["insulin"]), "--json"], env=cli_env)
    assert similar.exit_code == 0 and ids["insulin"] not in {
        s["review_id"] for s in json.loads(similar.stdout)
    }


def test_cli_reindex(cli_env, service):
    build_hub(service)
    result = runner.invoke(app, ["reindex", "--json"], env=cli_env)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["documents"] == 3
    shown = runner.invoke(app, ["reindex"], env=cli_env)
    assert "Indexed" in shown.stdout


def test_cli_evaluate_search(cli_env, tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "r.txt").write_text("Child R had type 1 diabetes and stopped taking insulin.")
    (folder / "e.txt").write_text("Child E fell from a window with a broken restrictor.")
    queries = tmp_path / "q.json"
    queries.write_text(json.dumps({"queries": [{"query": "insulin", "relevant": {"r.txt": 2}}]}))
    result = runner.invoke(
        app,
        ["evaluate", "--search", str(queries), "--documents", str(folder)],
        env=cli_env,
    )
    assert result.exit_code == 0, result.output
    assert "recall@10" in result.stdout and "hybrid" in result.stdout
