import os
import pathlib

import pytest

import kefu

SOURCE_DIR = pathlib.Path(os.environ.get("KEFU_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))


@pytest.fixture(scope="session")
def engine():
    return kefu.Engine()


@pytest.fixture(scope="session")
def source_dir():
    return SOURCE_DIR
