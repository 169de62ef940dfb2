"""Fixtures for the app's tests, and a runner for its ``async def`` pilot tests."""

from __future__ import annotations

import asyncio
import inspect

import pytest

from tests.tui.factory import make_app


@pytest.fixture
def app():
    return make_app()


@pytest.fixture
def reviews():
    """The review log of the test's store, read back from disk."""
    from questions.study.store import ProgressStore
    from tui import paths

    def read():
        with ProgressStore.open(paths.store_path()) as store:
            return store.reviews()

    return read


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem):
    """Run ``async def`` tests in a fresh event loop (Textual's pilot needs one; no plugin required)."""
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    arguments = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
    asyncio.run(pyfuncitem.obj(**arguments))
    return True
