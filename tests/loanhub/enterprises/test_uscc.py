from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from loanhub.enterprises.uscc import uscc_check_character, validate_uscc

# Published codes of well-known companies (from their business licences).
REAL_CODES = [
    "91440300708461136T",
    "91330100716105852F",
    "914403001922038216",
    "91350100M000100Y43",
]


@pytest.mark.parametrize("code", REAL_CODES)
def test_published_codes_are_valid(code):
    assert validate_uscc(code) == code


def test_code_is_trimmed_and_upper_cased():
    assert validate_uscc("  91350100m000100y43\n") == "91350100M000100Y43"


@pytest.mark.parametrize("code", ["", "9144030070846113", "91440300708461136TT"])
def test_wrong_length_says_how_long(code):
    with pytest.raises(ValidationError) as exc:
        validate_uscc(code)
    assert exc.value.code == "uscc_length"
    assert f"{len(code.strip())}位" in exc.value.messages[0]


@pytest.mark.parametrize("bad", ["I", "O", "Z", "S", "V"])
def test_forbidden_letters_are_named_with_their_position(bad):
    code = "91440300708461136T"[:10] + bad + "91440300708461136T"[11:]
    with pytest.raises(ValidationError) as exc:
        validate_uscc(code)
    assert exc.value.code == "uscc_character"
    assert "第11位" in exc.value.messages[0]
    assert "I、O、Z、S、V" in exc.value.messages[0]


def test_punctuation_is_an_illegal_character():
    with pytest.raises(ValidationError) as exc:
        validate_uscc("9144030070846113-T")
    assert exc.value.code == "uscc_character"
    assert "第17位" in exc.value.messages[0]


def test_wrong_check_character_names_the_expected_one():
    with pytest.raises(ValidationError) as exc:
        validate_uscc("91440300708461136X")
    assert exc.value.code == "uscc_check"
    assert "应为“T”" in exc.value.messages[0]


def test_region_part_must_be_digits():
    body = "9144A300708461136"
    with pytest.raises(ValidationError) as exc:
        validate_uscc(body + uscc_check_character(body))
    assert exc.value.code == "uscc_region"


def test_non_text_is_rejected():
    with pytest.raises(ValidationError) as exc:
        validate_uscc(91440300708461136)  # type: ignore[arg-type]  # not a str, on purpose
    assert exc.value.code == "uscc_type"


def test_every_single_character_change_is_detected():
    code = REAL_CODES[0]
    for position in range(17):
        for ch in "0123456789ABCDEFGHJKLMNPQRTUWXY":
            if ch == code[position]:
                continue
            changed = code[:position] + ch + code[position + 1 :]
            if not changed[2:8].isdigit():
                continue
            with pytest.raises(ValidationError):
                validate_uscc(changed)
