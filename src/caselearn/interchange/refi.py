"""REFI-QDA exchange: codebooks (.qdc) and coded projects (.qdpx).

Analysts review caselearn's coding in NVivo, ATLAS.ti or MAXQDA and bring their own codes
back. REFI-QDA (www.qdasoftware.org) is the one format all three read and write, so this
module speaks it and nothing tool specific.

Two promises shape the code:

* Exports are deterministic. Every GUID is a uuid5 of a caselearn identifier (code id,
  category, coder name, document name, selection offsets), no timestamps are written and the
  ZIP carries fixed dates, so exporting the same project twice gives identical bytes and a
  diff between two exports shows only real changes.
* Imports treat the file as hostile. A .qdpx arrives from outside, so ZIP members are
  checked for path tricks and decompression bombs, XML with a DOCTYPE is refused outright
  (that closes XXE and entity expansion without relying on parser settings), and every
  reference (code, user, offsets) is checked before anything is returned. Problems raise
  :class:`RefiError` with a message an analyst can act on.

Offsets are Unicode code points into the document's plain text, end exclusive: that is what
Python string indexing gives and what REFI-QDA's "character positions" mean. Tools that count
UTF-16 code units instead will disagree after characters outside the Basic Multilingual Plane
(emoji, some CJK); characters such as "’" or "é" are one unit either way.
"""

from __future__ import annotations

import io
import re
import unicodedata
import uuid
import xml.etree.ElementTree as ET
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from xml.parsers import expat

__all__ = [
    "CODEBOOK_NS",
    "PROJECT_NS",
    "QdaCode",
    "QdaCoding",
    "QdaDocument",
    "QdaProject",
    "RefiError",
    "codebook_to_qdc",
    "project_to_qdpx",
    "qdc_to_codes",
    "qdpx_to_project",
]

CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
PROJECT_NS = "urn:QDA-XML:project:1.0"
# Elements in any REFI namespace are read; elements from other namespaces (vendor
# extensions) are skipped so they can never be mistaken for a Code or a Coding.
_REFI_NS_PREFIX = "urn:QDA-XML:"

ORIGIN = "caselearn"
ID_PREFIX = "caselearn:"
CATEGORY_PREFIX = "caselearn-category:"
# The category given to codes made elsewhere that sit at the top of the tree: caselearn's
# document-level codes are themes unless someone says otherwise.
DEFAULT_CATEGORY = "theme"
UNKNOWN_CODER = "unknown"

# Never change this: it is what makes GUIDs stable from one release to the next.
_GUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:caselearn:refi-qda")

MAX_MEMBER_BYTES = 50 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
# Below this size a high ratio cannot hurt (a page of blank lines compresses several
# hundred fold), so the ratio is only judged for members larger than this.
RATIO_CHECK_MIN_BYTES = 1024 * 1024
MAX_CODE_DEPTH = 64

_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'
_INVALID_XML_CHARS = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class RefiError(ValueError):
    """A REFI-QDA file (or a project about to become one) that cannot be trusted or used."""


@dataclass
class QdaCode:
    """A code as exchanged: caselearn's identifier travels with the display name so that a
    code renamed in NVivo still maps back to the same caselearn code."""

    id: str
    name: str
    description: str = ""
    # Exported as a parent Code named after the category, so the other tools show a tree.
    category: str = ""


@dataclass
class QdaCoding:
    """One code applied to one span of a document; offsets are Unicode code points into
    :attr:`QdaDocument.text`, end exclusive."""

    code_id: str
    start: int
    end: int
    coder: str = "caselearn"


@dataclass
class QdaDocument:
    """A review as plain text; the text is carried whole because the offsets mean nothing
    without the exact string they were taken from."""

    name: str
    text: str
    codings: list[QdaCoding] = field(default_factory=list)
    # Kept so that a document that came from another tool goes back under its own GUID.
    guid: str | None = None


@dataclass
class QdaProject:
    """Everything one exchange carries: codebook, coded documents and who coded them."""

    name: str
    codes: list[QdaCode] = field(default_factory=list)
    documents: list[QdaDocument] = field(default_factory=list)
    coders: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- export


def codebook_to_qdc(codes: list[QdaCode], *, name: str = "caselearn codebook") -> bytes:
    """Write a REFI-QDA Codebook Exchange file (.qdc) so analysts can load caselearn's codes
    into their own tool. The codebook schema has no name attribute, so ``name`` is written as
    an XML comment where a person opening the file will see it."""
    _check_codes(codes)
    root = ET.Element("CodeBook", {"xmlns": CODEBOOK_NS, "origin": ORIGIN})
    root.append(_codes_element(codes))
    return _serialise(root, comment=name)


def project_to_qdpx(project: QdaProject) -> bytes:
    """Write a REFI-QDA Project Exchange file (.qdpx): project.qde plus one UTF-8 text file
    per document under sources/, so coded reviews open in NVivo, ATLAS.ti or MAXQDA with the
    coding in place."""
    _check_codes(project.codes)
    code_order = {code.id: index for index, code in enumerate(project.codes)}
    coders = _all_coders(project)
    user_guids = {coder: _guid("user", coder) for coder in coders}

    root = ET.Element(
        "Project", {"xmlns": PROJECT_NS, "name": _xml_text(project.name), "origin": ORIGIN}
    )
    users = ET.SubElement(root, "Users")
    for coder in coders:
        ET.SubElement(users, "User", {"guid": user_guids[coder], "name": _xml_text(coder)})
    codebook = ET.SubElement(root, "CodeBook", {"origin": ORIGIN})
    codebook.append(_codes_element(project.codes))
    sources = ET.SubElement(root, "Sources")

    files: list[tuple[str, bytes]] = []
    for document, source_guid in zip(
        project.documents, _document_guids(project.documents), strict=True
    ):
        try:
            encoded = document.text.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise RefiError(
                f"document {document.name!r}: text cannot be written as UTF-8 ({exc.reason})"
            ) from exc
        files.append((f"sources/{source_guid}.txt", encoded))
        source = ET.SubElement(
            sources,
            "TextSource",
            {
                "guid": source_guid,
                "name": _xml_text(document.name),
                "plainTextPath": f"internal://{source_guid}.txt",
            },
        )
        for (start, end, coder), codings in _selections(document, code_order):
            selection_guid = _guid("selection", f"{source_guid}:{start}:{end}:{coder}")
            selection = ET.SubElement(
                source,
                "PlainTextSelection",
                {
                    "guid": selection_guid,
                    "startPosition": str(start),
                    "endPosition": str(end),
                    "creatingUser": user_guids[coder],
                },
            )
            for code_id in codings:
                coding = ET.SubElement(
                    selection,
                    "Coding",
                    {
                        "guid": _guid("coding", f"{selection_guid}:{code_id}"),
                        "creatingUser": user_guids[coder],
                    },
                )
                ET.SubElement(coding, "CodeRef", {"targetGUID": _guid("code", code_id)})

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        _write_member(archive, "project.qde", _serialise(root))
        for member, payload in files:
            _write_member(archive, member, payload)
    return buffer.getvalue()


def _check_codes(codes: list[QdaCode]) -> None:
    """Refuse codebooks whose identifiers would not survive the trip: the id is the only
    thing that ties a code in NVivo back to caselearn."""
    seen: set[str] = set()
    for code in codes:
        if not code.id or not code.id.strip():
            raise RefiError(f"code {code.name!r} has no identifier")
        if code.id != code.id.strip() or any(c in code.id for c in "\r\n"):
            raise RefiError(f"code identifier {code.id!r} has surrounding space or a line break")
        if code.id in seen:
            raise RefiError(f"code identifier {code.id!r} appears twice in the codebook")
        seen.add(code.id)


def _codes_element(codes: list[QdaCode]) -> ET.Element:
    """Build <Codes>, grouping codes under one parent per category in first-seen order so
    the tree in the other tool matches caselearn's categories."""
    container = ET.Element("Codes")
    groups: dict[str, ET.Element] = {}
    for code in codes:
        parent = container
        if code.category:
            if code.category not in groups:
                groups[code.category] = ET.SubElement(
                    container,
                    "Code",
                    {
                        "guid": _guid("category", code.category),
                        "name": _xml_text(code.category),
                        "isCodable": "false",
                    },
                )
                description = ET.SubElement(groups[code.category], "Description")
                description.text = _xml_text(CATEGORY_PREFIX + code.category)
            parent = groups[code.category]
        element = ET.SubElement(
            parent,
            "Code",
            {
                "guid": _guid("code", code.id),
                "name": _xml_text(code.name or code.id),
                "isCodable": "true",
            },
        )
        text = ID_PREFIX + code.id
        if code.description:
            text += "\n" + code.description.replace("\r\n", "\n").replace("\r", "\n")
        ET.SubElement(element, "Description").text = _xml_text(text)
    return container


def _all_coders(project: QdaProject) -> list[str]:
    """Every coder named on a coding becomes a User, even if the caller forgot to list them,
    because a Coding's creatingUser must point at a User."""
    coders: list[str] = []
    for coder in [
        *project.coders,
        *(c.coder for d in project.documents for c in d.codings),
    ]:
        if coder not in coders:
            coders.append(coder)
    return coders


def _document_guids(documents: list[QdaDocument]) -> list[str]:
    """Stable GUIDs for documents: the caller's GUID if it has one (a document that came
    from NVivo goes back as itself), otherwise one derived from the name."""
    guids: list[str] = []
    seen: set[str] = set()
    for document in documents:
        if document.guid:
            guid = _normalise_guid(document.guid, f"document {document.name!r}")
            if guid in seen:
                raise RefiError(f"document {document.name!r}: GUID {guid} is used twice")
        else:
            guid = _guid("source", document.name)
            suffix = 1
            while guid in seen:  # two reviews with the same title stay distinct
                suffix += 1
                guid = _guid("source", f"{document.name}\x00{suffix}")
        seen.add(guid)
        guids.append(guid)
    return guids


def _selections(
    document: QdaDocument, code_order: dict[str, int]
) -> Iterator[tuple[tuple[int, int, str], list[str]]]:
    """Group codings by span and coder, in offset order: one PlainTextSelection per span
    and coder is how NVivo and MAXQDA store it, and sorting makes the output independent
    of the order codings were made in (codes on one span follow the codebook's order).
    Exact duplicates are written once."""
    grouped: dict[tuple[int, int, str], list[str]] = {}
    for coding in document.codings:
        if coding.code_id not in code_order:
            raise RefiError(
                f"document {document.name!r}: coding uses code {coding.code_id!r}, "
                "which is not in the codebook"
            )
        _check_span(coding.start, coding.end, len(document.text), document.name)
        key = (coding.start, coding.end, coding.coder)
        codes = grouped.setdefault(key, [])
        if coding.code_id not in codes:
            codes.append(coding.code_id)
    for key in sorted(grouped):
        yield key, sorted(grouped[key], key=code_order.__getitem__)


def _check_span(start: int, end: int, length: int, document: str) -> None:
    if (
        isinstance(start, bool)
        or isinstance(end, bool)
        or not isinstance(start, int)
        or not isinstance(end, int)
    ):
        raise RefiError(f"document {document!r}: selection offsets must be whole numbers")
    if not 0 <= start <= end <= length:
        raise RefiError(
            f"document {document!r}: selection {start}-{end} lies outside the text "
            f"(0-{length} characters)"
        )


def _write_member(archive: zipfile.ZipFile, name: str, payload: bytes) -> None:
    """Fixed date, permissions and creating system: the ZIP must not change with the clock
    or the platform, or two exports of the same project would differ."""
    info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3
    info.external_attr = 0o644 << 16
    archive.writestr(info, payload)


def _serialise(root: ET.Element, *, comment: str | None = None) -> bytes:
    """The tree is built from unqualified tags under an explicit default xmlns on the root:
    every element then lands in the REFI namespace with no prefixes, which is how the other
    tools write these files."""
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    head = _XML_DECLARATION
    if comment:
        safe = _xml_text(comment).replace("--", "- -").rstrip("-")
        head += f"<!-- {safe} -->\n"
    return (head + body + "\n").encode("utf-8")


def _guid(kind: str, key: str) -> str:
    return str(uuid.uuid5(_GUID_NAMESPACE, f"{kind}:{key}"))


def _xml_text(value: str) -> str:
    """Control characters (a form feed from a PDF title, say) cannot appear in XML at all;
    a space keeps the words apart instead of producing a file no tool can open."""
    return _INVALID_XML_CHARS.sub(" ", value)


# --------------------------------------------------------------------------- import


def qdc_to_codes(data: bytes) -> list[QdaCode]:
    """Read a Codebook Exchange file, from caselearn or any other tool, into caselearn codes.
    Codes that carry a "caselearn:<id>" first line keep that id; codes made elsewhere get
    one derived from their parent and name."""
    root = _parse_xml(data, "codebook")
    if _local(root.tag) != "CodeBook":
        raise RefiError(f"codebook: root element is <{_local(root.tag)}>, expected <CodeBook>")
    codes, _ = _read_codebook(root, "codebook")
    return codes


def qdpx_to_project(data: bytes) -> QdaProject:
    """Read a Project Exchange file into documents, codes and codings, refusing anything
    unsafe or inconsistent rather than importing a half-right project."""
    archive, infos = _open_archive(data)
    with archive:
        qde = _find_member(infos, "project.qde")
        if qde is None:
            raise RefiError("qdpx: the archive has no project.qde")
        root = _parse_xml(_read_member(archive, qde), "project.qde")
        if _local(root.tag) != "Project":
            raise RefiError(
                f"project.qde: root element is <{_local(root.tag)}>, expected <Project>"
            )

        users: dict[str, str] = {}
        coders: list[str] = []
        for users_element in _children(root, "Users"):
            for user in _children(users_element, "User"):
                guid = _required_guid(user, "User")
                name = (user.get("name") or "").strip() or guid
                users[guid] = name
                if name not in coders:
                    coders.append(name)

        codebook = _child(root, "CodeBook")
        codes, targets = (
            _read_codebook(codebook, "project.qde") if codebook is not None else ([], {})
        )

        documents: list[QdaDocument] = []
        for sources in _children(root, "Sources"):
            for source in _children(sources, "TextSource"):
                document = _read_source(source, archive, infos, users, targets)
                if any(d.guid == document.guid for d in documents):
                    raise RefiError(f"project.qde: source GUID {document.guid} is used twice")
                documents.append(document)

    return QdaProject(
        name=(root.get("name") or "").strip(), codes=codes, documents=documents, coders=coders
    )


def _read_source(
    source: ET.Element,
    archive: zipfile.ZipFile,
    infos: dict[str, zipfile.ZipInfo],
    users: dict[str, str],
    targets: dict[str, QdaCode | None],
) -> QdaDocument:
    guid = _required_guid(source, "TextSource")
    name = source.get("name") or guid
    label = f"source {name!r}"
    text = _source_text(source, archive, infos, label)

    codings: list[QdaCoding] = []
    for selection in _children(source, "PlainTextSelection"):
        start = _position(selection, "startPosition", label)
        end = _position(selection, "endPosition", label)
        _check_span(start, end, len(text), name)
        selection_user = selection.get("creatingUser")
        for coding in _children(selection, "Coding"):
            ref = _child(coding, "CodeRef")
            if ref is None or not ref.get("targetGUID"):
                raise RefiError(f"{label}: a Coding has no CodeRef targetGUID")
            target = _normalise_guid(ref.get("targetGUID", ""), f"{label}: CodeRef")
            if target not in targets:
                raise RefiError(f"{label}: CodeRef points at unknown code {target}")
            code = targets[target]
            if code is None:
                raise RefiError(
                    f"{label}: CodeRef points at {target}, a grouping code that cannot be coded"
                )
            user_guid = coding.get("creatingUser") or selection_user
            coder = UNKNOWN_CODER
            if user_guid:
                user_guid = _normalise_guid(user_guid, f"{label}: creatingUser")
                if user_guid not in users:
                    raise RefiError(f"{label}: coding made by unknown user {user_guid}")
                coder = users[user_guid]
            codings.append(QdaCoding(code_id=code.id, start=start, end=end, coder=coder))
    return QdaDocument(name=name, text=text, codings=codings, guid=guid)


def _source_text(
    source: ET.Element,
    archive: zipfile.ZipFile,
    infos: dict[str, zipfile.ZipInfo],
    label: str,
) -> str:
    """The text file named by plainTextPath, or the inline <PlainTextContent> some tools
    write instead."""
    path = (source.get("plainTextPath") or "").strip()
    if path:
        member = _member_for_path(path, infos, label)
        if member is not None:
            raw = _read_member(archive, member)
            try:
                return raw.decode("utf-8").removeprefix("\ufeff")
            except UnicodeDecodeError as exc:
                raise RefiError(f"{label}: text file {member.filename} is not UTF-8") from exc
    inline = _child(source, "PlainTextContent")
    if inline is not None:
        return inline.text or ""
    if path:
        raise RefiError(f"{label}: text file {path!r} is not in the archive")
    raise RefiError(f"{label}: has neither a plainTextPath nor <PlainTextContent>")


def _member_for_path(
    path: str, infos: dict[str, zipfile.ZipInfo], label: str
) -> zipfile.ZipInfo | None:
    if path.startswith("internal://"):
        candidates = ["sources/" + path.removeprefix("internal://")]
    elif re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", path):
        return None  # file:// and the like live outside the archive
    else:
        relative = path.replace("\\", "/").removeprefix("./")
        candidates = [relative, "sources/" + relative]
    for candidate in candidates:
        problem = _unsafe_name(candidate)
        if problem:
            raise RefiError(f"{label}: plainTextPath {path!r} {problem}")
        member = _find_member(infos, candidate)
        if member is not None:
            return member
    return None


def _position(element: ET.Element, attribute: str, label: str) -> int:
    value = element.get(attribute)
    if value is None:
        raise RefiError(f"{label}: a PlainTextSelection has no {attribute}")
    try:
        return int(value.strip())
    except ValueError:
        raise RefiError(f"{label}: {attribute} {value!r} is not a whole number") from None


@dataclass
class _CodeNode:
    guid: str
    name: str
    full_description: str
    explicit_id: str | None  # from a "caselearn:<id>" first line
    parent_category: str | None  # None at the top of the tree
    child_category: str  # the category this code gives the codes under it
    grouping: bool  # holds children only; codings may not point at it


def _read_codebook(
    container: ET.Element, where: str
) -> tuple[list[QdaCode], dict[str, QdaCode | None]]:
    """Turn a <CodeBook> into caselearn codes plus a map from every Code GUID to its code
    (None for grouping codes, which exist only to hold children)."""
    nodes: list[_CodeNode] = []
    for codes in _children(container, "Codes"):
        _collect_codes(codes, None, 0, nodes, where)

    seen_guids: set[str] = set()
    for node in nodes:
        if node.guid in seen_guids:
            raise RefiError(f"{where}: code GUID {node.guid} is used twice")
        seen_guids.add(node.guid)

    # Identifiers written by caselearn are claimed first so that a code made elsewhere can
    # never take one; a second code with the same caselearn line (copied in NVivo) is treated
    # as a new code rather than silently merged with the first.
    used: set[str] = set()
    ids: dict[int, str] = {}
    for index, node in enumerate(nodes):
        if not node.grouping and node.explicit_id and node.explicit_id not in used:
            used.add(node.explicit_id)
            ids[index] = node.explicit_id
    codes_out: list[QdaCode] = []
    targets: dict[str, QdaCode | None] = {}
    for index, node in enumerate(nodes):
        if node.grouping:
            targets[node.guid] = None
            continue
        if index in ids:
            code_id = ids[index]
            category = node.parent_category or ""
            description = node.full_description.partition("\n")[2]
        else:
            category = node.parent_category or DEFAULT_CATEGORY
            code_id = _unique(f"{category}.{_slug(node.name)}", used)
            used.add(code_id)
            # A copy's stale "caselearn:" line would otherwise follow it into the next export.
            full = node.full_description
            description = full.partition("\n")[2] if node.explicit_id else full
        code = QdaCode(id=code_id, name=node.name, description=description, category=category)
        codes_out.append(code)
        targets[node.guid] = code
    return codes_out, targets


def _collect_codes(
    container: ET.Element,
    parent: _CodeNode | None,
    depth: int,
    nodes: list[_CodeNode],
    where: str,
) -> None:
    if depth > MAX_CODE_DEPTH:
        raise RefiError(f"{where}: codes are nested more than {MAX_CODE_DEPTH} levels deep")
    for element in _children(container, "Code"):
        guid = _required_guid(element, "Code")
        name = (element.get("name") or "").strip()
        if not name:
            raise RefiError(f"{where}: code {guid} has no name")
        description_element = _child(element, "Description")
        full = (description_element.text or "") if description_element is not None else ""
        first = full.partition("\n")[0]
        explicit_id = category_marker = None
        if first.strip().startswith(ID_PREFIX):
            explicit_id = first.strip().removeprefix(ID_PREFIX).strip() or None
        elif first.strip().startswith(CATEGORY_PREFIX):
            category_marker = first.strip().removeprefix(CATEGORY_PREFIX).strip() or None
        has_children = _child(element, "Code") is not None
        codable = (element.get("isCodable") or "true").strip().lower() != "false"
        node = _CodeNode(
            guid=guid,
            name=name,
            full_description=full,
            explicit_id=explicit_id,
            parent_category=parent.child_category if parent else None,
            child_category=category_marker or _slug(name),
            grouping=category_marker is not None or (has_children and not codable),
        )
        nodes.append(node)
        _collect_codes(element, node, depth + 1, nodes, where)


def _slug(text: str) -> str:
    """A readable identifier from a name typed by a person: "Child’s voice (é)" becomes
    "childs_voice_e". Names with no Latin letters or digits get a stable hash instead."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    folded = re.sub(r"['’‘`]", "", folded)
    slug = re.sub(r"[^a-z0-9]+", "_", folded).strip("_")
    return slug or "code_" + uuid.uuid5(_GUID_NAMESPACE, text).hex[:8]


def _unique(candidate: str, used: set[str]) -> str:
    if candidate not in used:
        return candidate
    n = 2
    while f"{candidate}_{n}" in used:
        n += 1
    return f"{candidate}_{n}"


# --------------------------------------------------------------------------- safety


class _Refused(Exception):
    pass


def _refuse(*_: object) -> None:
    raise _Refused


def _parse_xml(data: bytes, where: str) -> ET.Element:
    """Parse untrusted XML. A first pass with expat stops at the DOCTYPE itself, before any
    entity is declared, so no entity can be expanded (billion laughs) or fetched (XXE);
    REFI-QDA files never need a DOCTYPE. Only then is the tree built."""
    if not isinstance(data, bytes | bytearray) or not data.strip():
        raise RefiError(f"{where}: empty input")
    checker = expat.ParserCreate()
    checker.StartDoctypeDeclHandler = _refuse
    checker.EntityDeclHandler = _refuse
    checker.ExternalEntityRefHandler = _refuse
    try:
        checker.Parse(bytes(data), True)
    except _Refused:
        raise RefiError(
            f"{where}: XML with a DOCTYPE or ENTITY declaration is refused "
            "(REFI-QDA files never need one, and they can be used to attack the reader)"
        ) from None
    except expat.ExpatError as exc:
        raise RefiError(f"{where}: not well-formed XML ({exc})") from None
    try:
        return ET.fromstring(bytes(data))
    except ET.ParseError as exc:  # pragma: no cover - expat accepted it above
        raise RefiError(f"{where}: not well-formed XML ({exc})") from None


def _open_archive(data: bytes) -> tuple[zipfile.ZipFile, dict[str, zipfile.ZipInfo]]:
    """Open a .qdpx and vet every member before reading any: names that could escape a
    folder if someone unpacked the file, members too large, compression ratios only a
    decompression bomb has, encryption."""
    if not isinstance(data, bytes | bytearray) or not data:
        raise RefiError("qdpx: empty input")
    try:
        archive = zipfile.ZipFile(io.BytesIO(bytes(data)))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        raise RefiError(f"qdpx: not a ZIP archive ({exc})") from None
    infos: dict[str, zipfile.ZipInfo] = {}
    try:
        for info in archive.infolist():
            name = info.filename
            problem = _unsafe_name(name)
            if problem:
                raise RefiError(f"qdpx: member {name!r} {problem}")
            if name in infos:
                raise RefiError(f"qdpx: member {name!r} appears twice")
            if info.flag_bits & 0x1:
                raise RefiError(f"qdpx: member {name!r} is encrypted")
            if info.file_size > MAX_MEMBER_BYTES:
                raise RefiError(
                    f"qdpx: member {name!r} is {info.file_size} bytes uncompressed, "
                    f"over the {MAX_MEMBER_BYTES} byte limit"
                )
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > RATIO_CHECK_MIN_BYTES and ratio > MAX_COMPRESSION_RATIO:
                raise RefiError(
                    f"qdpx: member {name!r} has compression ratio {ratio:.0f}, over "
                    f"{MAX_COMPRESSION_RATIO} (a likely decompression bomb)"
                )
            infos[name] = info
    except RefiError:
        archive.close()
        raise
    return archive, infos


def _unsafe_name(name: str) -> str | None:
    if not name:
        return "has an empty name"
    if name.startswith(("/", "\\")) or re.match(r"^[a-zA-Z]:", name):
        return "has an absolute path"
    if ".." in re.split(r"[\\/]", name):
        return "has '..' in its path"
    if "\x00" in name:
        return "has a NUL character in its name"
    return None


def _find_member(infos: dict[str, zipfile.ZipInfo], name: str) -> zipfile.ZipInfo | None:
    if name in infos:
        return infos[name]
    lowered = name.lower()
    for member, info in infos.items():
        if member.lower() == lowered:
            return info
    return None


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """Read at most the size limit even if the header lies about the size."""
    try:
        with archive.open(info) as stream:
            payload = stream.read(MAX_MEMBER_BYTES + 1)
    except (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError, OSError) as exc:
        raise RefiError(f"qdpx: member {info.filename!r} cannot be read ({exc})") from None
    if len(payload) > MAX_MEMBER_BYTES:
        raise RefiError(f"qdpx: member {info.filename!r} is over the size limit")
    return payload


# --------------------------------------------------------------------------- XML helpers


def _local(tag: object) -> str | None:
    """Local name of a REFI element, qualified or not; None for comments and for elements
    from other namespaces."""
    if not isinstance(tag, str):
        return None
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return local if namespace.startswith(_REFI_NS_PREFIX) else None
    return tag


def _children(element: ET.Element, name: str) -> list[ET.Element]:
    return [child for child in element if _local(child.tag) == name]


def _child(element: ET.Element, name: str) -> ET.Element | None:
    return next((child for child in element if _local(child.tag) == name), None)


def _required_guid(element: ET.Element, what: str) -> str:
    value = element.get("guid")
    if not value:
        label = element.get("name")
        raise RefiError(f"{what}{f' {label!r}' if label else ''} has no guid")
    return _normalise_guid(value, what)


def _normalise_guid(value: str, where: str) -> str:
    """GUIDs are compared in one form: NVivo writes them upper case, some tools in braces."""
    try:
        return str(uuid.UUID(value.strip()))
    except (ValueError, AttributeError):
        raise RefiError(f"{where}: {value!r} is not a GUID") from None
