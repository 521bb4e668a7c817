"""Subcommands of the scheduler package (`hongling reminders …`, `hongling scheduler`)."""
from __future__ import annotations

import sys
from datetime import date

from scheduler.settings import JOB_KINDS

KIND_WORDS = {"monthly": "月度提醒", "quarterly": "季度提醒", "halfyear": "半年提醒", "yearly": "年度提醒",
              "summary": "支部月报"}


def _drain_lines(drained, settings) -> list[str]:
    lines = [f"已发送 {drained.sent} 条（调用接口 {drained.calls} 次），无效用户 {drained.invalid}，"
             f"失败 {drained.failed}，已完成无需提醒 {drained.skipped}。"]
    if drained.quiet:
        start, end = settings.quiet_hours
        lines.append(f"现在是免打扰时段（{start:%H:%M}-{end:%H:%M}），未发出的消息留在待发队列，"
                     f"{end:%H:%M} 后由调度进程（hongling scheduler）发送。")
    if drained.retry_later:
        lines.append(f"{drained.retry_later} 条因企业微信限频或网络问题稍后重试（由调度进程发送）。")
    if drained.aborted:
        lines.append(f"发送中止：{drained.aborted}。未发出的消息留在待发队列。")
    return lines


def cmd_reminders_run(config, args) -> int:
    """Run a reminder job now, as if it were --date; write the outbox and drain it."""
    from scheduler import jobs
    from scheduler.settings import load_settings
    settings = load_settings(config)
    day = args.date or jobs.today(config)
    report = jobs.run(config, kind=args.kind, day=day, dry_run=args.dry_run, out=sys.stdout)
    word = KIND_WORDS[args.kind]
    if args.dry_run:
        for planned in report.planned:
            print(f"→ {planned.userid}（{planned.name}）\n{planned.content}\n")
        print(f"演练：{word} {day:%Y-%m-%d} 共 {len(report.planned)} 人，未写入、未发送。")
        return 0
    print(f"{word} {day:%Y-%m-%d}：应发 {len(report.planned)} 人，新写入 {report.queued} 条"
          f"（{len(report.planned) - report.queued} 条此前已写入，不重复发送）。")
    for line in _drain_lines(report.drained, settings):
        print(line)
    if report.pending:
        print(f"待发队列中还有 {report.pending} 条。")
    return 1 if report.drained.aborted or report.drained.failed else 0


def cmd_reminders_drain(config, args) -> int:
    """Send whatever the outbox holds (held in quiet hours, waiting for a retry, or abandoned)."""
    from models.db import open_database
    from scheduler import jobs
    from scheduler.settings import load_settings
    settings = load_settings(config)
    with open_database(config.database_url, upgrade_if_behind=config.is_embedded_default) as engine:
        drained = jobs.drain_once(config, engine=engine, out=sys.stdout)
    for line in _drain_lines(drained, settings):
        print(line)
    return 1 if drained.aborted or drained.failed else 0


def cmd_scheduler(config, args) -> int:
    """Run the reminder scheduler in the foreground until stopped."""
    from scheduler.service import run_scheduler
    return run_scheduler(config)


def register(sub) -> None:
    """Add this package's subcommands to the `hongling` argument parser."""
    reminders = sub.add_parser("reminders", help="五个一 reminders and branch summaries").add_subparsers(
        dest="reminders_command", required=True)
    run = reminders.add_parser("run", help="run a reminder job now (writes the outbox, then sends it)")
    run.add_argument("kind", choices=JOB_KINDS)
    run.add_argument("--date", type=date.fromisoformat, metavar="YYYY-MM-DD",
                     help="run as if it were this date (default: today)")
    run.add_argument("--dry-run", action="store_true", help="print who would get what; write and send nothing")
    run.set_defaults(func=cmd_reminders_run)
    drain = reminders.add_parser("drain", help="send what the outbox still holds")
    drain.set_defaults(func=cmd_reminders_drain)
    scheduler = sub.add_parser("scheduler", help="run the reminder scheduler (one active per database)")
    scheduler.set_defaults(func=cmd_scheduler)
