"""`hongling members invite`: one-time binding codes (绑定码) for the Official Account channel.

Prints, for each member without a bound openid (optionally of one branch, or one userid), a
new code to hand to them in person; a member whose earlier code was not used yet gets a new
one, which voids the old (only hashes are stored, so a code cannot be printed again).
"""
from __future__ import annotations

from typing import TextIO

from models import binding
from models.archive import branch_by_name
from models.errors import RosterError
from models.queries import branch_name


def invite(session, wechat, *, branch: str | None, userid: str | None, out: TextIO) -> int:
    """Issue and print the codes (name, userid, branch, code as tab-separated lines); commits."""
    branch_ids = None
    if branch:
        found = branch_by_name(session, name=branch)
        if found is None:
            raise RosterError(f"没有名为「{branch}」的支部")
        branch_ids = [found.id]
    members = binding.unbound_members(session, branch_ids=branch_ids, userid=userid)
    issued = binding.issue_codes(session, members=members, key=wechat.secret, days=wechat.invite_days)
    branches = {m.branch_id: branch_name(session, branch_id=m.branch_id) for m in members}
    session.commit()
    if not issued:
        print("没有未绑定微信的党员。", file=out)
        return 0
    print("姓名\tuserid\t支部\t绑定码", file=out)
    for member, code, voided in issued:
        note = "\t（旧绑定码已作废）" if voided else ""
        print(f"{member.name}\t{member.userid}\t{branches[member.branch_id]}\t{binding.shown(code)}{note}", file=out)
    replaced = sum(1 for _, _, voided in issued if voided)
    print(f"共 {len(issued)} 人。绑定码 {wechat.invite_days} 天内有效，只能用一次；请交给本人，"
          "由本人向公众号发送「绑定 绑定码」。" + (f"其中 {replaced} 人此前未用的绑定码已作废。" if replaced else ""),
          file=out)
    return 0
