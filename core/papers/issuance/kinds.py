"""The kinds of document issued for applications: labels, which are sealed, number suffixes,
the decision each is written from.
"""
from __future__ import annotations

#: Document kinds and their Chinese labels.
KINDS: dict[str, str] = {
    "receipt": "受理回执",
    "correction_notice": "一次性补正告知书",
    "refusal_notice": "不予受理通知书",
    "decision_approve": "准予行政许可决定书",
    "decision_reject": "不予行政许可决定书",
    "certificate": "证照",
}
#: Kinds that carry the issuing department's electronic seal.
SEALED_KINDS = frozenset({"decision_approve", "decision_reject", "certificate"})
#: Suffix of the document number per kind (the receipt uses the 受理编号 itself).
_NUMBER_CODES = {"correction_notice": "BZ", "refusal_notice": "BSL", "decision_approve": "ZY",
                 "decision_reject": "BY", "certificate": "ZZ"}
#: The Decision row each kind is written from.
_DECISION_KINDS = {"correction_notice": "return", "refusal_notice": "refuse",
                   "decision_approve": "approve", "decision_reject": "reject"}

#: The decision letters a service's declaration can choose (``ServiceDef.decision_letters``):
#: which kind the core writes when an application is approved / rejected.
#:
#: * ``"licensing"`` (the default): 准予 / 不予行政许可决定书, worded under 《行政许可法》
#:   第三十八条 — right for administrative licences;
#: * ``"own"``: none — the service is not an administrative licence and its plugin issues the
#:   letters its own statute prescribes (legal aid: the certificate is the 给予法律援助决定书,
#:   the refusal the 不予法律援助决定书, 《法律援助法》第四十三条).
DECISION_LETTERS: dict[str, dict[str, str]] = {
    "licensing": {"approve": "decision_approve", "reject": "decision_reject"},
    "own": {},
}


def decision_letter_kind(service, decision: str) -> str | None:
    """The document kind the core writes for ``decision`` ("approve" / "reject") of an
    application of ``service``, or None when the service's plugin writes its own."""
    choice = getattr(service, "decision_letters", "licensing") if service is not None else "licensing"
    return DECISION_LETTERS.get(choice, DECISION_LETTERS["licensing"]).get(decision)


CORRECTION_CONSEQUENCE = "逾期未补正的，视为放弃本次申请；您仍可重新提出申请。"
