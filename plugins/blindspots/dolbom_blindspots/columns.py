"""The list's columns, fixed in one place: the header names a file must carry, the crisis
indicators (domain.md, "Finding people: blind spots") and how their values are written.

The national system (사회보장정보시스템) sends one row per person. Its real export layout is not
public here: these header names are reconstructed (재구성) from the indicator list and are what
this plugin's template and README document."""

from __future__ import annotations

from dataclasses import dataclass

KEY = "관리번호"  # the national system's row key, returned with the visit outcome
NAME = "성명"
RRN = "주민등록번호"
ADDRESS = "주소"
DONG = "행정동"
PHONE = "연락처"  # optional column


@dataclass(frozen=True)
class Indicator:
    key: str  # rule parameter `weight_<key>` and the stored code
    header: str  # the column's name in the file
    label: str  # how screens name it


INDICATORS: tuple[Indicator, ...] = (
    Indicator("power_cut", "단전", "단전(전기 끊김·체납)"),
    Indicator("water_cut", "단수", "단수(수도 끊김·체납)"),
    Indicator("gas_cut", "단가스", "단가스(가스 끊김·체납)"),
    Indicator("health_insurance", "건강보험료 체납", "건강보험료 체납"),
    Indicator("pension", "국민연금 체납", "국민연금 체납"),
    Indicator("livelihood_loss", "기초생활수급 탈락", "기초생활수급 탈락"),
    Indicator("facility_discharge", "시설 퇴소", "시설 퇴소"),
    Indicator("medical_cost", "과다 의료비", "과다 의료비 지출"),
    Indicator("financial_arrears", "금융 연체", "금융 연체(대출·카드)"),
    Indicator("rental_arrears", "공공임대 체납", "공공임대 임대료 체납"),
    Indicator("maintenance_fee", "관리비 체납", "공동주택 관리비 체납"),
    Indicator("business_closure", "휴·폐업", "휴·폐업"),
    Indicator("head_death", "가구주 사망", "가구주 사망"),
    Indicator("disaster", "재난", "재난 피해"),
    Indicator("industrial_accident", "산업재해", "산업재해"),
    Indicator("no_employment_insurance", "고용보험 미가입", "고용보험 미가입(1년)"),
)
BY_KEY = {i.key: i for i in INDICATORS}
BY_HEADER = {i.header: i for i in INDICATORS}

PERSON_COLUMNS = (KEY, NAME, RRN, ADDRESS, DONG)
REQUIRED = (*PERSON_COLUMNS, *(i.header for i in INDICATORS))
OPTIONAL = (PHONE,)
# The template's order (also the README's): person, contact, then the indicators.
TEMPLATE_HEADER = (*PERSON_COLUMNS, PHONE, *(i.header for i in INDICATORS))
KNOWN = frozenset(REQUIRED) | frozenset(OPTIONAL)

YES = frozenset({"Y", "1", "예", "TRUE"})
NO = frozenset({"N", "0", "", "아니오", "FALSE"})  # an empty cell means "not flagged"

MAX_LENGTHS = {KEY: 40, NAME: 50, ADDRESS: 200, PHONE: 20}


def clean_header(cell: object) -> str:
    """A header cell as compared: surrounding spaces and a stray BOM removed, inner runs of
    spaces made one ("건강보험료  체납")."""
    text = "" if cell is None else str(cell)
    return " ".join(text.replace("\ufeff", "").split())


def flag(value: object) -> bool | None:
    """Y/N, 1/0 (also true/false cells of a spreadsheet); None when it is neither."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return {1: True, 0: False}.get(int(value)) if value in (0, 1) else None
    text = "" if value is None else str(value).strip().upper()
    if text in YES:
        return True
    if text in NO:
        return False
    return None
