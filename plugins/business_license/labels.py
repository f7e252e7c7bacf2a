"""What the business licence plugin's codes read as (the ``display_names`` hook)."""
from __future__ import annotations

OPERATIONS = {
    "bl_bundle_accepted": "一件事套餐受理", "bl_bundle_filed": "一件事套餐登记",
    "bl_business_changed": "个体工商户变更登记", "bl_business_deregistered": "个体工商户注销登记",
    "bl_business_registered": "个体工商户设立登记", "bl_demo_register_loaded": "载入演示登记簿",
    "bl_food_filing_filed": "食品经营备案完成", "bl_food_filing_lapsed": "食品经营备案失效",
    "bl_food_filing_started": "食品经营备案开始", "bl_food_permit_recorded": "登记食品经营许可",
    "bl_inspection_recorded": "登记告知承诺核查", "bl_licence_in_force": "许可生效",
    "bl_supervision_push": "推送监管信息",
}
OBJECTS = {
    "bl_bundle": "一件事套餐", "bl_business": "个体工商户", "bl_food_filing": "食品经营备案",
    "bl_food_permit": "食品经营许可", "bl_inspection_task": "核查任务", "bl_register": "登记簿",
    "bl_supervision": "监管推送",
}
DATA_KEYS = {"credit_code": "统一社会信用代码", "permit_no": "许可证编号", "filing_no": "备案编号",
             "licence_no": "许可证编号", "address": "经营场所"}


def document_kinds() -> dict:
    from plugins.business_license.documents import commitment_letters, filing_receipt  # noqa: F401 - register
    from plugins.business_license.documents.letters import KINDS
    return {code: kind.title for code, kind in KINDS.items()}


def display_names() -> dict:
    return {"audit_operation": OPERATIONS, "object_type": OBJECTS, "document_kind": document_kinds(),
            "data_key": DATA_KEYS}
