"""Criminal legal aid (Arts. 24–25, 28–29, 36): what makes a criminal application or an
organ's notification complete, as pure functions with reasons that cite the article.

* Art. 24: a suspect or defendant without a defender applies "因经济困难或者其他原因".
  Hardship is examined like any other (Art. 34, with Art. 41–42); for "other reasons" the
  statute sets no test, so the centre judges them and writes down why (no invented rule).
* Art. 29: the victim's side (public prosecution), the private prosecutor and the claimant
  in an incidental civil action apply "因经济困难": means tested.
* Art. 25 and 28: the court, procuratorate or police notify the centre; no application, no
  means test; the centre assigns a lawyer within three days of the notice (Art. 36).
"""
from __future__ import annotations

from plugins.legal_aid.domain.law import (
    CRIMINAL,
    CRIMINAL_REASONS,
    NOTIFICATION,
    NOTIFICATION_GROUNDS,
    NOTIFYING_ORGANS,
    Category,
    cite,
)


def agent_rule(category: Category) -> tuple[str, str]:
    """Whom the applicant must not have instructed already, and the article that says so."""
    if category.kind == NOTIFICATION:
        return "辩护人或者诉讼代理人", cite("第二十五条、第二十八条")
    if category.code == "criminal_defence":
        return "辩护人", cite("第二十四条")
    if category.kind == CRIMINAL:
        return "诉讼代理人", cite("第二十九条")
    return "代理人", cite("第三十一条、第三十三条")


def notification_problem(facts) -> str | None:
    """Why a notification is not one the statute provides for, or None."""
    organ = NOTIFYING_ORGANS.get(facts.notifying_organ_kind)
    if organ is None:
        return f"须写明通知的办案机关：人民法院、人民检察院或者公安机关（{cite('第二十五条')}）"
    ground = NOTIFICATION_GROUNDS.get(facts.notification_ground)
    if ground is None:
        return f"须选择通知的法定情形（{cite('第二十五条、第二十八条')}）"
    if facts.notifying_organ_kind not in ground.organs:
        return (f"“{ground.label}”由人民法院通知法律援助机构（{ground.citation}），"
                f"{organ}的通知不属于该情形")
    if ground.needs_basis and not facts.other_basis.strip():
        return f"须写明规定该人员应当通知指派律师的法律法规（{ground.citation}）"
    return None


def notification_reasons(facts) -> tuple[str, ...]:
    ground = NOTIFICATION_GROUNDS[facts.notification_ground]
    organ = facts.notifying_organ.strip() or NOTIFYING_ORGANS[facts.notifying_organ_kind]
    case = f"（{facts.criminal_case_no.strip()}）" if facts.criminal_case_no.strip() else ""
    who = f"属于“{ground.label}”" + (f"（{facts.other_basis.strip()}）" if ground.needs_basis else "")
    return (f"{organ}{case}通知法律援助机构指派律师：犯罪嫌疑人、被告人{who}（{ground.citation}）",
            f"通知指派不是申请，不审查经济困难状况；法律援助机构应当自收到通知之日起三日内指派律师"
            f"并通知办案机关（{cite('第三十六条')}）")


def defence_reason_problem(facts) -> str | None:
    """Art. 24 needs the reason there is no defender; "other reasons" must be stated."""
    if facts.criminal_reason not in CRIMINAL_REASONS:
        return f"须说明没有委托辩护人的原因：经济困难或者其他原因（{cite('第二十四条')}）"
    if facts.criminal_reason == "other" and not facts.criminal_reason_note.strip():
        return f"因其他原因申请的，须写明具体原因（{cite('第二十四条')}）"
    return None


def other_reason_finding(facts) -> tuple[str, ...]:
    """Art. 24 "其他原因": no statutory test exists; say so and leave it to the centre."""
    return (f"申请人因经济困难以外的原因没有委托辩护人：{facts.criminal_reason_note.strip()}（{cite('第二十四条')}）",
            "法律未规定“其他原因”的审查标准，不进行经济困难审查；是否给予由法律援助机构审查认定，"
            "给予或者不予均须写明理由")
