"""The public surface: names the web app imports, the method registry, stratum keys, purity."""
from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import randomization
from randomization import (
    METHODS,
    AllocationPlan,
    Minimization,
    RandomizationError,
    UnknownMethodError,
    get_method,
    stratum_key,
)

PACKAGE = Path(randomization.__file__).parent


def test_every_name_in_all_is_importable_and_the_contract_names_are_there():
    for name in randomization.__all__:
        assert hasattr(randomization, name), name
    contract = {"AllocationPlan", "Period", "Slot", "Allocation", "Minimization", "MinimizationResult",
                "RandomizationError", "ALGORITHM_VERSION", "stratum_key", "get_method", "METHODS",
                "diagnostics"}
    assert contract <= set(randomization.__all__)
    assert issubclass(RandomizationError, ValueError)


def test_every_exception_is_a_randomization_error():
    for name in randomization.__all__:
        value = getattr(randomization, name)
        if isinstance(value, type) and issubclass(value, Exception):
            assert issubclass(value, RandomizationError), name


def test_methods_are_looked_up_by_the_protocol_string():
    assert get_method("stratified-blocks") is AllocationPlan
    assert get_method("minimization") is Minimization
    assert set(METHODS) == {"stratified-blocks", "minimization"}
    with pytest.raises(TypeError):
        METHODS["urn"] = AllocationPlan  # type: ignore[index]


@pytest.mark.parametrize("name", ["urn", "", None, ["minimization"]])
def test_unknown_method_names_the_known_ones(name):
    with pytest.raises(UnknownMethodError, match="'minimization', 'stratified-blocks'"):
        get_method(name)


@pytest.mark.parametrize(("stratify_by", "values", "key"), [
    (["site"], {"site": "bergen", "aap": "yes"}, "bergen"),
    (["site", "aap"], {"site": "bergen", "aap": "yes"}, "bergen|aap=yes"),
    (("aap", "site"), {"site": "bergen", "aap": "no"}, "aap=no|bergen"),
    (["site", "aap", "sex"], {"site": "oslo", "aap": "yes", "sex": "f"}, "oslo|aap=yes|sex=f"),
    ([], {"site": "oslo"}, "*"),
])
def test_stratum_key(stratify_by, values, key):
    assert stratum_key(stratify_by, values) == key


@pytest.mark.parametrize(("stratify_by", "values", "message"), [
    ("site", {"site": "x"}, "sequence of factor names"),
    (["site", "site"], {"site": "x"}, "repeats"),
    (["site", ""], {"site": "x"}, "non-empty strings"),
    (["site", "aap"], {"site": "x"}, "'aap' has no value"),
    (["site"], {"site": ""}, "'site' has no value"),
    (["site", "aap"], {"site": "x", "aap": "a|b"}, r"'\|' is not allowed"),
    (["site", "a=b"], {"site": "x", "a=b": "c"}, "nor '='"),
])
def test_stratum_key_refuses_ambiguous_input(stratify_by, values, message):
    with pytest.raises(RandomizationError, match=message):
        stratum_key(stratify_by, values)


def test_the_core_imports_only_the_standard_library_and_itself():
    allowed = set(sys.stdlib_module_names) | {"randomization"}
    for path in PACKAGE.glob("*.py"):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                roots = {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                roots = {(node.module or "").split(".")[0]}
            else:
                continue
            assert roots <= allowed, (path.name, roots - allowed)


def test_the_core_uses_no_global_random_state_and_no_clock():
    for path in PACKAGE.glob("*.py"):
        source = path.read_text()
        for forbidden in ("import random", "from random", "datetime.now", "date.today", "time.time",
                          "os.environ", "open("):
            assert forbidden not in source, (path.name, forbidden)
