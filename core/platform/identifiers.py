"""Validation of Chinese identifiers with python-stdnum, with messages in Chinese.

* Resident identity card number (居民身份证号码): length, digits, checksum and birth date are
  errors; an unknown place code is only a warning (codes change, old cards stay valid).
* Unified social credit code (统一社会信用代码): length, alphabet and check character.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength

from core.platform.errors import InvalidInput


#: An ID already in its compact form (what ``ric.compact`` would return unchanged).
_COMPACT_ID = re.compile(r"[0-9]{17}[0-9X]")
_SEPARATORS = re.compile(r"[\s\-]")
_PHONE = re.compile(r"1[3-9][0-9]{9}")


def to_ascii(raw: str, *, allowed: str, message: str, code: str, field: str) -> str:
    """One identifier in ASCII: NFKC (full-width ``３`` and superscript ``³`` become ``3``),
    separators (spaces, hyphens) dropped, upper case; any character left outside ``allowed``
    (an Arabic-Indic ``٣``, a letter, a control character) is refused with ``message``.

    Every check and every stored number works on this form only, so one person has one
    number: look-alike digits can neither pass a checksum as a second identity nor reach
    a library that would crash on them.
    """
    text = unicodedata.normalize("NFKC", raw or "")
    text = _SEPARATORS.sub("", text).upper()
    if not text.isascii() or any(ch not in allowed for ch in text):
        raise InvalidInput(message, code=code, field=field)
    return text


_DIGITS = "0123456789"
_USCC_ALPHABET = _DIGITS + "ABCDEFGHJKLMNPQRTUWXY"


def ascii_resident_id(raw: str) -> str:
    """A resident ID in its stored form (ASCII 0-9 and X), or :class:`InvalidInput`."""
    if raw and _COMPACT_ID.fullmatch(raw):
        return raw
    return to_ascii(raw, allowed=_DIGITS + "X", code="invalid_resident_id", field="id_number",
                    message="身份证号码前17位应为数字，最后一位为数字或X（只用0-9和X，不用其他文字的数字）")


def normalise_phone(raw: str, *, field: str = "phone") -> str:
    """An 11-digit mainland mobile number in ASCII (``+86`` dropped), or :class:`InvalidInput`."""
    phone = to_ascii(raw, allowed=_DIGITS + "+", code="invalid_phone", field=field,
                     message="请输入11位手机号码（只用数字0-9）")
    if phone.startswith("+86"):
        phone = phone[3:]
    if not _PHONE.fullmatch(phone):
        raise InvalidInput("请输入11位手机号码", code="invalid_phone", field=field)
    return phone


@dataclass(frozen=True)
class ResidentId:
    number: str
    birth_date: dt.date
    gender: str              # "男" / "女"
    region_code: str
    place: str = ""          # "江苏省南京市玄武区" when known
    warnings: tuple[str, ...] = field(default=())


def validate_resident_id(raw: str, *, today: dt.date | None = None,
                         with_place: bool = True) -> ResidentId:
    """Validate an 18-digit resident ID; raise :class:`InvalidInput` with a Chinese reason.

    ``with_place=False`` skips the place lookup (only ever a warning, and most of the cost)
    for bulk imports.
    """
    number = ascii_resident_id(raw)
    field_name = "id_number"
    if not number:
        raise InvalidInput("请填写身份证号码", code="invalid_resident_id", field=field_name)
    if len(number) != 18:
        raise InvalidInput(f"身份证号码应为18位，当前为{len(number)}位", code="invalid_resident_id",
                           field=field_name)
    if not _COMPACT_ID.fullmatch(number):
        raise InvalidInput("身份证号码前17位应为数字，最后一位为数字或X", code="invalid_resident_id",
                           field=field_name)
    try:  # what ric.get_birth_date does, without compacting the number again
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidInput("身份证号码中的出生日期不存在", code="invalid_resident_id",
                           field=field_name) from None
    today = today or dt.date.today()
    if birth > today or birth.year < 1900:
        raise InvalidInput("身份证号码中的出生日期不合理", code="invalid_resident_id", field=field_name)
    if number[-1] != ric.calc_check_digit(number):
        raise InvalidInput("身份证号码校验位不正确，请核对是否输错", code="invalid_resident_id",
                           field=field_name)
    warnings: list[str] = []
    place = ""
    try:
        if with_place:
            info = ric.get_birth_place(number)
            place = "".join(info.get(k, "") for k in ("province", "prefecture", "county"))
    except (InvalidComponent, KeyError, ValueError):
        warnings.append(f"地址码 {number[:6]} 未能识别，请核对证件（不影响受理）")
    gender = "男" if int(number[16]) % 2 else "女"
    return ResidentId(number, birth, gender, number[:6], place, tuple(warnings))


def validate_credit_code(raw: str) -> str:
    """Validate a unified social credit code; return it compacted (upper case)."""
    field_name = "id_number"
    number = to_ascii(raw, allowed=_USCC_ALPHABET + "IOZSV", code="invalid_credit_code", field=field_name,
                      message="统一社会信用代码只能包含数字和大写字母（请勿使用全角或其他文字的字符）")
    try:
        return uscc.validate(number)
    except InvalidLength:
        raise InvalidInput("统一社会信用代码应为18位", code="invalid_credit_code", field=field_name) from None
    except InvalidFormat:
        raise InvalidInput("统一社会信用代码含有不允许的字符（不使用I、O、Z、S、V）",
                           code="invalid_credit_code", field=field_name) from None
    except InvalidChecksum:
        raise InvalidInput("统一社会信用代码校验位不正确", code="invalid_credit_code",
                           field=field_name) from None
    except InvalidComponent:
        raise InvalidInput("统一社会信用代码的组成部分不正确", code="invalid_credit_code",
                           field=field_name) from None


def age_on(birth_date: dt.date, day: dt.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def mask_id(number: str) -> str:
    """``320102199001011234`` → ``3201**********1234`` (lists show only this)."""
    if not number or len(number) < 8:
        return "*" * len(number or "")
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def mask_phone(phone: str) -> str:
    """``13812345678`` → ``138****5678``."""
    if not phone or len(phone) < 7:
        return phone or ""
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_name(name: str) -> str:
    """``张三丰`` → ``张**``."""
    if not name:
        return ""
    return name[0] + "*" * (len(name) - 1)
