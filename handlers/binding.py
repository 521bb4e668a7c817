"""Binding a WeChat openid to the roster (Official Account channel only): 绑定 and 解绑.

绑定 is the one command an unbound sender may run (role "guest"); the dispatcher keeps
everything else from them. The defences (one-time hashed codes, expiry, the attempt limit)
live in models/binding.py.
"""
from __future__ import annotations

from handlers.registry import GUEST, Context, command
from models import binding, reach

HOW_TO_BIND = ("您好，您的微信还没有绑定党员名册。请向所在党支部书记索取绑定码，"
               "然后发送「绑定 绑定码」，如「绑定 ABCD-EFGH」。")
WELCOME = "欢迎关注红领学习助手！" + HOW_TO_BIND.removeprefix("您好，")
_REFUSED = {
    "wrong": "绑定码不对，请核对后重发「绑定 绑定码」。",
    "used": "这个绑定码已经用过了。如果不是您本人绑定的，请立即联系支部书记。",
    "expired": "这个绑定码已过期，请向支部书记索取新的绑定码。",
    "taken": "该党员已绑定其他微信。如需更换，请联系支部书记先解绑。",
    "locked": "绑定码错误次数过多，请一小时后再试，或联系支部书记。",
}


@command("绑定", role=GUEST, usage="绑定 绑定码", hidden=True, channels=("mp",),
         args=r"[\s:：]*[A-Za-z0-9][A-Za-z0-9\s_-]{0,40}|\s*")
def bind(ctx: Context) -> str:
    """用绑定码把本微信绑定到党员名册"""
    if ctx.member is not None:
        return f"您的微信已绑定为{ctx.member.name}，可以直接登记学习。如需更换微信，请联系支部书记解绑。"
    if not ctx.args:
        return "请发送「绑定 绑定码」，绑定码向所在党支部书记索取。"
    wechat = ctx.config.wechat
    result = binding.redeem(ctx.session, openid=ctx.message.userid, typed=ctx.args, key=wechat.secret,
                            attempts_per_hour=wechat.bind_attempts_per_hour)
    if result.member is None:
        return _REFUSED[result.outcome]
    return (f"{result.member.name}同志，绑定成功！现在可以直接发送如「读书一本《红岩》」登记学习，"
            "发送「帮助」查看命令。")


@command("解绑", role="secretary", usage="解绑 姓名", args=r"\s+\S{1,30}\s*", channels=("mp",))
def unbind(ctx: Context) -> str:
    """解除一名党员的微信绑定（换号、离开组织时）"""
    people = reach.members_named(ctx.session, actor=ctx.member, name=ctx.args)
    if len(people) != 1:
        return "本支部没有找到这个人。" if not people else "有重名，请用 userid：" + "、".join(p.userid for p in people)
    person = people[0]
    if not binding.unbind(ctx.session, member=person):
        return f"{person.name} 还没有绑定微信。"
    reach.audit(ctx.session, actor=ctx.member, action="unbind", target=f"member:{person.userid}")
    return f"已解除 {person.name} 的微信绑定。重新绑定需要新的绑定码（hongling members invite）。"
