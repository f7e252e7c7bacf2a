"""The legal clock a service declares (法定时限规则): when its time limit starts, how long it
runs and how it is counted, whether and by how much it may be extended, whether it may be
paused, how soon a one-time correction notice must be issued, and what follows an unanswered
notice — each with the article that says so.

The defaults are the Administrative Licensing Law's (《中华人民共和国行政许可法》); a service that
is not an administrative licence, or whose own statute differs, declares its own
:class:`LegalClock` on ``ServiceDef(clock=...)``. Where the statute is silent the clock says so
(``Citation.silent``) instead of inventing a rule.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace

#: The clock starts on the day the application is accepted (受理) or received (收到申请).
STARTS = {"acceptance": "受理之日", "receipt": "收到申请之日"}
COUNTINGS = {"working_days": "个工作日", "calendar_days": "日"}
#: Who may extend: the department lead (负责人), standing in for "the head of the organ".
EXTENDERS = {"lead": "部门负责人"}


@dataclass(frozen=True)
class Citation:
    """Where a rule comes from: a law and an article, or an honest "the law says nothing"."""

    law: str = ""          # e.g. "中华人民共和国行政许可法"
    article: str = ""      # e.g. "第四十二条"
    note: str = ""         # a short gloss, or why the statute is silent

    @classmethod
    def silent(cls, note: str) -> "Citation":
        """No statute sets this rule; ``note`` says what applies instead (法律未规定)."""
        return cls(note=note)

    @property
    def is_silent(self) -> bool:
        return not self.law

    @property
    def short(self) -> str:
        """``《law》article`` only (for one-line summaries), or the silent note."""
        return str(self) if self.is_silent else f"《{self.law}》{self.article}"

    def __str__(self) -> str:
        if self.is_silent:
            return self.note or "法律、法规未作规定"
        text = f"《{self.law}》{self.article}"
        return f"{text}（{self.note}）" if self.note else text


LICENSING_LAW = "中华人民共和国行政许可法"
LICENSING_DECISION = Citation(LICENSING_LAW, "第四十二条", "自受理之日起二十日内作出决定")
LICENSING_EXTENSION = Citation(LICENSING_LAW, "第四十二条", "经本行政机关负责人批准，可以延长十日")
LICENSING_PAUSE = Citation(LICENSING_LAW, "第四十五条", "听证、检验、检测、检疫、鉴定和专家评审所需时间不计算在期限内")
LICENSING_NOTICE = Citation(LICENSING_LAW, "第三十二条",
                            "材料不齐全的，当场或者五日内一次告知；逾期不告知的，自收到申请材料之日起即为受理")
LICENSING_WORKING_DAYS = Citation(LICENSING_LAW, "第八十二条", "期限以工作日计算，不含法定节假日")
CIVIL_CODE_PERIOD_END = Citation("中华人民共和国民法典", "第二百零三条",
                                 "期间的最后一日是法定休假日的，以法定休假日结束的次日为期间的最后一日")
NO_WITHDRAWAL = Citation.silent("法律未规定逾期不补正视为撤回：申请保留，超期提醒督办")


@dataclass(frozen=True)
class LegalClock:
    """How the statute times one service. All day counts are in the clock's ``counting``."""

    days: int = 20
    basis: Citation = LICENSING_DECISION
    counting: str = "working_days"          # or "calendar_days" (自然日)
    counting_basis: Citation = LICENSING_WORKING_DAYS
    starts: str = "acceptance"              # or "receipt"
    #: 0 = the statute provides no extension.
    extension_days: int = 10
    extension_by: str = "lead"
    extension_basis: Citation = LICENSING_EXTENSION
    #: Whether the clock may stand still (中止计时) for tests, inspections, expert review.
    pauses: bool = True
    pause_basis: Citation = LICENSING_PAUSE
    #: A one-time correction notice must be issued within this many working days of
    #: receipt; ``None`` = no statutory window (and no deemed acceptance).
    notice_within_days: int | None = 5
    #: Whether missing that window makes the application accepted from receipt (视为受理).
    deemed_accepted: bool = True
    notice_basis: Citation = LICENSING_NOTICE
    #: Whether an unanswered correction notice makes the application withdrawn (视为撤回);
    #: the period is the one the notice sets (``CORRECTION_WORKING_DAYS``) unless
    #: ``withdrawal_days`` gives the statute's own.
    deemed_withdrawn: bool = False
    withdrawal_days: int | None = None
    withdrawal_basis: Citation = NO_WITHDRAWAL
    extra: dict = field(default_factory=dict, compare=False)

    def __post_init__(self):
        # Calendar-day limits are not the Licensing Law's working days: their end moves off
        # a holiday by the Civil Code's rule, so a clock that only says counting= gets that.
        if self.counting == "calendar_days" and self.counting_basis == LICENSING_WORKING_DAYS:
            object.__setattr__(self, "counting_basis", CIVIL_CODE_PERIOD_END)

    @property
    def unit(self) -> str:
        return COUNTINGS.get(self.counting, "个工作日")

    @property
    def extendable(self) -> bool:
        return self.extension_days > 0

    def summary(self) -> str:
        """One Chinese sentence for guides and receipts: the limit and its article."""
        text = f"自{STARTS.get(self.starts, '受理之日')}起{self.days}{self.unit}内办结（{self.basis.short}）"
        if self.extendable:
            text += f"；经{EXTENDERS.get(self.extension_by, '负责人')}批准可延长{self.extension_days}{self.unit}"
        else:
            text += "；不得延长"
        return text

    def extension_text(self) -> str:
        """What the approver sees next to 延长期限: the allowance and its article."""
        if not self.extendable:
            return f"本事项不得延长办理期限（{self.extension_basis.short}）"
        return (f"可延长一次，最多{self.extension_days}{self.unit}，由{EXTENDERS.get(self.extension_by, '负责人')}"
                f"批准（{self.extension_basis.short}）")

    def to_record(self) -> dict:
        """A JSON-able snapshot stored on each application at receipt, so a later change of
        the declaration (or of the law) does not move the dates of cases already running."""
        data = asdict(self)
        data.pop("extra", None)
        return data

    @classmethod
    def from_record(cls, data: dict) -> "LegalClock":
        known = {name for name in cls.__dataclass_fields__ if name != "extra"}
        values = {k: v for k, v in (data or {}).items() if k in known}
        for key in ("basis", "counting_basis", "extension_basis", "pause_basis", "notice_basis",
                    "withdrawal_basis"):
            if isinstance(values.get(key), dict):
                values[key] = Citation(**values[key])
        return cls(**values)


def licensing_clock(days: int = 20, counting: str = "working_days", **changes) -> LegalClock:
    """The Administrative Licensing Law's clock with ``days`` as the promised limit.

    A service promising fewer than the statute's 20 working days (承诺时限) cites the promise
    and the statutory ceiling rather than passing its number off as the statute's.
    """
    clock = LegalClock(days=days, counting=counting)
    if days != 20 or counting != "working_days":
        clock = replace(clock, basis=Citation(
            LICENSING_LAW, "第四十二条",
            f"承诺时限{days}{COUNTINGS.get(counting, '个工作日')}，不超过法定的二十个工作日"))
    return replace(clock, **changes) if changes else clock


def validate_clock(code: str, clock: LegalClock) -> list[str]:
    """Problems with a declared clock (empty when valid), in Chinese."""
    problems = []
    where = f"事项 {code} 的法定时限规则"
    if not isinstance(clock, LegalClock):
        return [f"{where}不是 LegalClock：{clock!r}"]
    for name in ("days", "extension_days"):
        value = getattr(clock, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            problems.append(f"{where}：{name} 必须是非负整数")
    for name in ("notice_within_days", "withdrawal_days"):
        value = getattr(clock, name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            problems.append(f"{where}：{name} 必须是非负整数或 None")
    if clock.counting not in COUNTINGS:
        problems.append(f"{where}：计算方式 {clock.counting!r} 未知")
    if clock.starts not in STARTS:
        problems.append(f"{where}：起算点 {clock.starts!r} 未知（acceptance 或 receipt）")
    if clock.extension_by not in EXTENDERS:
        problems.append(f"{where}：延长的批准人 {clock.extension_by!r} 未知")
    if clock.deemed_accepted and clock.notice_within_days is None:
        problems.append(f"{where}：视为受理须有告知期限 notice_within_days")
    for name in ("basis", "counting_basis", "extension_basis", "pause_basis", "notice_basis",
                 "withdrawal_basis"):
        if not isinstance(getattr(clock, name), Citation):
            problems.append(f"{where}：{name} 必须是 Citation")
    if isinstance(clock.basis, Citation) and clock.basis.is_silent and not clock.basis.note:
        problems.append(f"{where}：法律未规定时限的，须说明时限的来源（如承诺时限）")
    return problems
