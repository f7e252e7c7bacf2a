"""Reference lists of the business licence service: scopes, streets, name parts, food items.

Plain data, no database: forms, checks, certificates, demo data and pages all read these.
"""
from __future__ import annotations

#: Departments this plugin declares: the licence is decided by market regulation, the food
#: permit by its food-business licensing section (a queue of its own).
MARKET_REGULATION = ("market_regulation", "区市场监督管理局")
FOOD_SAFETY = ("food_safety", "区市场监督管理局食品经营许可科")

#: Where the district is (the registering region of the credit code and the licence's name
#: prefix). A deployment sets BL_DIVISION_CODE / BL_DISTRICT_NAME in its configuration.
DEFAULT_DIVISION_CODE = "320102"
DEFAULT_DISTRICT_NAME = "南京市玄武区"


def _setting(quanke, name: str, default):
    from core.api import setting
    return setting(quanke, name, default) if quanke is not None else default


def division_code(quanke=None) -> str:
    return str(_setting(quanke, "BL_DIVISION_CODE", DEFAULT_DIVISION_CODE))


def district_name(quanke=None) -> str:
    return str(_setting(quanke, "BL_DISTRICT_NAME", DEFAULT_DISTRICT_NAME))


#: Business scopes (经营范围) offered on the form: code → (label, permit needed or None).
SCOPES: dict[str, tuple[str, str | None]] = {
    "general_retail": ("日用百货销售", None),
    "stationery": ("文具用品零售", None),
    "fruit": ("新鲜水果零售", None),
    "food_sales": ("食品销售", "食品经营许可证"),
    "catering": ("餐饮服务", "食品经营许可证"),
    "tobacco": ("烟草制品零售", "烟草专卖零售许可证"),
    "pharmacy": ("药品零售", "药品经营许可证"),
    "hairdressing": ("理发服务", None),
    "beauty": ("生活美容服务", None),
    "appliance_repair": ("日用电器修理", None),
    "bicycle_repair": ("自行车修理", None),
    "tailoring": ("服装制作", None),
    "laundry": ("洗染服务", None),
    "photography": ("摄影扩印服务", None),
    "housekeeping": ("家政服务", None),
    "printing": ("包装装潢印刷品和其他印刷品印刷", "印刷经营许可证"),
    "internet_cafe": ("互联网上网服务", "网络文化经营许可证"),
    "lodging": ("住宿服务", "特种行业许可证"),
}
#: Scopes the food-business permit covers (证照联办 needs one of them).
FOOD_SCOPES = frozenset({"food_sales", "catering"})


def scope_label(code: str, *, mark: bool = True) -> str:
    label, permit = SCOPES.get(code, (code, None))
    return f"{label}（需取得{permit}）" if mark and permit else label


def scope_choices() -> list[tuple[str, str]]:
    return [(code, scope_label(code)) for code in SCOPES]


def scopes_text(codes) -> str:
    """The licence's 经营范围 line: 许可项目 and 一般项目 listed apart, as on real licences."""
    codes = [c for c in (codes or []) if c in SCOPES]
    licensed = [SCOPES[c][0] for c in codes if SCOPES[c][1]]
    general = [SCOPES[c][0] for c in codes if not SCOPES[c][1]]
    parts = []
    if licensed:
        parts.append("许可项目：" + "；".join(licensed)
                     + "（依法须经批准的项目，经相关部门批准后方可开展经营活动）")
    if general:
        parts.append("一般项目：" + "；".join(general) + "（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）")
    return "。".join(parts)


def permits_needed(codes) -> list[tuple[str, str]]:
    """(scope label, permit) pairs for the chosen scopes that need a permit."""
    return [(SCOPES[c][0], SCOPES[c][1]) for c in codes or [] if c in SCOPES and SCOPES[c][1]]


#: Streets (街道) of the district: code → name. Each has a comprehensive enforcement team.
STREETS: dict[str, str] = {
    "xinjiekou": "新街口街道",
    "meiyuan": "梅园新村街道",
    "xuanwumen": "玄武门街道",
    "suojincun": "锁金村街道",
    "hongshan": "红山街道",
    "xiaolingwei": "孝陵卫街道",
    "xuanwuhu": "玄武湖街道",
}


def street_name(code: str) -> str:
    return STREETS.get(code, code)


def enforcement_team(street: str) -> str:
    """The street's team that carries out inspections (街道综合行政执法队)."""
    return f"{street_name(street)}综合行政执法队"


#: Organisation words (组织形式用字) an individual business name may end with.
NAME_FORMS = ("店", "馆", "部", "坊", "行", "厅", "屋", "铺", "社", "所", "厂", "中心",
              "工作室", "经营部", "商行", "门市部")

#: Organisation form of the business itself (组成形式).
ORGANISATION_FORMS = {"individual": "个人经营", "family": "家庭经营"}

#: Food permit: business type (主体业态) and items (经营项目) with the types they fit.
FOOD_CATEGORIES = {"food_sales": "食品销售经营者", "catering": "餐饮服务经营者"}
FOOD_ITEMS: dict[str, tuple[str, frozenset[str]]] = {
    "prepackaged": ("预包装食品销售（含冷藏冷冻食品）", frozenset({"food_sales", "catering"})),
    "bulk": ("散装食品销售（不含冷藏冷冻食品）", frozenset({"food_sales"})),
    "special": ("特殊食品销售（保健食品）", frozenset({"food_sales"})),
    "hot": ("热食类食品制售", frozenset({"catering"})),
    "cold": ("冷食类食品制售", frozenset({"catering"})),
    "pastry": ("糕点类食品制售（不含裱花蛋糕）", frozenset({"catering"})),
    "drinks": ("自制饮品制售（不含自酿酒）", frozenset({"catering"})),
}
#: Selling only these needs a filing (备案), not a permit (食品安全法第三十五条).
ONLY_PREPACKAGED = frozenset({"prepackaged"})


def filing_only(food_items) -> bool:
    """Selling only prepackaged food: a filing, not a licence (食品安全法第三十五条)."""
    return bool(food_items) and set(food_items) <= ONLY_PREPACKAGED


#: The food permit scope each food-business type needs on the licence.
FOOD_CATEGORY_SCOPE = {"food_sales": "food_sales", "catering": "catering"}

#: Why a business is deregistered (注销原因).
DEREGISTRATION_REASONS = {
    "closing": "经营者决定停止经营",
    "converting": "转型为企业",
    "relocating": "迁出本区",
    "other": "其他原因",
}

#: How long a food permit is valid (years) and how long after approval the on-site
#: verification of a commitment is due (working days). Configurable per deployment.
FOOD_PERMIT_YEARS = 5
DEFAULT_VERIFY_WORKING_DAYS = 20
DEFAULT_ROUTINE_INSPECTION_DAYS = 60


def verify_working_days(quanke=None) -> int:
    return int(_setting(quanke, "BL_COMMITMENT_VERIFY_WORKING_DAYS", DEFAULT_VERIFY_WORKING_DAYS))


def routine_inspection_days(quanke=None) -> int:
    return int(_setting(quanke, "BL_ROUTINE_INSPECTION_DAYS", DEFAULT_ROUTINE_INSPECTION_DAYS))


def config_problems(quanke) -> list[str]:
    """What is wrong with this plugin's settings (``quanke plugins --check``)."""
    problems = []
    division = division_code(quanke)
    if not (len(division) == 6 and division.isdigit()):
        problems.append(f"BL_DIVISION_CODE 应为6位行政区划代码（统一社会信用代码第3至8位），当前为“{division}”")
    if not district_name(quanke).strip():
        problems.append("BL_DISTRICT_NAME（营业执照名称中的行政区划）不能为空")
    from plugins.business_license.domain import credit_codes
    found = credit_codes.provider(quanke)
    if credit_codes.is_demo(found) and str(quanke.config.get("ENV", "")).lower() == "production":
        problems.append(credit_codes.demo_warning(found) + "（生产环境）")
    for name, read in (("BL_COMMITMENT_VERIFY_WORKING_DAYS", verify_working_days),
                       ("BL_ROUTINE_INSPECTION_DAYS", routine_inspection_days)):
        try:
            if read(quanke) < 1:
                problems.append(f"{name} 应为正整数")
        except (TypeError, ValueError):
            problems.append(f"{name} 应为正整数")
    return problems
