"""canonical_bytes against rfc8785 itself: the same bytes, or the same error, for every JSON-like value."""

from __future__ import annotations

from decimal import Decimal
from enum import Enum, IntEnum
from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from shared import canonical
from shared.canonical import _plain, canonical_bytes

SAFE = 2**53 - 1

# Where JSON escaping, UTF-16 key order or the code point/code unit split could go wrong.
TRICKY = [
    *map(chr, range(0x20)),
    '"',
    "\\",
    "/",
    "\x7f",
    "\x80",
    "\u2028",
    "\u2029",
    "\ud7ff",
    "\ue000",
    "\uf8ff",
    "\ufeff",
    "\uffff",
    "\U00010000",
    "\U0001f600",
    "\U000e0001",
    "\U0010ffff",
    "a",
    "é",
    "海",
]
clean_text = st.text(st.sampled_from(TRICKY) | st.characters(codec="utf-8"), max_size=6)
# A lone surrogate now and then: rfc8785 refuses it, and the fast path must refuse it the same way.
any_text = clean_text | st.text(st.sampled_from(TRICKY) | st.characters(categories=["Cs"]), max_size=3)
edge_ints = st.sampled_from([0, 1, -1, SAFE, -SAFE, SAFE + 1, -SAFE - 1, 2**63, -(2**64)])
ints = st.integers(min_value=-SAFE, max_value=SAFE) | edge_ints | st.integers()
decimals = st.decimals(allow_nan=True, allow_infinity=True) | st.decimals(places=2, min_value=-(10**6), max_value=10**6)


def _tree(keys: st.SearchStrategy[Any], leaves: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.recursive(
        leaves,
        lambda children: (
            st.lists(children, max_size=5)
            | st.lists(children, max_size=3).map(tuple)
            | st.dictionaries(keys, children, max_size=5)
        ),
        max_leaves=20,
    )


# Inside the fast path's domain: str keys in the BMP, no floats, ints a double holds exactly.
BMP_TRICKY = [c for c in TRICKY if c <= "\uffff"]
bmp_keys = st.text(st.sampled_from(BMP_TRICKY) | st.characters(codec="utf-8", max_codepoint=0xFFFF), max_size=6)
in_domain = _tree(
    bmp_keys,
    st.none() | st.booleans() | st.integers(min_value=-SAFE, max_value=SAFE) | decimals | clean_text,
)
# Anything JSON-like, in or out of that domain.
json_like = _tree(
    # Non-str keys go through str(), so they may collide with str keys; a signalling NaN cannot be a key at all.
    any_text | st.integers() | st.booleans() | st.none() | st.decimals(allow_nan=False, places=1),
    st.none() | st.booleans() | ints | decimals | st.floats() | any_text,
)


def _reference(value: Any) -> bytes:
    return rfc8785.dumps(_plain(value))


def _outcome(serialize: Any, value: Any) -> bytes | tuple[type[BaseException], str]:
    try:
        return serialize(value)  # type: ignore[no-any-return]
    except Exception as error:
        return type(error), str(error)


@settings(max_examples=400, deadline=None)
@given(json_like)
def test_same_bytes_or_same_error_as_rfc8785(value: Any) -> None:
    assert _outcome(canonical_bytes, value) == _outcome(_reference, value)


@settings(max_examples=300, deadline=None)
@given(in_domain)
def test_fast_path_writes_rfc8785_bytes(value: Any) -> None:
    assert canonical._fast(value, 0)
    assert _outcome(canonical_bytes, value) == _outcome(_reference, value)


def test_a_log_entry_takes_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    entry = {
        "index": 12345,
        "kind": "retirement",
        "at": "2026-12-07T04:33:12.123456Z",
        "quantity_g": 1000,
        "quantity_t": Decimal("1.000"),
        "beneficiary": "海南国际会展论坛",
        "note": None,
        "final": True,
        "serials": ("HNCI-B1A2B3C4-2024-000000000000001-000000000001000",),
    }
    expected = _reference(entry)

    def refuse(value: Any) -> bytes:
        raise AssertionError("rfc8785 should not be needed here")

    monkeypatch.setattr(rfc8785, "dumps", refuse)
    assert canonical_bytes(entry) == expected


def test_keys_sort_by_utf16_code_units() -> None:
    # U+1F600 is the surrogate pair D83D DE00 in UTF-16, so it sorts before U+E000 (code point order says after).
    value = {"\uffff": 3, "\U0001f600": 2, "\ue000": 1, "a": 0}
    expected = '{"a":0,"\U0001f600":2,"\ue000":1,"\uffff":3}'.encode()
    assert canonical_bytes(value) == expected == _reference(value)
    assert canonical_bytes({"x": [value]}) == b'{"x":[' + expected + b"]}"


def test_bmp_keys_sort_by_code_point() -> None:
    value = {"\uffff": 5, "\ue000": 4, "\ud7ff": 3, "ab": 2, "a": 1, "": 0, "B": -1}
    assert canonical_bytes(value) == '{"":0,"B":-1,"a":1,"ab":2,"\ud7ff":3,"\ue000":4,"\uffff":5}'.encode()


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("\b\t\n\f\r", rb'"\b\t\n\f\r"'),
        ("\x00\x01\x0b\x1f", rb'"\u0000\u0001\u000b\u001f"'),
        ('"\\/', rb'"\"\\/"'),
        ("\x7f\x80", b'"\x7f\xc2\x80"'),
        ("\u2028\u2029", b'"\xe2\x80\xa8\xe2\x80\xa9"'),
        ("海\U0010ffff", '"海\U0010ffff"'.encode()),
    ],
)
def test_strings_are_escaped_as_rfc8785_escapes_them(text: str, written: bytes) -> None:
    assert canonical_bytes(text) == written == _reference(text)
    assert canonical_bytes({text: [text]}) == b"{" + written + b":[" + written + b"]}"


@pytest.mark.parametrize("value", ["\ud800", ["ok", "a\udfff"], {"\udc00": 1}, {"k": "\ud800", "\ud800": 1}])
def test_lone_surrogates_raise_what_rfc8785_raises(value: Any) -> None:
    # rfc8785 refuses a surrogate in a value as CanonicalizationError, in a key as UnicodeEncodeError (its sort).
    expected = _outcome(_reference, value)
    assert isinstance(expected, tuple)
    assert _outcome(canonical_bytes, value) == expected


@pytest.mark.parametrize("n", [SAFE, -SAFE, 0, 1, -1])
def test_ints_a_double_holds_are_written_plain(n: int) -> None:
    assert canonical_bytes({"n": n}) == b'{"n":' + str(n).encode() + b"}"


@pytest.mark.parametrize("n", [SAFE + 1, -SAFE - 1, 2**64, -(2**100)])
def test_ints_beyond_a_double_are_refused(n: int) -> None:
    with pytest.raises(rfc8785.IntegerDomainError):
        canonical_bytes({"ok": 1, "n": [n]})


def test_an_int_too_long_to_print_raises_as_rfc8785_does() -> None:
    value = {"n": 10**5000}
    assert _outcome(canonical_bytes, value) == _outcome(_reference, value)
    with pytest.raises(ValueError, match="4300 digits"):
        canonical_bytes(value)


@pytest.mark.parametrize(
    ("number", "written"),
    [
        (1e21, b"1e+21"),
        (1e20, b"100000000000000000000"),
        (-0.0, b"0"),
        (5e-324, b"5e-324"),
        (1.0, b"1"),
        (1e-7, b"1e-7"),
        (0.1, b"0.1"),
        (-1.5, b"-1.5"),
    ],
)
def test_floats_are_written_as_ecmascript_numbers(number: float, written: bytes) -> None:
    assert canonical_bytes({"f": [number]}) == b'{"f":[' + written + b"]}"


@pytest.mark.parametrize("number", [float("nan"), float("inf"), -float("inf")])
def test_non_finite_floats_are_refused(number: float) -> None:
    with pytest.raises(rfc8785.FloatDomainError):
        canonical_bytes({"f": number})


@pytest.mark.parametrize(
    ("number", "written"),
    [
        (Decimal("1.50"), b'"1.50"'),
        (Decimal("-0"), b'"-0"'),
        (Decimal("1E+3"), b'"1000"'),
        (Decimal("1e-8"), b'"0.00000001"'),
        (Decimal("NaN"), b'"NaN"'),
    ],
)
def test_decimals_are_written_as_plain_strings(number: Decimal, written: bytes) -> None:
    assert canonical_bytes(number) == written
    assert canonical_bytes({"q": [number]}) == b'{"q":[' + written + b"]}"


class Colour(str, Enum):  # noqa: UP042 - not StrEnum: str() of this mix-in is "Colour.RED"
    RED = "red"


class Level(IntEnum):
    HIGH = 3


def test_non_str_keys_become_str_as_before() -> None:
    # str() decides: later duplicates win, False is "False", a (str, Enum) key is its qualified name.
    assert canonical_bytes({1: "a", "1": "b", None: 0, False: 1}) == b'{"1":"b","False":1,"None":0}'
    assert canonical_bytes({Colour.RED: 1}) == _reference({Colour.RED: 1}) == b'{"Colour.RED":1}'


def test_subclassed_scalars_are_written_as_rfc8785_writes_them() -> None:
    value = {"c": Colour.RED, "l": Level.HIGH, "b": [False, None]}
    assert canonical_bytes(value) == _reference(value) == b'{"b":[false,null],"c":"red","l":3}'


@pytest.mark.parametrize("value", [object(), {"x": {1, 2}}, {"x": b"bytes"}, [1, 2.5j]])
def test_unsupported_types_raise_as_rfc8785_does(value: Any) -> None:
    with pytest.raises(rfc8785.CanonicalizationError, match="unsupported type"):
        canonical_bytes(value)


@pytest.mark.parametrize("depth", [100, 600, 3000])
def test_deep_values_fare_as_in_rfc8785(depth: int) -> None:
    # Past some depth rfc8785 runs out of stack; the fast path must not succeed where it failed.
    deep: Any = "leaf"
    for i in range(depth):
        deep = [deep] if i % 2 else {"k": deep}
    expected = _outcome(_reference, deep)
    got = _outcome(canonical_bytes, deep)
    if isinstance(expected, bytes):
        assert got == expected
    else:
        assert isinstance(got, tuple) and got[0] is expected[0]


def test_a_cycle_raises_recursion_error() -> None:
    cycle: list[Any] = []
    cycle.append(cycle)
    with pytest.raises(RecursionError):
        canonical_bytes({"c": cycle})
