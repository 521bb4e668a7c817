"""The cue words of handlers.intent: what makes a clause a question, a denial, a plan or a notice,
and the message-wide cues (thanks, praise of another, a reply below a notice). Only language-level
words live here, never kind words; kind words are masked (\0) in the text these patterns search.
Pure data; no I/O.
"""
from __future__ import annotations

import re

QUESTION = re.compile(r"怎么|怎样|如何|为什么|为何|为啥|咋(?!恁|这么|那么)|(?<!叫)什么(?![都也的])|叫什么\W*$"
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
INDIRECT = re.compile(r"(?:(?:谈|聊|讲|讨论|探讨|交流|研究|分享|介绍)(?:了|的是)"
                       r"|说了|(?:主要|重点)(?:谈|聊|讲|讨论)|主题(?:是|为)"
                       r"|(?<![不没想谁要])(?:晓得|知道|明白|懂|学会)(?=[^吗?]*了$))[^吗?]*?"
                       r"(?:怎么|如何|怎样|为什么|为何|哪些|进度|咋)")  # 主要聊项目进度, 晓得咋个报了
# asking whether something counts (这个能报吗, 能算吗, 算不算): a question even after a report
ELIGIBLE = re.compile(r"(?:能|可以)[^,。]{0,6}吗|算不算|能不能|可不可以|行不行|可以吗|行吗|算吗|来得及吗|赶得上吗"
                       r"|(?:[算行]|要得)不$|算\w{0,4}不$|来得及[不没]?$|报吗|要得吗|对吗|对不对|对不$|没错吧"
                       r"|(?:显示|记上|登记上|录上|报上|算上|收到)了?(?:吗|没有?)")  # 我报了一个，显示了吗: asks about a report made  # 能算不？ 这样报对吗？
GIVE_UP = "能(?:落|放|停|少|丢|忘|松)"  # 学习不能落下: a resolution, no denial
# 不错 不少 ... and technical compounds (不停电作业, 三相不平衡, 不合格, 不间断电源) deny nothing
NEGATION = re.compile(r"没(?!白|有?(?:登记|上报|录入?|记上|报(?![名考上])|来得及(?:报(?![名考])|登记|填|录|上报)|顾上报))"
                       r"|未(?!来)|(?<![分特区级告类离个识性辨])别(?!人|[a-z]|打扰|烦|催|吵|闹)"  # 别cue我: of others
                       r"|(?<!难)(?<!差点)(?:(?<!忙)忘|忘(?!了?$))(?!记?了?(?:报|登|录|填|说))"  # 忘了报: a late report
                       r"|[:\s]\s*暂?无(?!\w)"
                       r"|被拒|拒稿|退稿|取消|已经?报过|之前报过|报过了|暂无"
                       r"|(?:为|是|等于)\s*[0零](?![\d.碎星])|[❌✗✘]|挂了|挂科|(?<!不能)落下|落后|[报记填录写打弄]错了"  # 读书：无, 难题暂无, ❌难题, 考试挂了
                       r"|^\W*差(?!点|不多)|还差|差(?=\d|[一二三四五六七八九十两几半])"  # 还差6个学时: short of
                       r"|(?<![对])不(?![错少断仅但久同过止到足管论满够好停平稳良合规达间严统畅沾亦苟懈]|" + GIVE_UP + ")")
NOT_REGISTER = r"(?!登记|上报|申报|记录|报)"  # 我想登记… / 我要报… are reports
PLAN = re.compile(r"正在|(?<![实存所])(?<!到现)在(?=[写做搞弄编上听看读学]?\0++(?!小组|群|班|会|室|上|中|里))"
                   r"|离(?=\0)|在[^了过完次本个项篇门]{0,8}呢$|等[\w\0]{1,10}再|[一大小]半(?![年天月])"  # 在写论文, 看了一半: under way
                   r"|每(?:天|日|晚|周|星期|个?月|年|季度?)?\w{0,3}\0"  # 每周读书一本: a habit
                   r"|[月年周]底前"
                   r"|报名了?(?=\0)|(?<=\0)报名|在[写做搞弄编看读学]了?$|(?<![很飞挺较更最尽赶加愉])快(?![速捷乐])要?\w?完"
                   r"|补上$|(?:继续(?!教育)|努力)(?![^,。]*[了完过])|不" + GIVE_UP +  # 月底前…补上: still to do
                   # 等我搞定这个bug就去读书 (not 等车的时候就…), 就剩论文了, (还)得发两篇论文
                   r"|(?<!\0)等(?![了等待])(?![^\0]{0,12}时)[\w\0]{1,12}就|(?:就|只|还)剩|(?:还|^)得(?![了到奖过])"
                   r"|的话|如果|假如|要是|打算|准备(?!了|工作)|计划(?!了)|希望|即将|将要|需要|应该"
                   r"|(?<![得有了])一定(?!的|程度)|争取(?!到)"  # 一定把书读完: a promise; 取得一定成效 is none
                   r"|推荐|值得|目标是|\0一大?堆$|(?<![模草])拟(?=于|在|将|报|参加)|慢慢"
                   r"|(?<![思理感梦联设构回猜])想(?!法|起来?报)" + NOT_REGISTER +
                   r"|(?<![重主纪摘只需必概])要(?![求点素])" + NOT_REGISTER)
# still to do, unless the words after the cue say something was done (回头看了一遍《红岩》, 约了…会谈了一次):
# 回头, 回家就, 回家再整理心得, 下个月再交流一次 (年度再培训 is a noun), 寻思, 约了书记下午深度会谈,
# 陪孙子学习, 借几本专业书 (no reading)
LATER = re.compile(r"回头|(?:回去|回家|马上|待会儿?|等会儿?|一会儿?)就|(?:回家|回去|下次|以后|有空|改天|到时候?)再"
                    r"|(?:^|(?<=[\0\s我俺咱]))再(?!次|度)(?=\w?\0)|寻思|琢磨|(?<!大)约(?!谈)(?:了|好了?)?(?=[\w\0]{0,8}\0)"
                    r"|陪(?!同)\w{1,4}(?:一起)?\w?\0|(?<![采收])(?:借(?!鉴|助|此|调)|买|订购|购买)(?:了|来|回|到)?\w{0,6}?(?:\0|$)")
OPINION = re.compile(r"喜欢|热爱|爱好|不错|好看|适合|写得|真好|很好|太好|精彩|感人|yyds|绝绝子|太难|好难|真难"  # unless done
                      r"|督促|促进|促使|激励|鼓励|带动|推动|号召|倡导|提倡")  # 能督促大家学习: of others
PRAISE = re.compile(r"祝贺|恭喜|贺喜|点个?赞|佩服|致敬|向\w{1,6}学习")  # 祝贺王师傅获奖: someone else's
PROGRESS = re.compile(r"还在|仍在|一直在")
INTENDS = re.compile(r"计划(?!了)|打算|准备(?!了)|争取(?!到)|希望|拟")
DONE_ANY = re.compile(r"[了过完已]|通过|获得|取得")
UNDER_WAY = re.compile(r"准备中|进行中|正在|还在|仍在|一直在|在[写做看读学]")  # 难题还在排查: under way, unless the clause says 了/完
DONE = re.compile(r"了|完")
SPACE = re.compile(r"\s")
PRAISED = re.compile(r"(?:太|真|很|挺|非常|特别)(?:好看|精彩|不错|好|棒|感人)(?:了|极了)")  # 太好看了: no 了 of doing
REFERENCE = re.compile(r"[那这](?:个|些|本|篇|部)\w{0,8}$")  # 客户投诉的那个电表难题: a thing spoken of
FINISHED = re.compile(r"了|完|过|已|搞定|终于|成功")
TOPIC = re.compile(r"(?<=\0)的话")
ANY = re.compile(r"([没未][\w\0]{0,4})(?:什么|谁|啥)")  # 还没解决什么难题, 还没和谁谈过: "any", no question
NOT_DONE = re.compile(r"[没未]")
NOT_ONE = re.compile(r"\W*一\w?(?:都|也)还?[没未]")  # 一项都没有
NOTHING = re.compile(r"(?:啥|什么|一样|一项)(?:都|也)(?:还)?[没未](?!有?(?:时间|空|功夫))")  # 啥都没学: nothing done
UNDONE = re.compile(r"[没未](?:有|能)?(?:考|读|看|学|写|交流|参加|完成|授权|通过|听|解决|谈|拿到|取得|发表)")  # 没授权
UNFINISHED = re.compile(r"[没未]有?\w{0,2}完(?!成)")  # 还没看完: begun, not finished
# not remembering an amount (具体几本记不清了, 几个小时忘了) hedges it; not knowing how to use the bot (第一次用不太会)
# says nothing of the activities; neither denies anything
UNCERTAIN = r"(?:几|多少)\w{0,3}忘了|记不(?:太|大)?清|(?:不太?|没)记得|记不得|不太?确定|说不准|不太?清楚"
APPROX = re.compile(r"或|左右|大概|大约|差不多|估计|可能|好像|" + UNCERTAIN)
NOT_DENIAL = re.compile(UNCERTAIN + r"|不太?(?:会|懂)(?:用|弄|操作)?(?!\w)|不\w{1,2}不行"  # 不卷不行: must
                         r"|没有?(?:什么|啥)?问题")  # 没什么问题: all fine
NOTICE = re.compile(r"请大家|请各|请于|@所有人|请准时|【通知】"
                     r"|各位[\w]{0,4}(?:同志|党员)\W|(?<!我)记得(?:去(?!年)|参加|按时)|(?:大家|各位)(?:要|记得|注意|准时|按时|务必|别忘)"
                     r"|欢迎(?:大家|各位)?(?:来|参加)(?!指导|检查|视察)|的通知|^通知|我(?:已经?)?通知|通知(?:一下)?大家|转发")
TEMPLATE = re.compile(r"格式|例如|比如|模板|参考|照这个")  # 格式如下 我：读书X本: an example, no report
EXEMPLARY = re.compile(r"值得(?:大家|我们|咱们)?学习")  # 老王解决了两个难题，值得大家学习: another's
BEHALF = re.compile(r"(?:替|代)[他她]")  # 老张去培训了 我替他说一声: another's
THIRD = re.compile(r"(?<!其)[他她]")  # 给他点个赞: praise of someone else names their activity
# 他评上了主治医师, 隔壁组都读了5本, 我儿子考试过了: someone else's doing, not a report
OTHERS = re.compile(r"\W*(?:[他她]们?(?![和跟与])|我?家?(?:儿子|女儿|孩子|闺女|老婆|爱人|媳妇|老公)"
                    r"|(?:隔壁\w{0,2}|别人|人家|其他人)(?=都|也|已经|又|还|早就|[读看交解参发考拿])(?![^\0]{0,4}的))")
STILL = re.compile(r"(?:还|仍|依然|仍然)是\0+$")  # 学历没提升，还是大专: no new degree
DESCRIBED = re.compile(r"\0+的\W*$")
JUST = re.compile(r"刚|终于|总算")  # 我刚本科毕业的, 我是今年本科毕业的: news of one's own
LIKEWISE = re.compile(r"\W*\0+\W*也(?:是|一样)(?!\w)")
REPLY = re.compile(r"(?:^|\n)\W*(?:收到|好的|明白|已阅|了解)", re.M)
# the member's own part after a quoted notice (…请于25日前报送。 我的：读书一本; 我这边：…; ——我先报：…)
OWN = re.compile(r"[\s\-—]*(?:我|俺|本人)(?:的|这边|这里)?(?:情况|先报|来报|报)?\s*:|[\s\-—]*(?:我|俺)的情况\s|\s+—{2}"
                  r"|[\s\-—]*(?:我|俺|本人)(?=这个?月|本月|今年|这季度|本季度)")
ACTED = re.compile(r"(?:[和跟与同]|在)[^\0,。你您帮]{1,10}\0")  # 和同事交流了心得, 在班组里交流了
FOR_ME = re.compile(r"[你您帮]|谢|感|$")  # what is said before this, if anything
AGAIN = re.compile(r"又|(?<=\0)也(?![是算就])")  # 合理化建议也采纳了一条: one more
THANKS = re.compile(r"谢谢|感谢|多谢|谢了")
