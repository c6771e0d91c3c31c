"""Test-wide guards: no real network (loopback only) unless a test opts in with --real-llm."""

from __future__ import annotations

import ipaddress
import socket
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "eval" / "fixtures"
CORPUS = FIXTURES / "corpus"
GOLD = FIXTURES / "gold"

_real_connect = socket.socket.connect


def _is_loopback(address) -> bool:
    if not isinstance(address, tuple):  # unix sockets
        return True
    host = address[0]
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name: would need DNS, which is already off-machine


def _guarded_connect(self, address):
    if not _is_loopback(address):
        raise RuntimeError(f"network access blocked in tests: {address!r} (opt in with --real-llm)")
    return _real_connect(self, address)


def pytest_addoption(parser):
    parser.addoption("--real-llm", action="store_true", help="allow real network calls for @pytest.mark.real_llm")


def pytest_configure(config):
    if not config.getoption("--real-llm"):
        socket.socket.connect = _guarded_connect


def pytest_collection_modifyitems(config, items):
    if config.getoption("--real-llm"):
        return
    skip = pytest.mark.skip(reason="real endpoint tests need --real-llm and PERFDRAFT_LLM_BASE_URL")
    for item in items:
        if "real_llm" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def corpus_dir() -> Path:
    return CORPUS


@pytest.fixture
def gold_dir() -> Path:
    return GOLD
