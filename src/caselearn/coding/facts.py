"""Review and child facts read from the text, each with the passage it came from.

Review: type, whether an initial case review proceeded and, if not, the rationale category.
Children: label ("Child D"), age or age band, gender, living circumstances, fatal or not, and the
primary harm or cause of death (chosen from the harm codes the engine found, nearest the child).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from caselearn.coding.engine import CodingEngine, DocumentCoding, Evidence
from caselearn.coding.segment import Sentence, segment
from caselearn.ingest.metadata import guess_review_type

AGE_BANDS = ("<1", "1-2", "3-4", "5-10", "11-17", "18+")

PROCEEDED_NO = re.compile(
    r"\b(not (to )?proceed|did not proceed|would not proceed|will not proceed|decided not to "
    r"(proceed|undertake|commission|progress|convene)|not (be )?progress(ed)? to|no further "
    r"review|not (to )?(undertake|commission|progress)|(does|did) not meet the "
    r"(criteria|threshold)|"
    r"criteria (for [a-z ]{3,40})?(were|was|had) not (been )?met|not met the criteria|should not "
    r"proceed|no (full|further) (significant|serious|learning|case) review)",
    re.IGNORECASE,
)
PROCEEDED_YES = re.compile(
    r"\b((decided|agreed|recommended|decision was made) to (proceed|progress|commission|"
    r"undertake|convene)( to)? (a|an|with a) (full |significant |serious |learning |child "
    r"safeguarding practice |child practice )?(case )?review|proceed(ed)? to (a|an) (full |"
    r"significant |serious |learning |SCR|CSPR|child safeguarding)|(should|will|would) proceed to "
    r"(a|an) |criteria (for [a-z ]{3,40})?(were|was|had been) met|progressed to (a|an) )",
    re.IGNORECASE,
)
RATIONALES: dict[str, re.Pattern[str]] = {
    "criteria_not_met": re.compile(
        r"criteria (for [a-z ]{3,40})?(were|was|had) not (been )?met|(does|did) not meet the "
        r"(criteria|threshold)|not met the criteria|fell short of the criteria",
        re.IGNORECASE,
    ),
    "no_practice_concerns": re.compile(
        r"no (significant |particular )?concerns (about|regarding|in relation to|with) (the )?"
        r"(professional|agency|inter-?agency|multi-?agency|service)|"
        r"(practice|involvement) (was|had "
        r"been) (appropriate|proportionate|of a good standard|timely)|no (identified )?(practice|"
        r"professional) concerns",
        re.IGNORECASE,
    ),
    "learning_identified": re.compile(
        r"learning (has|had) (already )?been (identified|captured)|no (further|additional) "
        r"learning|would not (yield|add|produce|generate) (any )?(further|additional|new) learning|"
        r"learning (is|was) already (known|identified)",
        re.IGNORECASE,
    ),
    "similar_to_previous": re.compile(
        r"similar (themes|findings|issues|learning) (to|as) (those )?(in |from |of )?(previous|"
        r"earlier|recent|other)|already (being )?(addressed|covered) (through|by|in) (existing|"
        r"current|an existing)|(improvement|action) plans? (are|were|is|was) already in place|"
        r"repeat(s|ed)? (the )?(findings|learning) of (previous|earlier)",
        re.IGNORECASE,
    ),
    "other_review_process": re.compile(
        r"\b(SUDI|SUDIC) review|death of a looked[- ]after child review|drug[- ]related death "
        r"review|domestic homicide review|(other|another|alternative|different) review (process|"
        r"route|mechanism)|more (appropriate|suitable|proportionate) (review )?(process|route|"
        r"mechanism)|(child death|mental health homicide|suicide) review",
        re.IGNORECASE,
    ),
    "single_agency": re.compile(
        r"single[- ]agency (review|response|action|learning|recommendations?|improvement)",
        re.IGNORECASE,
    ),
}
CHILD_LABEL = re.compile(
    r"\b((?:Child|Baby|Young Person|YP|Infant|Sibling)\s+[A-Z]{1,2}\d?)(?![a-z])"
)
AGE = re.compile(
    r"\b(?:aged|age|was|is|of|a|an)\s+(\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|"
    r"eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen)[- ]"
    r"(years?|months?|weeks?|days?)(?:[- ]old)?\b|\b(\d{1,2})[- ]year[- ]old\b|\b(\d{1,2}) "
    r"(weeks?|months?|days?) old\b",
    re.IGNORECASE,
)
NUMBER_WORDS = {
    word: number
    for number, word in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen".split()
    )
}
INFANT = re.compile(r"\b(new-?born|neonate|infant|unborn|baby)\b", re.IGNORECASE)
MALE = re.compile(r"\b(he|him|his|himself|boy|son|brother)\b", re.IGNORECASE)
FEMALE = re.compile(r"\b(she|her|hers|herself|girl|daughter|sister)\b", re.IGNORECASE)
LIVING = [
    (
        "throughcare_aftercare",
        re.compile(
            r"\b(aftercare|after-care|throughcare|through-care|"
            r"care leaver|continuing care|leaving care)\b",
            re.I,
        ),
    ),
    (
        "looked_after",
        re.compile(
            r"\b(looked[- ]after and accommodated|foster (care|carers?|"
            r"placement)|residential (care|unit|home|school)|children's "
            r"house|secure (care|unit|accommodation)|accommodated by the "
            r"local authority|in local authority care|was looked after)\b",
            re.I,
        ),
    ),
    (
        "relatives_friends",
        re.compile(
            r"\b(kinship (care|carers?|placement)|living with (his|her|"
            r"their) (grandm|grandf|grandp|aunt|uncle|older sibling|"
            r"family friend)|cared for by (his|her|their) (grandm|"
            r"grandp|aunt|uncle))",
            re.I,
        ),
    ),
    (
        "home",
        re.compile(
            r"\b(lived|living|lives|resided|at home) (at home )?(with|in) (his|her|"
            r"their|both) (mother|father|parents|mum|dad|family)|\bat home with\b|"
            r"\bin the family home\b|\bliving at home\b",
            re.I,
        ),
    ),
]
DIED = re.compile(
    r"\b(died|death|dead|deceased|fatal|passed away|was killed|took (his|her|"
    r"their) (own )?life|suicide)\b",
    re.IGNORECASE,
)
SERIOUS_HARM = re.compile(
    r"\b(seriously (harmed|injured)|significant harm|non-?fatal|"
    r"survived|injuries|was harmed)\b",
    re.IGNORECASE,
)


@dataclass
class Fact:
    value: object
    evidence: list[Evidence] = field(default_factory=list)
    confidence: float = 0.5

    def to_dict(self) -> dict:
        return {
            "value": self.value,
            "confidence": round(self.confidence, 3),
            "evidence": [e.to_dict() for e in self.evidence],
        }


@dataclass
class ChildFacts:
    label: str
    age_years: Fact = field(default_factory=lambda: Fact(None))
    age_band: Fact = field(default_factory=lambda: Fact(""))
    gender: Fact = field(default_factory=lambda: Fact(""))
    living: Fact = field(default_factory=lambda: Fact(""))
    fatal: Fact = field(default_factory=lambda: Fact(""))
    harm: Fact = field(default_factory=lambda: Fact(""))

    FIELDS = ("age_years", "age_band", "gender", "living", "fatal", "harm")

    def values(self) -> dict:
        return {"label": self.label, **{name: getattr(self, name).value for name in self.FIELDS}}


@dataclass
class ReviewFacts:
    review_type: Fact
    proceeded: Fact
    decision_rationale: Fact
    children: list[ChildFacts]


def age_band(years: float | None) -> str:
    if years is None:
        return ""
    if years < 1:
        return "<1"
    if years < 3:
        return "1-2"
    if years < 5:
        return "3-4"
    if years < 11:
        return "5-10"
    if years < 18:
        return "11-17"
    return "18+"


def _evidence(sentence: Sentence) -> Evidence:
    return Evidence.of(sentence)


def extract_facts(
    pages: list[tuple[int, str]],
    coding: DocumentCoding | None = None,
    title: str = "",
    review_type: str | None = None,
) -> ReviewFacts:
    segmented = coding.segmented if coding is not None and coding.segmented else None
    sentences = [
        s for s in (segmented or segment(pages).sentences) if s.weight > 0 and not s.boilerplate
    ]
    if review_type is None:
        text = "\n".join(s.text for s in sentences[:400])
        review_type = guess_review_type(title, text[:6000], text)
    proceeded, rationale = _decision(sentences, review_type)
    children = _children(sentences, coding)
    return ReviewFacts(Fact(review_type, [], 0.6), proceeded, rationale, children)


def code_with_facts(
    engine: CodingEngine,
    pages: list[tuple[int, str]],
    title: str = "",
    review_type: str | None = None,
) -> tuple[DocumentCoding, ReviewFacts]:
    """Code a document and read its facts. Harm is recorded per child, so the primary harm
    found for a child is present as a document code too."""
    coding = engine.code_pages(pages)
    facts = extract_facts(pages, coding, title, review_type)
    chosen = {child.harm.value for child in facts.children if child.harm.value}
    for result in coding.results:
        if result.code in chosen:
            result.present = True
    return coding, facts


def _decision(sentences: list[Sentence], review_type: str) -> tuple[Fact, Fact]:
    if review_type not in ("icr", "rapid_review"):
        return Fact(None), Fact(None)
    no = [s for s in sentences if PROCEEDED_NO.search(s.text)]
    yes = [s for s in sentences if PROCEEDED_YES.search(s.text) and not PROCEEDED_NO.search(s.text)]
    if not no and not yes:
        return Fact(None), Fact(None)
    # A decision section speaks last and loudest; a "no" usually comes with its reasons.
    if len(no) >= len(yes):
        proceeded = Fact("no", [_evidence(s) for s in no[:2]], min(0.5 + 0.15 * len(no), 0.95))
        scores: Counter[str] = Counter()
        evidence: dict[str, list[Sentence]] = {}
        for sentence in sentences:
            for name, pattern in RATIONALES.items():
                if pattern.search(sentence.text):
                    scores[name] += 1
                    evidence.setdefault(name, []).append(sentence)
        if scores:
            name, count = scores.most_common(1)[0]
            rationale = Fact(
                name, [_evidence(s) for s in evidence[name][:2]], min(0.4 + 0.15 * count, 0.9)
            )
        else:
            rationale = Fact(None)
        return proceeded, rationale
    return Fact("yes", [_evidence(s) for s in yes[:2]], min(0.5 + 0.15 * len(yes), 0.95)), Fact(
        None
    )


def _children(sentences: list[Sentence], coding: DocumentCoding | None) -> list[ChildFacts]:
    labels: Counter[str] = Counter()
    for sentence in sentences:
        for match in CHILD_LABEL.finditer(sentence.text):
            labels[" ".join(match.group(1).split())] += 1
    if not labels:
        subject = [
            s
            for s in sentences
            if re.search(r"\b(the (child|baby|infant|young person))\b", s.text, re.IGNORECASE)
        ]
        if not subject:
            return []
        return [_child_facts("the child", subject, sentences, coding)]
    children = []
    for label, _count in sorted(
        labels.items(), key=lambda item: _first_position(item[0], sentences)
    ):
        mentions = [s for s in sentences if re.search(rf"\b{re.escape(label)}(?![a-z])", s.text)]
        children.append(_child_facts(label, mentions, sentences, coding))
    return children


def _first_position(label: str, sentences: list[Sentence]) -> int:
    for index, sentence in enumerate(sentences):
        if label in sentence.text:
            return index
    return len(sentences)


def _child_facts(
    label: str, mentions: list[Sentence], sentences: list[Sentence], coding: DocumentCoding | None
) -> ChildFacts:
    child = ChildFacts(label)
    for sentence in mentions:
        years = _age_near(sentence.text, label)
        if years is not None:
            child.age_years = Fact(round(years, 2), [_evidence(sentence)], 0.8)
            child.age_band = Fact(age_band(years), [_evidence(sentence)], 0.8)
            break
    if child.age_years.value is None:
        for sentence in mentions:
            if INFANT.search(sentence.text) or label.lower().startswith(("baby", "infant")):
                child.age_band = Fact("<1", [_evidence(sentence)], 0.6)
                break
    male_score = female_score = 0.0
    male_hit = female_hit = None
    for sentence in mentions:
        m, f = _gender_near(sentence.text, label)
        male_score, female_score = male_score + m, female_score + f
        if m and male_hit is None:
            male_hit = sentence
        if f and female_hit is None:
            female_hit = sentence
    if male_hit and male_score > female_score * 1.5:
        child.gender = Fact("male", [_evidence(male_hit)], 0.6)
    elif female_hit and female_score > male_score * 1.5:
        child.gender = Fact("female", [_evidence(female_hit)], 0.6)
    for value, pattern in LIVING:
        hit = next((s for s in mentions if pattern.search(s.text)), None)
        if hit is not None:
            child.living = Fact(value, [_evidence(hit)], 0.6)
            break
    died = [s for s in mentions if DIED.search(s.text)]
    child.fatal = Fact("yes", [_evidence(died[0])], 0.7) if died else Fact("no", [], 0.5)
    child.harm = _primary_harm(child.fatal.value == "yes", mentions, coding)
    return child


GENDER_NOUN = re.compile(r"\b(boy|girl|son|daughter|brother|sister)\b", re.IGNORECASE)
BARE_AGE = re.compile(
    r"\b(?:who was|aged|age) (one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"thirteen|fourteen|fifteen|sixteen|seventeen|\d{1,2})\b"
    r"(?![- ](?:years?|months?|weeks?|days?))",
    re.IGNORECASE,
)


def _label_span(text: str, label: str) -> tuple[int, int]:
    index = text.find(label)
    return (index, index + len(label)) if index >= 0 else (0, 0)


def _age_near(text: str, label: str) -> float | None:
    """The age stated closest after the child's label ("Child K, who was two"), else before."""
    start, end = _label_span(text, label)
    candidates = []
    for match in [*AGE.finditer(text), *BARE_AGE.finditer(text)]:
        years = _age_years(match) if match.re is AGE else _bare_years(match)
        if years is None:
            continue
        distance = match.start() - end if match.start() >= end else (start - match.end()) * 3
        candidates.append((distance, years))
    return min(candidates)[1] if candidates else None


def _bare_years(match: re.Match[str]) -> float:
    number = match.group(1).lower()
    return float(number) if number.isdigit() else float(NUMBER_WORDS[number])


def _gender_near(text: str, label: str) -> tuple[float, float]:
    """Gendered words near the label, nouns ("brother") weighing more than pronouns."""
    start, end = _label_span(text, label)
    window_start = max(0, start - 30)
    window = text[window_start : end + 45]
    scores = [0.0, 0.0]
    for pattern, slot in ((MALE, 0), (FEMALE, 1)):
        for match in pattern.finditer(window):
            position = window_start + match.start()
            distance = start - position if position < start else max(0, position - end)
            weight = 3.0 if GENDER_NOUN.match(match.group()) else 1.0
            scores[slot] += weight / (1 + distance / 15)
    return scores[0], scores[1]


def _age_years(match: re.Match[str]) -> float | None:
    if not match:
        return None
    if match.group(3):
        return float(match.group(3))
    if match.group(4):
        number, unit = match.group(4), match.group(5)
    else:
        number, unit = match.group(1), match.group(2)
    value = float(NUMBER_WORDS.get(number.lower(), number) if not number.isdigit() else number)
    unit = unit.lower()
    if unit.startswith("month"):
        return value / 12
    if unit.startswith("week"):
        return value / 52
    if unit.startswith("day"):
        return value / 365
    return value


def _primary_harm(fatal: bool, mentions: list[Sentence], coding: DocumentCoding | None) -> Fact:
    if coding is None:
        return Fact("")
    harms = [r for r in coding.results if r.code.startswith("harm.")]
    wanted = [r for r in harms if r.code.startswith("harm.death_") == fatal]
    if not wanted:
        return Fact("")
    mention_spans = {(s.page, s.start) for s in mentions}

    def score(result) -> float:  # type: ignore[no-untyped-def]
        near = sum(1 for e in result.evidence if (e.page, e.start) in mention_spans)
        return result.confidence + 0.2 * near

    best = max(wanted, key=score)
    if not best.evidence:
        return Fact("")
    return Fact(best.code, best.evidence[:1], best.confidence)
