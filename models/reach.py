"""Which branches a secretary or admin may see and act on. The one place reach is decided."""
from __future__ import annotations

from sqlmodel import Session, select

from models.tables import AuditLog, Branch, Entry, Member


def branch_ids(session: Session, *, member: Member) -> list[int]:
    """Branches in `member`'s reach: a secretary's own; an admin's subtree, or all if theirs is a leaf."""
    if member.role != "admin":
        return [member.branch_id]
    parents = dict(session.exec(select(Branch.id, Branch.parent_id)).all())
    children: dict[int | None, list[int]] = {}
    for branch, parent in parents.items():
        children.setdefault(parent, []).append(branch)
    if not children.get(member.branch_id):
        return sorted(parents)
    found, todo = set(), [member.branch_id]
    while todo:
        branch = todo.pop()
        if branch not in found:
            found.add(branch)
            todo += children.get(branch, [])
    return sorted(found)


def members_named(session: Session, *, actor: Member, name: str) -> list[Member]:
    """Members in the actor's reach whose name (or userid) is `name`."""
    return list(session.exec(
        select(Member).where(Member.branch_id.in_(branch_ids(session, member=actor)),
                             (Member.name == name) | (Member.userid == name))
        .order_by(Member.id)).all())


def entry_in_reach(session: Session, *, actor: Member, entry_id: int) -> tuple[Entry, Member] | None:
    """An entry by number with its member, only if the member is in the actor's reach."""
    row = session.exec(
        select(Entry, Member).join(Member, Member.id == Entry.member_id)
        .where(Entry.id == entry_id, Member.branch_id.in_(branch_ids(session, member=actor)))).first()
    return tuple(row) if row else None


def audit(session: Session, *, actor: Member, action: str, target: str, detail: str | None = None) -> None:
    """Keep a record of an act in the audit log."""
    session.add(AuditLog(actor_id=actor.id, action=action, target=target[:200], detail=detail))
