from __future__ import annotations

import numpy as np
import pytest

from risk_models.uscc import CHARSET, check_character, is_valid, make_codes


def test_published_example_code_is_valid():
    # The example code printed in GB 32100-2015 explanations.
    assert is_valid("91350100M000100Y43")


def test_changing_any_character_breaks_the_check():
    code = "91350100M000100Y43"
    for i in range(18):
        other = CHARSET[(CHARSET.index(code[i]) + 1) % 31]
        assert not is_valid(code[:i] + other + code[i + 1 :])


def test_letters_outside_the_charset_are_rejected():
    assert not is_valid("91350100M000100I43")
    with pytest.raises(ValueError, match="not allowed"):
        check_character("9135010OM000100Y4")


def test_make_codes_embeds_region_and_gives_valid_distinct_codes():
    regions = np.array(["440100", "440300", "441900"] * 100)
    codes = make_codes(regions, np.arange(300) * 7919)
    assert len(set(codes)) == 300
    assert all(is_valid(c) for c in codes)
    assert all(c[2:8] == r and c[:2] == "91" for c, r in zip(codes, regions, strict=True))


def test_make_codes_rejects_out_of_range_numbers():
    with pytest.raises(ValueError, match="org_numbers"):
        make_codes(np.array(["440100"]), np.array([31**9]))
