"""What runs learnt about their nameservers (``PathMemory``), and the engine package's shape.

MISSION: DLV-2. The memory is explicit state in an object with a stated lifetime; the last test fails if a
module-level memory (a dict or list filled at run time) comes back beside it, or if a part of the engine
grows back into one long function.
"""

import ast
from pathlib import Path

import pytest

from deliverability.engine import PathMemory, PathMetrics
from deliverability.engine.paths import DAY
from tests.deliverability.fakenet import FakeClock

A = (("192.0.2.1", 53),)
B = (("192.0.2.2", 53),)
PACKAGE = Path(__file__).resolve().parents[2] / "deliverability" / "engine"


def test_nothing_learnt_is_no_measurement_and_no_backoff():
    assert PathMemory().recall(A) == PathMetrics(srtt=None, rttvar=0.0, ssthresh=None)


def test_a_run_replaces_what_the_last_one_left_per_set_of_nameservers():
    memory = PathMemory(clock=FakeClock())
    memory.remember(A, PathMetrics(0.02, 0.01, 300.0))
    memory.remember(B, PathMetrics(0.2, 0.05, None))
    memory.remember(A, PathMetrics(0.03, 0.01, None))
    assert memory.recall(A) == PathMetrics(0.03, 0.01, None)
    assert memory.recall(B) == PathMetrics(0.2, 0.05, None)
    assert memory.recall(A + B) == PathMetrics()  # another set of nameservers is another path


def test_an_entry_is_forgotten_a_day_after_it_was_written():
    clock = FakeClock()
    memory = PathMemory(clock=clock)
    memory.remember(A, PathMetrics(0.02, 0.01, 300.0))
    clock.advance(DAY)
    assert memory.recall(A).srtt == 0.02
    clock.advance(1.0)
    assert memory.recall(A) == PathMetrics()


def test_old_entries_are_dropped_when_a_run_writes():
    clock = FakeClock()
    memory = PathMemory(max_age=10.0, clock=clock)
    memory.remember(A, PathMetrics(0.02))
    clock.advance(11.0)
    memory.remember(B, PathMetrics(0.03))
    assert set(memory._entries) == {B}


def test_memories_are_separate():
    one, other = PathMemory(), PathMemory()
    one.remember(A, PathMetrics(0.02))
    assert other.recall(A) == PathMetrics()


# --- the package's shape ------------------------------------------------------------------------------


def modules():
    return sorted(PACKAGE.glob("*.py"))


@pytest.mark.parametrize("path", modules(), ids=lambda path: path.name)
def test_no_module_level_memory_and_no_long_function(path):
    tree = ast.parse(path.read_text())
    assert len(path.read_text().splitlines()) < 400
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = [name.id for target in targets for name in ast.walk(target) if isinstance(name, ast.Name)]
            mutable = isinstance(node.value, ast.Dict | ast.List | ast.Set | ast.DictComp | ast.ListComp)
            assert not (mutable and names != ["__all__"]), f"{path.name}: module-level {names} would be a global memory"
            if isinstance(node.value, ast.Call) and getattr(node.value.func, "id", "") == "PathMemory":
                assert (path.name, names) == ("paths.py", ["PATHS"]), "one process memory: paths.PATHS"
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            assert node.end_lineno - node.lineno < 60, f"{path.name}: {node.name} is over 60 lines"
