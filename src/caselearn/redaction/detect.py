"""Rule-based detection of personal identifiers in case review text.

No model and no network: regular expressions for formatted identifiers (postcodes, phone
numbers, e-mail addresses, NHS/CHI/NI numbers, reference numbers, dates of birth, street
addresses) and, for personal names, an offline first-name and surname list combined with
titles, context cues ("mother, Lorna Fenwick", "a man called Jayden", "Kayla (aged 14)") and
propagation of names already found in the same text ("Callum Fenwick" ... "Callum").

Children's anonymised labels ("Child D", "Baby P", "Young Person F", "YP F", "Sibling 2"),
role words, agency and service names are left alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import names as lex

KINDS = (
    "name",
    "address",
    "postcode",
    "date_of_birth",
    "phone",
    "email",
    "nhs_number",
    "chi_number",
    "ni_number",
    "identifier",
    "url_personal",
)

LABELS = {
    "address": "[Address]",
    "postcode": "[Postcode]",
    "date_of_birth": "[Date of birth]",
    "phone": "[Phone]",
    "email": "[E-mail]",
    "nhs_number": "[NHS number]",
    "chi_number": "[CHI number]",
    "ni_number": "[NI number]",
    "identifier": "[Identifier]",
    "url_personal": "[Personal web address]",
}


@dataclass(frozen=True)
class Span:
    """One identifier found in a text: ``text[start:end]`` is replaced by ``replacement``."""

    start: int
    end: int
    kind: str
    text: str
    replacement: str
    confidence: float


@dataclass
class _Cand:
    start: int
    end: int
    kind: str
    confidence: float
    tokens: tuple[str, ...] = field(default=())  # name parts, for consistent numbering
    titled: bool = False  # "Mrs Fenwick"
    adult: bool = False  # a parent, carer or titled adult
    child: bool = False  # the child the review is about ("Ellie-Mae McAteer (Child E)")

    @property
    def length(self) -> int:
        return self.end - self.start


# --------------------------------------------------------------------------------------------
# Shared patterns

_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec"
)
_DATE = (
    r"(?:\b\d{1,2}[./-]\d{1,2}[./-](?:\d{4}|\d{2})\b"
    rf"|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTHS})\.?,?\s+\d{{4}}\b"
    rf"|\b(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}\b)"
)
_DATE_RE = re.compile(_DATE)
_NUMDATE_PARTS = re.compile(r"(\d{1,2})[./-](\d{1,2})[./-](\d{2,4})$")

_POSTCODE = r"\b(?:[A-Z]{1,2}\d[A-Z\d]?|GIR)\s?\d[ABD-HJLNP-UW-Z]{2}\b"
_POSTCODE_RE = re.compile(_POSTCODE)

_EMAIL_RE = re.compile(r"(?<![\w.+'-])[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
_URL_RE = re.compile(
    r"(?<![\w/])(?:https?://)?(?:www\.|m\.)?(?:facebook|instagram|twitter|x|tiktok|snapchat|"
    r"linkedin|youtube|threads)\.com/[\w.%~@-]+(?:/[\w.%~@-]+)*",
    re.I,
)
_NI_RE = re.compile(r"\b[A-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b")
_TEN_RE = re.compile(r"(?<![\w+/.-])\d(?:[ -]?\d){9}(?![\w/]|[.-]\d)")
_PHONE_RE = re.compile(
    r"(?<![\w+])(?:\+44\s?(?:\(0\)\s?)?|\(?0)\d{2,4}\)?[\s-]?\d{3,4}[\s-]?\d{3,4}(?![\w])"
)
_INTL_PHONE_RE = re.compile(
    r"(?<![\w+])\+(?!44)\d{1,3}[\s-]?(?:\(0\)\s?)?\d{2,4}(?:[\s-]?\d{2,4}){1,4}(?![\w])"
)
_VEHICLE_RE = re.compile(r"\b[A-Z]{2}\d{2} ?[A-Z]{3}\b")

_ID_CUE_WORDS = (
    r"case|file|client|patient|hospital|crime|incident|log|job|account|reference|ref|id|no|"
    r"number|upn|passport|collar|pnc|mosaic|carefirst|swift|record|crn|urn|warrant|"
    r"registration|reg"
)
_ID_CUE_RE = re.compile(rf"(?:\b(?:{_ID_CUE_WORDS})\b\.?[\s:#(]{{0,4}})+", re.I)
_ID_CODE_RE = re.compile(r"(?:[A-Z]{1,5} )?[A-Z0-9]+(?:[/-][A-Z0-9]+)*")
_NOT_CODE_PREFIX = {"CHI", "NHS", "DOB", "ID", "NI", "HCN", "UPN", "PNC", "NO", "REF", "TEL", "MOB"}
_ID_FALLBACK_RE = re.compile(r"\b[A-Z]{1,5}[ /-]?\d[\d/-]*\d[A-Z]?\b")
_ID_DENY_RE = re.compile(
    r"audit|datix|complaint|action|recommendation|version|paragraph|section|\bform\b|page|"
    r"appendix|item|\bICR\b|\bSCR\b|\bCSPR\b|\bCPR\b|\bLLR\b|review|policy|standing|"
    r"committee|board|minute",
    re.I,
)
_REVIEW_PREFIXES = {
    "ICR",
    "SCR",
    "CSPR",
    "CPR",
    "ECPR",
    "LR",
    "LLR",
    "RR",
    "DHR",
    "SAR",
    "LSCB",
    "CPC",
    "AFRSB",
    "COVID",
    "ISBN",
    "ISO",
    "MAPPA",
}
_YEAR_SEG = re.compile(r"^(?:19|20)\d\d$")


def _digits(s: str) -> str:
    return re.sub(r"\D", "", s)


def _valid_day_month(day: int, month: int) -> bool:
    return 1 <= day <= 31 and 1 <= month <= 12


def _nhs_check_ok(d: str) -> bool:
    if len(d) != 10:
        return False
    total = sum(int(d[i]) * (10 - i) for i in range(9))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(d[9])


# --------------------------------------------------------------------------------------------
# Formatted identifiers


def _find_emails(text: str) -> list[_Cand]:
    out = []
    for m in _EMAIL_RE.finditer(text):
        s, e = m.start(), m.end()
        while e > s and text[e - 1] in ".-'":
            e -= 1
        out.append(_Cand(s, e, "email", 0.99))
    return out


def _find_urls(text: str) -> list[_Cand]:
    out = []
    for m in _URL_RE.finditer(text):
        s, e = m.start(), m.end()
        while e > s and text[e - 1] in ".-":
            e -= 1
        out.append(_Cand(s, e, "url_personal", 0.9))
    return out


def _find_ni(text: str) -> list[_Cand]:
    return [_Cand(m.start(), m.end(), "ni_number", 0.95) for m in _NI_RE.finditer(text)]


def _context_before(text: str, start: int, width: int = 45) -> str:
    window = text[max(0, start - width) : start]
    return window.rsplit("\n", 1)[-1]


def _find_ten_digit(text: str) -> list[_Cand]:
    out = []
    for m in _TEN_RE.finditer(text):
        raw = m.group(0)
        d = _digits(raw)
        ctx = _context_before(text, m.start())
        chi_at = max((c.end() for c in re.finditer(r"\bCHI\b", ctx)), default=-1)
        nhs_at = max(
            (c.end() for c in re.finditer(r"\bNHS\b|Health and Care|\bH&C\b|\bHCN\b", ctx)),
            default=-1,
        )
        day, month = int(d[:2]), int(d[2:4])
        if chi_at > nhs_at:
            kind, conf = "chi_number", 0.97
        elif nhs_at > chi_at:
            kind, conf = "nhs_number", 0.97
        elif re.fullmatch(r"\d{3}[ -]\d{3}[ -]\d{4}", raw):
            kind, conf = "nhs_number", 0.85
        elif _valid_day_month(day, month):
            kind, conf = "chi_number", 0.8
        elif _nhs_check_ok(d):
            kind, conf = "nhs_number", 0.8
        else:
            kind, conf = "identifier", 0.6
        out.append(_Cand(m.start(), m.end(), kind, conf))
    return out


def _find_phones(text: str) -> list[_Cand]:
    out = []
    for m in _PHONE_RE.finditer(text):
        raw = m.group(0)
        start = m.start()
        if raw.startswith("(") and ")" not in raw:
            raw = raw[1:]
            start += 1
        d = _digits(raw)
        if raw.startswith("+44"):
            national = "0" + d[2:]
            if national.startswith("00"):  # "+44 (0)1632 ..." keeps its 0 in the digits
                national = national[1:]
        else:
            national = d
        if len(national) != 11 or national[1] not in "127":
            # 03/08/09 numbers are service lines (helplines, freephone), not personal
            continue
        out.append(_Cand(start, m.end(), "phone", 0.95))
    for m in _INTL_PHONE_RE.finditer(text):
        if 8 <= len(_digits(m.group(0))) <= 15:
            out.append(_Cand(m.start(), m.end(), "phone", 0.85))
    return out


def _find_postcodes(text: str) -> list[_Cand]:
    return [_Cand(m.start(), m.end(), "postcode", 0.95) for m in _POSTCODE_RE.finditer(text)]


def _code_is_personal(code: str) -> bool:
    if len(code) < 5 or _DATE_RE.search(code):
        return False
    segs = [s for s in re.split(r"[ /-]", code) if s]
    if segs and segs[0].upper() in _REVIEW_PREFIXES:
        return False
    if re.fullmatch(r"\d{4}/\d{1,3}|\d{1,3}/\d{4}|\d{4}/\d{2}", code):
        return False  # review references ("2019/02") and years ("2021/22")
    if len(segs) > 1 and any(_YEAR_SEG.match(s) for s in segs):
        # "CF-2019-004417" is a case number; "NSCP/SIN/2022/014" a serial of the year
        rest = [s for s in segs if not _YEAR_SEG.match(s)]
        return len(_digits("".join(rest))) >= 4
    return len(_digits(code)) >= 3


def _find_reference_numbers(text: str) -> list[_Cand]:
    out = []
    for m in _ID_CUE_RE.finditer(text):
        cm = _ID_CODE_RE.match(text, m.end())
        if not cm:
            continue
        code, cs = cm.group(0), cm.start()
        if not re.search(r"\d", code):
            continue
        if " " in code and code.split(" ")[0] in _NOT_CODE_PREFIX:
            first, code = code.split(" ", 1)
            cs += len(first) + 1
        if not _code_is_personal(code):
            continue
        if _ID_DENY_RE.search(_context_before(text, m.start(), 30) + m.group(0)):
            continue
        out.append(_Cand(cs, cs + len(code), "identifier", 0.8))
    for m in _ID_FALLBACK_RE.finditer(text):
        code = m.group(0)
        prefix = re.match(r"[A-Z]+", code).group(0)
        if prefix in _NOT_CODE_PREFIX or len(_digits(code)) < 6 or not _code_is_personal(code):
            continue
        if _ID_DENY_RE.search(_context_before(text, m.start(), 30)):
            continue
        out.append(_Cand(m.start(), m.end(), "identifier", 0.7))
    for m in _VEHICLE_RE.finditer(text):
        out.append(_Cand(m.start(), m.end(), "identifier", 0.7))
    return out


# --------------------------------------------------------------------------------------------
# Dates of birth

_DOB_CUE_RE = re.compile(r"\b(?:d\.?\s?o\.?\s?b\b\.?|date\s+of\s+birth|birth\s*date|born)", re.I)
_DOB_GAP_BAD = re.compile(
    r"\n|[.;!?]\s|\b(?:died|death|registered|admitted|discharged|until|moved|seen)\b", re.I
)


def _date_is_valid(s: str) -> bool:
    m = _NUMDATE_PARTS.match(s)
    if not m:
        return True
    return _valid_day_month(int(m.group(1)), int(m.group(2)))


def _find_dobs(text: str) -> list[_Cand]:
    out = []
    cues = list(_DOB_CUE_RE.finditer(text))
    for m in _DATE_RE.finditer(text):
        if not _date_is_valid(m.group(0)):
            continue
        for c in reversed(cues):
            if c.end() > m.start():
                continue
            gap = text[c.end() : m.start()]
            if len(gap) > 40:
                break
            if _DOB_GAP_BAD.search(gap) or _DATE_RE.search(gap):
                break
            out.append(_Cand(m.start(), m.end(), "date_of_birth", 0.95))
            break
    return out


# --------------------------------------------------------------------------------------------
# Addresses

_CAPW = r"[A-Z][A-Za-zÀ-ÿ'’\-]+"
_SUFFIX_STRONG = (
    "road street avenue crescent drive terrace gardens place wynd row grove brae square mews "
    "parade quay loan vennel circus quadrant boulevard"
).split()


def _alt(words) -> str:
    return "|".join(sorted((w.capitalize() for w in words), key=len, reverse=True))


_SUFFIX_ALL = _alt(w for w in lex.STREET_SUFFIXES if w not in {"st", "dr"})
_PREFIX_ALL = _alt(lex.STREET_PREFIXES)
_BUILDING_ALT = _alt(lex.BUILDING_WORDS)
_STREET = (
    rf"(?:(?:{_CAPW}\s){{0,3}}{_CAPW}\s(?:{_SUFFIX_ALL}|St\b\.?(?!\s*[A-Z]))"
    rf"|(?:{_PREFIX_ALL})(?:\s(?:y|yr|na|nan|an|{_CAPW})){{1,3}})\b"
)
_UNIT = (
    r"(?:(?:Flat|Apartment|Apt\.?|Unit|Room|Suite|Maisonette)\s[0-9A-Za-z]{1,4}"
    r"(?:/[0-9A-Za-z]{1,3})?,?\s|\d{1,3}/\d{1,2},?\s|\d{1,2}F\d{1,2},?\s)"
)
_BUILDING = rf"(?:The\s)?(?:{_CAPW}\s){{1,2}}(?:{_BUILDING_ALT})\b"
_NUMBER = r"\b\d{1,4}[A-Za-z]?(?:-\d{1,4})?"
_ADDRESS_RE = re.compile(
    rf"(?:{_UNIT})?(?:{_BUILDING},\s)?{_NUMBER},?\s{_STREET}"
    rf"|{_UNIT}{_BUILDING}"
    rf"|{_BUILDING},\s{_STREET}"
    rf"|{_BUILDING}(?=,\s{_CAPW}(?:\s{_CAPW})?,?\s{_POSTCODE})"
)
_STREET_ONLY_RE = re.compile(_STREET)
_HOUSE_NAME_BEFORE_RE = re.compile(
    rf"(?:^|[:,|]\s|\n)((?:The\s)?{_CAPW}(?:\s(?:na|nan|an|y|yr|{_CAPW})){{0,3}}),\s$"
)
_LEADING_FUNCTION = {"the", "at", "in", "on", "from", "to", "and", "of", "a", "an", "near"}


def _followed_by_org(text: str, end: int) -> bool:
    """True if the capitalised words right after ``end`` run into an organisation word."""
    rest = text[end : end + 80]
    m = re.match(r"(?:\s(?:&\s)?[A-Z][\w'’&-]*)+", rest)
    if not m:
        return False
    words = re.findall(r"[A-Za-z][\w'’-]*", m.group(0))
    return any(w.lower() in lex.ORG_WORDS for w in words)


def _find_addresses(text: str) -> list[_Cand]:
    out = []
    for m in _ADDRESS_RE.finditer(text):
        out.append(_Cand(m.start(), m.end(), "address", 0.9))
    taken = [(c.start, c.end) for c in out]
    for m in _STREET_ONLY_RE.finditer(text):
        s, e = m.start(), m.end()
        if any(a <= s < b or a < e <= b for a, b in taken):
            continue
        words = m.group(0).split()
        while words and words[0].lower() in _LEADING_FUNCTION:
            s += len(words[0]) + 1
            words = words[1:]
        if len(words) < 2:
            continue
        last = words[-1].lower()
        is_prefix_form = words[0].lower() in lex.STREET_PREFIXES
        if not is_prefix_form and last not in _SUFFIX_STRONG:
            continue
        if not is_prefix_form and words[0].lower() in lex.GENERIC_STREETS and len(words) == 2:
            continue
        if any(
            w.lower() in lex.NON_NAME_WORDS and w.lower() not in lex.STREET_SUFFIXES
            for w in words[:-1]
        ):
            continue
        before = text[max(0, s - 4) : s]
        if re.search(r"\bSt\.?\s$|Saint\s$", before) or _followed_by_org(text, e):
            continue
        if re.match(r"[A-Z]", text[s - 2 : s - 1] or "x") and text[s - 1 : s] == " ":
            continue  # part of a longer capitalised name ("Great Ormond Street ...")
        out.append(_Cand(s, e, "address", 0.75))
    # a house name just before a street: "Tigh na Mara, Shore Road"
    extended = []
    for c in out:
        m = _HOUSE_NAME_BEFORE_RE.search(text[max(0, c.start - 60) : c.start])
        if m:
            seg = m.group(1)
            seg_words = [w.lower() for w in re.findall(r"[A-Za-z][\w'’-]*", seg)]
            if not any(
                w in lex.FIRST_NAMES or w in lex.SURNAMES or w in lex.NON_NAME_WORDS
                for w in seg_words
                if w not in ("the",)
            ):
                c = _Cand(c.start - len(seg) - 2, c.end, c.kind, c.confidence)
        extended.append(c)
    return extended


# --------------------------------------------------------------------------------------------
# Personal names

_TOKEN_RE = re.compile(r"[^\W\d_](?:[\w'’-]*[^\W\d_])?")
_ROLE_ALT = "|".join(sorted((re.escape(w) for w in lex.ROLE_CUES), key=len, reverse=True))
_FUNCTION_WORDS = (
    "after|before|when|while|who|whom|which|that|as|and|but|with|to|for|from|in|on|at|by|was|"
    "were|is|are|had|has|have|said|told|then|so|if|because|where|since|until|of|or|not|also|"
    "only|saw|asked|called|met|spoke|visited|went|did|does|could|would|should|will|may|might|"
    "than|into|onto|about|over|under|via|per|without|within|during"
)
_CALLED_RE = re.compile(
    r"\b(?:called|named|known(?:\s+\w+){0,3}\s+as|names?\s+(?:is|was|were|are)|"
    r"nickname\s+(?:is|was)|alias|signed|aka|a\.k\.a\.)\s*(?:by\s+)?['\"‘“]?\s*$",
    re.I,
)
_CHILD_LABEL_BEFORE_RE = re.compile(
    r"\b(?:Child|Baby|Young Person|YP|Sibling|Infant)\s+[A-Z0-9]{1,2}\s*\(\s*['\"“]?$"
)
_CHILD_ROW_BEFORE_RE = re.compile(r"\b(?:Child|Subject|Young person|Baby)\s*[:|]\s*(?:\|\s*)?$")
_ROLE_BEFORE_RE = re.compile(rf"\b(?:{_ROLE_ALT})(?:'s)?\s*[,:|(]?\s*(?:\|\s*)?$", re.I)
_ADULT_ROLE_BEFORE_RE = re.compile(
    r"\b(?:mother|father|mum|dad|stepfather|stepmother|partner|ex-partner|boyfriend|girlfriend|"
    r"husband|wife|carer|carers|grandmother|grandfather|gran|grandad|uncle|aunt|parent|parents|"
    r"tenant|lodger|perpetrator|offender|neighbour|MGM|MGF|PGM|PGF)(?:'s)?\s*[,:|(]?\s*"
    r"(?:\|\s*)?(?:Mr|Mrs|Ms|Miss|Mx)?\.?\s*$",
    re.I,
)
_STRONG_AFTER_CUES = [
    re.compile(r"\s*\(\s*(?:aged\s+)?\d{1,2}\s*\)"),
    re.compile(r",?\s*\(?aged\s+\d", re.I),
    re.compile(r",\s*\d{1,2}(?:\s*[,.;)]|\s*$|\s+years)", re.M),
    re.compile(rf"\s*\((?:[^()\n]{{0,30}}\b)?(?:{_ROLE_ALT})s?\b[^()\n]{{0,30}}\)", re.I),
    re.compile(r"\s*[(,]\s*(?:DOB|d\.o\.b|date of birth|born|b\.\s?\d)", re.I),
    re.compile(r"\s*\(\s*['\"“]?(?:Child|Baby|Young Person|YP|Sibling)\s+[A-Z0-9]{1,2}\b"),
    # An apposition naming how the person relates to someone: "Jack, a friend of the mother".
    re.compile(
        rf",\s+(?:a|an|the|her|his|their)\s+(?:(?:close|old|family|new)\s+)?"
        rf"(?:{_ROLE_ALT})\s+(?:of|to)\s+(?:the|her|his|their|a|an|Child|Baby|[A-Z])",
        re.I,
    ),
]
_WEAK_AFTER_CUES = [
    re.compile(
        rf",\s+(?:(?:the|a|an|her|his|their|its|my|our)\s+)?"
        rf"(?:(?!(?:{_FUNCTION_WORDS})\b)[a-z][\w-]*\s+){{0,2}}(?:{_ROLE_ALT})\b"
    ),
    re.compile(rf",\s+(?:Child|Young Person|YP)\s+[A-Z]'s\s+(?:{_ROLE_ALT})\b"),
]
_POSSESSIVE_ROLE_RE = re.compile(
    rf"\s+(?:(?!(?:{_FUNCTION_WORDS})\b)[a-z][\w-]*\s+){{0,2}}(?:{_ROLE_ALT})\b", re.I
)
_VERB_CUE_RE = re.compile(
    r"\b(?:contact|contacted|ask for|speak to|spoke to|spoken to|talk to|talked to|met with|"
    r"interviewed|visited by|seen by|thank|thanks to)\s+$",
    re.I,
)
_LOCATIVE_BEFORE_RE = re.compile(
    r"\b(?:in|at|to|from|near|into|towards|outside|around|across|via|of)\s+$", re.I
)
_SURNAME_SHAPE_RE = re.compile(
    r"(?:Mc|Mac)[A-Z]\w+|O'[A-Z]\w+|\w+(?:son|sen|ski|ska|wicz|czyk|escu|enko|ova|ovic|ović|"
    r"opoulos|idis|akis|oglu|ian|yan|stein|berg)"
)
_CHILD_AFTER_RE = re.compile(r"\s*\(\s*['\"“]?(?:Child|Baby|Young Person|YP)\s+[A-Z]\b")
_CITATION_AFTER_RE = re.compile(
    r"\s+et\s+al\b|\s*\((?:19|20)\d\d[a-z]?\)|,\s+[A-Z]\.(?:\s?[A-Z]\.)*[,\s]"
)
_PERSONAL_TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr"})
_ORG_ACRONYMS = frozenset(
    """CPC SCP LSCB LSCP CSP CSPR SCR ICR MASH CAMHS HSCP ADP RSB NSCP ESCP CPR MARAC MAPPA
    CSWO GIRFEC NHS HB UHB LLP PLC CIC SCRA COPFS NSPCC DWP HMRC""".split()
)
_DICTIONARY: frozenset[str] | None = None


def _dictionary() -> frozenset[str]:
    """English words from spaCy's lookup tables (installed data, no download), if present."""
    global _DICTIONARY
    if _DICTIONARY is None:
        words: set[str] = set()
        try:
            import gzip
            import json
            from pathlib import Path

            import spacy_lookups_data

            data = Path(spacy_lookups_data.__file__).parent / "data"
            with gzip.open(data / "en_lemma_index.json.gz", "rt", encoding="utf-8") as fh:
                for vals in json.load(fh).values():
                    words.update(vals)
            with gzip.open(data / "en_lemma_lookup.json.gz", "rt", encoding="utf-8") as fh:
                words.update(json.load(fh))
        except Exception:  # pragma: no cover - the lists alone still work
            words = set()
        _DICTIONARY = frozenset(w.lower() for w in words if w.isalpha())
    return _DICTIONARY


def _dictionary_word(word: str) -> bool:
    """An ordinary English word that is not in the name lists ("Assessment", "Front")."""
    w = word.lower()
    if _in_list(w, lex.FIRST_NAMES) or _in_list(w, lex.SURNAMES):
        return False
    if w in lex.AMBIGUOUS_FIRST_NAMES:
        return True
    return w in _dictionary() or (w.endswith("s") and w[:-1] in _dictionary())


@dataclass
class _Tok:
    start: int
    end: int  # end of the name part (without a possessive 's)
    full_end: int
    text: str
    possessive: bool

    @property
    def low(self) -> str:
        return self.text.lower()

    @property
    def cap(self) -> bool:
        t = self.text
        return len(t) >= 2 and t[0].isupper() and any(ch.islower() for ch in t)


def _tokens(text: str) -> list[_Tok]:
    out = []
    for m in _TOKEN_RE.finditer(text):
        t = m.group(0)
        poss = False
        end = m.end()
        if len(t) > 2 and t[-2:] in ("'s", "’s"):
            t = t[:-2]
            end -= 2
            poss = True
        elif t.endswith(("'", "’")):
            t = t[:-1]
            end -= 1
        out.append(_Tok(m.start(), end, m.end(), t, poss))
    return out


def _in_list(word: str, lst: frozenset[str]) -> bool:
    w = word.lower()
    return w in lst or ("-" in w and any(p in lst for p in w.split("-")))


def _is_first_name(word: str) -> bool:
    return _in_list(word, lex.FIRST_NAMES) or word.lower() in lex.AMBIGUOUS_FIRST_NAMES


def _is_ambiguous(word: str) -> bool:
    return word.lower() in lex.AMBIGUOUS_FIRST_NAMES


def _namey(tok: _Tok) -> bool:
    if not tok.cap:
        return False
    low = tok.low
    if low in lex.NON_NAME_WORDS or low in lex.ROLE_CUES:
        return False
    # "Multi-Agency", "Pre-Birth"
    return not ("-" in low and any(p in lex.NON_NAME_WORDS for p in low.split("-")))


_PARTICLES = frozenset("de da di du van von der den le la bin ibn al el ap dos das del".split())


def _runs(text: str, toks: list[_Tok]) -> list[list[int]]:
    """Runs of capitalised name-like words separated by single spaces ("Maria de Souza")."""
    runs: list[list[int]] = []
    cur: list[int] = []
    for i, t in enumerate(toks):
        ok = _namey(t)
        if (
            not ok
            and cur
            and t.text in _PARTICLES
            and i + 1 < len(toks)
            and _namey(toks[i + 1])
            and text[toks[cur[-1]].full_end : t.start] == " "
            and text[t.full_end : toks[i + 1].start] == " "
        ):
            ok = True
        if ok and cur:
            prev = toks[cur[-1]]
            if prev.possessive or text[prev.full_end : t.start] != " ":
                runs.append(cur)
                cur = []
        if ok:
            cur.append(i)
        elif cur:
            runs.append(cur)
            cur = []
    if cur:
        runs.append(cur)
    return runs


def _initials_start(text: str, toks: list[_Tok], i: int) -> int:
    """Index of the first of up to three initials right before token i ("J. K. Rowling")."""
    j = i
    while j > 0 and i - j < 3:
        prev = toks[j - 1]
        if (
            len(prev.text) == 1
            and prev.text.isupper()
            and text[prev.full_end : toks[j].start]
            in (
                " ",
                ". ",
                ".",
            )
        ):
            j -= 1
        else:
            break
    return j


def _title_before(text: str, toks: list[_Tok], i: int) -> str | None:
    """The title right before token i (Mr, Mrs, Dr, PC ...), allowing initials between."""
    i = _initials_start(text, toks, i)
    if i == 0:
        return None
    prev = toks[i - 1]
    gap = text[prev.full_end : toks[i].start]
    if (
        gap in (" ", ". ")
        and prev.text[:1].isupper()
        and prev.low in lex.TITLES
        and not prev.possessive
    ):
        return prev.low
    return None


def _org_context(text: str, toks: list[_Tok], run: list[int]) -> bool:
    """Is this run of capitalised words part of an organisation, place or citation?"""
    first, last = toks[run[0]], toks[run[-1]]
    before = text[max(0, first.start - 12) : first.start]
    if re.search(r"\b(?:St|Saint|St\.)\s$", before):
        return True
    prev = re.search(r"([A-Za-z][\w'’&-]*)\s$", before)
    if prev and (prev.group(1) in _ORG_ACRONYMS or prev.group(1) in ("Police", "University")):
        return True
    if last.possessive:
        nxt = re.match(r"\s+([A-Z][\w'’-]*)", text[last.full_end : last.full_end + 30])
        if nxt and nxt.group(1).lower() in lex.ORG_WORDS:
            return True
    if any(toks[i].low in lex.ORG_WORDS for i in run[1:]):
        return True
    if not last.possessive:
        if _followed_by_org(text, last.full_end):
            return True
        nxt = re.match(r" ([A-Z]{2,6})\b", text[last.full_end : last.full_end + 8])
        if nxt and nxt.group(1) in _ORG_ACRONYMS:
            return True
    return bool(_CITATION_AFTER_RE.match(text[last.full_end : last.full_end + 14]))


def _line_before(text: str, start: int, width: int = 60) -> str:
    return text[max(0, start - width) : start].rsplit("\n", 1)[-1]


def _strong_cue(text: str, first: _Tok, last: _Tok) -> bool:
    line = _line_before(text, first.start)
    if _CALLED_RE.search(line) or _CHILD_LABEL_BEFORE_RE.search(line):
        return True
    if _ROLE_BEFORE_RE.search(line) or _VERB_CUE_RE.search(line):
        return True
    after = text[last.full_end : last.full_end + 80]
    if re.search("['\u2018\"\u201c]$", line) and re.match("['\u2019\"\u201d]", after):
        return True  # a quoted name or nickname
    if last.possessive:
        return bool(_POSSESSIVE_ROLE_RE.match(after))
    return any(p.match(after) for p in _STRONG_AFTER_CUES)


def _weak_cue(text: str, last: _Tok) -> bool:
    if last.possessive:
        return False
    after = text[last.full_end : last.full_end + 80]
    return any(p.match(after) for p in _WEAK_AFTER_CUES)


def _month_as_date(text: str, tok: _Tok) -> bool:
    if tok.low not in {"april", "may", "june", "august"}:
        return False
    around = text[max(0, tok.start - 6) : tok.full_end + 6]
    return bool(re.search(r"\d", around))


def _cue_accepts(text: str, toks: list[_Tok], sub: list[int]) -> bool:
    """A name supported only by context: 'mother, Lorna', 'a man called Tayo', 'Kai (15)'."""
    first, last = toks[sub[0]], toks[sub[-1]]
    called = bool(_CALLED_RE.search(_line_before(text, first.start)))
    strong = called or _strong_cue(text, first, last)
    if not strong and not _weak_cue(text, last):
        return False
    words = [toks[j].text for j in sub]
    if called:
        return True
    if all(_dictionary_word(w) and not _is_ambiguous(w) for w in words):
        return False  # "Front Door", "Quality Assurance", "Died"
    if all(_is_ambiguous(w) or _dictionary_word(w) for w in words):
        return strong  # "Hope, aged 4": an ambiguous first name needs a strong cue
    return True


def _caps_surname(word: str) -> bool:
    low = word.lower()
    if word in _ORG_ACRONYMS or word in _NOT_CODE_PREFIX or low in lex.NON_NAME_WORDS:
        return False
    return _in_list(low, lex.SURNAMES) or (len(word) >= 4 and not _dictionary_word(low))


def _find_names(text: str, places: list[tuple[int, int]] | None = None) -> list[_Cand]:
    """Personal names. ``places`` are spans already known to be addresses or postcodes."""
    toks = _tokens(text)
    places = places or []
    in_place = [any(a <= t.start < b for a, b in places) for t in toks]
    runs = [r for r in _runs(text, toks) if not any(in_place[i] for i in r)]
    org_runs = [r for r in runs if _org_context(text, toks, r)]
    place_words = {toks[i].text for r in org_runs for i in r}
    place_words |= {toks[i].text for i, flag in enumerate(in_place) if flag}
    # a town right before a postcode or right after an address: "..., Afonfach AF2 8ZZ"
    for t in toks:
        after = text[t.full_end : t.full_end + 10]
        if _POSTCODE_RE.match(after.lstrip(" ,")) and after[:1] in " ,":
            place_words.add(t.text)
        if any(0 <= t.start - b <= 2 and text[b : t.start] in (", ", ",", " ") for _, b in places):
            place_words.add(t.text)
    found: list[tuple[int, int, float]] = []  # (first token, last token, confidence)
    pending: list[list[int]] = []
    for run in runs:
        if _org_context(text, toks, run):
            continue
        result = None
        for k, i in enumerate(run):
            tok = toks[i]
            sub = run[k : k + 4]
            if _month_as_date(text, tok):
                continue
            title = _title_before(text, toks, i)
            if title and (
                title in _PERSONAL_TITLES or not all(_dictionary_word(toks[j].text) for j in sub)
            ):
                result = (sub, 0.9)
                break
            if _is_first_name(tok.text) and not _is_ambiguous(tok.text):
                result = (sub, 0.85 if len(sub) > 1 else 0.75)
                break
            if _is_ambiguous(tok.text) and len(sub) > 1 and not _dictionary_word(toks[sub[1]].text):
                result = (sub, 0.8)
                break
            if len(sub) > 1 and any(
                _in_list(toks[j].text, lex.SURNAMES) or _SURNAME_SHAPE_RE.fullmatch(toks[j].text)
                for j in sub[1:]
            ):
                result = (sub, 0.75)
                break
            if (
                k == 0
                and 2 <= len(run) <= 3
                and not any(_dictionary_word(toks[j].text) for j in run)
                and not (place_words & {toks[j].text for j in run})
                and not _LOCATIVE_BEFORE_RE.search(_line_before(text, tok.start, 20))
            ):
                result = (run, 0.6)  # two or three unknown proper nouns: "Tiegan Lowther"
                break
            if (
                k == 0
                and len(run) <= 3
                and not (place_words & {toks[j].text for j in sub})
                and _cue_accepts(text, toks, sub)
            ):
                result = (sub, 0.7)
                break
        if result is None:
            pending.append(run)
            continue
        sub, conf = result
        found.append((sub[0], sub[-1], conf))

    # lists of names: "Maisie, Lily and Harris Donaldson" - a first name joined to a name
    # already found by a comma or "and" is a name too
    bounds = [(toks[a].start, toks[b].end) for a, b, _ in found]
    still: list[list[int]] = []
    for run in pending:
        tok, last = toks[run[0]], toks[run[-1]]
        plausible = _is_first_name(tok.text) or not (
            _dictionary_word(tok.text) or tok.text in place_words
        )
        if len(run) <= 2 and plausible and not _month_as_date(text, tok):
            joined = any(
                re.fullmatch(r",\s|,?\s(?:and|or|&)\s", text[e : tok.start])
                or re.fullmatch(r",\s|,?\s(?:and|or|&)\s", text[last.full_end : s])
                for s, e in bounds
            )
            if joined:
                found.append((run[0], run[-1], 0.7))
                continue
        still.append(run)
    pending = still

    # propagation: parts of names already found mark other mentions in the same text
    known: set[str] = set()
    for a, b, _ in found:
        for j in range(a, b + 1):
            t = toks[j].text
            if len(t) >= 3 and t not in place_words:
                known.add(t)
    if known:
        for run in pending:
            if _org_context(text, toks, run):
                continue
            hits = [
                k
                for k, i in enumerate(run)
                if toks[i].text in known and not _month_as_date(text, toks[i])
            ]
            if not hits:
                continue
            k0 = hits[0]
            # an unknown capitalised word right before a known surname is a first name
            if k0 > 0:
                prev = toks[run[k0 - 1]]
                if not _dictionary_word(prev.text) and prev.text not in place_words:
                    k0 -= 1
            sub = run[k0 : k0 + 4]
            found.append((sub[0], sub[-1], 0.75))

    out = []
    for a, b, conf in found:
        title = _title_before(text, toks, a)
        if title:
            a = _initials_start(text, toks, a)
        s, e = toks[a].start, toks[b].end
        # surnames in capitals, as in records: "SMITH, Jordan", "Jordan SMITH"
        m = re.search(r"\b([A-Z][A-Z'’-]+),? $", text[max(0, s - 30) : s])
        if m and _caps_surname(m.group(1)):
            s -= len(m.group(0))
        m = re.match(r" ([A-Z][A-Z'’-]+)\b(?![a-z])", text[e : e + 30])
        if m and _caps_surname(m.group(1)):
            e += len(m.group(0))
        line = _line_before(text, s)
        after = text[toks[b].full_end : toks[b].full_end + 40]
        child = bool(
            _CHILD_LABEL_BEFORE_RE.search(line)
            or _CHILD_ROW_BEFORE_RE.search(line)
            or _CHILD_AFTER_RE.match(after)
        )
        adult = bool(title in _PERSONAL_TITLES or _ADULT_ROLE_BEFORE_RE.search(line)) or bool(
            re.match(r"\s*\((?:mother|father|mum|dad|stepfather|partner|[\w ]*grand\w+)\)", after)
        )
        cand = _Cand(s, e, "name", conf, tuple(toks[j].text for j in range(a, b + 1)))
        cand.titled = title in _PERSONAL_TITLES
        cand.adult = adult and not child
        cand.child = child
        out.append(cand)
    return out


# --------------------------------------------------------------------------------------------
# Assembly


def _resolve(cands: list[_Cand]) -> list[_Cand]:
    """Keep non-overlapping candidates: longer spans first, then the more reliable kind."""
    priority = {
        "email": 10,
        "url_personal": 9,
        "ni_number": 8,
        "nhs_number": 7,
        "chi_number": 7,
        "phone": 6,
        "postcode": 6,
        "date_of_birth": 5,
        "identifier": 4,
        "address": 3,
        "name": 2,
    }
    chosen: list[_Cand] = []
    for c in sorted(cands, key=lambda c: (-c.length, -priority[c.kind], c.start)):
        if c.end <= c.start:
            continue
        if any(c.start < o.end and o.start < c.end for o in chosen):
            continue
        chosen.append(c)
    return sorted(chosen, key=lambda c: c.start)


def _number_people(names: list[_Cand]) -> dict[int, int]:
    """Give each name mention a person number, consistent across full and partial mentions.

    Full names are registered first (longest first); a partial mention ("Callum", "Mrs
    Fenwick") joins the person whose name contains it. When several people share a surname, a
    titled mention ("Ms McAteer") prefers an adult (titled, or introduced as mother, father,
    partner ...) over the child, and a first name prefers the person it is the first name of.
    """
    people: list[dict] = []
    assign: dict[int, int] = {}
    order = sorted(range(len(names)), key=lambda i: (-len(names[i].tokens), names[i].start))
    for i in order:
        c = names[i]
        toks = c.tokens
        target = next((p for p, d in enumerate(people) if toks == d["full"]), None)
        if target is None:
            options = [p for p, d in enumerate(people) if set(toks) <= d["parts"]]
            if options:
                if c.titled:
                    options.sort(key=lambda p: (not people[p]["adult"], people[p]["child"]))
                elif len(toks) == 1:
                    options.sort(key=lambda p: people[p]["full"][0] != toks[0])
                target = options[0]
        if target is None:
            people.append(
                {
                    "full": toks,
                    "parts": set(toks),
                    "first": c.start,
                    "adult": c.adult,
                    "child": c.child,
                }
            )
            target = len(people) - 1
        else:
            d = people[target]
            d["adult"] = d["adult"] or (c.adult and len(toks) > 1)
            d["child"] = d["child"] or (c.child and len(toks) > 1)
        assign[i] = target
        people[target]["first"] = min(people[target]["first"], c.start)
    ranking = sorted(range(len(people)), key=lambda p: people[p]["first"])
    number = {p: n + 1 for n, p in enumerate(ranking)}
    return {i: number[p] for i, p in assign.items()}


def find_identifiers(text: str) -> list[Span]:
    """Find personal identifiers in ``text``; spans are sorted and never overlap."""
    if not text:
        return []
    cands: list[_Cand] = []
    for finder in (
        _find_emails,
        _find_urls,
        _find_ni,
        _find_ten_digit,
        _find_phones,
        _find_postcodes,
        _find_dobs,
        _find_reference_numbers,
        _find_addresses,
    ):
        cands.extend(finder(text))
    places = [(c.start, c.end) for c in cands if c.kind in ("address", "postcode")]
    cands.extend(_find_names(text, places))
    chosen = _resolve(cands)

    # a full date in brackets right after a name is a date of birth: "Logan Reid (07/12/2018)"
    extra = []
    taken = [(c.start, c.end) for c in chosen]
    for c in chosen:
        if c.kind != "name":
            continue
        m = re.match(rf"\s*\(\s*({_DATE})\s*\)", text[c.end : c.end + 40])
        if m:
            s, e = c.end + m.start(1), c.end + m.end(1)
            if not any(a < e and s < b for a, b in taken):
                extra.append(_Cand(s, e, "date_of_birth", 0.85))
    chosen = sorted(chosen + extra, key=lambda c: c.start)

    names = [c for c in chosen if c.kind == "name"]
    numbers = _number_people(names)
    name_no = {id(names[i]): n for i, n in numbers.items()}
    spans = []
    for c in chosen:
        replacement = f"[Name {name_no[id(c)]}]" if c.kind == "name" else LABELS[c.kind]
        spans.append(Span(c.start, c.end, c.kind, text[c.start : c.end], replacement, c.confidence))
    return spans
