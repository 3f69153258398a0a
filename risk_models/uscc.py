"""统一社会信用代码 (USCC, GB 32100-2015): check character and validation.

An 18-character code: registration authority (1), entity type (1), 6-digit
administrative region code, 9-character organization code, and a check
character computed over the first 17 characters.
"""

from __future__ import annotations

import numpy as np

CHARSET: str = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS: tuple[int, ...] = (
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
)  # fmt: skip
_VALUE = {ch: i for i, ch in enumerate(CHARSET)}


def check_character(first17: str) -> str:
    """Return the GB 32100-2015 check character for the first 17 characters.

    Parameters
    ----------
    first17 : str
        The first 17 characters of a USCC, upper case, from :data:`CHARSET`.

    Returns
    -------
    str
        The 18th character.
    """
    if not isinstance(first17, str):
        raise TypeError(f"first17 must be a str, got {type(first17).__name__}")
    if len(first17) != 17:
        raise ValueError(f"first17 must have 17 characters, got {len(first17)}")
    bad = sorted({ch for ch in first17 if ch not in _VALUE})
    if bad:
        raise ValueError(f"characters not allowed in a USCC: {''.join(bad)!r}")
    total = sum(_VALUE[ch] * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def is_valid(code: object) -> bool:
    """Return whether ``code`` is a well-formed USCC with a correct check character.

    Parameters
    ----------
    code : object
        Anything; only an 18-character string over :data:`CHARSET` can be valid.

    Returns
    -------
    bool
    """
    if not isinstance(code, str) or len(code) != 18:
        return False
    if any(ch not in _VALUE for ch in code):
        return False
    return check_character(code[:17]) == code[17]


def make_codes(region_codes: np.ndarray, org_numbers: np.ndarray, prefix: str = "91") -> np.ndarray:
    """Build valid USCCs, vectorized.

    Parameters
    ----------
    region_codes : numpy.ndarray
        6-digit region code strings, one per code.
    org_numbers : numpy.ndarray
        Non-negative integers below ``31**9``; each is written in base 31 over
        :data:`CHARSET` as the 9-character organization code, so distinct numbers
        give distinct codes.
    prefix : str, default "91"
        Registration authority and entity type ("9" market regulator, "1"
        enterprise).

    Returns
    -------
    numpy.ndarray
        Array of 18-character strings.
    """
    regions = np.asarray(region_codes).astype("<U6")
    numbers = np.asarray(org_numbers, dtype=np.int64)
    if regions.shape != numbers.shape or regions.ndim != 1:
        raise ValueError("region_codes and org_numbers must be 1-d and equally long")
    if len(prefix) != 2 or any(ch not in _VALUE for ch in prefix):
        raise ValueError(f"prefix must be 2 USCC characters, got {prefix!r}")
    if numbers.size and (numbers.min() < 0 or numbers.max() >= 31**9):
        raise ValueError("org_numbers must lie in [0, 31**9)")
    values = np.empty((numbers.size, 17), dtype=np.int64)
    values[:, 0] = _VALUE[prefix[0]]
    values[:, 1] = _VALUE[prefix[1]]
    region_digits = regions.view("<U1").reshape(-1, 6)
    values[:, 2:8] = region_digits.astype(np.int64)
    powers = 31 ** np.arange(8, -1, -1, dtype=np.int64)
    values[:, 8:17] = (numbers[:, None] // powers) % 31
    check = (31 - (values @ np.asarray(WEIGHTS, dtype=np.int64)) % 31) % 31
    chars = np.asarray(list(CHARSET), dtype="<U1")
    full = np.concatenate([chars[values], chars[check][:, None]], axis=1)
    return np.ascontiguousarray(full).view("<U18").ravel()
