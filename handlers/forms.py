"""Paper-form messages: `姓名：王海燕 学习内容：读书 数量：1本 书名：平凡的世界`.

Two or more known field labels make a form. Its fields are read as labels, not as words of the
message: who fills it in (姓名, 支部 ...) says nothing of the activity; 日期/时间 give the date,
学习内容/类别/项目 the activity, 数量/次数/时长/学时 the amount, 书名/名称/题目 the title(s). The
form is rewritten as the one-line report it stands for (`读书 1本 《平凡的世界》`), which the
parser then reads like any other. Pure; no I/O.
"""
from __future__ import annotations

import re

_WHO = r"姓名|名字|单位|所在单位|部门|所在部门|党支部|所在支部|支部|班组|岗位|职务|工号|电话|手机|地点|备注|填报人|填表人"
_WHEN = r"学习日期|学习时间|完成日期|完成时间|活动日期|活动时间|日期|时间"
_WHAT = r"学习内容|活动内容|学习类型|学习形式|学习类别|内容|项目|类别|类型|形式|事项"
_AMOUNT = r"数量|次数|时长|学时|课时|本数|篇数|个数"
_TITLE = r"书名|篇名|题目|标题|课题|主题|\w{0,4}名称"
_LABEL = re.compile(rf"(?:^|(?<=[\s,，;；]))({_WHO}|{_WHEN}|{_WHAT}|{_AMOUNT}|{_TITLE})\s*[:：]", re.M)
_ROLES = tuple((role, re.compile(f"(?:{words})$")) for role, words in (
    ("who", _WHO), ("when", _WHEN), ("what", _WHAT), ("amount", _AMOUNT), ("title", _TITLE)))
_BARE = re.compile(r"\d+(?:\.\d+)?|[一二两三四五六七八九十]+")  # 学时：6
_UNITS = {"学时": "学时", "课时": "学时", "时长": "小时", "次数": "次"}  # 学时：6, 次数：2
_SEVERAL = re.compile(r"\s*[、,，;；]\s*")  # 书名：红岩、活着


def _role(label: str) -> str:
    return next(role for role, words in _ROLES if words.fullmatch(label))


def _titles(value: str) -> list[str]:
    """A title field's value as 《》 titles, one per name listed."""
    if "《" in value or "<<" in value:
        return [value]
    return [f"《{name}》" for name in _SEVERAL.split(value) if name]


def rewrite(text: str) -> str | None:
    """The report a form stands for, one line per record (the same label of the activity said again
    starts the next: 项目：读书 数量：2\n项目：心得交流 数量：1), or None when the message is no form."""
    labels = list(_LABEL.finditer(text))
    if len(labels) < 2:
        return None
    records = [_record()]
    head = text[:labels[0].start()].strip()
    for label, following in zip(labels, labels[1:] + [None]):
        value = text[label.end():following.start() if following else len(text)].strip(" \t\r\n\u3000,，;；。")
        role = _role(label[1])
        if not value or role == "who":
            continue
        if role == "what" and label[1] in records[-1]["labels"]:
            records.append(_record())
        records[-1]["labels"].append(label[1])
        if role == "amount" and _BARE.fullmatch(value) and label[1] in _UNITS:
            value += _UNITS[label[1]]
        records[-1][role] += _titles(value) if role == "title" else [value]
    if not any(r["what"] or r["amount"] or r["title"] for r in records):
        return None
    records[0]["when"] += [head] if head else []  # 理论学习 次数：2 日期：11月20日: the day, then the heading
    return "\n".join(" ".join(r["when"] + r["what"] + r["amount"] + r["title"]) for r in records)


_SKIPPED = re.compile(r"序号|编号|作者|备注|奖项|级别|等级|说明|姓名|单位名称|部门")
# a table's column headings, by what the column holds; the label the form's reading knows it by
_HEADINGS = ((re.compile(r"\w{0,4}(?:日期|时间)|季度|月份"), "时间"), (re.compile(r"学时|课时"), "学时"),
             (re.compile(r"次数"), "次数"), (re.compile(r"数量|个数|本数|篇数"), "数量"), (re.compile(r"单位"), "单位"),
             (re.compile(r"书名|篇名|题目|标题|名称|主题|课程"), "名称"), (re.compile(r"项目|内容|类别|类型|事项"), "项目"))
_NAMED = {"名称": re.compile(r"(\w{1,6}?)(?:名称|名)"), "项目": re.compile(r"(\w{1,6}?)(?:类型|类别|对象|内容|项目)")}
_LIST_HEAD = re.compile(r"\W*(\w{2,8}?)(?:情况|清单|台账|汇总|记录|统计|明细)?\W*")  # 解决难题清单 above the table


def _heading(cell: str) -> tuple[str, str] | None:
    """A table's column heading as (label, what it adds to the activity): 培训名称 -> (名称, 培训),
    成果类型 -> (项目, 成果), 读完日期 -> (时间, ""); None for a column saying nothing of it (序号, 作者)."""
    if not cell or _SKIPPED.fullmatch(cell):
        return None
    for pattern, label in _HEADINGS:
        if pattern.fullmatch(cell):
            return label, ""
    return next(((label, m[1]) for label, named in _NAMED.items() if (m := named.fullmatch(cell))), None)


def _ruled(lines: list[str], at: int) -> bool:
    """The line and the one below it have the same number of columns (理论学习\t次数 above 党课\t2)."""
    return at + 1 < len(lines) and lines[at].count("\t") == lines[at + 1].count("\t") > 0


def tabulated(text: str) -> str | None:
    """A table pasted from a spreadsheet (项目\t数量\t时间 above 读书\t1\t11月15日) as the form it stands for,
    one record per row (项目：读书 数量：1 时间：11月15日); a cell left blank under a merged one takes the
    value above it. The lines above the table stay; a first column headed by an activity (理论学习\t次数,
    深度会谈对象\t日期) adds it to each row. None when the message holds no such table."""
    lines = text.split("\n")
    at = next((i for i, line in enumerate(lines) if "\t" in line and sum(
        _heading(c.strip()) is not None for c in line.split("\t")) >= (1 if _ruled(lines, i) else 2)), None)
    if at is None:
        return None
    cells = [c.strip() for c in lines[at].split("\t")]
    plan = "计划" if any("计划" in c for c in cells) else ""  # 计划数量\t计划完成时间: each row is planned
    headings = [_heading(c) for c in cells]
    if headings[0] is None and cells[0] and not _SKIPPED.fullmatch(cells[0]):
        headings[0] = ("项目", cells[0])  # 理论学习\t次数: the rows name kinds of it
    head = _LIST_HEAD.fullmatch(lines[at - 1]) if at and len(lines[at - 1].strip()) <= 12 else None
    named = head[1] if head and not any(h and h[0] == "项目" for h in headings) else ""  # 读书情况 above 书名\t…
    rows, above = [], [""] * len(cells)
    for line in lines[at + 1:]:
        if "\t" not in line:
            break
        fields = []
        for index, (heading, value) in enumerate(zip(headings, (c.strip() for c in line.split("\t")))):
            value = value or (above[index] if heading and heading[0] == "项目" else "")
            above[index] = value
            if not heading and value and not _SKIPPED.fullmatch(cells[index]):
                fields.append(value)  # 完成情况: 已完成1本, 未完成
            elif heading and value:
                label, adds = heading
                if label == "名称" and adds:  # 培训名称: the activity, then the name
                    fields.insert(0, f"项目:{adds}")
                    adds = ""
                field = f"{label}:{plan if label == '项目' else ''}{adds}{value}" if label != "单位" else value
                if label == "项目":
                    fields.insert(0, field)  # the activity first: a repeated one starts the next record
                else:
                    fields.append(field)
        rows.append(" ".join(([f"项目:{named}"] if named else []) + fields))
    return "\n".join(lines[:at - 1 if named else at] + rows) if rows else None


def _record() -> dict[str, list[str]]:
    """One record of a form: its values by role, and the labels said in it."""
    return {"when": [], "what": [], "amount": [], "title": [], "labels": []}


_SPACED = re.compile(r"(?:[\u4e00-\u9fff\d] ){3,}[\u4e00-\u9fff\d](?![\u4e00-\u9fff\d])")  # 培 训 8 学 时


def unspaced(text: str) -> str | None:
    """The message with characters typed one by one with spaces between (业 务 心 得 交 流 一 次) closed up,
    or None when it has no such run of four or more."""
    closed = _SPACED.sub(lambda m: m.group().replace(" ", ""), text)
    return closed if closed != text else None
