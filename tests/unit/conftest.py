"""Fixtures of the desk tests that start the desk process (tests/desk_support.py).

``running`` is one desk (and its fake Rasa) per module; a module that needs accounts or
settings of its own defines its own ``running``. ``desk`` is the running desk.
"""

from __future__ import annotations

import pytest

from tests.desk_support import running_desk


@pytest.fixture(scope="module")
def running(request, tmp_path_factory):
    with running_desk(tmp_path_factory.mktemp(request.module.__name__.rsplit(".", 1)[-1])) as (desk, rasa):
        yield desk, rasa


@pytest.fixture
def desk(running):
    return running[0]
