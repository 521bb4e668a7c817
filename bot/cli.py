"""The `hongling` command line. Every command reads --config, else $HONGLING_CONFIG, else the default."""
from __future__ import annotations

import argparse
import contextlib
import csv
import importlib
import json
import logging
import sys
from datetime import date
from pathlib import Path

from models.errors import ConfigError, RosterError
from models.migrate import SchemaError

log = logging.getLogger(__name__)
COMMAND_MODULES = ("scheduler.cli",)  # each has register(subparsers) adding its own subcommands
EXPORT_FIELDS = ("userid", "name", "branch", "kind", "quantity", "points", "title",
                 "occurred_on", "status", "created_at")


@contextlib.contextmanager
def database_session(config):
    """A session on the configured database (schema ensured); the engine is closed after."""
    from models.db import new_session, open_database
    with open_database(config.database_url, upgrade_if_behind=config.is_embedded_default) as engine, \
            new_session(engine) as session:
        yield session


def cmd_serve(config, args) -> int:
    """Serve the callback with gunicorn (after checking the schema once, before any worker starts)."""
    from bot.server import serve
    with database_session(config):
        pass
    return serve(config, workers=args.workers)


def cmd_db_upgrade(config, args) -> int:
    """Apply pending schema migrations."""
    from models.db import make_engine
    from models.migrate import upgrade
    engine = make_engine(config.database_url)
    try:
        before, after = upgrade(engine)
    finally:
        engine.dispose()
    print(f"数据库已是最新版本 {after}。" if before == after else f"数据库已从 {before or '空库'} 升级到 {after}。")
    return 0


def cmd_db_revision(config, args) -> int:
    """Write a migration for model changes (developers), against the configured database at head."""
    from models.db import make_engine
    from models.migrate import revision, upgrade
    engine = make_engine(config.database_url)
    try:
        upgrade(engine)
        print(revision(engine, args.message))
    finally:
        engine.dispose()
    return 0


def cmd_members_import(config, args) -> int:
    """Import a roster file; all or nothing."""
    from models.roster import parse_roster, upsert_roster
    path = Path(args.file)
    if not path.is_file():
        raise RosterError(f"找不到文件 {path}")
    rows = parse_roster(path)
    with database_session(config) as session:
        added, updated, branches = upsert_roster(session, rows=rows)
        session.commit()
    print(f"导入完成：新增 {added} 人，更新 {updated} 人，新建支部 {branches} 个。")
    return 0


def cmd_members_leave(config, args) -> int:
    """Mark a member on leave until a date (no reminders, not counted as owing)."""
    from models.queries import member_by_userid
    with database_session(config) as session:
        member = member_by_userid(session, userid=args.userid)
        if member is None:
            raise RosterError(f"名册中没有 userid {args.userid}")
        member.leave_until = args.until
        session.add(member)
        session.commit()
    print(f"已登记 {member.name}（{member.userid}）请假至 {args.until:%Y-%m-%d}。")
    return 0


def cmd_members_invite(config, args) -> int:
    """Print a one-time binding code (绑定码) for each unbound member (Official Account channel)."""
    from bot.invite import invite
    if config.wechat.channel != "mp":
        raise ConfigError("wechat.channel", 'must be "mp" for members invite (WeCom knows members by userid)')
    with database_session(config) as session:
        return invite(session, config.wechat, branch=args.branch, userid=args.userid, out=sys.stdout)


def cmd_entries_export(config, args) -> int:
    """Write every entry to stdout as JSON lines or CSV."""
    from models.queries import all_entries
    out = sys.stdout
    writer = csv.DictWriter(out, fieldnames=EXPORT_FIELDS, lineterminator="\n") if args.format == "csv" else None
    if writer:
        writer.writeheader()
    with database_session(config) as session:
        for entry, member, branch in all_entries(session):
            row = {"userid": member.userid, "name": member.name, "branch": branch.name, "kind": entry.kind,
                   "quantity": entry.quantity, "points": entry.points, "title": entry.title,
                   "occurred_on": entry.occurred_on.isoformat(), "status": entry.status,
                   "created_at": entry.created_at.strftime("%Y-%m-%dT%H:%M:%SZ")}
            if writer:
                writer.writerow(row)
            else:
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return 0


def cmd_report_export(config, args) -> int:
    """Write a branch's yearly archive (积分档案) as XLSX."""
    from models.archive import branch_by_name, build_archive
    with database_session(config) as session:
        branch = branch_by_name(session, name=args.branch)
        if branch is None:
            raise RosterError(f"没有名为「{args.branch}」的支部")
        data = build_archive(session, branch_id=branch.id, year=args.year, rules=config.rules)
    Path(args.out).write_bytes(data)
    print(f"已导出 {args.branch} {args.year} 年积分档案：{args.out}")
    return 0


def cmd_chat(config, args) -> int:
    """Talk to a running server as USERID over the real protocol."""
    from bot.chat import chat
    return chat(config, userid=args.as_user, url=args.url)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    parser = argparse.ArgumentParser(prog="hongling", description="红领：党员学习积分与五个一提醒机器人")
    parser.add_argument("--config", help="config file (TOML); default: $HONGLING_CONFIG, else the embedded default")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the WeCom callback")
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(func=cmd_serve)
    db = sub.add_parser("db", help="database schema").add_subparsers(dest="db_command", required=True)
    db.add_parser("upgrade", help="apply pending migrations").set_defaults(func=cmd_db_upgrade)
    rev = db.add_parser("revision", help="write a migration for model changes (developers)")
    rev.add_argument("-m", "--message", required=True)
    rev.set_defaults(func=cmd_db_revision)
    members = sub.add_parser("members", help="roster").add_subparsers(dest="members_command", required=True)
    imp = members.add_parser("import", help="import a CSV or XLSX roster (name,userid,branch,role)")
    imp.add_argument("file")
    imp.set_defaults(func=cmd_members_import)
    leave = members.add_parser("leave", help="mark a member on leave until a date")
    leave.add_argument("userid")
    leave.add_argument("--until", required=True, type=date.fromisoformat, metavar="YYYY-MM-DD")
    leave.set_defaults(func=cmd_members_leave)
    invite = members.add_parser("invite", help="print one-time binding codes for unbound members (mp channel)")
    invite.add_argument("--branch", help="only this branch")
    invite.add_argument("--userid", help="only this member")
    invite.set_defaults(func=cmd_members_invite)
    entries = sub.add_parser("entries", help="point entries").add_subparsers(dest="entries_command", required=True)
    exp = entries.add_parser("export", help="write every entry to stdout")
    exp.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    exp.set_defaults(func=cmd_entries_export)
    report = sub.add_parser("report", help="archives").add_subparsers(dest="report_command", required=True)
    rep = report.add_parser("export", help="a branch's yearly point archive (积分档案) as XLSX")
    rep.add_argument("--branch", required=True)
    rep.add_argument("--year", required=True, type=int)
    rep.add_argument("--out", required=True)
    rep.set_defaults(func=cmd_report_export)
    chat = sub.add_parser("chat", help="chat with a running server as a WeCom user (or, on mp, a WeChat openid)")
    chat.add_argument("--as", dest="as_user", required=True, metavar="USERID",
                      help="the WeCom userid; on [wechat] channel = \"mp\" the openid")
    chat.add_argument("--url", help="callback URL (default: http://[server] host:port/wechat)")
    chat.set_defaults(func=cmd_chat)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `hongling` console script."""
    from bot.config import load_config
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        config = load_config(args.config)
        return args.func(config, args)
    except (ConfigError, RosterError, SchemaError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
