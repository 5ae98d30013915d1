"""The words of policy profiles: host types, obligation levels, confirmation methods, offset kinds, items."""

from __future__ import annotations

from enum import StrEnum

# ISO 3166-1 country, optionally with an ISO 3166-2 subdivision: CN, CN-HI, CN-SD.
JURISDICTION_PATTERN = r"^[A-Z]{2}(?:-[A-Z0-9]{1,3})?$"


class HostType(StrEnum):
    """Who hosts the event; `government` covers party and government organs."""

    GOVERNMENT = "government"
    ENTERPRISE = "enterprise"
    ASSOCIATION = "association"
    OTHER = "other"


class Obligation(StrEnum):
    """How strongly the guidance asks for neutrality."""

    REQUIRED = "required"
    ENCOURAGED = "encouraged"
    VOLUNTARY = "voluntary"


class ConfirmationMethod(StrEnum):
    """How neutrality is confirmed."""

    SELF_COMMITMENT = "self_commitment"
    THIRD_PARTY = "third_party"


class OffsetKind(StrEnum):
    """Kinds of offsets the guidance names."""

    AFFORESTATION = "afforestation"
    KEY_EMITTER_ALLOWANCE_DONATION = "key_emitter_allowance_donation"
    PERSONAL_CARBON_INCLUSION = "personal_carbon_inclusion"
    PROVINCIAL_CARBON_INCLUSION = "provincial_carbon_inclusion"
    CCER_IN_PROVINCE = "ccer_in_province"
    CCER = "ccer"
    CEA = "cea"
    CER = "cer"
    VCU = "vcu"
    FORESTRY_SINK = "forestry_sink"
    OCEAN_SINK = "ocean_sink"
    OTHER_MECHANISM = "other_mechanism"


class DisclosureField(StrEnum):
    """Items a disclosure or a self-commitment contains."""

    EVENT_NAME = "event_name"
    ORGANIZERS = "organizers"
    SCALE = "scale"
    DATES = "dates"
    ACCOUNTING_BOUNDARY = "accounting_boundary"
    ACCOUNTED_EMISSIONS = "accounted_emissions"
    OFFSET_METHOD = "offset_method"
    NEUTRALITY_DATE = "neutrality_date"
    CONFIRMATION_METHOD = "confirmation_method"
    IMPLEMENTATION_PLAN = "implementation_plan"
    CANCELLATIONS = "cancellations"
