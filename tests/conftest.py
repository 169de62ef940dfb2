"""Shared test set-up: no test ever touches the user's real data directory."""

import pytest


@pytest.fixture(autouse=True)
def isolated_data_dir(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("tprep-home")
    monkeypatch.setenv("TPREP_HOME", str(home))
    monkeypatch.delenv("TPREP_STORE", raising=False)
    return home
