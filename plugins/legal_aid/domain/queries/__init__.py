"""Read-only lists and statistics for the legal-aid centre (案件列表、统计): the case list
(:mod:`.cases`), the statistics for a range of days (:mod:`.stats`) and the granted cases
waiting for a lawyer (:mod:`.waiting`)."""
from __future__ import annotations

from plugins.legal_aid.domain.queries.cases import (  # noqa: F401
    CaseRow,
    case_list,
    category_label,
    status_condition,
)
from plugins.legal_aid.domain.queries.stats import (  # noqa: F401
    DECIDED_STATES,
    PATH_LABELS,
    TIME_BUCKETS,
    LegalAidStats,
    compute,
)
from plugins.legal_aid.domain.queries.waiting import (  # noqa: F401
    count_waiting_for_lawyer,
    waiting_for_lawyer,
)
