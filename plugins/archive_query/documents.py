"""档案查询结果证明 / 无档案记录证明 — the result document of an archive query.

The records come from ``ctx.extra["archive_result"]`` (filled by this plugin's
``certificate_data`` hook from the result frozen at decision time) and are already reduced
to what the requester may see. Three cases:

* records found → 档案查询结果证明 listing each record; a marriage record names both
  spouses with their resident IDs as the record has them (the result stored them so); the
  other categories show the subject's name, mask the subject's ID and mask every other person;
* a result with no record → 无档案记录证明;
* no result handed over at all (the core did not ask the hook) → the result certificate
  without contents, saying so — never a "no record" claim that was not established.
"""
from sqlalchemy import select

from core.api import CertificateContext, CertificateTemplate, mask_id

from plugins.archive_query.domain.basis import basis_text
from plugins.archive_query.domain.categories import CATEGORIES
from plugins.archive_query.models import QueryResult
from plugins.archive_query.domain.store import describe

TITLE = "档案查询结果证明"
NO_RECORD_TITLE = "无档案记录证明"
MASK_NOTE = "本证明仅载明查询人有权获知的档案内容，涉及其他人员的个人信息已作遮蔽处理。"
NAMES_EVERYONE_NOTE = ("本证明按档案记载载明档案所涉各方当事人的姓名和身份证号，仅供查询用途所述事项使用；"
                       "扫码验真页面只显示遮蔽后的信息。")


def _label(code: str) -> str:
    return CATEGORIES[code].label if code in CATEGORIES else code


def _names_everyone(ctx: CertificateContext) -> bool:
    """A category whose certificate names every person in full (marriage: both spouses) —
    unless its result was stored masked, before certificates named everyone: then the
    certificate must not claim to (a real resident ID never holds a ``*``)."""
    cat = CATEGORIES.get(ctx.form_data.get("category", ""))
    if not (cat and cat.certificate_names_everyone):
        return False
    records = (ctx.extra.get("archive_result") or {}).get("records") or []
    return not any("*" in str(p.get("id_number", "")) for r in records for p in r.get("persons", []))


def _subject(ctx: CertificateContext) -> str:
    data = ctx.form_data
    number = data.get("subject_id_number", "")
    return f"{data.get('subject_name', '')}（{number if _names_everyone(ctx) else mask_id(number)}）"


def _parties(ctx: CertificateContext) -> list[tuple[str, str]]:
    data = ctx.form_data
    return [("查询人", f"{ctx.applicant_name}（{ctx.applicant_id_masked}）"),
            ("档案当事人", _subject(ctx)),
            ("档案类别", _label(data.get("category", ""))),
            ("查询依据", basis_text(data)),
            ("查询用途", data.get("purpose", ""))]


def _result_fields(ctx: CertificateContext) -> list[tuple[str, str]]:
    rows = _parties(ctx)
    result = ctx.extra.get("archive_result")
    if result is None:
        rows.append(("查询结果", "查询结果未载入本证明，请以区档案馆出具的查询结果为准"))
        return rows
    records = result.get("records") or []
    rows.append(("查询结果", f"经查询，本馆馆藏{_label(result.get('category', ''))}中有相关档案记录{len(records)}条"))
    for number, view in enumerate(records, 1):
        # Each person on a row of their own: a certificate naming both spouses is read for
        # exactly those two lines, which must not drown in the record's reference.
        rows.append((f"档案{number}", describe(view)))
        rows += [(p["role_label"], f"{p['name']}（{p['id_number']}）") for p in view.get("persons", [])]
    return rows


def _no_record_fields(ctx: CertificateContext) -> list[tuple[str, str]]:
    rows = _parties(ctx)
    category = _label(ctx.extra["archive_result"].get("category", ""))
    rows.append(("查询结果", f"经查询本馆馆藏{category}，未发现档案当事人{_subject(ctx)}的相关档案记录。特此证明。"))
    return rows


RESULT = CertificateTemplate(TITLE, _result_fields, footer_note=MASK_NOTE)
RESULT_NAMING_EVERYONE = CertificateTemplate(TITLE, _result_fields, footer_note=NAMES_EVERYONE_NOTE)
NO_RECORD = CertificateTemplate(NO_RECORD_TITLE, _no_record_fields,
                                footer_note="本证明仅证明查询之日本馆馆藏情况。")


class ArchiveResultCertificate:
    """Renderer (``core.contract.services.Renderer``) choosing the document by what was found."""

    title = TITLE

    def title_for(self, application, session) -> str:
        """The title this application's document gets (the verification page shows it):
        无档案记录证明 when its stored result found nothing, else 档案查询结果证明."""
        found = session.scalar(select(QueryResult.records).where(
            QueryResult.application_id == application.id)) if session is not None else None
        return NO_RECORD_TITLE if found is not None and not found else TITLE

    def __call__(self, ctx: CertificateContext, **kwargs):
        result = ctx.extra.get("archive_result")
        if result is not None and not result.get("records"):
            return NO_RECORD(ctx, **kwargs)
        if result is not None and _names_everyone(ctx):
            return RESULT_NAMING_EVERYONE(ctx, **kwargs)
        return RESULT(ctx, **kwargs)

    def __repr__(self) -> str:
        return f"ArchiveResultCertificate({TITLE!r} / {NO_RECORD_TITLE!r})"


CERTIFICATE = ArchiveResultCertificate()
