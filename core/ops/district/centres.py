"""The district's centres (the district centre, 13 street centres, 123 community stations)
with the services they may accept, and a counter worker per centre.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.ops.district.bulk import Size
from core.platform.models import Centre, CentreService, RoleGrant, User

STREETS = ["新街口", "梅园", "玄武门", "锁金村", "红山", "孝陵卫", "玄武湖", "江东", "南苑",
           "兴隆", "沙洲", "双闸", "莫愁湖"]
COMMUNITY_WORDS = ["丹凤", "估衣廊", "大行宫", "姚坊门", "北门桥", "珠江路", "成贤街", "兰园",
                   "进香河", "台城", "太平门", "花园路", "龙蟠里", "樱铁村", "长白街", "桃源"]


def _centres(quanke, session: Session, size: Size) -> dict[str, Centre]:
    centres = {c.code: c for c in session.scalars(select(Centre))}
    district = centres["D01"]
    wanted = []
    for s in range(1, size.streets + 1):
        wanted.append((f"S{s:02d}", f"{STREETS[(s - 1) % len(STREETS)]}街道便民服务中心", "street", "D01"))
    streets = [code for code, *_ in wanted]
    have = sum(1 for c in centres.values() if c.level == "community")
    c = 0
    while have < size.communities:   # the demo's own stations count towards the 123
        street = streets[c % len(streets)]
        number = c // len(streets) + 1
        word = COMMUNITY_WORDS[c % len(COMMUNITY_WORDS)]
        code = f"C{street[1:]}{number:02d}"
        c += 1
        if code in centres:
            continue
        wanted.append((code, f"{word}{number}社区便民服务站", "community", street))
        have += 1
    for code, name, level, parent in wanted:
        if code in centres:
            continue
        parent_row = centres.get(parent, district)
        centre = Centre(code=code, name=name, level=level, parent_id=parent_row.id,
                        address=f"{name}一楼大厅")
        session.add(centre)
        session.flush()
        centres[code] = centre
    for centre in centres.values():
        have = {s.service_code for s in centre.services}
        for service in quanke.plugins.services.values():
            if service.code not in have and (centre.level != "community" or service.community):
                centre.services.append(CentreService(service_code=service.code))
    session.flush()
    return centres


def _counter_staff(session: Session, centres: dict[str, Centre]) -> dict[int, int]:
    """One counter worker per centre (``counter_<centre code>``, demo password); centre id → user id."""
    from core.people.passwords import DEMO_PASSWORD
    from core.people.users import hash_password
    by_centre = {}
    existing = {u.username: u for u in session.scalars(select(User).where(User.username.like("counter\\_%", escape="\\")))}
    password_hash = None
    for code, centre in sorted(centres.items()):
        username = f"counter_{code.lower()}"
        user = existing.get(username)
        if user is None:
            password_hash = password_hash or hash_password(DEMO_PASSWORD)  # one hash: argon2 is slow on purpose
            user = User(username=username, name=f"{centre.name}全科社工", password_hash=password_hash,
                        centre_id=centre.id)
            user.grants = [RoleGrant(role="counter", department_code=None)]
            session.add(user)
            session.flush()
        by_centre[centre.id] = user.id
    return by_centre
