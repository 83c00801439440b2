"""Is a recommendation SMART: specific, measurable, assigned, realistic and time-bound?

Why: the national review of case reviews found that broad recommendations cannot be followed
through and that committees want "fewer and more specific" ones. A review team drafting
recommendations gets, for each criterion, whether it is met, the words that show it, and plain
advice on what to add. The checks are deliberately simple and explainable: each one names the
words it relied on, so a person can disagree with it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from caselearn.recommendations.classify import subject_of
from caselearn.recommendations.extract import DIRECTIVE

__all__ = ["CRITERIA", "SmartCheck", "SmartCriterion", "smart_check"]

CRITERIA = ("specific", "measurable", "assigned", "realistic", "time_bound")


@dataclass
class SmartCriterion:
    name: str  # one of CRITERIA
    met: bool
    words: list[str] = field(default_factory=list)  # the words that show it (or show it is not)
    advice: str = ""  # what to add when it is not met

    def to_dict(self) -> dict:
        return {"name": self.name, "met": self.met, "words": self.words, "advice": self.advice}


@dataclass
class SmartCheck:
    score: int  # number of criteria met, 0-5
    criteria: list[SmartCriterion]
    missing: list[str]  # names of the criteria not met
    advice: str  # plain-language advice for all missing criteria together

    def to_dict(self) -> dict:
        return {
            "score": self.score,
            "criteria": [c.to_dict() for c in self.criteria],
            "missing": list(self.missing),
            "advice": self.advice,
        }


ADVICE = {
    "specific": (
        "Say exactly what should change: name the policy, tool, service, meeting or practice "
        "and the action (for example 'revise the escalation protocol' rather than 'improve "
        "practice')."
    ),
    "measurable": (
        "Say how you will know it has happened and made a difference: a number or target, an "
        "audit, a survey or a report (for example 'audit 40 case files and report the results "
        "to the committee')."
    ),
    "assigned": (
        "Name who is responsible: start with the agency, team, group or post that will act "
        "(for example 'NHS Glenbrae should ...' or 'The Learning and Development Subgroup "
        "should ...')."
    ),
    "realistic": (
        "Narrow it to what can be done and checked: avoid 'all staff will always' or 'never "
        "again'; split a long list of actions into separate recommendations, or name the "
        "service, group of children or locality it applies to."
    ),
    "time_bound": (
        "Add a deadline or timescale: a date ('by March 2025') or a period ('within six "
        "months of publication')."
    ),
}

VAGUE = re.compile(
    r"\b(improve|enhance|strengthen|develop|promote|consider|reflect on|continue to|"
    r"be mindful of|be aware of|learn (the )?lessons?|work together|work better|"
    r"take (into )?account)\b( (practice|practise|working|communication|"
    r"partnership working|joint working|information sharing|awareness|understanding|"
    r"the learning|lessons|outcomes|services))?",
    re.IGNORECASE,
)
CONCRETE_VERB = re.compile(
    r"\b(revise|update|amend|rewrite|introduce|establish|set up|commission|publish|produce|"
    r"audit|record|add|agree|adopt|pilot|test|deliver|provide|run|hold|write to|ask|"
    r"review (the|its|their|caseloads|all|every)|appoint|fund|recruit|create|issue|include|"
    r"implement|train|offer|invite|report|collect|carry out|complete|convene|share|notify|"
    r"refer|screen|check|map|flag|alert|discuss|allocate|name|designate|extend|ensure)\w*",
    re.IGNORECASE,
)
CONCRETE_OBJECT = re.compile(
    r"\b(protocol|procedures?|policy|guidance|pathway|template|form|chronolog\w+|toolkit|"
    r"training|course|audit|survey|dataset|data|report|briefing|meeting|service|hub|post|"
    r"alert|system|record|plan|checklist|framework|campaign|learning events?|sessions?|"
    r"assessments?|reviews?|caseloads?|supervision|prompt|field|letters?|leaflets?|model|"
    r"approach|advice|records?|register|referrals?|appointments?)\b",
    re.IGNORECASE,
)
MEASURE = re.compile(
    r"\b(\d+(\.\d+)?\s*(%|per ?cent)|\d+|one|two|three|four|five|six|seven|eight|nine|ten|"
    r"twelve|every|each|all|at least|no (later|fewer|more) than|monthly|weekly|quarterly|"
    r"annual(ly)?|audit\w*|measur\w+|evaluat\w+|survey\w*|indicators?|data(set)?|"
    r"targets?|re-?audit|report\w* (on|to|the|progress|results|findings|attendance)|"
    r"rates?|monitor\w*|impact|baseline|dip[- ]sampl\w+)\b",
    re.IGNORECASE,
)
WEAK_MEASURE = {"every", "each", "all", "one"}
OWNER = re.compile(
    r"\b(cpc|committee|partnership|board|sub-?group|council|nhs|trust|police|services?|"
    r"social work|social care|health|education|housing|agenc(y|ies)|partners|team|unit|"
    r"group|government|department|officers?|managers?|leaders?|executives?|directors?|"
    r"heads?|lead|chair|practice|school|hospital|camhs|federation|probation|panel|"
    r"inspectorate|authorit(y|ies)|providers?)\b",
    re.IGNORECASE,
)
NOT_OWNER = re.compile(
    r"^\W*(it|there|this|that|practice|learning|lessons|consideration|attention|"
    r"thought|information|training|more|work|staff|practitioners|professionals|everyone|"
    r"all staff|all practitioners|all professionals)\b",
    re.IGNORECASE,
)
ABSOLUTE = re.compile(
    r"\b(always|never|at all times|without exception|guarantee\w*|eliminate\w*|ensure that no|"
    r"no child will|100 ?%|every single|all staff (will|should|must) (always|never)|"
    r"all (staff|practitioners|professionals) (in|across) all)\b",
    re.IGNORECASE,
)
SCOPE = re.compile(
    r"\b(pilot\w*|in (two|three|one|\d+) (localities|teams|areas)|for (children|young people|"
    r"babies|infants|parents) (under|aged|who|with)|under (one|two|five|\d+)|aged \d+|"
    r"where|when|at least|starting (with|in)|phased|sample of|of \d+|initial|first)\b",
    re.IGNORECASE,
)
MONTHS = (
    r"(january|february|march|april|may|june|july|august|september|october|november|december|"
    r"jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)"
)
DEADLINE = re.compile(
    rf"\b(by|before|from|in|during|starting in|no later than|until|end of)\s+(the end of\s+)?"
    rf"({MONTHS}\s+\d{{4}}|\d{{1,2}}\s+{MONTHS}\s+\d{{4}}|\d{{4}}(-\d{{2,4}})?|"
    rf"(the )?(spring|summer|autumn|winter|first|second|third|fourth) (of )?(quarter )?\d{{4}}|"
    rf"q[1-4] \d{{4}}|\d{{1,2}}/\d{{1,2}}/\d{{2,4}})\b|"
    rf"\bwithin (\d+|one|two|three|four|six|nine|twelve|eighteen|a) "
    rf"(working )?(weeks?|months?|years?)( of [\w ]{{3,40}}?)?(?=[,.;]|\s|$)|"
    rf"\b(\d+|one|two|three|four|six|nine|twelve|eighteen) (weeks?|months?|years?) "
    rf"(after|from|of) (publication|delivery|the (report|review|launch|start))|"
    rf"\bby (the end of )?(this|next) (year|financial year|quarter)\b|"
    rf"\b(timescale|deadline) of\b",
    re.IGNORECASE,
)


def _specific(text: str) -> SmartCriterion:
    directive = DIRECTIVE.search(text)
    asked = text[directive.end() :] if directive else text  # what is asked, after "should"
    verbs = [m.group(0) for m in CONCRETE_VERB.finditer(asked)]
    objects = [m.group(0) for m in CONCRETE_OBJECT.finditer(text)]
    vague = [m.group(0) for m in VAGUE.finditer(text)]
    words = len(text.split())
    met = bool(verbs) and bool(objects) and words >= 8
    if met and vague and len(verbs) <= len(vague) and len(objects) <= 1:
        met = False
    shown = (verbs[:2] + objects[:2]) if met else (vague[:3] or verbs[:1] or objects[:1])
    return SmartCriterion("specific", met, _unique(shown), "" if met else ADVICE["specific"])


def _measurable(text: str) -> SmartCriterion:
    # A date says when, not how much: numbers inside a deadline or a year do not count here.
    dates = [(m.start(), m.end()) for m in DEADLINE.finditer(text)]
    found = [
        m.group(0)
        for m in MEASURE.finditer(text)
        if not any(s <= m.start() < e for s, e in dates)
        and not re.fullmatch(r"(19|20)\d\d", m.group(0))
    ]
    strong = [w for w in found if w.lower() not in WEAK_MEASURE]
    met = bool(strong)
    return SmartCriterion(
        "measurable", met, _unique(strong[:4]), "" if met else ADVICE["measurable"]
    )


def _assigned(text: str) -> SmartCriterion:
    directive = DIRECTIVE.search(text)
    subject = subject_of(text) if directive else ""
    by_agent = re.search(r"\bby (the |an? )?([A-Z][\w'’]*( [A-Z][\w'’]*)*)", text)
    met = False
    words: list[str] = []
    if subject and OWNER.search(subject) and not NOT_OWNER.match(subject):
        met, words = True, [subject]
    elif subject and re.match(r"^\W*[A-Z]", subject) and not NOT_OWNER.match(subject):
        # A named body the word list does not know ("Riverside Fostering Panel" is caught;
        # "Acme" is not): a capitalised subject before "should" is taken as an owner.
        met, words = len(subject.split()) <= 12, [subject]
    elif by_agent and OWNER.search(by_agent.group(0)):
        met, words = True, [by_agent.group(0)]
    elif subject:
        words = [subject]
    return SmartCriterion("assigned", met, words, "" if met else ADVICE["assigned"])


def _realistic(text: str) -> SmartCriterion:
    absolutes = [m.group(0) for m in ABSOLUTE.finditer(text)]
    words = len(text.split())
    actions = len(re.findall(r"\b(should|and should|and to|; and)\b", text, re.IGNORECASE))
    too_broad = words > 120 or actions > 4
    met = not absolutes and not too_broad
    if met:
        shown = [m.group(0) for m in SCOPE.finditer(text)][:3]
    else:
        shown = absolutes[:3] or [f"{words} words"]
    return SmartCriterion("realistic", met, _unique(shown), "" if met else ADVICE["realistic"])


def _time_bound(text: str) -> SmartCriterion:
    found = [m.group(0).strip() for m in DEADLINE.finditer(text)]
    met = bool(found)
    return SmartCriterion(
        "time_bound", met, _unique(found[:3]), "" if met else ADVICE["time_bound"]
    )


def _unique(words: list[str]) -> list[str]:
    seen: list[str] = []
    for word in words:
        if word and word not in seen:
            seen.append(word)
    return seen


def smart_check(text: str) -> SmartCheck:
    """Check one recommendation's text against the five SMART criteria."""
    text = " ".join(text.split())
    criteria = [
        _specific(text),
        _measurable(text),
        _assigned(text),
        _realistic(text),
        _time_bound(text),
    ]
    missing = [c.name for c in criteria if not c.met]
    if not text:
        missing = list(CRITERIA)
        criteria = [SmartCriterion(name, False, [], ADVICE[name]) for name in CRITERIA]
    if missing:
        advice = " ".join(ADVICE[name] for name in missing)
    else:
        advice = "This recommendation meets all five SMART criteria."
    return SmartCheck(len(CRITERIA) - len(missing), criteria, missing, advice)
