"""The embedded PostgreSQL is stopped when the last process using it exits: a process that
ended without its exit hooks (killed, crashed) must not keep it running for ever."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from app.db.embedded import HANDLES, forget_dead_handles


def _ended_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_ended_processes_are_forgotten_and_running_ones_kept(tmp_path: Path) -> None:
    ended = _ended_pid()
    (tmp_path / HANDLES).write_text(json.dumps([ended, os.getpid()]))
    forget_dead_handles(tmp_path)
    assert json.loads((tmp_path / HANDLES).read_text()) == [os.getpid()]


def test_nothing_to_forget_leaves_the_list_alone(tmp_path: Path) -> None:
    forget_dead_handles(tmp_path)  # no list yet
    assert not (tmp_path / HANDLES).exists()
    (tmp_path / HANDLES).write_text("not json")
    forget_dead_handles(tmp_path)
    assert (tmp_path / HANDLES).read_text() == "not json"
