"""The LVV taxonomies (DOMAIN.md sections 4-5, CONTRACTS.md section 2) in one place.

Values are the English codes used in code, the database and the monitor JSON; labels are Dutch.
`ALIASES` lists the spellings a person file may use for each value (matched after `normalize_label`).
"""

from __future__ import annotations

import unicodedata
from enum import Enum

from django.db import models
from django.utils.translation import gettext_lazy as _


def normalize_label(value: str) -> str:
    """Lower case, no diacritics, underscores as spaces, single spaces: 'Gedwongen  beëindigd' ->
    'gedwongen beeindigd'."""
    decomposed = unicodedata.normalize("NFKD", value)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.replace("_", " ").lower().split())


class TargetGroup(models.TextChoices):
    CONVENANT = "convenant", _("Convenant (afgesproken doelgroep)")
    SAFE_COUNTRY = "safe_country", _("Veilige lander")
    FAMILY = "family", _("Gezin")


class Gender(models.TextChoices):
    MALE = "male", _("Man")
    FEMALE = "female", _("Vrouw")
    UNKNOWN = "unknown", _("Onbekend")


class Scenario(models.TextChoices):
    LEGALISATION = "legalisation", _("Legalisering van verblijf")
    RETURN = "return", _("Terugkeer naar land van herkomst")
    ONWARD_MIGRATION = "onward_migration", _("Doormigratie")
    NOT_YET_DETERMINED = "not_yet_determined", _("Nog niet opgesteld / in onderzoek")
    MEDICAL_STABILISATION = "medical_stabilisation", _("Stabilisatie medisch")


class OutflowClass(models.TextChoices):
    DURABLE = "durable", _("Bestendig")
    SEMI_DURABLE = "semi_durable", _("Semi-bestendig")
    NON_DURABLE = "non_durable", _("Niet-bestendig")


class OutflowType(models.TextChoices):
    """Every outflow type, the 'other' subtypes included. The monitor groups the subtypes under
    `other` (see `MONITOR_OUTFLOW_BUCKET`)."""

    LEGALISATION = "legalisation", _("Legalisering")
    RETURN = "return", _("Terugkeer")
    ONWARD_MIGRATION = "onward_migration", _("Doormigratie")
    REPEAT_ASYLUM_APPLICATION = "repeat_asylum_application", _("Herhaalde asielaanvraag (HASA)")
    ARTICLE_64 = "article_64", _("Artikel 64 Vw")
    UNKNOWN_DESTINATION = "unknown_destination", _("Met onbekende bestemming vertrokken (MOB)")
    TERMINATED = "terminated", _("Gedwongen beëindigd")
    OTHER_SHELTER = "other_shelter", _("Andere opvang")
    IMMIGRATION_DETENTION = "immigration_detention", _("Vreemdelingenbewaring")
    CRIMINAL_DETENTION = "criminal_detention", _("Strafrechtelijke detentie")
    OWN_NETWORK = "own_network", _("Eigen netwerk")
    OTHER_LVV = "other_lvv", _("LVV in andere gemeente")
    BBB = "bbb", _("Terug naar BBB")
    DECEASED = "deceased", _("Overleden")
    OTHER = "other", _("Overig")


OTHER_SUBTYPES = frozenset(
    {
        OutflowType.OTHER_SHELTER,
        OutflowType.IMMIGRATION_DETENTION,
        OutflowType.CRIMINAL_DETENTION,
        OutflowType.OWN_NETWORK,
        OutflowType.OTHER_LVV,
        OutflowType.BBB,
        OutflowType.DECEASED,
        OutflowType.OTHER,
    }
)

OUTFLOW_CLASS: dict[str, OutflowClass] = {
    OutflowType.LEGALISATION: OutflowClass.DURABLE,
    OutflowType.RETURN: OutflowClass.DURABLE,
    OutflowType.ONWARD_MIGRATION: OutflowClass.DURABLE,
    OutflowType.REPEAT_ASYLUM_APPLICATION: OutflowClass.SEMI_DURABLE,
    OutflowType.ARTICLE_64: OutflowClass.SEMI_DURABLE,
    OutflowType.UNKNOWN_DESTINATION: OutflowClass.NON_DURABLE,
    OutflowType.TERMINATED: OutflowClass.NON_DURABLE,
    **dict.fromkeys(OTHER_SUBTYPES, OutflowClass.NON_DURABLE),
}

# The eight keys of `outflow_by_type` in the monitor JSON (CONTRACTS.md section 4).
MONITOR_OUTFLOW_KEYS = (
    "legalisation",
    "return",
    "onward_migration",
    "repeat_asylum_application",
    "article_64",
    "unknown_destination",
    "terminated",
    "other",
)
MONITOR_OUTFLOW_BUCKET: dict[str, str] = {
    t.value: ("other" if t in OTHER_SUBTYPES else t.value) for t in OutflowType
}


class FollowUp(models.TextChoices):
    """What followed an outflow, registered later (DOMAIN.md section 5)."""

    FORCED_DEPARTURE = "forced_departure", _("Gedwongen vertrek")
    PERMIT_GRANTED = "permit_granted", _("Vergunning verleend")
    REFUSED = "refused", _("Afgewezen")


# Which follow-ups make sense after which outflow type.
FOLLOW_UPS_FOR: dict[str, frozenset[str]] = {
    OutflowType.IMMIGRATION_DETENTION: frozenset({FollowUp.FORCED_DEPARTURE}),
    OutflowType.REPEAT_ASYLUM_APPLICATION: frozenset({FollowUp.PERMIT_GRANTED, FollowUp.REFUSED}),
}


class Label(Enum):
    """Which taxonomy a label in a file belongs to; used to look up `ALIASES`."""

    TARGET_GROUP = "doelgroep"
    GENDER = "geslacht"
    SCENARIO = "begeleidingsscenario"
    OUTFLOW_TYPE = "wijze_van_uitstroom"
    FOLLOW_UP = "vervolg"
    YES_NO = "ja/nee"


# Accepted spellings per taxonomy, already normalised. An empty string maps to the default for
# the column, where the contract gives one.
ALIASES: dict[Label, dict[str, str | bool | None]] = {
    Label.TARGET_GROUP: {
        "": TargetGroup.CONVENANT,
        "convenant": TargetGroup.CONVENANT,
        "veilige lander": TargetGroup.SAFE_COUNTRY,
        "veilige landers": TargetGroup.SAFE_COUNTRY,
        "safe country": TargetGroup.SAFE_COUNTRY,
        "gezin": TargetGroup.FAMILY,
        "gezinnen": TargetGroup.FAMILY,
        "family": TargetGroup.FAMILY,
    },
    Label.GENDER: {
        "": Gender.UNKNOWN,
        "man": Gender.MALE,
        "m": Gender.MALE,
        "male": Gender.MALE,
        "vrouw": Gender.FEMALE,
        "v": Gender.FEMALE,
        "f": Gender.FEMALE,
        "female": Gender.FEMALE,
        "x": Gender.UNKNOWN,
        "onbekend": Gender.UNKNOWN,
        "unknown": Gender.UNKNOWN,
    },
    Label.SCENARIO: {
        "": Scenario.NOT_YET_DETERMINED,
        "legalisering": Scenario.LEGALISATION,
        "legalisation": Scenario.LEGALISATION,
        "terugkeer": Scenario.RETURN,
        "return": Scenario.RETURN,
        "doormigratie": Scenario.ONWARD_MIGRATION,
        "onward migration": Scenario.ONWARD_MIGRATION,
        "nog niet opgesteld": Scenario.NOT_YET_DETERMINED,
        "in onderzoek": Scenario.NOT_YET_DETERMINED,
        "not yet determined": Scenario.NOT_YET_DETERMINED,
        "stabilisatie medisch": Scenario.MEDICAL_STABILISATION,
        "medische stabilisatie": Scenario.MEDICAL_STABILISATION,
        "medical stabilisation": Scenario.MEDICAL_STABILISATION,
    },
    Label.OUTFLOW_TYPE: {
        "legalisering": OutflowType.LEGALISATION,
        "legalisation": OutflowType.LEGALISATION,
        "terugkeer": OutflowType.RETURN,
        "return": OutflowType.RETURN,
        "doormigratie": OutflowType.ONWARD_MIGRATION,
        "onward migration": OutflowType.ONWARD_MIGRATION,
        "hasa": OutflowType.REPEAT_ASYLUM_APPLICATION,
        "herhaalde asielaanvraag": OutflowType.REPEAT_ASYLUM_APPLICATION,
        "artikel 64": OutflowType.ARTICLE_64,
        "art 64": OutflowType.ARTICLE_64,
        "art. 64": OutflowType.ARTICLE_64,
        "article 64": OutflowType.ARTICLE_64,
        "mob": OutflowType.UNKNOWN_DESTINATION,
        "met onbekende bestemming vertrokken": OutflowType.UNKNOWN_DESTINATION,
        "gedwongen beeindigd": OutflowType.TERMINATED,
        "terminated": OutflowType.TERMINATED,
        "andere opvang": OutflowType.OTHER_SHELTER,
        "vreemdelingenbewaring": OutflowType.IMMIGRATION_DETENTION,
        "detentie": OutflowType.CRIMINAL_DETENTION,
        "eigen netwerk": OutflowType.OWN_NETWORK,
        "andere lvv": OutflowType.OTHER_LVV,
        "bbb": OutflowType.BBB,
        "overleden": OutflowType.DECEASED,
        "overig": OutflowType.OTHER,
        "other": OutflowType.OTHER,
    },
    Label.FOLLOW_UP: {
        "": None,
        "gedwongen vertrek": FollowUp.FORCED_DEPARTURE,
        "vergunning": FollowUp.PERMIT_GRANTED,
        "vergunning verleend": FollowUp.PERMIT_GRANTED,
        "afgewezen": FollowUp.REFUSED,
    },
    Label.YES_NO: {
        "": True,
        "ja": True,
        "j": True,
        "yes": True,
        "nee": False,
        "n": False,
        "no": False,
    },
}


def parse_label(kind: Label, raw: str) -> str | bool | None:
    """The value for a label as written in a file; raises KeyError for an unknown label."""
    return ALIASES[kind][normalize_label(raw)]


def accepted_labels(kind: Label) -> str:
    """The accepted spellings, for an error message that says what to fix."""
    return ", ".join(sorted(k for k in ALIASES[kind] if k))
