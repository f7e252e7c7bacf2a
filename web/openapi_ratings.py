"""The rating part of the OpenAPI document: rating an application or a served queue number,
follow-ups of bad ratings (回访) and the rated worker's appeals (申诉复核)."""
from __future__ import annotations

from .openapi import APP_ID, STR, _errors, _json

ITEM_ID = {"name": "item_id", "in": "path", "required": True,
           "schema": {"type": "integer", "minimum": 1, "maximum": 2147483647}}
TICKET_ID = {"name": "ticket_id", "in": "path", "required": True,
             "schema": {"type": "integer", "minimum": 1, "maximum": 2147483647}}
LEVEL_BODY = {"required": True, **_json({"type": "object", "required": ["level"], "properties": {
    "level": {"type": "integer", "minimum": 1, "maximum": 5, "x-error-code": "invalid_rating"}, "comment": STR}})}
OBJ = {"type": "object"}


def rating_paths() -> dict:
    return {
        "/api/v1/applications/{app_id}/rating": {"post": {
            "summary": "好差评（评价屏）", "tags": ["applications"], "parameters": [APP_ID],
            "requestBody": LEVEL_BODY,
            "responses": {"201": {"description": "评价", **_json(OBJ)}, **_errors(400, 401, 403, 404, 409)}}},
        "/api/v1/enquiries/{item_id}/rating": {"post": {
            "summary": "好差评：已答复的咨询（窗口评价屏）", "tags": ["queue tickets"],
            "parameters": [{"name": "item_id", "in": "path", "required": True,
                            "schema": {"type": "integer", "minimum": 1, "maximum": 2147483647}}],
            "requestBody": LEVEL_BODY,
            "responses": {"201": {"description": "评价", **_json(OBJ)}, **_errors(400, 401, 403, 404, 409)}}},
        "/api/v1/tickets/{ticket_id}/rating": {"post": {
            "summary": "好差评：已办结的号码（窗口评价屏）", "tags": ["queue tickets"], "parameters": [TICKET_ID],
            "requestBody": LEVEL_BODY,
            "responses": {"201": {"description": "评价", **_json(OBJ)}, **_errors(400, 401, 403, 404, 409)}}},
        "/api/v1/follow-ups": {"get": {
            "summary": "差评回访事项（中心管理员）", "tags": ["admin"],
            "responses": {"200": {"description": "回访事项", **_json(OBJ)}, **_errors(401, 403)}}},
        "/api/v1/follow-ups/{item_id}/close": {"post": {
            "summary": "办结回访事项：须写明整改情况，并短信告知评价人", "tags": ["admin"],
            "parameters": [ITEM_ID],
            "requestBody": {"required": True, **_json({"type": "object", "required": ["resolution"],
                                                       "properties": {"resolution": STR}})},
            "responses": {"200": {"description": "已办结（told: sms / none）", **_json(OBJ)},
                          **_errors(400, 401, 403, 404, 409)}}},
        "/api/v1/ratings/mine": {"get": {
            "summary": "我被评价的记录（全科社工）", "tags": ["ratings"],
            "responses": {"200": {"description": "评价", **_json(OBJ)}, **_errors(401, 403)}}},
        "/api/v1/ratings/{item_id}/appeal": {"post": {
            "summary": "对评价申诉（被评价的工作人员本人，每条一次）", "tags": ["ratings"],
            "parameters": [ITEM_ID],
            "requestBody": {"required": True, **_json({"type": "object", "required": ["reasons"],
                                                       "properties": {"reasons": STR}})},
            "responses": {"201": {"description": "申诉", **_json(OBJ)}, **_errors(400, 401, 403, 404, 409)}}},
        "/api/v1/appeals": {"get": {
            "summary": "本中心的评价申诉（中心管理员）", "tags": ["ratings"],
            "parameters": [{"name": "status", "in": "query",
                            "schema": {"type": "string", "enum": ["pending", "upheld", "rejected", "all"]}}],
            "responses": {"200": {"description": "申诉", **_json(OBJ)}, **_errors(400, 401, 403)}}},
        "/api/v1/appeals/{item_id}/decide": {"post": {
            "summary": "复核申诉：uphold=true 申诉成立（该评价不计入满意度统计），false 不成立", "tags": ["ratings"],
            "parameters": [ITEM_ID],
            "requestBody": {"required": True, **_json({"type": "object", "required": ["uphold", "reasons"],
                                                       "properties": {"uphold": {"type": "boolean"},
                                                                      "reasons": STR}})},
            "responses": {"200": {"description": "复核结论", **_json(OBJ)}, **_errors(400, 401, 403, 404, 409)}}},
    }
