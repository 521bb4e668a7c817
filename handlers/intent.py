"""What a clause means to do — ask, deny, plan or report — and message-wide cues (a notice to
others, a thank-you). Only language-level words live here, never kind words. Pure; no I/O.
"""
from __future__ import annotations

import re
from datetime import date

from handlers.clauses import DONE_WORD, cue_text, named
from handlers.dates import DateMark
from handlers.numerals import Quantity, dimension
from handlers.titles import Title
from handlers.tokens import Clause, Mention

_QUESTION = re.compile(r"怎么|怎样|如何|为什么|为何|为啥|咋(?!恁|这么|那么)|(?<!叫)什么(?![都也的])|叫什么\W*$"
                       r"|(?<![那有])(?<!那个)啥(?![都也的]|一样)|有啥(?:区别|不同|差别|要求|讲究|用)|嘎哈(?!呢)|哪(?!有时间|有空|有功夫)"
                       r"|有谁|谁(?=还|没|是)|[和跟找与]谁|多少|几分|何时|多久|是否"
                       r"|能否|可否|吗|(?:算|要|能|得|需|可以|最多|至少|(?<!汇)报(?!过)|记)[\w\0]{0,2}几"  # 最多记几次, 要做几次
                       r"|么$|(?<![把挣赚攒拿冲报告])积分(?=$|\W|呢|多|情况|是|有|还|够|达|排|怎|咋|目标|离|啊|吧|没|查|被|榜|不对)"
                       r"|对吧|是吧|排名|进度|得分|分数|上限|规则|算分|计分"
                       r"|(?<![参请])加分|扣分|好多分|多(?:详细|具体)"
                       r"|(?<!管)(?<!论)(?<!然)(?<!说)是[^,。了]{1,12}还是[^,。了]*$|查询|查一下|查看"
                       r"|(?<![没无])有人知道|(?<![没不])(\w)[不没]\1|(?<=[\w\0])(?<![还时都也直来])不$|(?<=\w)(?<![还时都也直来])没$"
                       r"|[了过]没有?[啊呀呢哇]?(?:\s|$)")  # 报上了没有; 还没: not yet
# what was talked about (谈了退休后怎么发挥余热, 交流了如何…的想法): an indirect question, no asking
_INDIRECT = re.compile(r"(?:(?:谈|聊|讲|讨论|探讨|交流|研究|分享|介绍)(?:了|的是)"
                       r"|说了|(?:主要|重点)(?:谈|聊|讲|讨论)|主题(?:是|为)"
                       r"|(?<![不没想谁要])(?:晓得|知道|明白|懂|学会)(?=[^吗?]*了$))[^吗?]*?"
                       r"(?:怎么|如何|怎样|为什么|为何|哪些|进度|咋)")  # 主要聊项目进度, 晓得咋个报了
# asking whether something counts (这个能报吗, 能算吗, 算不算): a question even after a report
_ELIGIBLE = re.compile(r"(?:能|可以)[^,。]{0,6}吗|算不算|能不能|可不可以|行不行|可以吗|行吗|算吗|来得及吗|赶得上吗"
                       r"|(?:[算行]|要得)不$|算\w{0,4}不$|来得及[不没]?$|报吗|要得吗|对吗|对不对|对不$|没错吧"
                       r"|(?:显示|记上|登记上|录上|报上|算上|收到)了?(?:吗|没有?)")  # 我报了一个，显示了吗: asks about a report made  # 能算不？ 这样报对吗？
_GIVE_UP = "能(?:落|放|停|少|丢|忘|松)"  # 学习不能落下: a resolution, no denial
# 不错 不少 ... and technical compounds (不停电作业, 三相不平衡, 不合格, 不间断电源) deny nothing
_NEGATION = re.compile(r"没(?!白|有?(?:登记|上报|录入?|记上|报(?![名考上])|来得及(?:报(?![名考])|登记|填|录|上报)|顾上报))"
                       r"|未(?!来)|(?<![分特区级告类离个识性辨])别(?!人|[a-z]|打扰|烦|催|吵|闹)"  # 别cue我: of others
                       r"|(?<!难)(?<!差点)(?:(?<!忙)忘|忘(?!了?$))(?!记?了?(?:报|登|录|填|说))"  # 忘了报: a late report
                       r"|[:\s]\s*暂?无(?!\w)"
                       r"|被拒|拒稿|退稿|取消|已经?报过|之前报过|报过了|暂无"
                       r"|(?:为|是|等于)\s*[0零](?![\d.碎星])|[❌✗✘]|挂了|挂科|(?<!不能)落下|落后|[报记填录写打弄]错了"  # 读书：无, 难题暂无, ❌难题, 考试挂了
                       r"|^\W*差(?!点|不多)|还差|差(?=\d|[一二三四五六七八九十两几半])"  # 还差6个学时: short of
                       r"|(?<![对])不(?![错少断仅但久同过止到足管论满够好停平稳良合规达间严统畅沾亦苟懈]|" + _GIVE_UP + ")")
_NOT_REGISTER = r"(?!登记|上报|申报|记录|报)"  # 我想登记… / 我要报… are reports
_PLAN = re.compile(r"正在|(?<![实存所])(?<!到现)在(?=[写做搞弄编上听看读学]?\0++(?!小组|群|班|会|室|上|中|里))"
                   r"|离(?=\0)|在[^了过完次本个项篇门]{0,8}呢$|等[\w\0]{1,10}再|[一大小]半(?![年天月])"  # 在写论文, 看了一半: under way
                   r"|每(?:天|日|晚|周|星期|个?月|年|季度?)?\w{0,3}\0"  # 每周读书一本: a habit
                   r"|[月年周]底前"
                   r"|报名了?(?=\0)|(?<=\0)报名|在[写做搞弄编看读学]了?$|(?<![很飞挺较更最尽赶加愉])快(?![速捷乐])要?\w?完"
                   r"|补上$|(?:继续(?!教育)|努力)(?![^,。]*[了完过])|不" + _GIVE_UP +  # 月底前…补上: still to do
                   r"|(?<!\0)等(?![了等待])(?![^\0]{0,12}时)[\w\0]{1,12}就|(?:就|只|还)剩|(?:还|^)得(?![了到奖过])"  # 等我搞定这个bug就去读书, 就剩论文了
                   r"|的话|如果|假如|要是|打算|准备(?!了|工作)|计划(?!了)|希望|即将|将要|需要|应该"
                   r"|(?<![得有了])一定(?!的|程度)|争取(?!到)"  # 一定把书读完: a promise; 取得一定成效 is none
                   r"|推荐|值得|目标是|\0一大?堆$|(?<![模草])拟(?=于|在|将|报|参加)|慢慢"
                   r"|(?<![思理感梦联设构回猜])想(?!法|起来?报)" + _NOT_REGISTER +
                   r"|(?<![重主纪摘只需必概])要(?![求点素])" + _NOT_REGISTER)
# still to do, unless the words after the cue say something was done (回头看了一遍《红岩》, 约了…会谈了一次):
# 回头, 回家就, 回家再整理心得, 下个月再交流一次 (年度再培训 is a noun), 寻思, 约了书记下午深度会谈,
# 陪孙子学习, 借几本专业书 (no reading)
_LATER = re.compile(r"回头|(?:回去|回家|马上|待会儿?|等会儿?|一会儿?)就|(?:回家|回去|下次|以后|有空|改天|到时候?)再"
                    r"|(?:^|(?<=[\0\s我俺咱]))再(?!次|度)(?=\w?\0)|寻思|琢磨|(?<!大)约(?!谈)(?:了|好了?)?(?=[\w\0]{0,8}\0)"
                    r"|陪(?!同)\w{1,4}(?:一起)?\w?\0|(?<![采收])(?:借(?!鉴|助|此|调)|买|订购|购买)(?:了|来|回|到)?\w{0,6}?(?:\0|$)")
_OPINION = re.compile(r"喜欢|热爱|爱好|不错|好看|适合|写得|真好|很好|太好|精彩|感人|yyds|绝绝子|太难|好难|真难"  # unless done
                      r"|督促|促进|促使|激励|鼓励|带动|推动|号召|倡导|提倡")  # 能督促大家学习: of others
_PRAISE = re.compile(r"祝贺|恭喜|贺喜|点个?赞|佩服|致敬|向\w{1,6}学习")  # 祝贺王师傅获奖: someone else's
_PROGRESS = re.compile(r"还在|仍在|一直在")
_INTENDS = re.compile(r"计划(?!了)|打算|准备(?!了)|争取(?!到)|希望|拟")
_DONE_ANY = re.compile(r"[了过完已]|通过|获得|取得")
_UNDER_WAY = re.compile(r"准备中|进行中|正在|还在|仍在|一直在|在[写做看读学]")  # 难题还在排查: under way, unless the clause says 了/完
_DONE = re.compile(r"了|完")
_SPACE = re.compile(r"\s")
_PRAISED = re.compile(r"(?:太|真|很|挺|非常|特别)(?:好看|精彩|不错|好|棒|感人)(?:了|极了)")  # 太好看了: no 了 of doing
_REFERENCE = re.compile(r"[那这](?:个|些|本|篇|部)\w{0,8}$")  # 客户投诉的那个电表难题: a thing spoken of
_FINISHED = re.compile(r"了|完|过|已|搞定|终于|成功")
_TOPIC = re.compile(r"(?<=\0)的话")
_ANY = re.compile(r"([没未][\w\0]{0,4})(?:什么|谁|啥)")  # 还没解决什么难题, 还没和谁谈过: "any", no question
_NOT_DONE = re.compile(r"[没未]")
_NOT_ONE = re.compile(r"\W*一\w?(?:都|也)还?[没未]")  # 一项都没有
_NOTHING = re.compile(r"(?:啥|什么|一样|一项)(?:都|也)(?:还)?[没未](?!有?(?:时间|空|功夫))")  # 啥都没学: nothing done
_UNDONE = re.compile(r"[没未](?:有|能)?(?:考|读|看|学|写|交流|参加|完成|授权|通过|听|解决|谈|拿到|取得|发表)")  # 没授权
_UNFINISHED = re.compile(r"[没未]有?\w{0,2}完(?!成)")  # 还没看完: begun, not finished
# not remembering an amount (具体几本记不清了, 几个小时忘了) hedges it; not knowing how to use the bot (第一次用不太会)
# says nothing of the activities; neither denies anything
_UNCERTAIN = r"(?:几|多少)\w{0,3}忘了|记不(?:太|大)?清|(?:不太?|没)记得|记不得|不太?确定|说不准|不太?清楚"
_APPROX = re.compile(r"或|左右|大概|大约|差不多|估计|可能|好像|" + _UNCERTAIN)
_NOT_DENIAL = re.compile(_UNCERTAIN + r"|不太?(?:会|懂)(?:用|弄|操作)?(?!\w)|不\w{1,2}不行"  # 不卷不行: must
                         r"|没有?(?:什么|啥)?问题")  # 没什么问题: all fine
_NOTICE = re.compile(r"请大家|请各|请于|@所有人|请准时|【通知】"
                     r"|各位[\w]{0,4}(?:同志|党员)\W|(?<!我)记得(?:去(?!年)|参加|按时)|(?:大家|各位)(?:要|记得|注意|准时|按时|务必|别忘)"
                     r"|欢迎(?:大家|各位)?(?:来|参加)(?!指导|检查|视察)|的通知|^通知|我(?:已经?)?通知|通知(?:一下)?大家|转发")
_TEMPLATE = re.compile(r"格式|例如|比如|模板|参考|照这个")  # 格式如下 我：读书X本: an example, no report
_EXEMPLARY = re.compile(r"值得(?:大家|我们|咱们)?学习")  # 老王解决了两个难题，值得大家学习: another's
_BEHALF = re.compile(r"(?:替|代)[他她]")  # 老张去培训了 我替他说一声: another's
_THIRD = re.compile(r"(?<!其)[他她]")  # 给他点个赞: praise of someone else names their activity
_OTHERS = re.compile(r"\W*(?:[他她]们?(?![和跟与])|我?家?(?:儿子|女儿|孩子|闺女|老婆|爱人|媳妇|老公)|(?:隔壁\w{0,2}|别人|人家|其他人)(?=都|也|已经|又|还|早就|[读看交解参发考拿])(?![^\0]{0,4}的))")  # 他评上了主治医师, 隔壁组都读了5本, 我儿子考试过了: someone else's doing
_STILL = re.compile(r"(?:还|仍|依然|仍然)是\0+$")  # 学历没提升，还是大专: no new degree
_DESCRIBED = re.compile(r"\0+的\W*$")
_JUST = re.compile(r"刚|终于|总算")  # 我刚本科毕业的, 我是今年本科毕业的: news of one's own
_LIKEWISE = re.compile(r"\W*\0+\W*也(?:是|一样)(?!\w)")
_REPLY = re.compile(r"(?:^|\n)\W*(?:收到|好的|明白|已阅|了解)", re.M)
# the member's own part after a quoted notice (…请于25日前报送。 我的：读书一本; 我这边：…; ——我先报：…)
_OWN = re.compile(r"[\s\-—]*(?:我|俺|本人)(?:的|这边|这里)?(?:情况|先报|来报|报)?\s*:|[\s\-—]*(?:我|俺)的情况\s|\s+—{2}"
                  r"|[\s\-—]*(?:我|俺|本人)(?=这个?月|本月|今年|这季度|本季度)")
_ACTED = re.compile(r"(?:[和跟与同]|在)[^\0,。你您帮]{1,10}\0")  # 和同事交流了心得, 在班组里交流了
_FOR_ME = re.compile(r"[你您帮]|谢|感|$")  # what is said before this, if anything
_AGAIN = re.compile(r"又|(?<=\0)也(?![是算就])")  # 合理化建议也采纳了一条: one more
_THANKS = re.compile(r"谢谢|感谢|多谢|谢了")


def _done(text: str, clause: Clause) -> bool:
    """The clause says something was finished (了/完) and names a title or an exact amount."""
    return bool(_DONE.search(_PRAISED.sub("", text[clause.start:clause.end]))) and any(
        isinstance(t, Title) or (isinstance(t, Quantity) and not t.vague) for t in clause.tokens)


def later(clause: Clause, today: date) -> bool:
    """The clause names a day after today (下周, 明天, 明年)."""
    return any(isinstance(t, DateMark) and t.on and t.on > today for t in clause.tokens)


def _future(clause: Clause, today: date) -> bool:
    """A day after today and no amount or title (a length in days is none): a plan (下周交流心得,
    明年想报个自考, 下周有两天的培训)."""
    return later(clause, today) and not any(isinstance(t, Title) or (
        isinstance(t, Quantity) and not t.vague and dimension(t.unit) != "day") for t in clause.tokens)


def _referred(text: str, clause: Clause) -> bool:
    """Kind words each right after 那个/这个 in a clause with no amount, no title and nothing
    finished (那个电表难题，厂家说下周来处理): the thing is spoken of, not reported."""
    if _FINISHED.search(text, clause.start, clause.end) or any(
            isinstance(t, Title) or (isinstance(t, Quantity) and not t.vague) for t in clause.tokens):
        return False
    cue, kind_at = cue_text(text, clause), [t.start - clause.start for t in clause.tokens if isinstance(t, Mention)]
    return bool(kind_at) and all(_REFERENCE.search(cue, max(0, at - 10), at) for at in kind_at)


def _still_to_do(text: str, clause: Clause, cue: str) -> bool:
    """A cue of something still to do (回头, 约了, 寻思, 借书: `_LATER`) with no verb of doing after it
    in its space-separated part (约了书记下午深度会谈; but 昨天约了书记深度会谈了一次)."""
    cue_found = _LATER.search(cue)
    if not cue_found:
        return False
    start = clause.start + cue_found.end()
    space = _SPACE.search(text, start, clause.end)
    return not DONE_WORD.search(text, start, space.start() if space else clause.end)


def mood(text: str, clause: Clause, today: date) -> str:
    """"question", "negation", "plan" (intent, opinion, hypothesis, a later day, praise of others,
    what someone else did, a thing spoken of) or "report"."""
    cue = _INDIRECT.sub("", _ANY.sub(r"\1", cue_text(text, clause)))
    if clause.asked or _QUESTION.search(cue):
        return "question"
    if _NEGATION.search(_NOT_DENIAL.sub("", cue)) or any(
            isinstance(t, Quantity) and t.value == 0 for t in clause.tokens) or (
            _STILL.search(cue) and all(t.level for t in clause.tokens if isinstance(t, Mention))):
        return "negation"
    if _FINISHED.search(text, clause.start, clause.end):  # 心得交流的话在部门会上讲过一次: 的话 after a kind word is "as for"
        cue = _TOPIC.sub("\0", cue)
    if (_PLAN.search(cue) or _still_to_do(text, clause, cue) or _described(cue, clause)
            or _PRAISE.search(text, clause.start, clause.end)
            or (_PROGRESS.search(cue) and not _DONE.search(cue)) or _future(clause, today)
            or _referred(text, clause) or _OTHERS.match(cue)):
        return "plan"
    return "plan" if _OPINION.search(cue) and not _done(text, clause) else "report"


def _described(cue: str, clause: Clause) -> bool:
    """A level said of someone with no day and no 刚 (段里新来了俩大学生，本科毕业的; 我是大专毕业的): what
    they are, no new degree (我是今年本科毕业的 is one)."""
    said = [t for t in clause.tokens if isinstance(t, Mention)]
    return (bool(_DESCRIBED.search(cue)) and any(t.level for t in said) and not all(t.level for t in said)
            and not any(isinstance(t, DateMark) for t in clause.tokens) and not _JUST.search(cue))


def intends(text: str, clause: Clause) -> bool:
    """The clause says what is meant to be done (计划, 打算, 准备, 争取)."""
    return bool(_INTENDS.search(cue_text(text, clause)))


def listed_on(text: str, clause: Clause) -> bool:
    """The clause, right after one saying what is meant to be done, names a kind with no word of
    doing and no day of its own (计划深度会谈两次，解决难题三个): the next thing meant."""
    return (clause.after == "" and named(clause) and not _DONE_ANY.search(text, clause.start, clause.end)
            and not any(isinstance(t, DateMark) for t in clause.tokens))


def under_way(text: str, clause: Clause) -> bool:
    """The clause says something is under way (正在写心得, 还在看)."""
    return bool(_UNDER_WAY.search(cue_text(text, clause)))


def goes_on(text: str, clause: Clause, planned: list[str], kinds) -> bool:
    """After a clause saying something is under way, the clause names only kinds that one named,
    with no amount, title or day of its own (正在写心得，写完了交流): it goes on about it."""
    codes = {kinds[t.kind].code for t in clause.tokens if isinstance(t, Mention)}
    dated = any(isinstance(t, DateMark) for t in clause.tokens)  # 准备中，周三交流: a day, nothing done
    return bool(codes) and codes <= set(planned) and not (dated and _DONE_ANY.search(cue_text(text, clause))) and not any(
        isinstance(t, Title) or (isinstance(t, Quantity) and not t.vague) for t in clause.tokens)


def unfinished(text: str, clause: Clause) -> bool:
    """The clause says something begun is not finished yet (还没看完): after a clause saying it is
    under way (我正在看《三体》) that is progress, not a negation."""
    return bool(_UNFINISHED.search(text, clause.start, clause.end))


def eligible(text: str, clause: Clause) -> bool:
    """The clause asks whether something counts (这个能报读书吗, 能算吗)."""
    return bool(_ELIGIBLE.search(cue_text(text, clause)))


def again(text: str, clause: Clause) -> bool:
    """The clause adds one more of something (又做了个课件, 还参加了2学时)."""
    return clause.after == "还" or bool(_AGAIN.search(cue_text(text, clause)))


def contrasts(clause: Clause) -> bool:
    """The clause begins with 但是/可是/不过: a negation in it denies what came before."""
    return clause.after in ("但", "但是", "可是", "不过")


def likewise(text: str, clause: Clause) -> bool:
    """The clause names kinds and says only 也是/也一样 of them (心得也是): the same as the clause before."""
    return bool(_LIKEWISE.match(cue_text(text, clause)))


def zero(text: str, clause: Clause) -> bool:
    """The clause names no kind and counts zero (数量：0本) or not one (学习成果还一项都没有): it denies
    what the clause before names."""
    return not named(clause) and (any(isinstance(t, Quantity) and t.value == 0 for t in clause.tokens)
                                  or bool(_NOT_ONE.match(text, clause.start)))


def collective(text: str, clause: Clause) -> tuple[str, ...]:
    """The set phrases of the clause that stand for all the activities, said not done (本月五个一都
    还没完成; 别忘了报五个一 is a reminder), or `nothing` (啥都没学, or a verb of the activities denied
    in a clause naming no kind: 学习任务都还没完成, 没授权): the clause denies something without naming
    a kind."""
    said = text[clause.start:clause.end]
    if _NOTHING.search(said) or (_UNDONE.search(said) and not named(clause)):
        return ("一切",)
    return ("五个一",) if "五个一" in said and _NOT_DONE.search(said) else ()


def hedged(text: str, clause: Clause) -> bool:
    """The clause hedges its amount (大概, 左右, 或, 好像)."""
    return bool(_APPROX.search(cue_text(text, clause)))


def notice_lines(text: str) -> list[tuple[int, int]]:
    """The lines (first position, position of their line break or the end) that are part of a notice
    to others (请大家…, 关于…的通知, 转发: its line and the lines below it) or of praise of another
    (小王的论文发表了，大家给他点个赞: the whole message): they name activities without reporting them
    or asking about them. A reply below a quoted notice, from a line opening with 收到/好的
    (收到！读书一本), is not, nor the member's own part after it (…报送。 我的：读书一本): a notice
    line ends there."""
    if (_PRAISE.search(text) and _THIRD.search(text)) or _EXEMPLARY.search(text) or _BEHALF.search(text):
        return [(0, len(text))]
    replies = [m.start() for m in _REPLY.finditer(text)]
    owns = [] if _TEMPLATE.search(text) else [m.start() for m in _OWN.finditer(text)]
    lines, start = [], 0
    while start <= len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        reply = max((r for r in replies + owns if r <= start), default=0)
        notice = _NOTICE.search(text, reply, end)
        if notice:
            lines.append((start, next((o for o in owns if notice.end() <= o < end), end)))
        start = end + 1
    return lines


def acted(text: str, clause: Clause) -> bool:
    """The clause, apart from the thanks, says the member did it with someone or somewhere (和同事交流了
    心得, 把心得在班组里交流了), rather than that a thing got done (电脑的问题解决了) or was done for them
    (谢谢你把课件发我)."""
    cue = cue_text(text, clause)
    return bool(_ACTED.search(cue, 0, _FOR_ME.search(cue).start()))


def is_thanks(text: str) -> bool:
    """The message thanks someone (谢谢, 感谢)."""
    return bool(_THANKS.search(text))
