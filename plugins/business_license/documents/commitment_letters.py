"""The letters of verifying a commitment after issuing (告知承诺事后核查), one per step, each
citing what it rests on (LAW.md § 告知承诺制, 行政许可法第六十九条):

* ``bl_rectification_order`` 责令限期整改通知书 — what was found, what must be put right, by when;
* ``bl_reinspection``        整改复查意见书 — what the re-inspection found;
* ``bl_revocation``          撤销食品经营许可决定书 — not corrected, or a false commitment;
* ``bl_abnormal_notice``     列入经营异常名录通知书 — the same for a premises commitment.
"""
from __future__ import annotations

from sqlalchemy import or_, select

from core.api import NotFound, format_date
from plugins.business_license.documents.letters import kind
from plugins.business_license.domain import law
from plugins.business_license.models import (
    TASK_KINDS,
    CommitmentCase,
    FoodPermit,
    InspectionTask,
    RegisteredBusiness,
)

#: The periods come from the two laws, as LAW.md notes for a decision of this kind.
REMEDY = "不服的，可于收到之日起六十日内申请行政复议或六个月内提起行政诉讼（行政复议法、行政诉讼法）"


def _parts(session, doc):
    case = session.scalar(select(CommitmentCase).where(or_(
        CommitmentCase.order_document_id == doc.id, CommitmentCase.reinspection_document_id == doc.id,
        CommitmentCase.decision_document_id == doc.id)))
    if case is None:
        raise NotFound("核查处置记录不存在", code="case_not_found")
    task = session.get(InspectionTask, case.task_id)
    business = session.get(RegisteredBusiness, case.business_id)
    permit = session.get(FoodPermit, task.permit_id) if task.permit_id else None
    return case, task, business, permit


def _party(business, task, permit) -> list[tuple[str, str]]:
    # Few, short rows: a letter and its seal fit on one page of the core's frame.
    return [("当事人", f"{business.label}（经营者{business.operator_name}）"),
            ("统一社会信用代码", business.credit_code or "")]


def _consequence_text(task) -> str:
    if task.kind == "permit_commitment":
        return "依法撤销食品经营许可，并记入信用记录"
    return "列入经营异常名录，并记入信用记录"


@kind("bl_rectification_order", "责令限期整改通知书", "ZGTZ", footer="")
def order_rows(session, app, doc) -> list[tuple[str, str]]:
    case, task, business, permit = _parts(session, doc)
    return _party(business, task, permit) + [
        ("核查发现", f"{format_date(case.found_on)}{TASK_KINDS[task.kind]}，实际情况不符合所作承诺：{case.findings}"),
        ("整改要求", f"于{format_date(case.deadline)}前整改完毕，期限届满后复查（{law.RECTIFY_PERIOD}）"),
        ("逾期后果", f"逾期未整改或整改后仍不符合承诺的，{_consequence_text(task)}"),
        ("依据", str(law.RECTIFY)),
    ]


@kind("bl_reinspection", "整改复查意见书", "FCYJ", footer="")
def reinspection_rows(session, app, doc) -> list[tuple[str, str]]:
    case, task, business, permit = _parts(session, doc)
    corrected = case.status == "corrected"
    conclusion = ("已按期整改，符合所作承诺，许可（登记）继续有效" if corrected
                  else f"逾期未整改；{_consequence_text(task)}，另行送达处理决定")
    return _party(business, task, permit) + [
        ("整改通知", f"{format_date(case.found_on)}责令于{format_date(case.deadline)}前整改"),
        ("复查情况", f"{format_date(case.reinspected_on)}复查：{case.reinspection_note or '—'}"),
        ("复查结论", conclusion),
        ("依据", (law.RECTIFY if corrected else law.NOT_RECTIFIED).short),
    ]


def _facts(case) -> tuple[str, str]:
    if case.finding == "false":
        return (f"{format_date(case.found_on)}现场核查，承诺严重不实：{case.findings}",
                f"{law.FALSE_COMMITMENT.short}；{law.CREDIT_RECORD.short}")
    return (f"{format_date(case.found_on)}核查不符合承诺（{case.findings}），责令{format_date(case.deadline)}前整改；"
            f"{format_date(case.reinspected_on)}复查，逾期未整改：{case.reinspection_note}", law.NOT_RECTIFIED.short)


@kind("bl_revocation", "撤销食品经营许可决定书", "CXJD", footer="")
def revocation_rows(session, app, doc) -> list[tuple[str, str]]:
    case, task, business, permit = _parts(session, doc)
    facts, basis = _facts(case)
    return _party(business, task, permit) + [
        ("查明事实", facts),
        ("决定", f"撤销食品经营许可证 {permit.permit_no if permit else ''}；违反承诺已记入信用记录，"
                 "三年内不得适用告知承诺制"),
        ("依据", basis),
        ("救济途径", REMEDY),
    ]


@kind("bl_abnormal_notice", "列入经营异常名录通知书", "YCML", footer="")
def abnormal_rows(session, app, doc) -> list[tuple[str, str]]:
    case, task, business, permit = _parts(session, doc)
    facts, basis = _facts(case)
    if case.finding == "false":
        basis = str(law.CREDIT_RECORD)  # 许可法第六十九条 is about licences, not this listing
    return _party(business, task, permit) + [
        ("查明事实", facts),
        ("处理", "列入经营异常名录；违反承诺已记入信用记录，三年内不得以承诺书代替场所证明"),
        ("依据", f"{basis}；{law.ABNORMAL_LISTING}"),
        ("救济途径", REMEDY),
    ]
