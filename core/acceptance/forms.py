"""An application's form data: plain values to form data and back, validated by the
service's own form.
"""
from __future__ import annotations
import datetime as dt
import decimal
import logging
from werkzeug.datastructures import MultiDict
from core.platform.errors import InvalidInput
from core.contract.services import ServiceDef
log = logging.getLogger(__name__)


def to_formdata(data) -> MultiDict:
    """Plain data (JSON, Python values) → the multi-dict a submitted HTML form would give."""
    if hasattr(data, "getlist"):
        return data
    pairs = []
    for key, value in (data or {}).items():
        for item in value if isinstance(value, (list, tuple)) else [value]:
            if item is None or item is False:
                continue
            if item is True:
                item = "y"
            elif isinstance(item, (dt.date, dt.datetime)):
                item = item.isoformat()
            pairs.append((key, str(item)))
    return MultiDict(pairs)


def validate_form(service: ServiceDef, form_data) -> dict:
    """Validate application data with the service's own form; returns the cleaned data."""
    form = service.form(formdata=to_formdata(form_data))
    if not form.validate():
        errors = {k: [str(m) for m in v] for k, v in form.errors.items()}
        labels = {k: str(form[k].label.text) for k in errors if k in form}
        raise InvalidInput("申请表填写有误，请按提示修改", code="invalid_form",
                           details={"fields": errors, "labels": labels})
    return {k: _jsonable(v) for k, v in form.data.items() if k not in ("csrf_token", "submit")}


def _jsonable(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value
