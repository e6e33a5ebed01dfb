"""``[tool.fastapi-codemods]``: nearest pyproject, validation, flags win."""

from __future__ import annotations

from pathlib import Path

import pytest
from sample_transforms import CreateModule, Flag, InsertTop, MakeLong

from fastapi_codemods.engine.config import ConfigError, find_pyproject, load_config
from fastapi_codemods.engine.driver import Mode, RunOptions, UsageError, run


@pytest.fixture(autouse=True)
def registry(use_transforms) -> None:
    use_transforms(InsertTop, Flag, CreateModule)


def pyproject(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pyproject.toml").write_text(text)
    return folder


def test_nearest_pyproject_at_or_above_the_path(tmp_path: Path) -> None:
    pyproject(tmp_path, "[tool.fastapi-codemods]\nonly = ['flag']\n")
    pyproject(tmp_path / "inner", "[tool.fastapi-codemods]\nskip = ['flag']\n")
    (tmp_path / "inner/app").mkdir()
    (tmp_path / "inner/app/x.py").write_text("x = 1\n")
    assert find_pyproject(tmp_path / "inner/app/x.py") == tmp_path / "inner/pyproject.toml"
    assert load_config(tmp_path / "inner/app").skip == ["flag"]
    assert load_config(tmp_path).only == ["flag"]
    assert load_config(tmp_path / "inner/app").base == tmp_path / "inner"


def test_defaults_without_a_table(tmp_path: Path) -> None:
    config = load_config(pyproject(tmp_path, "[project]\nname = 'x'\n"))
    assert (config.only, config.skip, config.exclude, config.format, config.transform_options) == (None, None, [], False, {})


def test_black_table_turns_formatting_on_and_is_passed_along(tmp_path: Path) -> None:
    config = load_config(pyproject(tmp_path, "[tool.black]\nline-length = 100\n"))
    assert config.format is True and config.black == {"line-length": 100}
    off = load_config(pyproject(tmp_path, "[tool.black]\n[tool.fastapi-codemods]\nformat = false\n"))
    assert off.format is False


def test_general_keys_accept_lists_or_comma_strings_and_dashes(tmp_path: Path) -> None:
    config = load_config(pyproject(tmp_path, "[tool.fastapi-codemods]\nonly = 'flag, insert_top'\nexclude = ['a/']\n"))
    assert config.only == ["flag", "insert_top"] and config.exclude == ["a/"]
    options = load_config(pyproject(tmp_path, "[tool.fastapi-codemods.create-module]\nrelpath = 'x.py'\n"))
    assert options.transform_options == {"create_module": {"relpath": "x.py"}}


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("[tool.fastapi-codemods]\nonyl = ['flag']\n", "unknown key 'onyl' in [tool.fastapi-codemods]; valid keys: "),
        ("[tool.fastapi-codemods.flag]\nstrict = true\n", "unknown key 'strict' in [tool.fastapi-codemods.flag]; valid keys: include_tests"),
        ("[tool.fastapi-codemods.create_module]\nrelpaht = 'x'\n", "unknown key 'relpaht' in [tool.fastapi-codemods.create_module]; valid keys: include_tests, relpath, text"),
        ("[tool.fastapi-codemods.create_module]\ntext = 3\n", "create_module.text must be of type str, not int"),
        ("[tool.fastapi-codemods]\nformat = 'yes'\n", "format must be of type bool, not str"),
        ("[tool.fastapi-codemods]\nflag = 1\n", "[tool.fastapi-codemods.flag] must be a table"),
        ("[tool.fastapi-codemods\n", "cannot read"),
    ],
    ids=["unknown_general", "unknown_option_none_valid", "unknown_option", "option_type", "general_type", "not_a_table", "bad_toml"],
)
def test_invalid_configuration_names_the_file_and_key(tmp_path: Path, table: str, message: str) -> None:
    pyproject(tmp_path, table)
    with pytest.raises(ConfigError) as error:
        load_config(tmp_path)
    assert message in str(error.value)
    assert str(tmp_path / "pyproject.toml") in str(error.value)


def test_unknown_transform_in_config_is_a_usage_error_naming_the_source(tmp_path: Path) -> None:
    pyproject(tmp_path, "[tool.fastapi-codemods]\nskip = ['flg']\n")
    with pytest.raises(UsageError, match=r"unknown transform 'flg'; valid names: insert_top, flag, create_module \(from .*pyproject.toml\)"):
        run(RunOptions(paths=[tmp_path], jobs=1))


def test_command_line_flags_win_over_the_configuration(tmp_path: Path, monkeypatch, use_transforms) -> None:
    use_transforms(InsertTop, Flag, MakeLong)
    pyproject(tmp_path, "[tool.black]\n[tool.fastapi-codemods]\nonly = ['insert_top']\n")
    (tmp_path / "a.py").write_text("flagged\nshort()\n")
    monkeypatch.chdir(tmp_path)
    by_config = run(RunOptions(paths=[tmp_path], mode=Mode.DIFF, jobs=1)).results[0]
    assert by_config.transforms == ("insert_top",)
    by_flag = run(RunOptions(paths=[tmp_path], mode=Mode.DIFF, only=["flag", "make_long"], jobs=1)).results[0]
    assert by_flag.transforms == ("flag", "make_long")
    assert b"function_with_a_rather_long_name(\n" in by_flag.new  # formatted: [tool.black]
    no_format = run(RunOptions(paths=[tmp_path], mode=Mode.DIFF, only=["make_long"], format=False, jobs=1)).results[0]
    assert MakeLong.LONG.encode() in no_format.new
    forced = tmp_path / "sub"
    pyproject(forced, "")
    (forced / "b.py").write_text("short()\n")
    formatted = run(RunOptions(paths=[forced], mode=Mode.DIFF, only=["make_long"], format=True, jobs=1)).results[0]
    assert b"function_with_a_rather_long_name(\n" in formatted.new


def test_transform_options_reach_the_transform(tmp_path: Path, monkeypatch) -> None:
    pyproject(tmp_path, "[tool.fastapi-codemods.create_module]\nrelpath = 'made/here.py'\ntext = \"HERE = 1\\n\"\n")
    (tmp_path / "a.py").write_text("flagged\n")
    monkeypatch.chdir(tmp_path)
    outcome = run(RunOptions(paths=[tmp_path], only=["create_module"], jobs=1))
    assert [r.path for r in outcome.results if r.created] == ["made/here.py"]
    assert (tmp_path / "made/here.py").read_text() == "HERE = 1\n"
