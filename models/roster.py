"""Roster import: CSV (UTF-8, BOM tolerated) or XLSX with name,userid,branch,role."""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func
from sqlmodel import Session, select

from models.errors import RosterError
from models.tables import Branch, Member

COLUMNS = ("name", "userid", "branch", "role")
OPTIONAL = ("parent",)  # the branch's parent (党总支 / 党委), for admins' reach
ROLE_WORDS = {"member": "member", "党员": "member", "secretary": "secretary", "书记": "secretary",
              "支部书记": "secretary", "组织委员": "secretary", "admin": "admin", "管理员": "admin"}
_USERID = re.compile(r"[A-Za-z0-9_.@-]{1,64}")


@dataclass(frozen=True)
class RosterRow:
    """One validated roster line."""

    line: int
    name: str
    userid: str
    branch: str
    role: str
    parent: str | None = None


def _rows_from_file(path: Path) -> list[list[str]]:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook
        try:
            book = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types for a broken file
            raise RosterError(f"{path.name}: 不是有效的 XLSX 文件（{type(exc).__name__}）") from None
        rows = [["" if c is None else str(c) for c in row] for row in book.active.iter_rows(values_only=True)]
        book.close()
        return rows
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RosterError(f"{path.name}: 不是 UTF-8 编码的 CSV，请另存为 UTF-8") from None
    return list(csv.reader(io.StringIO(text)))


def parse_roster(path: Path) -> list[RosterRow]:
    """Read and validate every line; the first bad line raises RosterError naming it."""
    rows = _rows_from_file(path)
    if not rows:
        raise RosterError(f"{path.name}: 文件是空的")
    header = [c.strip().lower() for c in rows[0]]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise RosterError(f"第 1 行：缺少列 {', '.join(missing)}（需要 name,userid,branch,role）")
    index = {c: header.index(c) for c in COLUMNS + OPTIONAL if c in header}
    parsed, seen = [], {}
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells = {c: (row[i].strip() if i < len(row) else "") for c, i in index.items()}
        for column in ("name", "userid", "branch"):
            if not cells[column]:
                raise RosterError(f"第 {line} 行：{column} 为空")
        if not _USERID.fullmatch(cells["userid"]):
            raise RosterError(f"第 {line} 行：userid「{cells['userid']}」格式不对")
        role = ROLE_WORDS.get(cells["role"].lower() or "member")
        if role is None:
            raise RosterError(f"第 {line} 行：角色「{cells['role']}」不认识（可用 member/secretary/admin 或 党员/书记/管理员）")
        if cells["userid"] in seen:
            raise RosterError(f"第 {line} 行：userid {cells['userid']} 与第 {seen[cells['userid']]} 行重复")
        seen[cells["userid"]] = line
        parsed.append(RosterRow(line, cells["name"][:64], cells["userid"], cells["branch"][:100], role,
                                cells.get("parent", "")[:100] or None))
    return parsed


def upsert_roster(session: Session, *, rows: list[RosterRow]) -> tuple[int, int, int]:
    """Create branches and upsert members by userid; returns (added, updated, new branches)."""
    branches = {b.name: b for b in session.exec(select(Branch)).all()}
    new_branches = 0
    for name in dict.fromkeys([r.parent for r in rows if r.parent] + [r.branch for r in rows]):
        if name not in branches:
            branches[name] = Branch(name=name)
            session.add(branches[name])
            new_branches += 1
    session.flush()
    for row in rows:
        if row.parent and row.parent != row.branch:
            branches[row.branch].parent_id = branches[row.parent].id
            session.add(branches[row.branch])
    userids = [r.userid for r in rows]
    existing = {}
    for i in range(0, len(userids), 500):
        existing.update((m.userid, m) for m in session.exec(
            select(Member).where(Member.userid.in_(userids[i:i + 500]))).all())
    added = updated = 0
    for row in rows:
        member = existing.get(row.userid)
        if member is None:
            session.add(Member(userid=row.userid, name=row.name, branch_id=branches[row.branch].id, role=row.role))
            added += 1
        else:
            member.name, member.branch_id, member.role = row.name, branches[row.branch].id, row.role
            session.add(member)
            updated += 1
    session.flush()
    return added, updated, new_branches


def member_count(session: Session) -> int:
    """How many members the roster has."""
    return session.exec(select(func.count()).select_from(Member)).one()
