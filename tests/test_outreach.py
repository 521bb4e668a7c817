"""What reaches people later: nudges, review outcomes and the archive file, via the fake WeCom API."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from models.db import new_session
from models.tables import AuditLog, Entry
from tests.fake_wecom import fake_wecom, point_config_at  # noqa: F401  (fixture)
from tests.test_reminders import config_file, hongling  # noqa: F401  (fixture)


@pytest.fixture
def config_data(config_data, fake_wecom):
    return point_config_at(config_data, fake_wecom, backoff_seconds=0.01, backoff_max_seconds=0.05)


def drain(capsys, config_file) -> str:
    code, out = hongling(capsys, config_file, "reminders", "drain")
    assert code == 0, out
    return out


def test_nudge_reaches_only_those_who_owe_once_a_day(send_text, engine, fake_wecom, capsys, config_file, clock):
    clock.set(2026, 11, 22, 10)
    send_text("liming", "读书一本")
    reply = send_text("zhangsj", "提醒 读书")
    assert reply == "已提醒 1 人：王芳"
    drain(capsys, config_file)
    assert fake_wecom.recipients() == {"wangfang": ["【支部提醒】张书记提醒您：本月读书还未完成。完成后直接发送如「读书一本《红岩》」即可登记。"]}
    assert send_text("zhangsj", "提醒 读书") == "今天没有需要提醒的人了。"
    everything = send_text("zhangsj", "提醒")
    assert everything.startswith("已提醒 2 人") and "李明" in everything and "王芳" in everything
    drain(capsys, config_file)
    assert "本月读书" not in fake_wecom.messages_for("wangfang")[-1]
    assert "本月心得、本季度难题" in fake_wecom.messages_for("wangfang")[-1]
    with new_session(engine) as session:
        assert [a.action for a in session.exec(select(AuditLog))] == ["nudge", "nudge", "nudge"]


def test_review_outcome_reaches_the_member(send_text, engine, fake_wecom, capsys, config_file):
    send_text("liming", "取得本科学历")
    with new_session(engine) as session:
        number = session.exec(select(Entry.id)).one()
    send_text("zhangsj", f"驳回 {number} 证书不清晰")
    drain(capsys, config_file)
    assert fake_wecom.messages_for("liming") == [f"【审核结果】您提交的 #{number} 学历学位 本科未通过，原因：证书不清晰。"]


@pytest.mark.wecom
def test_export_sends_the_archive_as_a_file_with_correct_totals(send_text, engine, fake_wecom, capsys,
                                                                  config_file, clock):
    clock.set(2026, 11, 22, 10)
    send_text("liming", "读书2本《红岩》《活着》")
    send_text("liming", "参加培训8学时")
    send_text("wangfang", "交流心得一次")
    send_text("wangfang", "撤销")
    send_text("liuyang", "读书一本")
    assert send_text("zhangsj", "导出 2026") == "正在生成 第一支部 2026 年积分档案，稍后以文件发给您。"
    drain(capsys, config_file)
    filename, data = fake_wecom.file_for("zhangsj")
    assert filename == "第一支部-2026年积分档案.xlsx"
    book = load_workbook(io.BytesIO(data))
    summary = {row[0]: row for row in book["汇总"].iter_rows(min_row=2, values_only=True)}
    header = next(book["汇总"].iter_rows(max_row=1, values_only=True))
    total = header.index("合计")
    assert set(summary) == {"张书记", "李明", "王芳"}
    assert summary["李明"][total] == 8 and summary["李明"][header.index("读书")] == 4
    assert summary["王芳"][total] == 0 and summary["李明"][-1] == "否"
    detail = list(book["明细"].iter_rows(min_row=2, values_only=True))
    assert [(row[1], row[3], row[9]) for row in detail] == [
        ("李明", "读书", "有效"), ("李明", "读书", "有效"), ("李明", "培训", "有效"), ("王芳", "心得", "已撤销")]
    assert detail[0][15] == "读书2本《红岩》《活着》"


def test_export_from_the_command_line(send_text, capsys, config_file, tmp_path, clock):
    clock.set(2026, 11, 22, 10)
    send_text("liming", "读书一本")
    out = tmp_path / "archive.xlsx"
    code, text = hongling(capsys, config_file, "report", "export", "--branch", "第一支部", "--year", "2026",
                          "--out", str(out))
    assert code == 0 and "已导出" in text
    rows = list(load_workbook(out)["汇总"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[-3]) for r in rows] == [("张书记", 0), ("李明", 2), ("王芳", 0)]
    code, text = hongling(capsys, config_file, "report", "export", "--branch", "没有的支部", "--year", "2026",
                          "--out", str(out))
    assert code == 2 and "没有名为「没有的支部」的支部" in text
