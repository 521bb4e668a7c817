"""The yearly point archive (积分档案) of a branch as an XLSX workbook: summary and detail."""
from __future__ import annotations

import io
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy.orm import aliased
from sqlmodel import Session, func, select

from models.periods import period_bounds
from models.queries import COUNTED
from models.rules import Rules
from models.tables import Branch, Entry, Member

STATUS_NAMES = {"recorded": "有效", "pending": "待审核", "rejected": "已驳回", "revoked": "已撤销"}
DETAIL_HEADER = ["编号", "姓名", "userid", "类别", "数量", "单位", "积分", "标题/层次", "日期", "状态",
                 "说明", "审核人", "审核时间", "审核意见", "佐证图片", "来源消息", "登记时间"]


def _summary(book: Workbook, session: Session, *, branch_id: int, start: date, end: date, rules: Rules) -> None:
    sheet = book.active
    sheet.title = "汇总"
    kinds = list(rules.kinds.values())
    sheet.append(["姓名", "userid"] + [k.name for k in kinds] + ["合计", "目标", "是否达标"])
    points = {}
    for member_id, kind, total in session.exec(
            select(Entry.member_id, Entry.kind, func.sum(Entry.points))
            .join(Member, Member.id == Entry.member_id)
            .where(Member.branch_id == branch_id, Entry.status == COUNTED,
                   Entry.occurred_on >= start, Entry.occurred_on <= end)
            .group_by(Entry.member_id, Entry.kind)):
        points.setdefault(member_id, {})[kind] = float(total or 0)
    for member in session.exec(select(Member).where(Member.branch_id == branch_id).order_by(Member.id)):
        mine = points.get(member.id, {})
        total = sum(mine.values())
        sheet.append([member.name, member.userid] + [mine.get(k.code, 0) for k in kinds]
                     + [total, rules.year_target, "是" if total >= rules.year_target else "否"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)


def _detail(book: Workbook, session: Session, *, branch_id: int, start: date, end: date, rules: Rules) -> None:
    sheet = book.create_sheet("明细")
    sheet.append(DETAIL_HEADER)
    reviewer = aliased(Member)
    rows = session.exec(
        select(Entry, Member, reviewer.name)
        .join(Member, Member.id == Entry.member_id)
        .outerjoin(reviewer, reviewer.id == Entry.reviewed_by)
        .where(Member.branch_id == branch_id, Entry.occurred_on >= start, Entry.occurred_on <= end)
        .order_by(Entry.occurred_on, Entry.id))
    for entry, member, reviewer_name in rows:
        rule = rules.kinds.get(entry.kind)
        sheet.append([
            entry.id, member.name, member.userid, rule.name if rule else entry.kind, entry.quantity,
            rule.unit if rule else "", entry.points, entry.title or entry.level or "",
            entry.occurred_on, STATUS_NAMES.get(entry.status, entry.status), entry.note or "",
            reviewer_name or "", entry.reviewed_at.strftime("%Y-%m-%d %H:%M") if entry.reviewed_at else "",
            entry.review_note or "", entry.evidence_url or "", entry.source_text,
            entry.created_at.strftime("%Y-%m-%d %H:%M"),
        ])
    for cell in sheet[1]:
        cell.font = Font(bold=True)


def branch_by_name(session: Session, *, name: str) -> Branch | None:
    """A branch by its exact name."""
    return session.exec(select(Branch).where(Branch.name == name)).first()


def build_archive(session: Session, *, branch_id: int, year: int, rules: Rules) -> bytes:
    """The branch's archive for `year` as XLSX bytes (summary sheet, then every entry)."""
    start, end = period_bounds("year", date(year, 1, 1))
    book = Workbook()
    _summary(book, session, branch_id=branch_id, start=start, end=end, rules=rules)
    _detail(book, session, branch_id=branch_id, start=start, end=end, rules=rules)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
