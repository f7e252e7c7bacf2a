"""A sample plugin for core tests and as an example: the smallest complete service
(``sample.permit`` of ``sample_dept``), a real tiny PNG for uploads, and a flaky job.
"""
from __future__ import annotations

from wtforms import Form, StringField
from wtforms.validators import DataRequired, Length

from core import hookimpl
from core.contract.services import Check, CheckResult, MaterialSpec, ServiceDef

#: A real 2×2 PNG: uploads are decoded and re-encoded (core.acceptance.uploads), so test images must be
#: images, not just the magic bytes.
TINY_PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x02\x00\x00\x00\x02\x08\x02\x00\x00"
            b"\x00\xfd\xd4\x9as\x00\x00\x00\x16IDATx\x9cc<!'\xc7\xc0\xc0\xc0\xc4\xc0\xc0\xc0\xc0"
            b"\xc0\x00\x00\r\x04\x01\x08}q\xcaf\x00\x00\x00\x00IEND\xaeB`\x82")


class SamplePermitForm(Form):
    purpose = StringField("用途", validators=[DataRequired("请填写用途"), Length(2, 100)])


def _sample_fields(ctx):
    return [("用途", ctx.form_data.get("purpose", "")), ("申请人", ctx.applicant_name)]


def _sample_certificate(ctx) -> bytes:
    from core.papers.documents import CertificateTemplate
    return CertificateTemplate("示例许可证", _sample_fields)(ctx)


def _sample_check(ctx) -> CheckResult:
    if "禁止" in (ctx.form_data.get("purpose") or ""):
        return CheckResult.block("用途含有禁止事项")
    if "提示" in (ctx.form_data.get("purpose") or ""):
        return CheckResult.warn("用途需要人工留意")
    return CheckResult.passed("用途正常")


SAMPLE_SERVICE = ServiceDef(
    code="sample.permit", name="示例许可", department="sample_dept", form=SamplePermitForm,
    materials=(MaterialSpec("id_proof", "身份证明"),
               MaterialSpec("photo", "照片", required=False,
                            accepted_types=frozenset({"image/jpeg", "image/png"}),
                            max_bytes=200_000)),
    deadline_working_days=5, channels=frozenset({"counter", "remote", "agent"}),
    checks=(Check("sample.purpose", "用途核查", _sample_check),),
    certificate=_sample_certificate, example={"purpose": "开办示例"},
)


class SamplePlugin:
    """A plugin object (not a module): pluggy accepts either."""

    __name__ = "sample"

    @hookimpl
    def register_departments(self):
        return [("sample_dept", "示例审批局"), ("other_dept", "其他审批局")]

    @hookimpl
    def register_services(self):
        return [SAMPLE_SERVICE]


SAMPLE_PLUGIN = SamplePlugin()


def flaky_job(quanke, *, key: str, failures: int = 1) -> int:
    """A job that fails ``failures`` times, then succeeds (for retry tests on a real worker)."""
    from redis import Redis
    attempt = Redis.from_url(quanke.config["REDIS_URL"]).incr(key)
    if attempt <= failures:
        raise RuntimeError(f"simulated failure {attempt}")
    return attempt
