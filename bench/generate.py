"""A synthetic company for the benchmarks: branches, members, three years of entries, bulk-loaded.

    .venv/bin/python bench/generate.py --url postgresql+psycopg://postgres@127.0.0.1/hongling_bench
    .venv/bin/python bench/generate.py --url sqlite:///bench/.data/hongling_bench.db --members 10000

What it makes (defaults: 100,000 members in 2,000 branches, 36 months ending today):
- branches of 5-80 members averaging 50 (a Beta(3, 2) spread; the first and every 50th have
  exactly 80: 40 such branches in 2,000),
  one secretary each, three admins in the first (the 党委's own branch, whose reach is every branch);
  1 % of members on leave until next month;
- for each member an activity level (Beta(2.2, 1.6)) that scales how often they report each kind
  in each of its periods: 读书 and 心得 monthly, 理论学习 and 培训 now and then, 难题 quarterly,
  会谈 half-yearly, 成果 yearly, 自考 / 技能 / 转化 / 学历 rarely. 60 % of reports fall in the last
  seven days of their month. This month only has what was reported before today;
- statuses as the bot would leave them: 2 % revoked, 1 % of titled entries duplicates (0 points),
  approval kinds pending when recent, else 88 % recorded / 12 % rejected by the secretary;
- one inbound message per entry (the callback that created it, with its reply), and the outbox
  history of past monthly reminders (20th and last day; ~60 % of members) and summaries;
- ids in time order (as a live system assigns them), so one member's entries are spread over
  the table, not clustered;
- the visibility map of a live database: everything but the last six months is vacuumed
  (PostgreSQL's autovacuum runs on an insert-only table after 20 % new rows, here about
  seven months), so index-only scans still read the table for recent rows, as they would.

The schema comes from the app's own path (models.db.create_schema, i.e. the migrations). PostgreSQL is loaded with
COPY (three connections streaming at once, foreign-key triggers off, secondary indexes built
after the load, VACUUM six months before the end, ANALYZE at the end); SQLite with
executemany in large transactions.
The database is wiped first: the URL must name a database with "bench" in it.
"""
from __future__ import annotations

import argparse
import json
import math
import random
import sqlite3
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Callable
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import text as sql_text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlmodel import SQLModel  # noqa: E402

from bot.config import build_config  # noqa: E402
from models.db import create_schema, make_engine  # noqa: E402
from models.periods import period_bounds, period_key, period_label  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
RATE = 0.8  # scales every reporting probability: ~50 entries per member over three years
VACUUMED_BEFORE = 6  # months: the visibility map covers everything older (see the docstring)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍建国红志文辉力斌宇鹏浩凯波峰鑫琳晨欣婷雪梅海龙飞云东亮成林俊博振宏德新春晓岩松毅立"
UNITS = ["变电运维", "输电运检", "配电运检", "营销服务", "电力调度", "信息通信", "物资供应", "安全监察", "财务资产",
         "发展策划", "人力资源", "计量中心", "客户服务", "检修分公司", "供电所", "项目管理", "党建工作", "综合服务",
         "经济技术研究", "电网建设"]
BOOKS = ["红岩", "平凡的世界", "习近平的七年知青岁月", "之江新语", "毛泽东选集", "共产党宣言", "红星照耀中国",
         "觉醒年代", "长征", "苦难辉煌", "大国工匠", "电网调度运行技术", "配电网规划", "电力安全工作规程",
         "人民的名义", "穿越百年中东", "乡土中国", "百年大党", "谈治国理政", "中国共产党简史", "论持久战",
         "可爱的中国", "谁是最可爱的人", "青春之歌", "林海雪原", "红日", "保卫延安", "创业史", "山乡巨变", "额尔古纳河右岸",
         "人世间", "装台", "主角", "应物兄", "牵风记", "北上", "雪山大地", "千里江山图", "本巴", "宝水"]
PROBLEMS = ["10kV线路频繁跳闸原因排查", "台区线损异常治理", "变压器油温过高处理", "用户电压偏低整改", "开关柜局放检测",
            "计量装置接线错误排查", "配网自动化终端掉线", "电缆沟积水治理", "继电保护误动分析", "无功补偿装置故障"]
RESULTS = ["配网运维管理探讨", "基于数据分析的线损治理", "变电站巡检机器人应用", "安全生产培训课件", "班组建设调研报告",
           "电力营销服务提升研究", "带电作业技术总结", "智能电表故障分析", "新能源接入影响研究", "党建引领业务融合实践"]


@dataclass
class Stats:
    """What one generation made and how long it took (seconds)."""

    url: str
    members: int
    branches: int
    entries: int = 0
    inbound: int = 0
    outbox: int = 0
    first_day: str = ""
    today: str = ""
    load_seconds: float = 0.0
    index_seconds: float = 0.0
    analyze_seconds: float = 0.0
    total_seconds: float = 0.0
    size_bytes: int = 0
    kinds: dict = field(default_factory=dict)


def _check_url(url: str) -> None:
    parsed = make_url(url)
    if "bench" not in (parsed.database or ""):
        raise SystemExit(f"refusing to wipe {parsed.database!r}: a bench database's name must contain 'bench'")


def branch_sizes(rng: random.Random, members: int, branches: int) -> list[int]:
    """Sizes of 5-80 adding up to `members`; the first branch and every 50th have exactly 80."""
    fixed = {i for i in range(branches) if i % 50 == 0}
    sizes = [80 if i in fixed else round(5 + 75 * rng.betavariate(3, 2)) for i in range(branches)]
    free = [i for i in range(branches) if i not in fixed]
    diff = members - sum(sizes)
    i = 0
    while diff and free:
        j = free[i % len(free)]
        step = 1 if diff > 0 else -1
        if 5 <= sizes[j] + step <= 80:
            sizes[j] += step
            diff -= step
        i += 1
    return sizes


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


class Company:
    """Deterministic (seeded) rows for one synthetic company, streamed month by month."""

    def __init__(self, *, members: int, branches: int, today: date, months: int = 36, seed: int = 7,
                 ts_suffix: str = "+00"):
        self.rng = random.Random(seed)
        self.today = today
        self.first = add_months(month_start(today), -(months - 1))
        self.months = months
        self.ts_suffix = ts_suffix
        self.config = build_config()
        self.rules = self.config.rules
        sizes = branch_sizes(self.rng, members, branches)
        self.branches = []
        used = set()
        for number, _ in enumerate(sizes, start=1):
            name = f"{UNITS[number % len(UNITS)]}第{number}党支部" if number > 1 else "党委机关党支部"
            assert name not in used
            used.add(name)
            self.branches.append((number, name, None))
        self.members = []       # (id, userid, name, branch_id, role, leave_until)
        self.activity = []      # per member index
        self.secretary_of = {}  # branch id -> member id
        leave = (add_months(month_start(today), 1) + timedelta(days=14)).isoformat()
        member_id = 0
        for branch_id, size in enumerate(sizes, start=1):
            for k in range(size):
                member_id += 1
                role = "secretary" if k == 0 else ("admin" if branch_id == 1 and k <= 3 else "member")
                if role == "secretary":
                    self.secretary_of[branch_id] = member_id
                name = self.rng.choice(SURNAMES) + "".join(self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2, 2))))
                on_leave = leave if role == "member" and self.rng.random() < 0.01 else None
                self.members.append((member_id, f"u{member_id:06d}", name, branch_id, role, on_leave))
                self.activity.append(self.rng.betavariate(2.2, 1.6) * RATE)
        snapshot = _snapshot_function()
        self.rule_json = {code: snapshot(rule) for code, rule in self.rules.kinds.items()}
        self.next_id = 1

    # ------------------------------------------------------------------ dates
    def _day_in_month(self, first: date) -> date:
        last = add_months(first, 1) - timedelta(days=1)
        if self.rng.random() < 0.6:
            return last - timedelta(days=self.rng.randrange(7))
        return first + timedelta(days=self.rng.randrange(last.day))

    def _day_in_period(self, period: str, first: date) -> date:
        size = {"quarter": 3, "halfyear": 6, "year": 12}[period]
        return self._day_in_month(add_months(first, self.rng.randrange(size)))

    # ------------------------------------------------------------------ events
    def _events_for_month(self, first: date) -> list[tuple]:
        """(day, member index, kind, quantity, title, level) of the monthly kinds."""
        rng, out = self.rng.random, []
        for index, a in enumerate(self.activity):
            if rng() < a * 0.8:
                for _ in range(2 if rng() < 0.25 else 1):
                    out.append((self._day_in_month(first), index, "book", 2 if rng() < 0.1 else 1,
                                self.rng.choice(BOOKS) if rng() < 0.8 else None, None))
            if rng() < a * 0.65:
                out.append((self._day_in_month(first), index, "insight", 1, None, None))
            if rng() < a * 0.5:
                for _ in range(2 if rng() < 0.3 else 1):
                    out.append((self._day_in_month(first), index, "theory", 1, None, None))
            if rng() < a * 0.15:
                out.append((self._day_in_month(first), index, "training", self.rng.choice((2, 4, 8)), None, None))
        return out

    def _events_for_period(self, period: str, first: date) -> list[tuple]:
        rng, out = self.rng.random, []
        levels = list(self.rules.kinds["degree"].levels) if "degree" in self.rules.kinds else []
        for index, a in enumerate(self.activity):
            if period == "quarter" and rng() < a * 0.7:
                for _ in range(2 if rng() < 0.3 else 1):
                    out.append((self._day_in_period(period, first), index, "problem", 1, None, None))
            elif period == "halfyear" and rng() < a * 0.75:
                for _ in range(2 if rng() < 0.2 else 1):
                    out.append((self._day_in_period(period, first), index, "talk", 1, None, None))
            elif period == "year":
                if rng() < a * 0.65:
                    for _ in range(2 if rng() < 0.3 else 1):
                        out.append((self._day_in_period(period, first), index, "result", 1,
                                    self.rng.choice(RESULTS) + f"（{self.rng.randrange(1, 99)}）", None))
                if rng() < a * 0.25:
                    out.append((self._day_in_period(period, first), index, "exam", 1, None, None))
                if rng() < a * 0.12:
                    out.append((self._day_in_period(period, first), index, "skill", 1, None, None))
                if rng() < a * 0.1:
                    out.append((self._day_in_period(period, first), index, "transfer", 1, None, None))
                if levels and rng() < 0.01:
                    out.append((self._day_in_period(period, first), index, "degree", 1, None, self.rng.choice(levels)))
        return out

    # ------------------------------------------------------------------ rows
    def _source(self, kind: str, quantity: float, title: str | None, level: str | None) -> str:
        if kind == "book":
            return f"读书{'两' if quantity == 2 else '一'}本" + (f"《{title}》" if title else "")
        if kind == "result":
            return f"发表论文一篇《{title}》"
        return {"insight": "今天在班组交流了业务心得", "theory": "参加党课学习", "training": f"参加公司安全培训{quantity:g}学时",
                "problem": f"解决难题：{self.rng.choice(PROBLEMS)}", "talk": "和支部书记深度会谈一次",
                "exam": "自考通过一门", "skill": "取得高级工职业技能等级证书", "transfer": "合理化建议被采纳一项",
                "degree": f"取得{level}学历"}[kind]

    def months_rows(self) -> "Iterator[tuple[date, list, list, list]]":
        """Per month: (first day, entry rows, inbound rows, outbox rows), ids in time order."""
        buckets: dict[date, list] = {}
        suffix = self.ts_suffix
        today = self.today
        recent = today - timedelta(days=30)
        kinds = self.rules.kinds
        for m in range(self.months):
            first = add_months(self.first, m)
            for period in ("quarter", "halfyear", "year"):
                start, _ = period_bounds(period, first)
                if start == first or m == 0:
                    for event in self._events_for_period(period, start):
                        if self.first <= event[0] < today:
                            buckets.setdefault(month_start(event[0]), []).append(event)
            events = [e for e in self._events_for_month(first) if e[0] < today] + buckets.pop(first, [])
            stamped = [(day, self.rng.randrange(0, 15 * 3600), index, kind, qty, title, level)
                       for day, index, kind, qty, title, level in events]
            stamped.sort(key=lambda e: (e[0], e[1]))
            entries, inbound = [], []
            seen_titles = set()
            for day, secs, index, kind, qty, title, level in stamped:
                rule = kinds[kind]
                member_id, userid, _, branch_id, _, _ = self.members[index]
                entry_id = self.next_id
                self.next_id += 1
                created = f"{day.isoformat()} {secs // 3600:02d}:{secs // 60 % 60:02d}:{secs % 60:02d}{suffix}"
                points = float(rule.levels.get(level, 0)) if rule.levels else rule.points * qty
                status, duplicate, note = "recorded", False, None
                reviewed_by = reviewed_at = review_note = None
                if rule.approval:
                    if day >= recent and self.rng.random() < 0.5:
                        status = "pending"
                    else:
                        reviewed_by = self.secretary_of[branch_id]
                        reviewed_at = created
                        if self.rng.random() < 0.12:
                            status, review_note = "rejected", "证明材料不清晰"
                if title and ((member_id, title) in seen_titles or self.rng.random() < 0.01):
                    duplicate, points, note = True, 0.0, f"《{title}》今年已登记过，不重复计分"
                seen_titles.add((member_id, title))
                if self.rng.random() < 0.02:
                    status = "revoked"
                source = self._source(kind, qty, title, level)
                entries.append((entry_id, member_id, kind, float(qty), points, title, level, day.isoformat(),
                                status, duplicate, note, self.rule_json[kind], source, entry_id, created,
                                reviewed_by, reviewed_at, review_note, None, None))
                reply = f"已记录：{rule.name} {qty:g} {rule.unit} +{points:g} 分。"
                inbound.append((entry_id, f"msg:{10**12 + entry_id}", userid, "text", created, reply))
            yield first, entries, inbound, self._outbox_rows(first)

    def _outbox_rows(self, first: date) -> list[tuple]:
        """Past occasions of this month: monthly reminders on the 20th and last day, the summary on the 1st."""
        rows = []
        last = add_months(first, 1) - timedelta(days=1)
        suffix = self.ts_suffix
        rng = self.rng.random
        texts = {}
        for code_set in (("book",), ("insight",), ("book", "insight")):
            names = "、".join(self.rules.kinds[c].name for c in code_set)
            texts[code_set] = (f"【学习提醒】同志您好，本月（{period_label('month', first)}）您还未完成：{names}。"
                               f"完成后直接发送如「读书一本」即可登记。")
        key = period_key("month", first)
        expires = f"{last.isoformat()} 16:00:00{suffix}"
        for occasion in (first.replace(day=20), last):
            if occasion >= self.today:
                continue
            stamp = f"{occasion.isoformat()} 01:00:00{suffix}"
            share = 0.6 if occasion.day == 20 else 0.35
            for member_id, userid, _, _, role, on_leave in self.members:
                if on_leave or rng() >= share:
                    continue
                r = rng()
                owed = ("book", "insight") if r < 0.5 else ("book",) if r < 0.75 else ("insight",)
                rows.append((userid, "monthly", key, occasion.isoformat(), ",".join(owed), texts[owed], "sent", 1,
                             None, None, None, stamp, stamp, 0, None, expires, stamp))
        if first > self.first and first <= self.today:
            prev = add_months(first, -1)
            stamp = f"{first.isoformat()} 01:00:00{suffix}"
            expires = f"{last.isoformat()} 16:00:00{suffix}"
            for member_id, userid, _, branch_id, role, _ in self.members:
                if role == "secretary":
                    rows.append((userid, "summary", period_key("month", prev), first.isoformat(), None,
                                 f"【支部月报】{self.branches[branch_id - 1][1]} {period_label('month', prev)}……",
                                 "sent", 1, None, None, None, stamp, stamp, 0, None, expires, stamp))
        return rows


def _snapshot_function() -> Callable:
    try:
        from models.ledger import _snapshot
        return _snapshot
    except ImportError:  # the snapshot is only stored text: any stable JSON will do
        return lambda rule: json.dumps({"points": rule.points, "cap": rule.cap}, sort_keys=True)


ENTRY_COLUMNS = ("id", "member_id", "kind", "quantity", "points", "title", "level", "occurred_on", "status",
                 "duplicate", "note", "rule", "source_text", "inbound_id", "created_at", "reviewed_by",
                 "reviewed_at", "review_note", "evidence_media_id", "evidence_url")
INBOUND_COLUMNS = ("id", "dedup_key", "userid", "msg_type", "received_at", "reply")
OUTBOX_COLUMNS = ("userid", "topic", "period_key", "occasion", "kinds", "content", "status", "attempts",
                  "claim_token", "lease_until", "not_before", "attempted_at", "sent_at", "errcode", "errmsg",
                  "expires_at", "created_at")
LOADED = ("entry", "inbound_message", "outbox", "member")


def _secondary_indexes():
    """Non-unique indexes of the bulk-loaded tables (dropped before the load, built after)."""
    return [index for name in LOADED for index in SQLModel.metadata.tables[name].indexes]


def _reset(engine) -> None:
    """Drop everything, then build the schema the app's own way (the migrations, to head)."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(sql_text("DROP SCHEMA public CASCADE"))
            conn.execute(sql_text("CREATE SCHEMA public"))
    create_schema(engine, upgrade_if_behind=True)


def generate(url: str, *, members: int = 100_000, branches: int = 2_000, months: int = 36,
             today: date | None = None, seed: int = 7, outbox_history: bool = True,
             log: Callable[[str], None] = print) -> Stats:
    """Wipe the bench database at `url` and fill it; returns counts and timings."""
    _check_url(url)
    from datetime import datetime
    today = today or datetime.now(TZ).date()
    backend = make_url(url).get_backend_name()
    started = time.perf_counter()
    if backend == "sqlite":
        path = Path(make_url(url).database)
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    engine = make_engine(url)
    _reset(engine)
    company = Company(members=members, branches=branches, today=today, months=months, seed=seed,
                      ts_suffix="+00" if backend == "postgresql" else ".000000")
    stats = Stats(url=url, members=members, branches=branches, first_day=company.first.isoformat(),
                  today=today.isoformat())
    indexes = _secondary_indexes()
    with engine.begin() as conn:
        for index in indexes:
            index.drop(conn)
    engine.dispose()
    log(f"generating {members:,} members in {branches:,} branches, {months} months to {today} into {backend}")
    if backend == "postgresql":
        _load_postgres(url, company, stats, outbox_history, log)
    else:
        _load_sqlite(path, company, stats, outbox_history, log)
    stats.load_seconds = time.perf_counter() - started
    t = time.perf_counter()
    engine = make_engine(url)
    with engine.begin() as conn:
        if backend == "postgresql":
            conn.execute(sql_text("SET maintenance_work_mem = '512MB'"))
        for index in indexes:
            index.create(conn)
    stats.index_seconds = time.perf_counter() - t
    t = time.perf_counter()
    if backend == "postgresql":
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(sql_text("ANALYZE"))
            stats.size_bytes = conn.execute(sql_text("SELECT pg_database_size(current_database())")).scalar()
            stats.kinds = dict(conn.execute(sql_text("SELECT kind, count(*) FROM entry GROUP BY kind ORDER BY 2 DESC")).all())
    else:
        with engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            stats.kinds = dict(conn.execute(sql_text("SELECT kind, count(*) FROM entry GROUP BY kind ORDER BY 2 DESC")).all())
        stats.size_bytes = path.stat().st_size
    engine.dispose()
    stats.analyze_seconds = time.perf_counter() - t
    stats.total_seconds = time.perf_counter() - started
    log(f"done in {stats.total_seconds:.0f} s: {stats.entries:,} entries, {stats.inbound:,} inbound messages, "
        f"{stats.outbox:,} outbox rows; {stats.size_bytes / 2**30:.2f} GiB")
    return stats


def _load_postgres(url: str, company: Company, stats: Stats, outbox_history: bool, log) -> None:
    import psycopg
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    conns = [psycopg.connect(dsn) for _ in range(3)]
    try:
        for conn in conns:
            conn.execute("SET session_replication_role = replica")  # no FK triggers during the load
            conn.execute("SET synchronous_commit = off")
        c0, c1, c2 = conns
        with c0.cursor().copy("COPY branch (id, name, parent_id) FROM STDIN") as copy:
            for row in company.branches:
                copy.write_row(row)
        with c0.cursor().copy("COPY member (id, userid, name, branch_id, role, leave_until) FROM STDIN") as copy:
            for row in company.members:
                copy.write_row(row)
        c0.commit()
        months = company.months_rows()
        for segment in ("vacuumed", "recent"):
            with c0.cursor().copy(f"COPY entry ({', '.join(ENTRY_COLUMNS)}) FROM STDIN") as entries, \
                    c1.cursor().copy(f"COPY inbound_message ({', '.join(INBOUND_COLUMNS)}) FROM STDIN") as inbound, \
                    c2.cursor().copy(f"COPY outbox ({', '.join(OUTBOX_COLUMNS)}) FROM STDIN") as outbox:
                for first, e_rows, i_rows, o_rows in months:
                    for row in i_rows:
                        inbound.write_row(row)
                    for row in e_rows:
                        entries.write_row(row)
                    if outbox_history:
                        for row in o_rows:
                            outbox.write_row(row)
                        stats.outbox += len(o_rows)
                    stats.entries += len(e_rows)
                    stats.inbound += len(i_rows)
                    if first.month in (1, 7):
                        log(f"  {first:%Y-%m}: {stats.entries:,} entries so far")
                    if segment == "vacuumed" and first >= add_months(month_start(company.today), -VACUUMED_BEFORE - 1):
                        break
            for conn in conns:
                conn.commit()
            if segment == "vacuumed":
                with psycopg.connect(dsn, autocommit=True) as vacuum:
                    for table in ("entry", "inbound_message", "outbox"):
                        vacuum.execute(f"VACUUM {table}")
                log(f"  vacuumed up to {first:%Y-%m}")
        for conn in conns:
            conn.commit()
        for table, column in (("branch", "id"), ("member", "id"), ("entry", "id"), ("inbound_message", "id"),
                              ("outbox", "id")):
            c0.execute(f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), "
                       f"(SELECT coalesce(max({column}), 0) + 1 FROM {table}), false)")
        c0.commit()
    finally:
        for conn in conns:
            conn.close()


def _load_sqlite(path: Path, company: Company, stats: Stats, outbox_history: bool, log) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("PRAGMA cache_size=-262144")
        conn.execute("BEGIN")
        conn.executemany("INSERT INTO branch (id, name, parent_id) VALUES (?, ?, ?)", company.branches)
        conn.executemany("INSERT INTO member (id, userid, name, branch_id, role, leave_until) VALUES (?, ?, ?, ?, ?, ?)",
                         company.members)
        conn.execute("COMMIT")
        marks = lambda columns: ", ".join("?" * len(columns))  # noqa: E731
        insert_entry = f"INSERT INTO entry ({', '.join(ENTRY_COLUMNS)}) VALUES ({marks(ENTRY_COLUMNS)})"
        insert_inbound = f"INSERT INTO inbound_message ({', '.join(INBOUND_COLUMNS)}) VALUES ({marks(INBOUND_COLUMNS)})"
        insert_outbox = f"INSERT INTO outbox ({', '.join(OUTBOX_COLUMNS)}) VALUES ({marks(OUTBOX_COLUMNS)})"
        for first, e_rows, i_rows, o_rows in company.months_rows():
            conn.execute("BEGIN")
            conn.executemany(insert_inbound, i_rows)
            conn.executemany(insert_entry, e_rows)
            if outbox_history:
                conn.executemany(insert_outbox, o_rows)
                stats.outbox += len(o_rows)
            conn.execute("COMMIT")
            stats.entries += len(e_rows)
            stats.inbound += len(i_rows)
            if first.month in (1, 7):
                log(f"  {first:%Y-%m}: {stats.entries:,} entries so far")
        conn.execute("PRAGMA synchronous=NORMAL")
    finally:
        conn.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="database URL; its name must contain 'bench'")
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--branches", type=int, default=None, help="default: members / 50")
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--today", type=date.fromisoformat, default=None)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-outbox-history", action="store_true")
    args = parser.parse_args(argv)
    stats = generate(args.url, members=args.members, branches=args.branches or max(1, args.members // 50),
                     months=args.months, today=args.today, seed=args.seed,
                     outbox_history=not args.no_outbox_history)
    print(json.dumps(asdict(stats), ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
