"""English names of the error codes of the archive-query plugin (档案查询)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

NAMES = {
    "archive_result_not_ready": _l("档案查询结果尚未生成，请稍后再生成证明"),
    "id_number_required": _l("请提供要检索的身份证号 id_number"),
    "invalid_birth_year": _l("出生年份应在1900年至今之间"),
    "invalid_csv_encoding": _l("第…行附近的文字编码无法识别（文件应为 UTF-8 或 GB18030）"),
    "invalid_csv_header": _l("CSV 表头与…的格式不符（…）。…的列为：…"),
    "not_archive_lead": _l("只有区档案馆负责人可以调整自动审批设置"),
    "not_archive_staff": _l("只有区档案馆人员可以查看该设置"),
    "not_own_record": _l("只能查询本人的档案"),
    "not_real_name": _l("账户尚未实名登记身份证号"),
    "reason_too_long": _l("事由过长"),
    "record_not_found": _l("档案记录不存在"),
    "unknown_category": _l("服务类别不正确"),
}
