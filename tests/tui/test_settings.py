"""Saved settings: round trip, validation, atomic writes, unusable files kept."""

import json

import pytest

from tui.settings import Settings, SettingsError, load_settings, save_settings


def test_defaults_when_no_file(tmp_path):
    loaded = load_settings(tmp_path / "settings.json")
    assert loaded.settings == Settings() and loaded.notice is None


def test_round_trip(tmp_path):
    path = tmp_path / "nested" / "settings.json"
    chosen = Settings(language="zh", desired_retention=0.85, daily_new_cards=7, theme="nord")
    save_settings(chosen, path)
    assert load_settings(path).settings == chosen
    assert json.loads(path.read_text(encoding="utf-8"))["version"] == 1
    assert [p.name for p in path.parent.iterdir()] == ["settings.json"]  # no temporary file left behind


@pytest.mark.parametrize(
    "content, words",
    [
        ("{not json", "not valid JSON (line 1"),
        ('{"language": "fr"}', "language must be one of"),
        ('{"desired_retention": 2}', "desired_retention must be between"),
        ('{"daily_new_cards": "ten"}', "daily_new_cards must be a whole number"),
        ("[1, 2]", "expected a JSON object"),
    ],
)
def test_unusable_file_gives_defaults_and_is_kept(tmp_path, content, words):
    path = tmp_path / "settings.json"
    path.write_text(content, encoding="utf-8")
    loaded = load_settings(path)
    assert loaded.settings == Settings()
    assert words in loaded.notice and str(path) in loaded.notice
    assert path.read_text(encoding="utf-8") == content  # the original is untouched
    backups = [p for p in tmp_path.iterdir() if p.name.startswith("settings.unusable-")]
    assert len(backups) == 1 and backups[0].read_text(encoding="utf-8") == content
    assert backups[0].name in loaded.notice
    # Saving afterwards replaces the unusable file but the copy stays.
    save_settings(Settings(language="en"), path)
    assert backups[0].read_text(encoding="utf-8") == content


def test_unknown_keys_are_ignored(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text('{"language": "en", "from_the_future": 1}', encoding="utf-8")
    assert load_settings(path).settings == Settings(language="en")


@pytest.mark.parametrize(
    "changes",
    [{"language": "de"}, {"desired_retention": 0.5}, {"daily_new_cards": -1}, {"daily_new_cards": True}, {"theme": ""}],
)
def test_bad_values_are_refused_with_the_field_named(changes):
    with pytest.raises(SettingsError) as raised:
        Settings().with_changes(**changes)
    assert next(iter(changes)) in str(raised.value)


def test_failed_write_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "settings.json"
    save_settings(Settings(language="zh"), path)

    def broken_dump(*args, **kwargs):
        raise OSError("disk full")

    with monkeypatch.context() as patch:  # undo only this patch (the shared one also holds TPREP_HOME)
        patch.setattr(json, "dump", broken_dump)
        with pytest.raises(OSError):
            save_settings(Settings(language="en"), path)
    assert load_settings(path).settings.language == "zh"
    assert [p.name for p in tmp_path.iterdir()] == ["settings.json"]
