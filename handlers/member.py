"""Member commands: own points, progress, entries, revoking, help."""
from __future__ import annotations

import re

from handlers import texts
from handlers.registry import Context, command

ALONE = r"\s*[?？。.!！呢吗]*"  # a parameterless command takes nothing after it but punctuation
from models import ledger, queries
from models.periods import period_bounds, period_label, this_period_word


@command("帮助", "help", "菜单", "?", "？", args=ALONE)
def show_help(ctx: Context) -> str:
    """查看可用命令"""
    lines = ["可以直接发送学习情况来登记，如「读书一本《红岩》」「读书2本，交流心得一次」。", "命令："]
    lines += [f"· {h.usage}：{h.summary}" for h in ctx.table.help_for(ctx.member.role)]
    return "\n".join(lines)


@command("我的积分", "积分", "查积分", "查询积分", "本年积分", args=ALONE)
def my_points(ctx: Context) -> str:
    """本年积分与目标，按类别"""
    start, end = period_bounds("year", ctx.today)
    by_kind = queries.points_by_kind(ctx.session, member_id=ctx.member.id, start=start, end=end)
    total = sum(by_kind.values())
    lines = [f"{ctx.today.year}年积分 {total:g} / {ctx.rules.year_target:g}"
             + ("，已达标" if total >= ctx.rules.year_target else f"，还差 {ctx.rules.year_target - total:g} 分")]
    lines += [f"· {rule.name} {by_kind[code]:g} 分" for code, rule in ctx.rules.kinds.items() if by_kind.get(code)]
    return "\n".join(lines)


@command("进度", "我的进度", "五个一", "五个一进度", args=ALONE)
def progress(ctx: Context) -> str:
    """五个一完成情况（月、季、半年、年）"""
    status = ledger.five_ones_status(ctx.session, member_id=ctx.member.id, rules=ctx.rules, today=ctx.today)
    lines = ["五个一进度："]
    for rule, done in status:
        label = period_label(rule.required_period, ctx.today)
        lines.append(f"{'✓' if done else '✗'} {this_period_word(rule.required_period)}{rule.name}（{label}）")
    owed = [rule.name for rule, done in status if not done]
    lines.append(f"还差：{'、'.join(owed)}" if owed else "全部完成，继续保持！")
    return "\n".join(lines)


@command("明细", "我的明细", "我的记录", "登记记录", args=ALONE)
def entries(ctx: Context) -> str:
    """最近的登记记录及编号"""
    latest = queries.latest_entries(ctx.session, member_id=ctx.member.id, limit=10)
    if not latest:
        return "还没有登记记录。直接发送如「读书一本《红岩》」即可登记。"
    lines = ["最近的记录："] + [texts.entry_line(ctx.rules.kinds[e.kind], e) for e in latest
                               if e.kind in ctx.rules.kinds]
    lines.append("撤销请发送「撤销 编号」。")
    return "\n".join(lines)


@command("撤销", usage="撤销 [编号]", args=r"\s*(#?\s*\d+)?\s*")
def revoke(ctx: Context) -> str:
    """撤销自己的一条记录（不填编号则撤销最近一条）"""
    digits = re.fullmatch(r"#?\s*(\d{1,12})", ctx.args)
    if ctx.args and not digits:
        return "请发送「撤销 编号」，编号见「明细」。"
    entry = queries.own_entry(ctx.session, member_id=ctx.member.id,
                              entry_id=int(digits.group(1)) if digits else None)
    if entry is None:
        return "没有找到可撤销的记录，编号见「明细」。"
    rule = ctx.rules.kinds.get(entry.kind)
    entry.status = "revoked"
    ctx.session.add(entry)
    ctx.session.flush()
    what = texts.amount(rule, entry.quantity, entry.title, entry.level) if rule else entry.kind
    return f"已撤销 #{entry.id} {what}。{texts.year_line(ctx)}"
