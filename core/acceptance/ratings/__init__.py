"""Satisfaction ratings (好差评) of the service a citizen was given, and what follows a rating.

* :mod:`.models` — the tables: a rating names exactly one subject (an application, a queue
  ticket or an enquiry), its follow-up, its appeal;
* :mod:`.subjects` — what can be rated, who may rate it and when; :func:`register_subject_kind`
  adds a kind (enquiries);
* :mod:`.recording` — :func:`rate_subject` (and :func:`rate` for an application);
* :mod:`.follow_up` — a bad rating's follow-up (差评整改), closed with a written resolution
  the rater is told by SMS;
* :mod:`.appeal` — the rated worker's appeal (申诉复核) and the centre admin's decision.

The law the project rests on (LAW.md) says nothing about ratings: the follow-up period and
the appeal procedure are this system's rules, and the pages say so (``FOLLOW_UP_BASIS``,
``APPEAL_BASIS``).
"""
from core.acceptance.ratings.appeal import (APPEAL_BASIS, APPEAL_REASONS_MAX, APPEALABLE_BELOW,
                                            appeal_queue, decide_appeal, file_appeal,
                                            ratings_of_staff)
from core.acceptance.ratings.follow_up import (FOLLOW_UP_BASIS, close_follow_up, describe,
                                               follow_ups, rater_of)
from core.acceptance.ratings.models import (APPEAL_STATUSES, APPEAL_UPHELD, BAD_AT_OR_BELOW, COUNTED,
                                            FOLLOW_UP_WORKING_DAYS, LEVELS, RATEABLE, FollowUp,
                                            Rating, RatingAppeal)
from core.acceptance.ratings.recording import (rate, rate_subject, rating_for, ratings_for_tickets,
                                               tickets_to_rate)
from core.acceptance.ratings.subjects import (SUBJECT_KINDS, Rater, SubjectKind, Target,
                                              register_subject_kind)

__all__ = ["APPEALABLE_BELOW", "APPEAL_BASIS", "APPEAL_REASONS_MAX", "APPEAL_STATUSES",
           "APPEAL_UPHELD", "BAD_AT_OR_BELOW", "COUNTED", "FOLLOW_UP_BASIS",
           "FOLLOW_UP_WORKING_DAYS", "FollowUp", "LEVELS", "RATEABLE", "Rater", "Rating",
           "RatingAppeal", "SUBJECT_KINDS", "SubjectKind", "Target", "appeal_queue",
           "close_follow_up", "decide_appeal", "describe", "file_appeal", "follow_ups", "rate",
           "rate_subject", "rater_of", "rating_for", "ratings_for_tickets", "ratings_of_staff",
           "register_subject_kind", "tickets_to_rate"]
