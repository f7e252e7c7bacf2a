"""The basis for querying someone else's archive (查询依据) and the materials each basis needs.

* ``attorney`` — a notarised power of attorney (经公证的委托书).
* ``deceased_relative`` — the subject's death certificate and a kinship proof; the requester
  names their relation, which must be one of the close relatives (近亲属) of 民法典 Art. 1045.
* ``investigation`` — by a court (its own investigation letter is a court document) or by a
  lawyer: a law firm's letter alone is the lawyer vouching for themself, so a court or case
  document (立案通知书、法院调查令、载明案号的委托代理合同) must come with it. The statutes
  this system rests on do not say which documents a lawyer must bring; the requirement is the
  centre's own, and the guide says so (``LAWYER_DOCUMENTS``).

:func:`material_gaps` is the single answer to "what is missing for this basis": the plugin's
``validate_application`` hook hands it to the core (material codes → the one-time correction
notice, acceptance refused until they are in) and the basis check blocks on it at decision
time, so the two can never disagree.
"""
from __future__ import annotations

from typing import Iterable

from core.api import Citation

CLOSE_RELATIVES = Citation("中华人民共和国民法典", "第一千零四十五条",
                           "配偶、父母、子女、兄弟姐妹、祖父母、外祖父母、孙子女、外孙子女为近亲属")
LAWYER_DOCUMENTS = Citation.silent(
    "法律未规定律师查阅他人档案须提交哪些文书；本中心要求律师在律师事务所调查函之外，"
    "另附立案通知书、法院调查令或载明案号的委托代理合同之一")

#: The requester is the subject's … (the order of 民法典 Art. 1045).
RELATIONS = [("spouse", "配偶"), ("parent", "父母"), ("child", "子女"), ("sibling", "兄弟姐妹"),
             ("grandparent", "祖父母"), ("maternal_grandparent", "外祖父母"),
             ("grandchild", "孙子女"), ("maternal_grandchild", "外孙子女")]
RELATION_LABELS = dict(RELATIONS)
INVESTIGATORS = [("court", "人民法院"), ("lawyer", "律师")]
INVESTIGATOR_LABELS = dict(INVESTIGATORS)

PRESENT = frozenset({"paper", "scan"})


def relation_error(value: str) -> str:
    """Why ``value`` is not a close relative, naming the statute's list."""
    return (f"亲属关系“{value}”不属于近亲属，不能查询已故亲属档案。依{CLOSE_RELATIVES.short}，"
            f"近亲属为：{'、'.join(label for _, label in RELATIONS)}")


def _needed(form_data: dict) -> list[tuple[str, str]]:
    """(material code, why it is needed) for the basis in ``form_data``, in checklist order.

    The core shows the reason after the material's name (缺少死亡证明（…）), so it says why,
    not what."""
    basis = form_data.get("basis")
    if basis == "attorney":
        return [("power_of_attorney", "受托查询他人档案须提供")]
    if basis == "deceased_relative":
        relation = RELATION_LABELS.get(form_data.get("relation") or "")
        proof = (f"须证明申请人是档案当事人的{relation}" if relation
                 else "须证明申请人是档案当事人的近亲属")
        return [("death_certificate", "查询已故亲属档案须提供档案当事人的死亡证明"),
                ("kinship_proof", f"{proof}（近亲属依{CLOSE_RELATIVES.short}）")]
    if basis == "investigation":
        investigator = form_data.get("investigator")
        if investigator == "court":
            return [("investigation_letter", "人民法院调查须提供法院出具的调查函")]
        if investigator == "lawyer":
            case = (form_data.get("case_number") or "").strip()
            return [("investigation_letter", "律师调查须提供律师事务所调查函"),
                    ("case_document", "律师事务所调查函不能单独作为查询依据，须另附立案通知书、法院调查令"
                                      f"或载明案号{case}的委托代理合同之一；法律未规定律师查档须提交哪些文书，"
                                      "此为本中心的要求")]
        # An application filed before the investigator was asked: the letter at least.
        return [("investigation_letter", "法院或律师调查须提供调查函")]
    return []


def material_gaps(form_data: dict, provided: Iterable[str]) -> dict[str, str]:
    """Material code → why it is still needed, for the basis chosen (empty: nothing missing).

    ``provided`` are the codes of the materials handed in (paper or scan)."""
    have = set(provided)
    return {code: why for code, why in _needed(form_data) if code not in have}


def provided_codes(statuses: dict[str, str]) -> set[str]:
    """The material codes handed in, from a check's ``code → status`` map."""
    return {code for code, status in statuses.items() if status in PRESENT}


#: The basis as a certificate names it (the form's labels also list the materials to attach).
CERTIFICATE_BASIS = {"self": "本人查询", "attorney": "受托查询", "deceased_relative": "查询已故亲属档案",
                     "investigation": "法院或律师调查"}


def basis_text(form_data: dict) -> str:
    """The basis as the certificate states it, with the relation or the investigator recorded
    (kept short: the certificate should fit one page)."""
    basis = form_data.get("basis") or ""
    label = CERTIFICATE_BASIS.get(basis, basis)
    if basis == "deceased_relative" and form_data.get("relation") in RELATION_LABELS:
        return (f"{label}，查询人是档案当事人的{RELATION_LABELS[form_data['relation']]}"
                f"（近亲属，《民法典》{CLOSE_RELATIVES.article}）")
    if basis == "investigation" and form_data.get("investigator") in INVESTIGATOR_LABELS:
        text = f"{label}，调查人：{INVESTIGATOR_LABELS[form_data['investigator']]}"
        case = (form_data.get("case_number") or "").strip()
        return f"{text}，案号：{case}" if case else text
    return label
