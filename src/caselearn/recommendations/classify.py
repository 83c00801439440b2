"""Classify a recommendation: who it is aimed at (rec_target), what it asks for (rec_type) and
which of SCIE's six underlying patterns it addresses (rec_pattern).

Why rules and a lexicon rather than a trained model: the codes and their indicative phrases
live in the codebook, which a committee can read and extend, and a person must be able to see
why a code was given (the cue words) in order to correct it. The target depends mostly on the
grammatical subject ("Riverside CPC should ...", "Police Scotland and NHS Riverside should
..."), so it is read from the words before the first "should"; type and pattern come from
the codebook's indicative phrases (matched on lemmas), weighted towards the words right after
"should" (the thing actually asked for), plus a few rules that phrases alone cannot express.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from caselearn.codebook import Codebook, core_codebook
from caselearn.coding.lexicon import PhraseMatcher, phrase_lemmas, tokens
from caselearn.recommendations.extract import DIRECTIVE

__all__ = ["Classified", "RecommendationClass", "classify", "subject_of"]


@dataclass
class Classified:
    """One code given to a recommendation, with how sure the rules are and the cue words."""

    value: str  # code identifier, e.g. "rec_target.cpc"
    confidence: float  # 0..1
    words: list[str] = field(default_factory=list)  # the cue phrases that decided it

    def to_dict(self) -> dict:
        return {"value": self.value, "confidence": self.confidence, "words": list(self.words)}


@dataclass
class RecommendationClass:
    target: list[Classified]
    type: list[Classified]
    pattern: Classified

    def to_dict(self) -> dict:
        return {
            "target": [c.to_dict() for c in self.target],
            "type": [c.to_dict() for c in self.type],
            "pattern": self.pattern.to_dict(),
        }


# --- who the recommendation is aimed at ---------------------------------------------------

NATIONAL = re.compile(
    r"\b(scottish government|welsh government|uk government|hm government|"
    r"department for education|dfe|home office|department of health( and social care)?|"
    r"ministers?|(the )?national (child safeguarding practice review )?panel|"
    r"child safeguarding practice review panel|care inspectorate|ofsted|"
    r"healthcare improvement scotland|public health scotland|nhs education for scotland|cosla|"
    r"scottish social services council|sssc|crown office|the government|"
    r"national bodies|at a national level|nationally)\b",
    re.IGNORECASE,
)
NATIONAL_ASK = re.compile(
    r"\b(write to|writes to|ask|asks|asking|request|requests|raise with|make representations? to|"
    r"bring .{0,40} to the attention of|recommend to|refer .{0,40} to)\b",
    re.IGNORECASE,
)
CPC = re.compile(
    r"\b(cpc|child protection committee|public protection committee|the committee|"
    r"(local )?safeguarding (children )?(partnership|board)|safeguarding children partnership|"
    r"lscb|the partnership|partnership business unit|the board|"
    r"(case review|learning and development|quality assurance|[a-z]+) sub-?group|"
    r"lead officer|business unit)\b",
    re.IGNORECASE,
)
NOT_CPC = re.compile(
    r"\b(alcohol and drug partnership|health and social care partnership|integrated care board|"
    r"health boards?|university health board|partnership board|care partnership)\b",
    re.IGNORECASE,
)
SENIOR = re.compile(
    r"\b(chief officers?('|’)?( group)?|cog|chief executives?|chief social work officer|cswo|"
    r"senior (managers?|management|leaders?|leadership)|strategic leaders?|heads? of service|"
    r"directors?( of [a-z' ]+)?|executive nurse director|nurse director|accountable officers?|"
    r"elected members|leadership teams?)\b",
    re.IGNORECASE,
)
MULTI_SUBJECT = re.compile(
    r"^\W*(all|each|every|the)?\s*(relevant |statutory |member |partner |safeguarding )*"
    r"(agencies|partners|partner organisations|organisations|services|professionals|"
    r"practitioners)\b|\b(all|each|every) (partner |member |relevant )?(agenc(y|ies)|partners?)\b",
    re.IGNORECASE,
)
# The head nouns of an organisation or service; a part of the subject without one
# ("Maternity" in "Maternity and health visiting services") shares the next part's head.
ORGANISATION = re.compile(
    r"\b(nhs|trusts?|boards?|council|councils|local authorit(y|ies)|police|probation|"
    r"services?|social work|social care|health|education|housing|schools?|camhs|"
    r"federation|partnership|teams?|department|unit|practices?|pharmac(y|ies)|providers?|"
    r"hospitals?|youth justice|agenc(y|ies)|division|reporter|scra|college)\b",
    re.IGNORECASE,
)
WORK_WITH = re.compile(
    r"\b(work(ing)? (jointly |together |closely )?with|jointly|together with|in partnership with|"
    r"with (police|health|education|social work|partners|partner agencies))\b",
    re.IGNORECASE,
)
AGENCIES_ACT = re.compile(
    r"\b(requir\w+ (every|all|each) (partner |member )?agenc\w+|"
    r"(in|by|across|within) (every|each|all) (partner |member )?agenc\w+|"
    r"completed by all\b)",
    re.IGNORECASE,
)
STAFF_GROUP = re.compile(
    r"\b(health visitors?|school (staff|nurses?)|teachers?|social workers?|midwi(fe|ves)|"
    r"police officers?|gps?|nurses?|therapists?|paediatric staff|paediatricians?|"
    r"youth workers?|residential staff|housing officers?)\b",
    re.IGNORECASE,
)


def subject_of(text: str) -> str:
    """The words before the first "should" (or the first dozen words when there is none)."""
    match = DIRECTIVE.search(text)
    if match and len(text[: match.start()].split()) <= 35:
        return text[: match.start()].strip(" ,;:")
    return " ".join(text.split()[:12])


def _organisations(subject: str) -> list[str]:
    """Organisations named in a subject. "Maternity and health visiting services" is one
    (the first part has no head noun of its own); "Police Scotland and NHS Riverside" two."""
    parts = re.split(r",\s*(?:and\s+)?|\s+and\s+|\s+working with\s+|\s+with\s+", subject)
    found = []
    for index, part in enumerate(p.strip() for p in parts):
        head = re.split(r"\s+(?:in|of|for|within|across|at)\s+", part)[0]
        words = head.split()
        if not words or not ORGANISATION.search(part):
            continue
        last = words[-1]
        own_head = ORGANISATION.fullmatch(last) or (len(words) >= 2 and last[:1].isupper())
        if own_head or (index == 0 and len(parts) == 1):
            found.append(part)
    return found


def _targets(text: str) -> list[Classified]:
    subject = subject_of(text)
    found: dict[str, Classified] = {}

    def give(code: str, confidence: float, words: list[str]) -> None:
        key = f"rec_target.{code}"
        if key not in found or found[key].confidence < confidence:
            found[key] = Classified(key, confidence, [w for w in words if w])

    national = NATIONAL.search(subject)
    if national:
        give("national", 0.95, [national.group(0)])
    elif NATIONAL.search(text):
        mention = NATIONAL.search(text)
        assert mention is not None
        before = text[: mention.start()]
        ask = None
        for ask in NATIONAL_ASK.finditer(before[-80:]):  # noqa: B007 - the last one before it
            continue
        if ask is not None:
            give("national", 0.85, [ask.group(0), mention.group(0)])
        elif re.search(r"\bnational (guidance|policy|legislation)\b", text, re.IGNORECASE) and (
            re.search(r"\b(amend|change|issue|revise)\w*\b.{0,30}\bnational", text, re.I)
        ):
            give("national", 0.6, [mention.group(0)])

    senior = SENIOR.search(subject)
    if senior:
        give("senior_managers", 0.9, [senior.group(0)])

    cpc = CPC.search(subject)
    if cpc and not (NOT_CPC.search(subject) and not _outside(CPC, NOT_CPC, subject)):
        if "rec_target.national" in found and found["rec_target.national"].confidence < 0.9:
            pass  # the committee only passes the recommendation on to a national body
        elif not senior:
            give("cpc", 0.9, [cpc.group(0)])
        else:
            give("cpc", 0.6, [cpc.group(0)])

    organisations = _organisations(subject)
    multi_subject = MULTI_SUBJECT.search(subject)
    if not senior and "rec_target.national" not in found:
        if multi_subject:
            give("multi_agency", 0.9, [multi_subject.group(0).strip()])
        elif len(organisations) >= 2 and "rec_target.cpc" not in found:
            give("multi_agency", 0.85, organisations)

    if "rec_target.cpc" in found or "rec_target.single_agency" in found:
        acting = AGENCIES_ACT.search(text)
        if acting and (
            not acting.group(0).lower().startswith("completed by")
            or len(set(m.group(0).lower() for m in STAFF_GROUP.finditer(text))) >= 2
        ):
            give("multi_agency", 0.6, [acting.group(0)])

    if not found:
        work_with = WORK_WITH.search(text)
        if organisations and work_with:
            give("multi_agency", 0.7, [organisations[0], work_with.group(0)])
        elif organisations:
            give("single_agency", 0.85, organisations[:1])
        elif subject and re.match(r"^[\W]*[A-Z]", subject) and DIRECTIVE.search(text):
            give("single_agency", 0.5, [subject])
        else:
            give("single_agency", 0.3, [])
    return sorted(found.values(), key=lambda c: -c.confidence)


def _outside(wanted: re.Pattern[str], unwanted: re.Pattern[str], text: str) -> bool:
    """Is there a match of `wanted` that is not inside a match of `unwanted`?"""
    blocked = [(m.start(), m.end()) for m in unwanted.finditer(text)]
    return any(
        not any(s <= m.start() and m.end() <= e for s, e in blocked) for m in wanted.finditer(text)
    )


# --- what it asks for, and the underlying pattern ----------------------------------------------

# Single generic words in the codebook lists that say little on their own.
WEAK = {
    "form",
    "recorded",
    "commission",
    "commissioned",
    "commissioning",
    "introduce",
    "introduction of",
    "implement",
    "implementation of",
    "evaluate",
    "measures",
    "monitoring",
    "framework",
    "capacity",
    "resources",
    "course",
    "values",
    "embed",
    "embedded",
    "adopt",
    "establish a",
    "provision of",
    "attitudes",
    "norms",
    "ongoing",
    "long term",
    "transfer",
    "parents",
    "engagement",
    "referral",
    "referrals",
    "notification",
    "immediate",
    "urgent",
    "incident",
    "judgement",
    "reflective",
    "reflection",
    "policy",
    "policies",
    "guidance",
    "allocated",
    "timescales",
    "follow up",
    "confidence to",
    "tool",
    "tools",
    "performance",
    "audit",
    "recording",
    "documentation",
    "supervision",
    "challenge",
    "optimism",
    "assumptions",
    "alert",
    "flag",
    "electronic",
    "escalation",
    "curiosity",
    "fathers",
    "not brought",
}

# Cues the codebook lists cannot express as plain phrases: (code, regex, weight).
EXTRA_CUES: list[tuple[str, str, float]] = [
    ("rec_type.training", r"\b(training|learning sessions?|e-?learning|course)\b", 1.0),
    ("rec_type.awareness", r"\b(awareness|learning events?|campaign|briefings?|podcast)\b", 1.0),
    (
        "rec_type.policy_procedure",
        r"\b(revise|update|amend|review)\w* (its|the|their) "
        r"([\w-]+ ){0,4}(guidance|procedures?|protocol|policy|pathway)\b",
        1.2,
    ),
    (
        "rec_type.policy_procedure",
        r"\b(agree|develop|adopt|publish|introduce)\w* (a|an|the) "
        r"([\w'-]+ ){0,5}(guidance|procedures?|protocol|policy|pathway)\b",
        1.1,
    ),
    ("rec_type.policy_procedure", r"\bnational ([\w-]+ ){0,2}guidance\b", 0.9),
    ("rec_type.policy_procedure", r"\bsafeguarding procedures\b", 0.9),
    ("rec_type.audit", r"\b(audit\w*|evaluate its|case file audit)\b", 1.0),
    ("rec_type.supervision", r"\b(reflective |safeguarding |group )?supervision\b", 1.0),
    ("rec_type.staffing", r"\b(caseloads?|staffing|vacancies|workload|recruit\w*)\b", 1.0),
    (
        "rec_type.performance_information",
        r"\b(quarterly|every six months|every quarter|"
        r"annual(ly)?) ([\w-]+ ){0,3}(data|dataset|report\w*)\b",
        1.1,
    ),
    (
        "rec_type.performance_information",
        r"\b(collect|produce|report)\w* ([\w-]+ ){0,3}"
        r"(data|dataset|rates|figures)\b",
        1.1,
    ),
    (
        "rec_type.performance_information",
        r"\b(report\w* (progress|attendance rates)|"
        r"receive a report|report (on|to) (the )?(chief officers|cog|committee|cpc|partnership))\b",
        1.0,
    ),
    (
        "rec_type.it_systems",
        r"\b(electronic (patient )?(records?|templates?|systems?)|record systems?|"
        r"case management system|shared alert|single view|view (a|the) child's records|"
        r"(three|different|all) systems)\b",
        1.1,
    ),
    ("rec_type.documentation", r"\b(record|recorded|records?) (the|that|whether|how|in)\b", 0.8),
    (
        "rec_type.documentation",
        r"\b(chronolog\w+|template|family composition form|"
        r"decision record|documented)\b",
        1.0,
    ),
    (
        "rec_type.new_services",
        r"\b(specialist|outreach|new|dedicated) ([\w-]+ ){0,3}"
        r"(service|hub)\b|\bcommission\w* (a|an) ([\w-]+ ){0,4}service\b",
        1.2,
    ),
    ("rec_type.new_services", r"\b(establish|set up)\w* (a|an) ([\w-]+ ){0,4}(service|hub)\b", 1.1),
    ("rec_type.new_services", r"\boffered (assertive )?follow-up by\b", 0.8),
    (
        "rec_type.new_approaches",
        r"\b(new approach|new arrangement|approach requiring|pilot\w*|"
        r"test a new|model in which|contextual safeguarding)\b",
        1.1,
    ),
    (
        "rec_type.new_approaches",
        r"\b(establish|introduce)\w* (a|an) ([\w-]+ ){0,4}"
        r"(meeting|approach|model|arrangement)\b",
        1.0,
    ),
    (
        "rec_type.case_management",
        r"\b(lead professional|named (lead )?(consultant|worker)|"
        r"pathway plan|healthcare plans?|child's plan|core group|treatment review|"
        r"risk review|continuing care|overview of the care|assessments? (are|is) adapted)\b",
        0.9,
    ),
    (
        "rec_type.culture_change",
        r"\b(culture|trauma-informed|child-?first|shift to|"
        r"promote (it|a|the))\b",
        1.0,
    ),
    (
        "rec_pattern.tools",
        r"\b(chronolog\w+|template|form|toolkit|alert|electronic|"
        r"records? systems?|single view|view (a|the) child's records|systems)\b",
        1.0,
    ),
    (
        "rec_pattern.management_systems",
        r"\b(supervision|caseloads?|staffing|vacancies|audit\w*|"
        r"dataset|data|policy|procedures?|report\w*|risk review|waiting)\b",
        0.8,
    ),
    (
        "rec_pattern.responses_to_incidents",
        r"\b(incidents?|missing episodes?|go missing|"
        r"overdose|within (24|48|72) hours|within one working day|same shift|respond to risk|"
        r"risk meeting|emergency|crisis|strategy discussion|offender)\b",
        1.0,
    ),
    (
        "rec_pattern.longer_term_work",
        r"\b(assessments?|plans?|planning|transitions?|"
        r"core group|lead professional|named person|multi-agency discussion|continuing care|"
        r"sharing|shared|neglect|pre-birth|register|step-down|deregistration|overview)\b",
        0.7,
    ),
    (
        "rec_pattern.family_professional_interaction",
        r"\b(fathers?|male (carers|partners)|"
        r"parents? (with|who|receiving)|was not brought|missed (clinic )?appointments|"
        r"trusted worker|relationship-based|child's own words|wishes|young people at risk|"
        r"children in the household|stops engaging|care leavers)\b",
        1.0,
    ),
    (
        "rec_pattern.cognitive_emotional_biases",
        r"\b(professional curiosity|curiosity|challenge|"
        r"disagreements?|escalat\w+|optimis\w+|disguised compliance|culture|perplexing|"
        r"fabricated|trauma-informed|bias|assumptions?|question)\b",
        1.1,
    ),
]
COMPILED_CUES = [(code, re.compile(rx, re.IGNORECASE), w) for code, rx, w in EXTRA_CUES]

# A second or third type is kept when it is nearly as strong as the first.
TYPE_RATIO = 0.6
TYPE_MIN = 0.8

# Types say a lot about the pattern (SCIE's own mapping in the national overview).
TYPE_TO_PATTERN = {
    "rec_type.supervision": ("rec_pattern.management_systems", 0.6),
    "rec_type.staffing": ("rec_pattern.management_systems", 0.8),
    "rec_type.audit": ("rec_pattern.management_systems", 0.5),
    "rec_type.performance_information": ("rec_pattern.management_systems", 0.7),
    "rec_type.it_systems": ("rec_pattern.tools", 0.9),
    "rec_type.documentation": ("rec_pattern.tools", 0.3),
    "rec_type.culture_change": ("rec_pattern.cognitive_emotional_biases", 0.6),
    "rec_type.case_management": ("rec_pattern.longer_term_work", 0.3),
}


_MATCHERS: dict[tuple[str, str], PhraseMatcher] = {}


def _matcher(codebook: Codebook) -> PhraseMatcher:
    # The version names the codes exactly (a committee's own codes change it).
    key = (codebook.name, codebook.version)
    if key not in _MATCHERS:
        matcher = PhraseMatcher()
        for code in codebook.in_category("rec_type", "rec_pattern"):
            for phrase in code.indicative:
                matcher.add(code.id, phrase)
        _MATCHERS[key] = matcher
    return _MATCHERS[key]


def _phrase_weight(phrase: str) -> float:
    if phrase in WEAK:
        return 0.3
    return min(1.0, 0.45 + 0.2 * len(phrase_lemmas(phrase)))


def _scores(text: str, codebook: Codebook) -> dict[str, tuple[float, list[str]]]:
    """Each type and pattern code's score and the words that gave it."""
    toks = tokens(text)
    directive = DIRECTIVE.search(text)
    focus_start = directive.end() if directive else 0
    focus_end = focus_start + 90  # the thing actually asked for comes first
    raw: dict[str, list[tuple[float, str, int]]] = defaultdict(list)
    for match in _matcher(codebook).find(toks):
        surface = re.sub(r"['’]s$", "", text[match.start : match.end])
        if " " not in match.phrase and len(surface) < len(match.phrase) - 2:
            continue  # "staff" is not "staffing", though both have the lemma "staff"
        weight = _phrase_weight(match.phrase)
        if focus_start <= match.start < focus_end:
            weight *= 1.5
        raw[match.key].append((weight, text[match.start : match.end], match.start))
    for code, pattern, weight in COMPILED_CUES:
        if code not in codebook:
            continue
        for found in pattern.finditer(text):
            w = weight * (1.5 if focus_start <= found.start() < focus_end else 1.0)
            raw[code].append((w, found.group(0), found.start()))
    scores: dict[str, tuple[float, list[str]]] = {}
    for code, hits in raw.items():
        # Strongest cue, plus a little for each further distinct cue.
        by_word: dict[str, float] = {}
        for weight, word, _start in hits:
            key = word.lower()
            by_word[key] = max(by_word.get(key, 0.0), weight)
        ordered = sorted(by_word.items(), key=lambda kv: -kv[1])
        score = ordered[0][1] + 0.25 * sum(w for _, w in ordered[1:4])
        words = []
        for word, _w in ordered[:4]:
            original = next(w for _, w, _ in hits if w.lower() == word)
            if original not in words:
                words.append(original)
        scores[code] = (score, words)
    return scores


def _confidence(score: float, best: float, runner_up: float) -> float:
    strength = min(1.0, score / 2.0)
    margin = (score - runner_up) / best if best else 0.0
    return round(max(0.05, min(0.98, 0.35 + 0.35 * strength + 0.3 * margin)), 2)


def classify(text: str, codebook: Codebook | None = None) -> RecommendationClass:
    """Targets (one or more), types (one or more) and one pattern, each with a confidence and
    the cue words, for one recommendation's text."""
    codebook = codebook or core_codebook()
    text = " ".join(text.split())
    scores = _scores(text, codebook)

    types = sorted(
        ((code, s) for code, s in scores.items() if code.startswith("rec_type.")),
        key=lambda kv: -kv[1][0],
    )
    type_results: list[Classified] = []
    if types:
        best = types[0][1][0]
        runner = types[1][1][0] if len(types) > 1 else 0.0
        for index, (code, (score, words)) in enumerate(types[:3]):
            if index == 0 or (score >= TYPE_RATIO * best and score >= TYPE_MIN):
                other = runner if index == 0 else best
                type_results.append(Classified(code, _confidence(score, best, other), words))
    else:
        type_results.append(Classified("rec_type.case_management", 0.2, []))

    pattern_scores: dict[str, tuple[float, list[str]]] = {
        code: s for code, s in scores.items() if code.startswith("rec_pattern.")
    }
    for chosen in type_results:
        prior = TYPE_TO_PATTERN.get(chosen.value)
        if prior and prior[0] in codebook:
            code, bonus = prior
            score, words = pattern_scores.get(code, (0.0, []))
            label = codebook.get(chosen.value).label.lower() if chosen.value in codebook else ""
            pattern_scores[code] = (score + bonus * chosen.confidence, words + [f"({label})"])
    ranked = sorted(pattern_scores.items(), key=lambda kv: -kv[1][0])
    if ranked:
        code, (score, words) = ranked[0]
        runner = ranked[1][1][0] if len(ranked) > 1 else 0.0
        pattern = Classified(code, _confidence(score, score, runner), words)
    else:
        pattern = Classified("rec_pattern.longer_term_work", 0.2, [])

    targets = [t for t in _targets(text) if t.value in codebook]
    if not targets:
        targets = [Classified("rec_target.single_agency", 0.2, [])]
    return RecommendationClass(target=targets, type=type_results, pattern=pattern)
