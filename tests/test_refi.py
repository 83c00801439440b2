"""REFI-QDA exchange: codebooks and coded projects go to NVivo / ATLAS.ti / MAXQDA and back,
exports are byte-stable, and hostile files are refused with a RefiError that says why."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from caselearn.interchange.refi import (
    CODEBOOK_NS,
    PROJECT_NS,
    QdaCode,
    QdaCoding,
    QdaDocument,
    QdaProject,
    RefiError,
    codebook_to_qdc,
    project_to_qdpx,
    qdc_to_codes,
    qdpx_to_project,
)

GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
U1 = "AAAAAAAA-0000-4000-8000-000000000001"
C1 = "CCCCCCCC-0000-4000-8000-000000000001"
S1 = "5555AAAA-0000-4000-8000-000000000001"
SEL1 = "5E1E0000-0000-4000-8000-000000000001"
CD1 = "C0D10000-0000-4000-8000-000000000001"


def codes() -> list[QdaCode]:
    return [
        QdaCode(
            "theme.information_sharing",
            "Information sharing",
            "Agencies held pieces of the picture\nand did not pass them on.",
            "theme",
        ),
        QdaCode("theme.child_voice", "Child’s voice", "What the child said, or showed.", "theme"),
        QdaCode("family.domestic_abuse", "Domestic abuse", "", "family"),
        QdaCode("uncategorised", "Not in a category", "Top level code"),
    ]


TEXT_K = (
    "Significant Case Review: Child K\n"
    "The Child’s view was not recorded. The health visitor – Renée – shared concerns late.\n"
    "Domestic abuse was known to the police.\n"
)
TEXT_L = "Café staff noticed bruising; nobody asked Child L what happened. Émile said nothing."


def span(text: str, phrase: str) -> tuple[int, int]:
    start = text.index(phrase)
    return start, start + len(phrase)


def project() -> QdaProject:
    voice = span(TEXT_K, "The Child’s view was not recorded.")
    renee = span(TEXT_K, "The health visitor – Renée – shared concerns late.")
    abuse = span(TEXT_K, "Domestic abuse was known to the police.")
    asked = span(TEXT_L, "nobody asked Child L what happened")
    emile = span(TEXT_L, "Émile")
    return QdaProject(
        name="Child K and Child L",
        codes=codes(),
        coders=["caselearn", "Analyst Ana"],
        documents=[
            QdaDocument(
                name="Review 12: Significant Case Review: Child K",
                text=TEXT_K,
                codings=[
                    QdaCoding("theme.child_voice", *voice),
                    QdaCoding("theme.child_voice", *voice, coder="Analyst Ana"),
                    QdaCoding("theme.information_sharing", *renee),
                    QdaCoding("family.domestic_abuse", *abuse, coder="Analyst Ana"),
                    QdaCoding("theme.information_sharing", *abuse, coder="Analyst Ana"),
                ],
            ),
            QdaDocument(
                name="Review 13: Child L",
                text=TEXT_L,
                codings=[
                    QdaCoding("theme.child_voice", *asked),
                    QdaCoding("uncategorised", *emile, coder="Analyst Ana"),
                ],
            ),
        ],
    )


def key(coding: QdaCoding) -> tuple[int, int, str, str]:
    return (coding.start, coding.end, coding.coder, coding.code_id)


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def make_zip(tmp_path: Path, members: dict[str, bytes], name: str = "in.qdpx") -> Path:
    path = tmp_path / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, payload in members.items():
            archive.writestr(member, payload)
    return path


def qde(sources: str, *, codes_xml: str | None = None) -> bytes:
    """A minimal hand-written project.qde, in the style of another tool (upper-case GUIDs)."""
    if codes_xml is None:
        codes_xml = f'<Code guid="{C1}" name="Risk" isCodable="true"/>'
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n'
        f'<Project xmlns="{PROJECT_NS}" name="From NVivo" origin="NVivo 14">'
        f'<Users><User guid="{U1}" name="Sam"/></Users>'
        f"<CodeBook><Codes>{codes_xml}</Codes></CodeBook>"
        f"<Sources>{sources}</Sources></Project>"
    ).encode()


def source(start: int = 0, end: int = 4, target: str = C1, user: str = U1) -> str:
    return (
        f'<TextSource guid="{S1}" name="Doc" plainTextPath="internal://{S1}.txt">'
        f'<PlainTextSelection guid="{SEL1}" startPosition="{start}" endPosition="{end}" '
        f'creatingUser="{user}"><Coding guid="{CD1}" creatingUser="{user}">'
        f'<CodeRef targetGUID="{target}"/></Coding></PlainTextSelection></TextSource>'
    )


def hostile(tmp_path: Path, sources: str, text: str = "Risk was high.", **kw: str) -> bytes:
    path = make_zip(
        tmp_path, {"project.qde": qde(sources, **kw), f"sources/{S1}.txt": text.encode()}
    )
    return path.read_bytes()


# --------------------------------------------------------------------------- codebook


def test_codebook_round_trip_keeps_ids_names_descriptions_and_categories(tmp_path: Path) -> None:
    path = write(tmp_path, "codebook.qdc", codebook_to_qdc(codes()))
    assert qdc_to_codes(path.read_bytes()) == codes()


def test_codebook_is_well_formed_in_the_codebook_namespace_with_a_category_tree() -> None:
    data = codebook_to_qdc(codes(), name="Committee codebook -- v2")
    assert data.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    assert b"<!-- Committee codebook - - v2 -->" in data
    root = etree.fromstring(data)
    assert root.tag == f"{{{CODEBOOK_NS}}}CodeBook"
    assert root.get("origin") == "caselearn"
    assert all(etree.QName(e).namespace == CODEBOOK_NS for e in root.iter(etree.Element))
    all_codes = root.findall(f".//{{{CODEBOOK_NS}}}Code")
    guids = [c.get("guid") for c in all_codes]
    assert all(GUID.match(g) for g in guids) and len(set(guids)) == len(guids)
    assert {c.get("isCodable") for c in all_codes} == {"true", "false"}
    top = root.findall(f"{{{CODEBOOK_NS}}}Codes/{{{CODEBOOK_NS}}}Code")
    assert [c.get("name") for c in top] == ["theme", "family", "Not in a category"]
    theme = top[0]
    assert theme.get("isCodable") == "false"
    assert [c.get("name") for c in theme.findall(f"{{{CODEBOOK_NS}}}Code")] == [
        "Information sharing",
        "Child’s voice",
    ]
    # Description comes before child codes, as the schema's sequence requires.
    assert [etree.QName(c).localname for c in theme] == ["Description", "Code", "Code"]
    first = theme.find(f"{{{CODEBOOK_NS}}}Code/{{{CODEBOOK_NS}}}Description").text
    assert first.splitlines()[0] == "caselearn:theme.information_sharing"


def test_codebook_export_is_deterministic_and_guids_follow_the_identifier() -> None:
    assert codebook_to_qdc(codes()) == codebook_to_qdc(codes())

    def guid_of(data: bytes, name: str) -> str:
        return etree.fromstring(data).find(f".//{{{CODEBOOK_NS}}}Code[@name='{name}']").get("guid")

    alone = codebook_to_qdc([codes()[1]])
    assert guid_of(alone, "Child’s voice") == guid_of(codebook_to_qdc(codes()), "Child’s voice")


def test_codebook_export_refuses_ids_that_would_not_survive() -> None:
    with pytest.raises(RefiError, match="appears twice"):
        codebook_to_qdc([QdaCode("a", "A"), QdaCode("a", "B")])
    with pytest.raises(RefiError, match="no identifier"):
        codebook_to_qdc([QdaCode("", "A")])
    with pytest.raises(RefiError, match="line break"):
        codebook_to_qdc([QdaCode("a\nb", "A")])


def test_control_characters_in_names_do_not_break_the_xml() -> None:
    data = codebook_to_qdc([QdaCode("theme.x", "Page\x0cbreak", "bell\x07")])
    assert qdc_to_codes(data) == [QdaCode("theme.x", "Page break", "bell ")]


NVIVO_QDC = """<?xml version="1.0" encoding="utf-8"?>
<CodeBook origin="NVivo 14">
  <Codes>
    <Code guid="{A1A1A1A1-0000-4000-8000-000000000001}" name="theme" isCodable="true">
      <Description>Themes from reviews</Description>
      <Code guid="A1A1A1A1-0000-4000-8000-000000000002" name="Local neglect toolkit"
            isCodable="true">
        <Description>Use of the graded care profile</Description>
      </Code>
      <Code guid="A1A1A1A1-0000-4000-8000-000000000003" name="Child’s lived experience"
            isCodable="true">
        <Code guid="A1A1A1A1-0000-4000-8000-000000000004" name="Día a día" isCodable="true"/>
      </Code>
    </Code>
    <Code guid="A1A1A1A1-0000-4000-8000-000000000005" name="Early help" isCodable="true"/>
    <Code guid="A1A1A1A1-0000-4000-8000-000000000006" name="Early Help!" isCodable="true"/>
    <Code guid="A1A1A1A1-0000-4000-8000-000000000007" name="Agencies" isCodable="false">
      <Code guid="A1A1A1A1-0000-4000-8000-000000000008" name="Police" isCodable="true"/>
    </Code>
  </Codes>
</CodeBook>
"""


def test_nvivo_style_codebook_without_caselearn_lines_gets_derived_ids(tmp_path: Path) -> None:
    path = write(tmp_path, "nvivo.qdc", NVIVO_QDC.encode())
    got = {c.id: c for c in qdc_to_codes(path.read_bytes())}
    assert list(got) == [
        "theme.theme",
        "theme.local_neglect_toolkit",
        "theme.childs_lived_experience",
        "childs_lived_experience.dia_a_dia",
        "theme.early_help",
        "theme.early_help_2",
        "agencies.police",
    ]
    toolkit = got["theme.local_neglect_toolkit"]
    assert toolkit.name == "Local neglect toolkit"
    assert toolkit.category == "theme"
    assert toolkit.description == "Use of the graded care profile"
    assert got["childs_lived_experience.dia_a_dia"].category == "childs_lived_experience"
    assert got["theme.early_help"].category == "theme"
    # A non-codable parent only groups its children; it is not a code itself.
    assert "theme.agencies" not in got


def test_codebook_with_prefixed_namespace_and_caselearn_lines(tmp_path: Path) -> None:
    text = f"""<?xml version="1.0" encoding="UTF-8"?>
<qda:CodeBook xmlns:qda="{CODEBOOK_NS}" xmlns:x="urn:vendor:extension">
  <qda:Codes>
    <qda:Code guid="B1B1B1B1-0000-4000-8000-000000000001" name="Themes" isCodable="false">
      <qda:Description>caselearn-category:theme</qda:Description>
      <qda:Code guid="B1B1B1B1-0000-4000-8000-000000000002" name="Sharing info (renamed)"
                isCodable="true">
        <qda:Description>caselearn:theme.information_sharing
Renamed in MAXQDA.</qda:Description>
      </qda:Code>
      <qda:Code guid="B1B1B1B1-0000-4000-8000-000000000003" name="Local neglect toolkit"
                isCodable="true"/>
      <x:Code guid="B1B1B1B1-0000-4000-8000-000000000009" name="Vendor thing" isCodable="true"/>
    </qda:Code>
  </qda:Codes>
</qda:CodeBook>
"""
    path = write(tmp_path, "maxqda.qdc", text.encode())
    assert qdc_to_codes(path.read_bytes()) == [
        QdaCode(
            "theme.information_sharing", "Sharing info (renamed)", "Renamed in MAXQDA.", "theme"
        ),
        QdaCode("theme.local_neglect_toolkit", "Local neglect toolkit", "", "theme"),
    ]


def test_copied_caselearn_line_does_not_merge_two_codes() -> None:
    text = (
        f'<CodeBook xmlns="{CODEBOOK_NS}"><Codes>'
        '<Code guid="D1D1D1D1-0000-4000-8000-000000000001" name="Risk" isCodable="true">'
        "<Description>caselearn:theme.risk_assessment\nOriginal</Description></Code>"
        '<Code guid="D1D1D1D1-0000-4000-8000-000000000002" name="Risk copy" isCodable="true">'
        "<Description>caselearn:theme.risk_assessment\nOriginal</Description></Code>"
        "</Codes></CodeBook>"
    )
    got = qdc_to_codes(text.encode())
    assert [(c.id, c.description) for c in got] == [
        ("theme.risk_assessment", "Original"),
        ("theme.risk_copy", "Original"),
    ]


# --------------------------------------------------------------------------- project


def test_project_round_trip_keeps_documents_texts_codings_and_coders(tmp_path: Path) -> None:
    original = project()
    path = write(tmp_path, "project.qdpx", project_to_qdpx(original))
    back = qdpx_to_project(path.read_bytes())

    assert back.name == original.name
    assert back.codes == original.codes
    assert back.coders == ["caselearn", "Analyst Ana"]
    assert [d.name for d in back.documents] == [d.name for d in original.documents]
    for got, want in zip(back.documents, original.documents, strict=True):
        assert got.text == want.text
        assert GUID.match(got.guid)
        assert sorted(map(key, got.codings)) == sorted(map(key, want.codings))
    voice = back.documents[0].codings[0]
    assert TEXT_K[voice.start : voice.end] == "The Child’s view was not recorded."
    emile = next(c for c in back.documents[1].codings if c.code_id == "uncategorised")
    assert (TEXT_L[emile.start : emile.end], emile.coder) == ("Émile", "Analyst Ana")

    # Exporting what came back gives the same file: the trip is lossless.
    assert project_to_qdpx(back) == path.read_bytes()


def test_project_archive_layout_and_xml(tmp_path: Path) -> None:
    path = write(tmp_path, "project.qdpx", project_to_qdpx(project()))
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        root = etree.fromstring(archive.read("project.qde"))
        files = {n: archive.read(n) for n in names[1:]}
    assert names[0] == "project.qde"
    assert all(re.match(r"^sources/[0-9a-f-]{36}\.txt$", n) for n in names[1:])

    ns = {"p": PROJECT_NS}
    assert root.tag == f"{{{PROJECT_NS}}}Project"
    assert (root.get("name"), root.get("origin")) == ("Child K and Child L", "caselearn")
    assert all(etree.QName(e).namespace == PROJECT_NS for e in root.iter(etree.Element))
    assert [etree.QName(c).localname for c in root] == ["Users", "CodeBook", "Sources"]

    every_guid = [e.get("guid") for e in root.iter(etree.Element) if e.get("guid")]
    assert all(GUID.match(g) for g in every_guid) and len(set(every_guid)) == len(every_guid)
    users = {u.get("guid"): u.get("name") for u in root.findall("p:Users/p:User", ns)}
    assert sorted(users.values()) == ["Analyst Ana", "caselearn"]
    code_guids = {c.get("guid") for c in root.findall(".//p:Code[@isCodable='true']", ns)}

    sources = root.findall("p:Sources/p:TextSource", ns)
    assert len(sources) == 2
    for src, text in zip(sources, [TEXT_K, TEXT_L], strict=True):
        guid = src.get("guid")
        assert src.get("plainTextPath") == f"internal://{guid}.txt"
        assert files[f"sources/{guid}.txt"] == text.encode("utf-8")
        for selection in src.findall("p:PlainTextSelection", ns):
            assert selection.get("creatingUser") in users
            start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
            assert 0 <= start < end <= len(text)
            for coding in selection.findall("p:Coding", ns):
                assert coding.get("creatingUser") == selection.get("creatingUser")
                assert coding.find("p:CodeRef", ns).get("targetGUID") in code_guids
    # Same span, two coders: two selections; same span and coder, two codes: one selection.
    first = sources[0].findall("p:PlainTextSelection", ns)
    assert len(first) == 4
    assert sorted(len(s.findall("p:Coding", ns)) for s in first) == [1, 1, 1, 2]


def test_project_export_is_byte_identical_and_independent_of_coding_order() -> None:
    first = project_to_qdpx(project())
    assert first == project_to_qdpx(project())
    shuffled = project()
    for document in shuffled.documents:
        document.codings.reverse()
    assert project_to_qdpx(shuffled) == first


def test_document_guid_is_kept_and_coders_missing_from_the_list_become_users() -> None:
    doc = QdaDocument("Doc", "abc", [QdaCoding("uncategorised", 0, 3, coder="Late")], guid=S1)
    back = qdpx_to_project(project_to_qdpx(QdaProject("p", codes(), [doc], coders=[])))
    assert back.documents[0].guid == S1.lower()
    assert back.coders == ["Late"]


def test_documents_with_the_same_name_stay_distinct() -> None:
    docs = [QdaDocument("Same", "one", []), QdaDocument("Same", "two", [])]
    back = qdpx_to_project(project_to_qdpx(QdaProject("p", [], docs, [])))
    assert [d.text for d in back.documents] == ["one", "two"]
    assert back.documents[0].guid != back.documents[1].guid


def test_project_export_refuses_inconsistent_projects() -> None:
    bad_code = QdaProject("p", codes(), [QdaDocument("D", "abc", [QdaCoding("nope", 0, 1)])], [])
    with pytest.raises(RefiError, match="'nope'.*not in the codebook"):
        project_to_qdpx(bad_code)
    bad_span = QdaProject(
        "p", codes(), [QdaDocument("D", "abc", [QdaCoding("uncategorised", 1, 9)])], []
    )
    with pytest.raises(RefiError, match="outside the text"):
        project_to_qdpx(bad_span)
    bad_guid = QdaProject("p", [], [QdaDocument("D", "abc", [], guid="not-a-guid")], [])
    with pytest.raises(RefiError, match="not a GUID"):
        project_to_qdpx(bad_guid)


def test_nvivo_style_project_with_relative_paths_inline_text_and_unqualified_names(
    tmp_path: Path,
) -> None:
    s2 = "5555AAAA-0000-4000-8000-000000000002"
    text_one = "\ufeffThe Child’s mother – Zoë – missed visits."
    text_two = "Inline text, no file."
    project_xml = f"""<?xml version="1.0" encoding="utf-8"?>
<Project name="NVivo project" origin="NVivo 14">
  <Users><User guid="{U1}" name="Sam"/></Users>
  <CodeBook>
    <Codes>
      <Code guid="C0000000-0000-4000-8000-00000000000A" name="theme" isCodable="true">
        <Code guid="{C1}" name="Non engagement" isCodable="true"/>
      </Code>
    </Codes>
  </CodeBook>
  <Sources>
    <TextSource guid="{S1}" name="Review A" plainTextPath="sources/review a.txt">
      <PlainTextSelection guid="{SEL1}" startPosition="12" endPosition="33"
                          creatingUser="{U1}">
        <Coding guid="{CD1}"><CodeRef targetGUID="{C1.lower()}"/></Coding>
      </PlainTextSelection>
    </TextSource>
    <TextSource guid="{s2}" name="Review B">
      <PlainTextContent>{text_two}</PlainTextContent>
      <PlainTextSelection guid="5E1E0000-0000-4000-8000-000000000002" startPosition="0"
                          endPosition="6">
        <Coding guid="C0D10000-0000-4000-8000-000000000002" creatingUser="{U1}">
          <CodeRef targetGUID="C0000000-0000-4000-8000-00000000000A"/>
        </Coding>
      </PlainTextSelection>
    </TextSource>
    <PDFSource guid="5555AAAA-0000-4000-8000-000000000003" name="Scan" path="internal://x.pdf"/>
  </Sources>
</Project>
"""
    path = make_zip(
        tmp_path,
        {"project.qde": project_xml.encode(), "sources/review a.txt": text_one.encode("utf-8")},
    )
    back = qdpx_to_project(path.read_bytes())
    assert back.name == "NVivo project"
    assert back.coders == ["Sam"]
    assert [c.id for c in back.codes] == ["theme.theme", "theme.non_engagement"]
    one, two = back.documents
    assert one.text == "The Child’s mother – Zoë – missed visits."
    assert one.guid == S1.lower()
    (coding,) = one.codings
    assert (coding.code_id, coding.coder) == ("theme.non_engagement", "Sam")
    assert one.text[coding.start : coding.end] == "mother – Zoë – missed"
    assert two.text == text_two
    assert [(c.code_id, c.start, c.end) for c in two.codings] == [("theme.theme", 0, 6)]


# --------------------------------------------------------------------------- hostile input


def test_not_a_zip_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "fake.qdpx", b"<Project/> this is not a zip")
    with pytest.raises(RefiError, match="not a ZIP"):
        qdpx_to_project(path.read_bytes())
    with pytest.raises(RefiError, match="empty"):
        qdpx_to_project(b"")


@pytest.mark.parametrize(
    ("member", "problem"),
    [
        ("/etc/passwd", "absolute path"),
        ("C:/Windows/evil.txt", "absolute path"),
        ("sources/../../evil.txt", r"'\.\.'"),
        ("..\\evil.txt", r"'\.\.'"),
    ],
)
def test_zip_members_that_escape_are_refused(tmp_path: Path, member: str, problem: str) -> None:
    good = project_to_qdpx(project())
    path = tmp_path / "escape.qdpx"
    path.write_bytes(good)
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr(member, b"x")
    with pytest.raises(RefiError, match=problem):
        qdpx_to_project(path.read_bytes())


def test_oversized_member_is_refused(tmp_path: Path) -> None:
    path = make_zip(
        tmp_path, {"project.qde": qde(""), "sources/big.txt": b"a" * (50 * 1024 * 1024 + 1)}
    )
    with pytest.raises(RefiError, match="big.txt.*over the 52428800 byte limit"):
        qdpx_to_project(path.read_bytes())


def test_decompression_bomb_ratio_is_refused(tmp_path: Path) -> None:
    path = make_zip(tmp_path, {"project.qde": qde(""), "sources/bomb.txt": b"\0" * 5_000_000})
    with pytest.raises(RefiError, match="bomb.txt.*compression ratio"):
        qdpx_to_project(path.read_bytes())


def test_missing_project_qde_is_refused(tmp_path: Path) -> None:
    path = make_zip(tmp_path, {"sources/a.txt": b"text", "other.qde": b"<Project/>"})
    with pytest.raises(RefiError, match="no project.qde"):
        qdpx_to_project(path.read_bytes())


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<Project name="&lol4;"/>
"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE CodeBook [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<CodeBook><Codes><Code guid="A1A1A1A1-0000-4000-8000-000000000001" name="&xxe;"
 isCodable="true"/></Codes></CodeBook>
"""
PLAIN_DOCTYPE = b'<?xml version="1.0"?><!DOCTYPE CodeBook><CodeBook><Codes/></CodeBook>'


@pytest.mark.parametrize("payload", [BILLION_LAUGHS, XXE, PLAIN_DOCTYPE])
def test_doctype_and_entities_are_refused_in_codebooks(payload: bytes) -> None:
    with pytest.raises(RefiError, match="DOCTYPE"):
        qdc_to_codes(payload)


def test_doctype_is_refused_in_project_qde(tmp_path: Path) -> None:
    path = make_zip(tmp_path, {"project.qde": BILLION_LAUGHS})
    with pytest.raises(RefiError, match="project.qde.*DOCTYPE"):
        qdpx_to_project(path.read_bytes())


def test_unknown_code_ref_is_refused(tmp_path: Path) -> None:
    data = hostile(tmp_path, source(target="EEEEEEEE-0000-4000-8000-000000000001"))
    with pytest.raises(RefiError, match="unknown code eeeeeeee-"):
        qdpx_to_project(data)


@pytest.mark.parametrize(("start", "end"), [(0, 15), (-1, 3), (5, 2), (20, 30)])
def test_selection_outside_the_text_is_refused(tmp_path: Path, start: int, end: int) -> None:
    data = hostile(tmp_path, source(start, end))  # the text has 14 characters
    with pytest.raises(RefiError, match=f"selection {start}-{end} lies outside the text"):
        qdpx_to_project(data)


def test_other_broken_references_are_refused(tmp_path: Path) -> None:
    with pytest.raises(RefiError, match="unknown user"):
        qdpx_to_project(hostile(tmp_path, source(user="AAAAAAAA-0000-4000-8000-000000000099")))
    grouping = (
        f'<Code guid="{C1}" name="Group" isCodable="false">'
        '<Code guid="C2C2C2C2-0000-4000-8000-000000000001" name="Leaf" isCodable="true"/></Code>'
    )
    with pytest.raises(RefiError, match="grouping code"):
        qdpx_to_project(hostile(tmp_path, source(), codes_xml=grouping))
    with pytest.raises(RefiError, match="'1x' is not a whole number"):
        qdpx_to_project(hostile(tmp_path, source().replace('endPosition="4"', 'endPosition="1x"')))
    with pytest.raises(RefiError, match="not a GUID"):
        qdpx_to_project(hostile(tmp_path, source(target="zzz")))
    traversal = source().replace(f"internal://{S1}.txt", "../../etc/passwd")
    with pytest.raises(RefiError, match=r"plainTextPath .* '\.\.'"):
        qdpx_to_project(hostile(tmp_path, traversal))
    twice = source() + source().replace(SEL1, SEL1[:-1] + "2").replace(CD1, CD1[:-1] + "2")
    with pytest.raises(RefiError, match="source GUID .* used twice"):
        qdpx_to_project(hostile(tmp_path, twice))
    missing = source().replace(f"internal://{S1}.txt", "internal://missing.txt")
    with pytest.raises(RefiError, match="not in the archive"):
        qdpx_to_project(hostile(tmp_path, missing))


def test_malformed_xml_and_wrong_roots_are_refused(tmp_path: Path) -> None:
    with pytest.raises(RefiError, match="not well-formed"):
        qdc_to_codes(b"<CodeBook><Codes></CodeBook>")
    with pytest.raises(RefiError, match="expected <CodeBook>"):
        qdc_to_codes(qde(""))
    with pytest.raises(RefiError, match="has no guid"):
        qdc_to_codes(b'<CodeBook><Codes><Code name="x" isCodable="true"/></Codes></CodeBook>')
    path = make_zip(tmp_path, {"project.qde": b"<CodeBook><Codes/></CodeBook>"})
    with pytest.raises(RefiError, match="expected <Project>"):
        qdpx_to_project(path.read_bytes())
    bad_text = make_zip(
        tmp_path,
        {"project.qde": qde(source()), f"sources/{S1}.txt": "Risk".encode("utf-16")},
        name="utf16.qdpx",
    )
    with pytest.raises(RefiError, match="not UTF-8"):
        qdpx_to_project(bad_text.read_bytes())
