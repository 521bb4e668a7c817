"""The `hongling` command line: roster import, entry export, config errors."""
from __future__ import annotations

import csv
import io
import json
import tomllib
from pathlib import Path

import pytest
from openpyxl import Workbook

from bot.cli import EXPORT_FIELDS, main


def toml_value(value) -> str:
    """A value as TOML: inline tables for dicts, JSON's spelling for the rest."""
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{json.dumps(k, ensure_ascii=False)} = {toml_value(v)}"
                                for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def write_config(path: Path, data: dict) -> Path:
    lines = []
    for section, values in data.items():
        lines.append(f"[{section}]")
        lines += [f"{k} = {toml_value(v)}" for k, v in values.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tomllib.loads(path.read_text(encoding="utf-8"))
    return path


@pytest.fixture
def config_file(tmp_path, config_data) -> Path:
    return write_config(tmp_path / "hongling.toml", config_data)


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


ROSTER_CSV = "\ufeffname,userid,branch,role\n张三,zhangsan,一支部,书记\n李四,lisi,一支部,党员\n王五,wangwu,二支部,member\n"


def test_import_csv_with_bom_then_export(tmp_path, config_file, capsys):
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER_CSV, encoding="utf-8")
    code, out, _ = run(capsys, "--config", str(config_file), "members", "import", str(roster))
    assert code == 0 and "新增 3 人" in out and "新建支部 2 个" in out
    code, out, _ = run(capsys, "--config", str(config_file), "members", "import", str(roster))
    assert code == 0 and "新增 0 人，更新 3 人" in out


def test_import_xlsx(tmp_path, config_file, capsys):
    book = Workbook()
    sheet = book.active
    for row in (["name", "userid", "branch", "role"], ["张三", "zhangsan", "一支部", "管理员"], ["李四", "lisi", "一支部", None]):
        sheet.append(row)
    book.save(tmp_path / "roster.xlsx")
    code, out, _ = run(capsys, "--config", str(config_file), "members", "import", str(tmp_path / "roster.xlsx"))
    assert code == 0 and "新增 2 人" in out


@pytest.mark.parametrize("bad_line, message", [
    ("赵六,,一支部,党员", "第 3 行：userid 为空"),
    ("赵六,zhaoliu,一支部,队长", "第 3 行：角色「队长」不认识"),
    ("赵六,lisi,一支部,党员", "第 3 行：userid lisi 与第 2 行重复"),
], ids=["empty-userid", "unknown-role", "duplicate-userid"])
def test_bad_row_names_the_line_and_imports_nothing(tmp_path, config_file, capsys, bad_line, message):
    roster = tmp_path / "roster.csv"
    roster.write_text(f"name,userid,branch,role\n李四,lisi,一支部,党员\n{bad_line}\n", encoding="utf-8")
    code, _, err = run(capsys, "--config", str(config_file), "members", "import", str(roster))
    assert code == 2 and message in err
    good = tmp_path / "good.csv"
    good.write_text("name,userid,branch,role\n李四,lisi,一支部,党员\n", encoding="utf-8")
    code, out, _ = run(capsys, "--config", str(config_file), "members", "import", str(good))
    assert "新增 1 人" in out


def test_export_has_every_field(app, send_text, config_file, capsys):
    send_text("liming", "读书一本《红岩》")
    send_text("liming", "交流心得一次")
    send_text("liming", "撤销")
    code, out, _ = run(capsys, "--config", str(config_file), "entries", "export", "--format", "jsonl")
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [tuple(r) for r in rows] == [EXPORT_FIELDS] * 2
    assert rows[0] | {"created_at": None} == {
        "userid": "liming", "name": "李明", "branch": "第一支部", "kind": "book", "quantity": 1.0,
        "points": 2.0, "title": "红岩", "occurred_on": rows[0]["occurred_on"], "status": "recorded",
        "created_at": None}
    assert rows[1]["kind"] == "insight" and rows[1]["status"] == "revoked"
    code, out, _ = run(capsys, "--config", str(config_file), "entries", "export", "--format", "csv")
    table = list(csv.DictReader(io.StringIO(out)))
    assert [r["kind"] for r in table] == ["book", "insight"] and table[0]["title"] == "红岩"


def test_config_error_names_the_key(tmp_path, config_data, capsys):
    config_data["rules"] = {"year_target": "sixty"}
    path = write_config(tmp_path / "bad.toml", config_data)
    code, _, err = run(capsys, "--config", str(path), "entries", "export")
    assert code == 2 and "rules.year_target" in err


def test_placeholder_secret_is_refused_in_a_config_file(tmp_path, config_data, capsys):
    config_data["wechat"]["secret"] = "CHANGE_ME"
    path = write_config(tmp_path / "bad.toml", config_data)
    code, _, err = run(capsys, "--config", str(path), "entries", "export")
    assert code == 2 and "wechat.secret" in err


def test_config_from_environment_variable(tmp_path, config_data, capsys, monkeypatch):
    config_data["rules"] = {"grace_days": -1}
    monkeypatch.setenv("HONGLING_CONFIG", str(write_config(tmp_path / "env.toml", config_data)))
    code, _, err = run(capsys, "entries", "export")
    assert code == 2 and "rules.grace_days" in err


def test_missing_config_file_is_a_clear_error(capsys):
    code, _, err = run(capsys, "--config", "/nonexistent/hongling.toml", "entries", "export")
    assert code == 2 and "does not exist" in err
