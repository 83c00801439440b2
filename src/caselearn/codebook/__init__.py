"""The codebook: a versioned data file in the package, plus codes a committee adds itself."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

CATEGORIES = ("theme", "family", "child", "harm", "rec_target", "rec_type", "rec_pattern")
DOCUMENT_CATEGORIES = ("theme", "family", "child", "harm")
# The stable interface of the domain brief: these identifiers may never be renamed or dropped.
CORE_IDENTIFIERS = {
    "theme": "information_sharing risk_assessment history_chronology capacity_to_change "
    "optimism_bias disguised_compliance non_engagement professional_challenge "
    "professional_curiosity child_voice supervision roles_responsibilities multi_agency_working "
    "thresholds_decisions pre_birth transitions male_carers recording",
    "family": "parental_mental_health domestic_abuse parental_substance_misuse "
    "parental_criminality parental_childhood_adversity parental_learning_disability "
    "poverty_housing",
    "child": "disability mental_health_self_harm exploitation substance_use",
    "harm": "neglect physical_abuse emotional_abuse sexual_abuse risk_to_self_or_others accident "
    "fabricated_induced_illness death_sudi death_suicide death_homicide death_neglect "
    "death_drug_related death_physical_injury death_accidental death_health_condition",
    "rec_target": "single_agency multi_agency cpc senior_managers national",
    "rec_type": "training policy_procedure awareness audit supervision case_management "
    "culture_change documentation staffing new_services new_approaches performance_information "
    "it_systems",
    "rec_pattern": "tools management_systems responses_to_incidents longer_term_work "
    "family_professional_interaction cognitive_emotional_biases",
}
CORE_IDS = frozenset(
    f"{category}.{name}" for category, names in CORE_IDENTIFIERS.items() for name in names.split()
)
ID_PATTERN = re.compile(r"^(?P<category>[a-z_]+)\.(?P<name>[a-z][a-z0-9_]{1,60})$")


class CodebookError(ValueError):
    """A codebook file or a custom code that cannot be used, with the reason."""


@dataclass(frozen=True)
class Code:
    id: str
    category: str
    label: str
    definition: str
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    indicative: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    questions: tuple[str, ...] = ()
    fatal: bool | None = None
    committee: str | None = None  # set for a committee's own codes

    @property
    def name(self) -> str:
        return self.id.split(".", 1)[1]

    @property
    def is_practice_theme(self) -> bool:
        return self.category == "theme"

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "category": self.category,
            "label": self.label,
            "definition": self.definition,
            "include": list(self.include),
            "exclude": list(self.exclude),
            "indicative": list(self.indicative),
            "examples": list(self.examples),
            "questions": list(self.questions),
        }
        if self.fatal is not None:
            data["fatal"] = self.fatal
        if self.committee:
            data["committee"] = self.committee
        return data


@dataclass(frozen=True)
class Codebook:
    version: str
    name: str
    codes: tuple[Code, ...]
    categories: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {code.id: code for code in self.codes})

    def __contains__(self, code_id: object) -> bool:
        return code_id in self._by_id  # type: ignore[attr-defined]

    def get(self, code_id: str) -> Code:
        try:
            return self._by_id[code_id]  # type: ignore[attr-defined]
        except KeyError:
            raise CodebookError(f"unknown code {code_id!r}") from None

    def in_category(self, *categories: str) -> list[Code]:
        return [code for code in self.codes if code.category in categories]

    @property
    def document_codes(self) -> list[Code]:
        return self.in_category(*DOCUMENT_CATEGORIES)

    def with_codes(self, extra: list[Code]) -> Codebook:
        """This codebook plus a committee's own codes; the version says so."""
        if not extra:
            return self
        clashes = [code.id for code in extra if code.id in self]
        if clashes:
            raise CodebookError(f"custom codes may not reuse existing identifiers: {clashes}")
        digest = hashlib.sha256(
            json.dumps([c.to_dict() for c in extra], sort_keys=True).encode()
        ).hexdigest()[:8]
        return Codebook(
            f"{self.version}+custom.{digest}", self.name, self.codes + tuple(extra), self.categories
        )


def code_from_dict(data: dict[str, Any], *, source: str = "codebook") -> Code:
    if not isinstance(data, dict):
        raise CodebookError(f"{source}: each code must be a mapping, got {type(data).__name__}")
    code_id = str(data.get("id", "")).strip()
    match = ID_PATTERN.match(code_id)
    if not match:
        raise CodebookError(f"{source}: {code_id!r} is not an identifier like 'theme.my_code'")
    category = data.get("category") or match.group("category")
    if category not in CATEGORIES:
        raise CodebookError(f"{source}: {code_id}: unknown category {category!r}")
    if match.group("category") != category:
        raise CodebookError(
            f"{source}: {code_id}: identifier prefix does not match category {category!r}"
        )
    for required in ("label", "definition"):
        if not str(data.get(required) or "").strip():
            raise CodebookError(f"{source}: {code_id}: missing {required}")

    def strings(key: str) -> tuple[str, ...]:
        value = data.get(key) or []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise CodebookError(f"{source}: {code_id}: {key} must be a list of strings")
        return tuple(v.strip() for v in value if v.strip())

    return Code(
        id=code_id,
        category=category,
        label=str(data["label"]).strip(),
        definition=str(data["definition"]).strip(),
        include=strings("include"),
        exclude=strings("exclude"),
        indicative=tuple(p.lower() for p in strings("indicative")),
        examples=strings("examples"),
        questions=strings("questions"),
        fatal=data.get("fatal") if category == "harm" else None,
        committee=data.get("committee"),
    )


def parse_codebook(text: str, *, source: str = "codebook", require_core: bool = True) -> Codebook:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CodebookError(f"{source}: not valid YAML ({exc})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("codes"), list):
        raise CodebookError(f"{source}: expected a mapping with a 'codes' list")
    version = str(data.get("version") or "").strip()
    if not version:
        raise CodebookError(f"{source}: missing version")
    codes = [code_from_dict(item, source=source) for item in data["codes"]]
    seen: set[str] = set()
    duplicates = sorted({c.id for c in codes if c.id in seen or seen.add(c.id)})  # type: ignore[func-returns-value]
    if duplicates:
        raise CodebookError(f"{source}: duplicate identifiers: {', '.join(duplicates)}")
    if require_core:
        missing = sorted(CORE_IDS - seen)
        if missing:
            raise CodebookError(f"{source}: missing core identifiers: {', '.join(missing)}")
    for code in codes:
        if code.id in CORE_IDS and len(code.questions) < 2:
            raise CodebookError(f"{source}: {code.id}: needs at least two reflective questions")
    categories = {
        c["id"]: c for c in data.get("categories", []) if isinstance(c, dict) and "id" in c
    }
    return Codebook(version, str(data.get("name") or "codebook"), tuple(codes), categories)


@lru_cache(maxsize=1)
def core_codebook() -> Codebook:
    """The codebook shipped in the package."""
    text = (resources.files("caselearn.codebook") / "codebook.yaml").read_text(encoding="utf-8")
    return parse_codebook(text, source="caselearn/codebook/codebook.yaml")


def load_codebook_file(path: Path) -> Codebook:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CodebookError(f"{path}: cannot be read ({exc})") from exc
    return parse_codebook(text, source=str(path))


def parse_custom_codes(text: str, *, source: str, committee: str | None) -> list[Code]:
    """A committee's own codes: a YAML list of codes (or a mapping with 'codes')."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CodebookError(f"{source}: not valid YAML ({exc})") from exc
    items = data.get("codes") if isinstance(data, dict) else data
    if not isinstance(items, list) or not items:
        raise CodebookError(f"{source}: expected a list of codes")
    codes = []
    for item in items:
        if isinstance(item, dict) and committee:
            item = {**item, "committee": committee}
        codes.append(code_from_dict(item, source=source))
    ids = [c.id for c in codes]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise CodebookError(f"{source}: duplicate identifiers: {', '.join(duplicates)}")
    return codes
