"""Secretary and admin views of a branch: status, who owes, ranking, every branch."""
from __future__ import annotations

from handlers import texts
from handlers.registry import Context, command
from models import queries, reach
from models.periods import period_bounds, this_period_word
from scheduler.status import branch_statuses

ALONE = r"\s*[?？。.!！]*"
MORE = "\n……名单过长，完整名单请发「导出」。"


def _item(ctx: Context):
    """The 五个一 kind named in the arguments (读书, 心得 …), or None for all of them."""
    return ctx.rules.kind_by_name(ctx.args) if ctx.args else None


def _own_status(ctx: Context):
    return branch_statuses(ctx.session, rules=ctx.rules, day=ctx.today,
                           branch_ids=[ctx.member.branch_id])[ctx.member.branch_id]


def _year_points(ctx: Context, branch_ids: list[int]) -> dict[int, float]:
    start, end = period_bounds("year", ctx.today)
    return queries.points_by_member(ctx.session, branch_ids=branch_ids, start=start, end=end)


@command("支部情况", role="secretary", args=ALONE)
def branch_status(ctx: Context) -> str:
    """本支部五个一完成情况与积分"""
    status = _own_status(ctx)
    points = _year_points(ctx, [status.branch_id])
    total = sum(points.values())
    average = total / status.members if status.members else 0
    lines = [f"{status.branch_name}（{status.members} 人，请假不计）"]
    lines += [f"{this_period_word(k.period)}{k.name} {k.done}/{status.members}" for k in status.kinds]
    lines.append(f"本年积分合计 {total:g}，人均 {average:.1f} / {ctx.rules.year_target:g}")
    owing = [k for k in status.kinds if k.owing]
    if owing:
        lines.append("未完成：")
        lines += [f"· {k.name}（{len(k.owing)} 人）：{'、'.join(k.owing)}" for k in owing]
    return texts.fit("\n".join(lines), tail=MORE)


@command("未完成", role="secretary", usage="未完成 [读书|心得|难题|会谈|成果]",
         args=r"\s*(\S{1,8})?\s*")
def unfinished(ctx: Context) -> str:
    """谁还没完成（可指定项目）"""
    item = _item(ctx)
    if ctx.args and (item is None or not item.required_period):
        return "请发送「未完成」或「未完成 读书」（读书、心得、难题、会谈、成果）。"
    status = _own_status(ctx)
    kinds = [k for k in status.kinds if item is None or k.code == item.code]
    lines = [f"{this_period_word(k.period)}{k.name}未完成 {len(k.owing)} 人：{'、'.join(k.owing) or '无'}"
             for k in kinds]
    return texts.fit("\n".join(lines), tail=MORE)


@command("积分排名", "排名", role="secretary", args=ALONE)
def ranking(ctx: Context) -> str:
    """本支部党员本年积分排名"""
    members = queries.branch_members(ctx.session, branch_ids=[ctx.member.branch_id])
    points = _year_points(ctx, [ctx.member.branch_id])
    ranked = sorted(members, key=lambda m: (-points.get(m.id, 0), m.id))
    lines = [f"{ctx.today.year}年积分排名（目标 {ctx.rules.year_target:g}）："]
    lines += [f"{i}. {m.name} {points.get(m.id, 0):g}" for i, m in enumerate(ranked, start=1)]
    return texts.fit("\n".join(lines), tail=MORE)


@command("积分排名", "排名", args=ALONE, usage="积分排名")
def my_standing(ctx: Context) -> str:
    """本人在支部中的积分名次"""
    members = queries.branch_members(ctx.session, branch_ids=[ctx.member.branch_id])
    points = _year_points(ctx, [ctx.member.branch_id])
    mine = points.get(ctx.member.id, 0)
    ahead = sum(1 for m in members if points.get(m.id, 0) > mine)
    return (f"您本年积分 {mine:g} / {ctx.rules.year_target:g}，"
            f"在本支部 {len(members)} 人中排第 {ahead + 1} 名。")


@command("全部支部", role="admin", args=ALONE)
def all_branches(ctx: Context) -> str:
    """所有支部按五个一完成率排序"""
    ids = reach.branch_ids(ctx.session, member=ctx.member)
    statuses = branch_statuses(ctx.session, rules=ctx.rules, day=ctx.today, branch_ids=ids, detail=False)

    def rate(status) -> float:
        slots = status.members * len(status.kinds)
        return sum(k.done for k in status.kinds) / slots if slots else 0.0

    ranked = sorted(statuses.values(), key=lambda s: (-rate(s), s.branch_name))
    lines = [f"共 {len(ranked)} 个支部，五个一完成率："]
    lines += [f"{i}. {s.branch_name} {rate(s):.0%}（{s.members} 人）" for i, s in enumerate(ranked, start=1)]
    return texts.fit("\n".join(lines))
