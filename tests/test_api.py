"""The JSON API: twins of the pages, uploads, originals, OpenAPI."""

from tests import samples


def test_register_list_show_update_review(client):
    created = client.post(
        "/api/reviews",
        json={
            "title": "ICR: Child R",
            "committee": "Riverside CPC",
            "review_type": "icr",
            "notified_on": "2024-11-02",
        },
    )
    assert created.status_code == 201
    review_id = created.json()["id"]
    listed = client.get("/api/reviews").json()
    assert listed["total"] == 1 and listed["reviews"][0]["id"] == review_id
    assert listed["facets"]["committee"] == [["Riverside CPC", 1]]
    patched = client.patch(f"/api/reviews/{review_id}", json={"proceeded": "yes"})
    assert patched.json()["proceeded"] == "yes"
    staged = client.post(
        f"/api/reviews/{review_id}/stage", json={"stage": "decided", "on": "2024-12-01"}
    )
    assert staged.json()["stage"] == "decided"
    wrong = client.post(f"/api/reviews/{review_id}/stage", json={"stage": "notified"})
    assert wrong.status_code == 409
    assert len(client.get(f"/api/reviews/{review_id}/history").json()["history"]) == 3


def test_upload_then_pages_and_original(client):
    data = samples.text_pdf(("Learning Review: Child L\n\nFirst page.", "Second page."))
    response = client.post(
        "/api/ingest",
        files=[("files", ("child-l.pdf", data, "application/pdf"))],
        data={"committee": "Glenbrae CPC"},
    )
    assert response.status_code == 200
    result = response.json()[0]
    assert result["status"] == "ingested" and result["pages"] == 2
    document = client.get(f"/api/documents/{result['document_id']}").json()
    assert document["format"] == "pdf" and document["page_count"] == 2
    pages = client.get(f"/api/documents/{result['document_id']}/pages").json()
    assert "Second page." in pages[1]["text"]
    refused = client.get(f"/api/documents/{result['document_id']}/original")
    assert refused.status_code == 403 and "redact=false" in refused.json()["error"]["message"]
    original = client.get(f"/api/documents/{result['document_id']}/original?redact=false")
    assert original.content == data
    assert "child-l.pdf" in original.headers["content-disposition"]
    review = client.get(f"/api/reviews/{result['review_id']}").json()
    assert review["committee"] == "Glenbrae CPC" and review["type"] == "learning_review"


def test_filters_and_paging(client):
    for n in range(3):
        client.post(
            "/api/reviews", json={"title": f"SCR {n}", "committee": "X", "review_type": "scr"}
        )
    client.post("/api/reviews", json={"title": "ICR", "committee": "Y", "review_type": "icr"})
    assert client.get("/api/reviews?type=scr").json()["total"] == 3
    assert client.get("/api/reviews?committee=y").json()["total"] == 1
    second = client.get("/api/reviews?per_page=2&page=2").json()
    assert len(second["reviews"]) == 2 and second["page"] == 2


def test_openapi_and_docs_are_served(client):
    spec = client.get("/api/openapi.json").json()
    assert "/api/reviews" in spec["paths"] and "/api/ingest" in spec["paths"]
    assert client.get("/api/docs").status_code == 200


def test_every_html_page_names_its_json_twin(client):
    created = client.post("/api/reviews", json={"title": "ICR: Child J", "committee": "Z"}).json()
    for page, twin in [
        ("/reviews", "/api/reviews"),
        (f"/reviews/{created['id']}", f"/api/reviews/{created['id']}"),
    ]:
        html = client.get(page).text
        assert f'type="application/json" href="{twin}' in html
        assert client.get(twin).status_code == 200


def test_html_errors_are_pages_for_people(client):
    response = client.get("/reviews/12345", headers={"accept": "text/html"})
    assert response.status_code == 404 and "review 12345 does not exist" in response.text
