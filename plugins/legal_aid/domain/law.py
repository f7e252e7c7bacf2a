"""What the PRC Legal Aid Law (《中华人民共和国法律援助法》, in force 2022-01-01) says, as data.

Every rule, message and letter of this plugin cites the article it applies; the citations
and the closed lists (categories, statuses, termination reasons, urgent situations) live
here so that code, forms and letters use the same words.
"""
from __future__ import annotations

from dataclasses import dataclass

LAW = "《中华人民共和国法律援助法》"


def cite(article: str) -> str:
    """``cite("第四十三条")`` → ``《中华人民共和国法律援助法》第四十三条``."""
    return f"{LAW}{article}"


#: Kinds of matter: civil and administrative (Arts. 31–33), criminal applications (Arts. 24,
#: 29) and notifications by the court, procuratorate or police (Arts. 25, 28, 36).
CIVIL, CRIMINAL, NOTIFICATION = "civil", "criminal", "notification"


@dataclass(frozen=True)
class Category:
    """A matter legal aid covers: its code, the article and item, whether the applicant's
    economic hardship is examined (Art. 32 matters and notifications are exempt), and its
    kind (:data:`CIVIL`, :data:`CRIMINAL`, :data:`NOTIFICATION`)."""

    code: str
    label: str
    article: str          # e.g. "第三十一条第（五）项"
    means_tested: bool = True
    kind: str = CIVIL
    #: The statute names the situation only as "other" (其他情形): the law, regulation or
    #: rule that provides for it must be written down (``other_basis``).
    needs_basis: bool = False

    @property
    def citation(self) -> str:
        return cite(self.article)


#: Art. 31 (civil and administrative matters, economic hardship required), Art. 32 (no
#: economic test), Art. 33 (petitions and retrials, economic hardship required), Art. 24 and
#: 29 (criminal cases: the suspect or defendant, the victim's side), and the notifications of
#: Art. 25 and 28, which are not applications at all and are never means tested.
CATEGORIES: dict[str, Category] = {c.code: c for c in (
    Category("state_compensation", "依法请求国家赔偿", "第三十一条第（一）项"),
    Category("social_insurance", "请求给予社会保险待遇或者社会救助", "第三十一条第（二）项"),
    Category("pension", "请求发给抚恤金", "第三十一条第（三）项"),
    Category("maintenance", "请求给付赡养费、抚养费、扶养费", "第三十一条第（四）项"),
    Category("labour", "请求确认劳动关系或者支付劳动报酬", "第三十一条第（五）项"),
    Category("incapacity", "请求认定公民无民事行为能力或者限制民事行为能力", "第三十一条第（六）项"),
    Category("injury", "请求工伤事故、交通事故、食品药品安全事故、医疗事故人身损害赔偿",
             "第三十一条第（七）项"),
    Category("environment", "请求环境污染、生态破坏损害赔偿", "第三十一条第（八）项"),
    Category("other_statutory", "法律、法规、规章规定的其他情形", "第三十一条第（九）项", needs_basis=True),
    Category("hero_rights", "英雄烈士近亲属为维护英雄烈士的人格权益", "第三十二条第（一）项",
             means_tested=False),
    Category("bravery", "因见义勇为行为主张相关民事权益", "第三十二条第（二）项", means_tested=False),
    Category("acquittal_compensation", "再审改判无罪请求国家赔偿", "第三十二条第（三）项",
             means_tested=False),
    Category("abuse_victim", "遭受虐待、遗弃或者家庭暴力的受害人主张相关权益", "第三十二条第（四）项",
             means_tested=False),
    Category("other_no_means_test", "法律、法规、规章规定的其他不受经济困难条件限制的情形",
             "第三十二条第（五）项", means_tested=False, needs_basis=True),
    Category("petition_retrial", "不服生效裁判或者决定提出申诉、申请再审（已决定再审或者已抗诉）",
             "第三十三条"),
    Category("criminal_defence", "刑事案件的犯罪嫌疑人、被告人没有委托辩护人，申请法律援助",
             "第二十四条", kind=CRIMINAL),
    Category("criminal_victim", "刑事公诉案件的被害人及其法定代理人或者近亲属没有委托诉讼代理人",
             "第二十九条", kind=CRIMINAL),
    Category("private_prosecutor", "刑事自诉案件的自诉人及其法定代理人没有委托诉讼代理人",
             "第二十九条", kind=CRIMINAL),
    Category("civil_claimant", "刑事附带民事诉讼案件的原告人及其法定代理人没有委托诉讼代理人",
             "第二十九条", kind=CRIMINAL),
    Category("notification", "人民法院、人民检察院、公安机关通知法律援助机构指派律师（通知辩护等）",
             "第二十五条、第二十八条", means_tested=False, kind=NOTIFICATION),
)}

ART31 = tuple(c for c in CATEGORIES.values() if c.article.startswith("第三十一条"))
ART32 = tuple(c for c in CATEGORIES.values() if c.article.startswith("第三十二条"))
CRIMINAL_APPLICATIONS = tuple(c for c in CATEGORIES.values() if c.kind == CRIMINAL)

#: Art. 24: a suspect or defendant without a defender "因经济困难或者其他原因". Hardship is
#: examined under Art. 34; the statute sets no test for "other reasons", so the system does not
#: pretend to apply one (see :mod:`.eligibility`).
CRIMINAL_REASONS = {"hardship": "因经济困难没有委托辩护人", "other": "因其他原因没有委托辩护人"}

#: Who may notify (Art. 25: 人民法院、人民检察院、公安机关).
NOTIFYING_ORGANS = {"court": "人民法院", "procuratorate": "人民检察院", "police": "公安机关"}


@dataclass(frozen=True)
class Ground:
    """Why an organ notified the centre: an item of Art. 25 or Art. 28, and which organs the
    article names as the ones that notify."""

    code: str
    label: str
    article: str
    organs: frozenset = frozenset(NOTIFYING_ORGANS)
    needs_basis: bool = False

    @property
    def citation(self) -> str:
        return cite(self.article)


#: Art. 25(1): the organs "应当通知"; Art. 25(2): the court "可以根据实际情况通知" in other
#: cases tried in ordinary procedure; Art. 28: the court notifies for compulsory medical
#: treatment. On receipt the centre assigns a lawyer within three days (Art. 36).
NOTIFICATION_GROUNDS: dict[str, Ground] = {g.code: g for g in (
    Ground("minor", "未成年人", "第二十五条第一款第（一）项"),
    Ground("sensory_disability", "视力、听力、言语残疾人", "第二十五条第一款第（二）项"),
    Ground("limited_capacity", "不能完全辨认自己行为的成年人", "第二十五条第一款第（三）项"),
    Ground("life_or_death", "可能被判处无期徒刑、死刑的人", "第二十五条第一款第（四）项"),
    Ground("death_review", "申请法律援助的死刑复核案件被告人", "第二十五条第一款第（五）项"),
    Ground("in_absentia", "缺席审判案件的被告人", "第二十五条第一款第（六）项"),
    Ground("other_statutory", "法律法规规定的其他人员", "第二十五条第一款第（七）项", needs_basis=True),
    Ground("ordinary_procedure", "其他适用普通程序审判的刑事案件，被告人没有委托辩护人（人民法院根据实际情况通知）",
           "第二十五条第二款", organs=frozenset({"court"})),
    Ground("compulsory_treatment", "强制医疗案件的被申请人或者被告人没有委托诉讼代理人",
           "第二十八条", organs=frozenset({"court"})),
)}

#: Art. 31(7) names four kinds of accident; only a work injury lets a migrant worker's
#: hardship be presumed (Art. 42(3)).
INJURY_KINDS = {"work": "工伤事故", "traffic": "交通事故", "food_drug": "食品药品安全事故",
                "medical": "医疗事故"}


@dataclass(frozen=True)
class Status:
    """An Art. 42 status: proved by a material, the economic situation is not examined."""

    code: str
    label: str
    item: str


STATUSES: dict[str, Status] = {s.code: s for s in (
    Status("minor", "无固定生活来源的未成年人", "第四十二条第（一）项"),
    Status("elderly", "无固定生活来源的老年人", "第四十二条第（一）项"),
    Status("disabled", "无固定生活来源的残疾人", "第四十二条第（一）项"),
    Status("social_assistance", "社会救助对象", "第四十二条第（二）项"),
    Status("judicial_assistance", "司法救助对象", "第四十二条第（二）项"),
    Status("preferential", "优抚对象", "第四十二条第（二）项"),
    Status("migrant_worker", "申请支付劳动报酬或者请求工伤事故人身损害赔偿的进城务工人员",
           "第四十二条第（三）项"),
    Status("other_statutory", "法律、法规、规章规定的其他人员", "第四十二条第（四）项"),
)}
#: Statuses the statute names only as "other": the provision must be written down.
STATUSES_NEEDING_BASIS = frozenset({"other_statutory"})

MINOR_AGE = 18    # 《民法典》第十七条
ELDERLY_AGE = 60  # 《老年人权益保障法》第二条

#: Art. 44: situations in which aid may be given before the decision.
URGENT_REASONS = {
    "limitation": "距法定时效或者期限届满不足七日，需要及时提起诉讼或者申请仲裁、行政复议（第四十四条第（一）项）",
    "preservation": "需要立即申请财产保全、证据保全或者先予执行（第四十四条第（二）项）",
    "other_statutory": "法律、法规、规章规定的其他情形（第四十四条第（三）项）",
}
URGENT_DAYS = 7

#: Art. 48: the only reasons aid may be terminated.
TERMINATION_REASONS = {
    "fraud": "受援人以欺骗或者其他不正当手段获得法律援助（第四十八条第一款第（一）项）",
    "concealment": "受援人故意隐瞒与案件有关的重要事实或者提供虚假证据（第四十八条第一款第（二）项）",
    "illegal_use": "受援人利用法律援助从事违法活动（第四十八条第一款第（三）项）",
    "no_longer_eligible": "受援人的经济状况发生变化，不再符合法律援助条件（第四十八条第一款第（四）项）",
    "case_ended": "案件终止审理或者已经被撤销（第四十八条第一款第（五）项）",
    "own_lawyer": "受援人自行委托律师或者其他代理人（第四十八条第一款第（六）项）",
    "applicant_request": "受援人有正当理由要求终止法律援助（第四十八条第一款第（七）项）",
    "other_statutory": "法律法规规定的其他情形（第四十八条第一款第（八）项）",
}
#: Item 8 names no situation itself: the law or regulation relied on must be written down.
TERMINATION_NEEDS_BASIS = frozenset({"other_statutory"})
#: Termination reasons that are dishonest conduct: a signed integrity commitment (Art. 41)
#: is broken, and obtaining aid by deception is recorded in the credit system.
DISHONEST_REASONS = frozenset({"fraud", "concealment"})

DECISION_DAYS = 7      # Art. 43: decide within 7 days of receiving the application
ASSIGNMENT_DAYS = 3    # Art. 43: within 3 days of the grant; Art. 36: of a notification's receipt
OBJECTION_DAYS = 5     # Art. 49: the justice bureau decides within 5 days

COMMITMENT_TEXT = (
    "本人根据《中华人民共和国法律援助法》第四十一条作出个人诚信承诺：本人所填家庭成员、收入及财产状况"
    "真实、完整，不存在隐瞒、虚报。如有不实，本人愿意承担法律援助被终止（第四十八条）、支付已实际支出的"
    "法律援助费用并被处以罚款（第六十四条）以及被记入信用记录的后果。")

OBJECTION_RIGHT = (
    "如对本决定有异议，可以向设立本法律援助机构的司法行政部门（区司法局）提出，司法行政部门应当自收到"
    "异议之日起五日内进行审查，作出维持或者责令改正的决定（" + LAW + "第四十九条第一款）。")
REVIEW_RIGHT = (
    "如不服本维持决定，可以自收到本决定书之日起六十日内依法申请行政复议，或者自收到本决定书之日起"
    "六个月内依法提起行政诉讼（" + LAW + "第四十九条第二款）。")
