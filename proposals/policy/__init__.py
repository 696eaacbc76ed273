"""The policy profiles this product implements, as data.

A profile is one university's policy: the institution, its review bodies, its approval route (the
stages with the condition under which each applies and who decides it), the submission rules it
enforces (each with its check and the sentence of its policy that justifies it), its fee rule, its
transcript rule and its labels. Nothing else in the code names a profile: the workflow, views,
selectors and templates read the active profile. Adding a university's policy means adding one
module beside ``binghamton.py`` and ``fiu.py`` that registers its profile (``register_profile``),
imported below.

- ``types``: what a profile is made of (``PolicyProfile``, ``Body``, ``Stage`` …) and the registry;
- ``states``: the proposal's states and the kinds of review body, with their choices;
- ``conditions``: the conditions under which a stage applies;
- ``rules``: submission rules, their checks and ``check_proposal``, with the rules both policies state;
- ``routing``: where a proposal goes, and the start-up check of the profiles;
- ``binghamton``, ``fiu``: the two profiles shipped.

Sources: ``../shared/policies/000_12fd21f330511ec2.txt`` (Binghamton) and ``004_fb961b51d850dc18.txt``
(FIU 380.104).
"""

# The profiles shipped register themselves, in this order (the order of the state and body-kind
# choices).
from . import binghamton, fiu
from .conditions import (
    always,
    charges_additional_fees,
    charges_additional_fees_q,
    credit_bearing,
    credit_bearing_graduate,
    needs_curriculum_approval,
)
from .routing import (
    current_stage,
    fee_review_q,
    fee_review_valid,
    needs_fee_review,
    next_state,
    passed_stages,
    profile_key_of,
    profile_of,
    profile_states,
    reaches_registrar,
    resume_at,
    route,
    route_keys,
    sponsor_unit_ids,
    stage_for,
    stages_of,
    validate_profiles,
)
from .rules import RULES, Problem, Rule, check_proposal
from .states import BodyKind, State, body_kind_choices, state_choices
from .types import (
    DECISION,
    DEFAULT_PROFILE,
    PROFILES,
    VOTE,
    Body,
    FeeRule,
    PolicyProfile,
    Stage,
    TranscriptRule,
    active_key,
    active_profile,
    profile_choices,
    proposal_profile_choices,
    register_profile,
)

__all__ = [
    "DECISION",
    "DEFAULT_PROFILE",
    "PROFILES",
    "RULES",
    "VOTE",
    "Body",
    "BodyKind",
    "FeeRule",
    "PolicyProfile",
    "Problem",
    "Rule",
    "Stage",
    "State",
    "TranscriptRule",
    "active_key",
    "active_profile",
    "always",
    "binghamton",
    "body_kind_choices",
    "charges_additional_fees",
    "charges_additional_fees_q",
    "check_proposal",
    "credit_bearing",
    "credit_bearing_graduate",
    "current_stage",
    "fee_review_q",
    "fee_review_valid",
    "fiu",
    "needs_curriculum_approval",
    "needs_fee_review",
    "next_state",
    "passed_stages",
    "profile_choices",
    "profile_key_of",
    "profile_of",
    "profile_states",
    "proposal_profile_choices",
    "reaches_registrar",
    "register_profile",
    "resume_at",
    "route",
    "route_keys",
    "sponsor_unit_ids",
    "stage_for",
    "stages_of",
    "state_choices",
    "validate_profiles",
]
