"""The search's in-memory caches (passage vectors, code sets, review centroids) are shared by
everyone a server process serves. They must hold every passage whoever built them, and each
person's visibility must be applied when they are read, not when they are built."""

from __future__ import annotations

from tests.test_security import SECRET, as_user, world  # noqa: F401 - world is a fixture


def _search(client, query: str) -> dict:  # type: ignore[no-untyped-def]
    response = client.get("/api/search", params={"q": query})
    assert response.status_code == 200, response.text
    return response.json()


def test_caches_built_by_an_admin_do_not_show_a_foreign_committee_anything(service, world):  # noqa: F811
    admin, beta = as_user(service, world, "admin"), as_user(service, world, "beta-lead")
    assert _search(admin, SECRET)["total"] == 1  # the admin's search fills the caches
    assert admin.get(f"/api/reviews/{world['review']}/similar").status_code == 200
    hidden = _search(beta, SECRET)
    assert hidden["total"] == 0 and hidden["results"] == []
    assert all(not f["values"] for f in hidden["facets"].values())
    found = _search(beta, "information sharing between agencies poverty domestic abuse police")
    assert SECRET not in str(found)
    assert all(r["review_id"] != world["review"] for r in found["results"])
    # One page holds every match here, so a total above the results counts hidden matches.
    assert found["total"] <= found["per_page"] and found["total"] == len(found["results"])
    committees = {v["value"] for v in found["facets"]["committee"]["values"]}
    assert "Alpha CPC" not in committees
    beta_review = next(r["id"] for r in beta.get("/api/reviews").json()["reviews"])
    similar = beta.get(f"/api/reviews/{beta_review}/similar").json()
    assert all(s["review_id"] != world["review"] for s in similar)


def test_caches_built_by_a_foreign_committee_still_hold_everything(service, world):  # noqa: F811
    beta, alpha = as_user(service, world, "beta-lead"), as_user(service, world, "alpha-lead")
    assert _search(beta, SECRET)["total"] == 0  # the foreign search fills the caches first
    assert _search(alpha, SECRET)["total"] == 1
    found = _search(alpha, "information sharing between agencies poverty")
    assert world["review"] in {r["review_id"] for r in found["results"]}


def test_the_vector_index_fetches_only_new_passages_when_brought_up_to_date():
    import numpy as np

    from caselearn.search.vectors import VectorIndex, to_bytes

    vectors = {i: np.eye(256, dtype=np.float32)[i] for i in range(1, 8)}
    old = VectorIndex.build([(i, 10, to_bytes(vectors[i])) for i in (1, 2, 3, 4)], version=1)
    asked: list[list[int]] = []

    def fetch(missing: list[int]) -> list[tuple[int, bytes]]:
        asked.append(missing)
        return [(i, to_bytes(vectors[i])) for i in missing if i != 7]  # 7 vanished meanwhile

    # 2 was deleted, 4 moved to review 11, 5 to 7 are new (7 deleted before its vector was read)
    new = old.updated(np.array([1, 3, 4, 5, 6, 7]), np.array([10, 10, 11, 12, 12, 12]), fetch, 2)
    assert asked == [[5, 6, 7]]
    assert new.ids.tolist() == [1, 3, 4, 5, 6] and new.version == 2
    assert new.review_ids.tolist() == [10, 10, 11, 12, 12]
    for passage in (1, 3, 4, 5, 6):
        assert np.array_equal(new.vector_of(passage), vectors[passage])
    assert new.vector_of(2) is None and new.vector_of(7) is None


def test_imported_records_reach_similar_reviews_at_once(service):
    header = (
        "review_id,title,review_type,committee,notification_date,proceeded,decision_rationale,"
        "child_id,age_years,age_band,gender,living,fatal,harm,family_factors,themes\n"
    )
    row = (
        "{id},Imported {id},icr,Northmoor CPC,2020-05-01,yes,,{id}-C1,3,,,home,no,neglect,"
        "{family},{themes}\n"
    )
    first = header + row.format(
        id="IM-1", family="poverty_housing", themes="information_sharing;risk_assessment"
    )
    service.import_records("first.csv", first.encode())
    ids = {r.title: r.id for r in service.list_reviews().reviews}
    assert service.similar_reviews(ids["Imported IM-1"]) == []  # fills the code-set cache
    second = header + row.format(
        id="IM-2", family="poverty_housing", themes="information_sharing;risk_assessment"
    )
    service.import_records("second.csv", second.encode())
    ids = {r.title: r.id for r in service.list_reviews().reviews}
    similar = service.similar_reviews(ids["Imported IM-1"])
    assert [s.review_id for s in similar] == [ids["Imported IM-2"]]
    assert {c.code for c in similar[0].shared_codes} >= {"theme.information_sharing"}
