"""What the archive query plugin's codes read as (the ``display_names`` hook)."""
from __future__ import annotations

OPERATIONS = {"archive_search": "档案查询", "archive_access_denied": "档案查阅被拒绝",
              "archive_setting_changed": "修改档案查询设置", "archive_import": "导入档案"}
OBJECTS = {"aq_archive": "档案", "aq_archive_record": "档案记录", "aq_bureau_settings": "档案馆设置",
           "aq_import": "档案导入"}
STATUSES = {"search": "查询", "denied": "拒绝", "result": "出具结果", "view": "查看",
            "api": "接口", "certificate": "查询结果证明", "record_page": "档案记录页", "search_page": "查询页",
            "application_review": "审批前核对"}
DATA_KEYS = {"found": "查到记录", "records": "记录数", "purpose": "用途"}


def display_names() -> dict:
    return {"audit_operation": OPERATIONS, "object_type": OBJECTS, "status": STATUSES,
            "data_key": DATA_KEYS}
