"""The OpenAPI 3.0 description of ``/api/v1`` (served at ``/api/openapi.json``)."""
from __future__ import annotations

ERROR = {"$ref": "#/components/schemas/Error"}
APP = {"$ref": "#/components/schemas/Application"}
#: 邮寄送达的收件信息 (core.acceptance.delivery_choice): required when delivery_method is courier
COURIER = {"type": "object", "nullable": True, "description": "邮寄送达时必填；窗口领取时不保存",
           "properties": {"recipient": {"type": "string", "maxLength": 30},
                          "phone": {"type": "string", "maxLength": 20},
                          "address": {"type": "string", "maxLength": 200}}}


def _json(schema: dict) -> dict:
    return {"content": {"application/json": {"schema": schema}}}


def _errors(*codes: int) -> dict:
    text = {400: "输入有误", 401: "未认证（缺少或无效的令牌）", 403: "无权操作", 404: "不存在",
            409: "状态冲突（状态不允许或已被他人处理）", 413: "请求过大", 503: "服务暂不可用（如人脸识别组件未安装）"}
    return {str(c): {"description": text[c], **_json(ERROR)} for c in codes}


def _page_params() -> list[dict]:
    return [{"name": "page", "in": "query", "x-error-code": "invalid_pagination",
             "schema": {"type": "integer", "minimum": 1, "maximum": 1000000}},
            {"name": "per_page", "in": "query", "x-error-code": "invalid_pagination",
             "schema": {"type": "integer", "minimum": 1, "maximum": 100}}]


def _paged(item: dict) -> dict:
    return {"type": "object", "required": ["items", "page", "per_page", "total"],
            "properties": {"items": {"type": "array", "items": item}, "page": {"type": "integer"},
                           "per_page": {"type": "integer"}, "total": {"type": "integer"},
                           "total_capped": {"type": "boolean", "description":
                                            "true when there are more than `total` matches "
                                            "(counting stops at 10,000)"}}}


APP_ID = {"name": "app_id", "in": "path", "required": True,
          "schema": {"type": "integer", "minimum": 1, "maximum": 2147483647}}


def _action(summary: str, props: dict | None = None, required: list[str] | None = None) -> dict:
    op = {"summary": summary, "tags": ["applications"], "parameters": [APP_ID],
          "responses": {"200": {"description": "操作后的申请", **_json(APP)},
                        **_errors(400, 401, 403, 404, 409)}}
    if props is not None:
        schema = {"type": "object", "properties": props}
        if required:
            schema["required"] = required
        op["requestBody"] = {"required": bool(required), **_json(schema)}
    return {"post": op}


STR = {"type": "string"}
ID = {"type": "integer", "minimum": 1, "maximum": 2147483647}
B64 = {"type": "string", "format": "byte",   # what base64.b64decode(validate=True) accepts
       "pattern": "^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$"}
_YEAR = "(19[0-9]{2}|20[0-9]{2}|2100)"
_LEAP = "(19(0[48]|[2468][048]|[13579][26])|20([02468][048]|[13579][26]))"
DATE = {"type": "string", "format": "date",   # inputs.parse_date: real days from 1900-01-01 to 2100-12-31
        "pattern": (f"^({_YEAR}-((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)"
                    f"|02-(0[1-9]|1[0-9]|2[0-8]))|{_LEAP}-02-29)$")}
UPLOADS = {"type": "array", "maxItems": 20, "items": {
    "type": "object", "required": ["material_code", "content_base64"],
    "properties": {"material_code": STR, "filename": STR, "content_base64": B64}}}


def spec(server: str = "", app=None) -> dict:
    paths = {
        "/api/v1/me": {"get": {"summary": "当前令牌所属的工作人员", "tags": ["auth"], "responses": {
            "200": {"description": "用户", **_json({"$ref": "#/components/schemas/Me"})}, **_errors(401)}}},
        "/api/v1/services": {"get": {
            "summary": "事项目录（支持名称、关键词、拼音首字母搜索）", "tags": ["services"],
            "parameters": [{"name": "q", "in": "query", "schema": STR},
                           {"name": "channel", "in": "query", "schema": {"type": "string", "enum": ["counter", "remote", "agent"]}},
                           *_page_params()],
            "responses": {"200": {"description": "事项列表", **_json(_paged({"$ref": "#/components/schemas/Service"}))},
                          **_errors(400, 401)}}},
        "/api/v1/services/{code}": {"get": {
            "summary": "事项详情：材料、表单字段（选择类字段附 choices：[{value, label}] 与 multiple）、办事指南",
            "tags": ["services"],
            "parameters": [{"name": "code", "in": "path", "required": True, "schema": STR}],
            "responses": {"200": {"description": "事项", **_json({"type": "object"})}, **_errors(401, 404)}}},
        "/api/v1/applicants": {
            "get": {"summary": "按证件号码查找申请人", "tags": ["applicants"],
                    "parameters": [{"name": "kind", "in": "query", "schema": {"type": "string", "enum": ["person", "enterprise"]}},
                                   {"name": "id_number", "in": "query", "required": True, "schema": {"type": "string", "minLength": 1}, "x-error-code": "invalid_field"}],
                    "responses": {"200": {"description": "0或1个申请人", **_json(_paged({"$ref": "#/components/schemas/Applicant"}))},
                                  **_errors(400, 401, 403)}},
            "post": {"summary": "登记申请人（校验身份证号/统一社会信用代码）", "tags": ["applicants"],
                     "requestBody": {"required": True, **_json({"type": "object", "required": ["id_number", "name"],
                                                                "properties": {"kind": {"type": "string", "enum": ["person", "enterprise"]},
                                                                               "id_number": STR, "name": STR, "phone": STR}})},
                     "responses": {"201": {"description": "申请人", **_json({"$ref": "#/components/schemas/Applicant"})},
                                   **_errors(400, 401, 403, 404, 409)}}},
        "/api/v1/applicants/{applicant_id}": {"get": {
            "summary": "申请人（脱敏）", "tags": ["applicants"],
            "parameters": [{"name": "applicant_id", "in": "path", "required": True, "schema": ID}],
            "responses": {"200": {"description": "申请人", **_json({"$ref": "#/components/schemas/Applicant"})},
                          **_errors(401, 403, 404)}}},
        "/api/v1/applicants/{applicant_id}/identify": {"post": {
            "summary": "核验申请人证件（窗口当面）：此后半小时内可协助修改其草稿、查看其完整信息", "tags": ["applicants"],
            "parameters": [{"name": "applicant_id", "in": "path", "required": True, "schema": ID}],
            "requestBody": {"required": True, **_json({"type": "object", "required": ["id_number"],
                                                       "properties": {"id_number": STR}})},
            "responses": {"200": {"description": "核验一致", **_json({"type": "object", "properties": {
                "identified": {"type": "boolean"}, "valid_minutes": {"type": "integer"}}})},
                          **_errors(400, 401, 403, 404)}}},
        "/api/v1/applicants/{applicant_id}/phone": {"post": {
            "summary": "变更申请人手机号码（窗口办理，核验本人证件；原号码会收到通知）", "tags": ["applicants"],
            "parameters": [{"name": "applicant_id", "in": "path", "required": True, "schema": ID}],
            "requestBody": {"required": True, **_json({"type": "object", "required": ["id_number", "phone"],
                                                       "properties": {"id_number": {**STR, "x-missing-code": "identity_check_required"},
                                                                      "phone": STR}})},
            "responses": {"200": {"description": "申请人（脱敏）", **_json({"$ref": "#/components/schemas/Applicant"})},
                          **_errors(400, 401, 403, 404)}}},
        "/api/v1/applicants/{applicant_id}/portraits": {
            "get": {"summary": "申请人已登记的人像（不含照片）", "tags": ["applicants"],
                    "parameters": [{"name": "applicant_id", "in": "path", "required": True, "schema": ID}],
                    "responses": {"200": {"description": "人像登记列表", **_json(_paged({"type": "object"}))},
                                  **_errors(400, 401, 403)}},
            "post": {"summary": "窗口人像登记（本人到场，核验身份证件；用于网上人脸核验；记入审计）", "tags": ["applicants"],
                     "parameters": [{"name": "applicant_id", "in": "path", "required": True, "schema": ID}],
                     "requestBody": {"required": True, **_json({"type": "object", "required": ["id_number", "photo_base64"],
                                                                "properties": {"id_number": {**STR, "description": "读卡或录入的本人身份证号，须与申请人一致"},
                                                                               "photo_base64": {**B64, "description": "JPEG/PNG 照片（Base64）"},
                                                                               "source": {"type": "string", "enum": ["live_photo", "id_photo"]}}})},
                     "responses": {"201": {"description": "已登记的人像（不含照片）", **_json({"type": "object"})},
                                   **_errors(400, 401, 403, 404, 503)}}},
        "/api/v1/applications": {
            "get": {"summary": "我可见的申请", "tags": ["applications"],
                    "parameters": [{"name": "state", "in": "query", "schema": STR},
                                   {"name": "service", "in": "query", "schema": STR}, *_page_params()],
                    "responses": {"200": {"description": "申请列表", **_json(_paged(APP))}, **_errors(400, 401)}},
            "post": {"summary": "窗口登记申请（代为填报须记录同意）", "tags": ["applications"],
                     "parameters": [{"name": "Idempotency-Key", "in": "header", "schema": {"type": "string", "maxLength": 80},
                                     "description": "同一键重复提交只产生一个申请"}],
                     "requestBody": {"required": True, **_json({
                         "type": "object", "required": ["service_code", "applicant_id", "form_data", "consent"],
                         "properties": {"service_code": STR, "applicant_id": ID,
                                        "form_data": {"type": "object"}, "paper": {"type": "array", "items": STR},
                                        "uploads": UPLOADS, "consent": {"type": "boolean"}, "consent_text": STR,
                                        "delivery_method": {"type": "string", "enum": ["pickup", "courier"]},
                                        "courier_address": COURIER,
                                        "pickup_centre_id": ID, "idempotency_key": {"type": "string", "maxLength": 80}}})},
                     "responses": {"201": {"description": "新申请（已提交待受理）", **_json(APP)},
                                   **_errors(400, 401, 403, 404, 409)}}},
        "/api/v1/applications/{app_id}": {"get": {
            "summary": "申请详情（reveal=true 查看完整个人信息，留痕）", "tags": ["applications"],
            "parameters": [APP_ID, {"name": "reveal", "in": "query", "schema": {"type": "string", "enum": ["true", "false", "1", "0"]}}],
            "responses": {"200": {"description": "申请", **_json(APP)}, **_errors(401, 403, 404)}},
            "patch": {
            "summary": "修改草稿（窗口协助市民，须记录同意；只有草稿可以修改）", "tags": ["applications"],
            "parameters": [APP_ID],
            "requestBody": {"required": False, **_json({"type": "object", "properties": {
                "form_data": {"type": "object", "description": "整张申请表（替换原有内容，按事项表单校验）"},
                "paper": {"type": "array", "items": STR}, "uploads": UPLOADS,
                "remove_materials": {"type": "array", "items": ID},
                "delivery_method": {"type": "string", "enum": ["pickup", "courier"]},
                "courier_address": COURIER,
                "pickup_centre_id": {**ID, "nullable": True},
                "consent": {"type": "boolean"}}})},
            "responses": {"200": {"description": "修改后的草稿", **_json(APP)}, **_errors(400, 401, 403, 404, 409)}}},
        "/api/v1/applications/{app_id}/checks": {"get": {
            "summary": "受理前核查（不写入）", "tags": ["applications"], "parameters": [APP_ID],
            "responses": {"200": {"description": "核查结果", **_json({"type": "object"})}, **_errors(401, 403, 404)}}},
        "/api/v1/applications/{app_id}/timeline": {"get": {
            "summary": "办理过程（审计事件）", "tags": ["applications"], "parameters": [APP_ID],
            "responses": {"200": {"description": "事件", **_json({"type": "object"})}, **_errors(401, 404)}}},
        "/api/v1/applications/{app_id}/due-date": {"get": {
            "summary": "办结期限及其计算说明", "tags": ["applications"], "parameters": [APP_ID],
            "responses": {"200": {"description": "期限", **_json({"type": "object"})}, **_errors(401, 404)}}},
        "/api/v1/applications/{app_id}/documents": {"get": {
            "summary": "回执、告知书、决定书、证照", "tags": ["applications"], "parameters": [APP_ID],
            "responses": {"200": {"description": "文书", **_json({"type": "object"})}, **_errors(401, 404)}}},
        "/api/v1/applications/{app_id}/materials": _action("补收材料（纸质或 Base64 电子件）",
                                                          {"paper": {"type": "array", "items": STR}, "uploads": UPLOADS}),
        "/api/v1/applications/{app_id}/accept": _action("受理", {"warn_reason": STR}),
        "/api/v1/applications/{app_id}/return": _action("一次性告知补正",
                                                       {"defects": {"type": "object", "additionalProperties": STR}, "note": STR}),
        "/api/v1/applications/{app_id}/refuse": _action("不予受理", {"reasons": STR}, ["reasons"]),
        "/api/v1/applications/{app_id}/resubmit": _action("补正后重新提交"),
        "/api/v1/applications/{app_id}/claim": _action("认领（排他）"),
        "/api/v1/applications/{app_id}/release": _action("退回待认领或转交指定审批人员（首问负责：写明接手人）",
                                                        {"to_user_id": ID, "note": STR}),
        "/api/v1/applications/{app_id}/hand-over": _action(
            "移交（首问负责）：指定接手的人员或部门队列，写明说明",
            {"to_user_id": ID, "to_department": STR, "note": STR}, ["note"]),
        "/api/v1/applications/{app_id}/assign": _action("分派（部门负责人）", {"approver_id": ID}, ["approver_id"]),
        "/api/v1/applications/{app_id}/approve": _action("批准（issue=true 同时出证）", {"reasons": STR, "issue": {"type": "boolean"}}),
        "/api/v1/applications/{app_id}/reject": _action("不予批准", {"reasons": STR}, ["reasons"]),
        "/api/v1/applications/{app_id}/issue": _action("出证"),
        "/api/v1/applications/{app_id}/recheck": _action("决定前重新核查"),
        "/api/v1/applications/{app_id}/pause": _action("中止计时", {"reason": STR}, ["reason"]),
        "/api/v1/applications/{app_id}/resume": _action("恢复计时"),
        "/api/v1/applications/{app_id}/extend": _action("延长期限（部门负责人，一次）",
                                                       {"days": {"type": "integer", "minimum": -1000, "maximum": 1000}, "reason": STR}, ["days", "reason"]),
        "/api/v1/applications/{app_id}/deliver": _action("送达：窗口领取（核验身份）或邮寄", {
            "method": {"type": "string", "enum": ["pickup", "courier"]}, "recipient_name": STR,
            "recipient_id_number": STR, "tracking_no": STR}),
        "/api/v1/applications/{app_id}/withdraw": _action("撤回（窗口代办须写明原因）", {"reason": STR}),
        "/api/v1/queues/{department}": {"get": {
            "summary": "部门审批队列：超期优先，其次期限最近", "tags": ["queues"],
            "parameters": [{"name": "department", "in": "path", "required": True, "schema": STR},
                           {"name": "status", "in": "query", "schema": {"type": "string", "enum": ["open", "waiting", "in_review", "mine", "overdue", "paused"]}},
                           {"name": "service", "in": "query", "schema": STR},
                           {"name": "centre_id", "in": "query", "schema": ID},
                           *_page_params()],
            "responses": {"200": {"description": "队列", **_json(_paged(APP))}, **_errors(400, 401, 403)}}},
        "/api/v1/enquiries": {"post": {
            "summary": "登记咨询（首问负责）：当场答复，或移交人员/部门", "tags": ["queue tickets"],
            "requestBody": {"required": True, **_json({"type": "object", "required": ["question"], "properties": {
                "question": STR, "answer": STR, "to_user_id": ID, "to_department": STR,
                "note": STR, "service_code": STR}})},
            "responses": {"201": {"description": "已登记", **_json({"type": "object"})},
                          **_errors(400, 401, 403)}}},
        "/api/v1/tickets": {
            "get": {"summary": "本中心等候号码", "tags": ["queue tickets"],
                    "responses": {"200": {"description": "等候", **_json({"type": "object"})}, **_errors(401, 403)}},
            "post": {"summary": "取号", "tags": ["queue tickets"],
                     "requestBody": {"required": False, **_json({"type": "object", "properties": {"centre": STR, "service_code": STR}})},
                     "responses": {"201": {"description": "号码", **_json({"type": "object"})}, **_errors(400, 401, 403, 404)}}},
        "/api/v1/tickets/call": {"post": {
            "summary": "叫下一位", "tags": ["queue tickets"],
            "requestBody": {"required": False, **_json({"type": "object", "properties": {"window": {"type": "string", "maxLength": 16}}})},
            "responses": {"200": {"description": "叫到的号码（无人等候时为 null）", **_json({"type": "object"})},
                          **_errors(400, 401, 403)}}},
        "/api/v1/stats": {"get": {
            "summary": "统计（按事项、中心、日期；受理到决定用时；超期；满意度）", "tags": ["admin"],
            "parameters": [{"name": "start", "in": "query", "schema": DATE, "x-error-code": "invalid_field"},
                           {"name": "end", "in": "query", "schema": DATE, "x-error-code": "invalid_field"}],
            "responses": {"200": {"description": "统计", **_json({"type": "object"})}, **_errors(400, 401, 403)}}},
        "/api/v1/audit": {"get": {
            "summary": "审计日志查询（审计人员）", "tags": ["audit"],
            "parameters": [{"name": "application", "in": "query", "schema": STR},
                           {"name": "subject", "in": "query", "schema": STR},
                           {"name": "staff", "in": "query", "schema": STR}, *_page_params()],
            "responses": {"200": {"description": "事件", **_json(_paged({"type": "object"}))}, **_errors(400, 401, 403)}}},
        "/api/v1/audit/verify": {"get": {
            "summary": "校验审计哈希链", "tags": ["audit"],
            "responses": {"200": {"description": "校验结果", **_json({"type": "object"})}, **_errors(401, 403)}}},
    }
    from .openapi_ratings import rating_paths
    paths.update(rating_paths())
    if app is not None:
        from .openapi_plugins import plugin_paths
        paths.update(plugin_paths(app, set(paths)))
    from .openapi_strict import close_request_bodies
    return {
        "openapi": "3.0.3",
        "info": {"title": "Quanke 全科 API", "version": "1.0.0",
                 "description": "全科窗口综合受理平台接口。令牌由管理员在用户页面创建，或运行 "
                                "`quanke user token USERNAME`。错误返回 {\"error\": 代码, \"message\": 说明}。"},
        "servers": [{"url": server or "/"}],
        "security": [{"bearerAuth": []}],
        "paths": close_request_bodies(paths),
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {"type": "object", "required": ["error", "message"],
                          "properties": {"error": STR, "message": STR, "field": STR, "details": {"type": "object"}}},
                "Me": {"type": "object", "properties": {"id": {"type": "integer"}, "username": STR, "name": STR,
                                                        "centre_id": {"type": "integer", "nullable": True},
                                                        "roles": {"type": "array", "items": STR}}},
                "Service": {"type": "object", "properties": {
                    "code": STR, "name": STR, "department": STR, "department_name": STR,
                    "deadline_working_days": {"type": "integer"},
                    "channels": {"type": "array", "items": STR}, "identity": {"type": "array", "items": STR}}},
                "Applicant": {"type": "object", "properties": {
                    "id": {"type": "integer"}, "kind": STR, "name": STR, "id_number": STR, "phone": STR}},
                "Application": {"type": "object", "required": ["id", "number", "state", "service_code"], "properties": {
                    "id": {"type": "integer"}, "number": STR, "receipt_no": {"type": "string", "nullable": True},
                    "service_code": STR, "service_name": STR, "department_code": STR, "state": {"type": "string", "enum": [
                        "draft", "submitted", "correction_requested", "not_accepted", "accepted", "in_review",
                        "approved", "rejected", "issued", "delivered", "withdrawn"]},
                    "channel": STR, "applicant": {"$ref": "#/components/schemas/Applicant"},
                    "due_date": {"type": "string", "format": "date", "nullable": True},
                    "overdue": {"type": "boolean"}, "paused": {"type": "boolean"}}},
            },
        },
    }
