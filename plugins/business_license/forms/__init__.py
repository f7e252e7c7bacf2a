"""Application forms of the four services, plus the joint licence + permit form (证照联办).

Everything a form can decide from the data alone is decided here, with a Chinese message on
the field concerned: identifiers, the operator's age, name rules, scopes, plausible amounts.
What needs the register (a name already taken) is decided in :mod:`.filing` and again by the
checks in :mod:`.checks`.
"""
from __future__ import annotations

from plugins.business_license.forms.food import (  # noqa: F401
    FOOD_FIELDS,
    REGISTRATION_FIELDS,
    FoodFields,
    FoodPermitForm,
    JointForm,
    split_joint,
)
from plugins.business_license.forms.registration import (  # noqa: F401
    MAX_CAPITAL,
    MAX_EMPLOYEES,
    ChangeForm,
    DeregistrationForm,
    NameFields,
    OperatorFields,
    PremisesFields,
    RegistrationForm,
)
