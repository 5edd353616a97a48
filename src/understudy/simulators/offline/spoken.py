"""Values said aloud the way callers say them on the phone.

Taken from the caller turns of the Harper Valley calls (calibration part, ``../shared/data``):
amounts are said as numbers in words ("one hundred and thirty five dollars"), phone numbers,
zip codes, card and account numbers digit by digit ("five seven zero four four eight..."), times
as "eleven a m" or "nine forty five a m", house numbers digit by digit ("four two one first
street"). ``spoken(value, slot)`` applies these rules; anything it does not recognise is said as
written.
"""

from __future__ import annotations

import re

_ONES = (
    *("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"),
    *("eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen"),
    *("eighteen", "nineteen"),
)
_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_AMOUNT_SLOTS = {"amount", "price", "total", "balance", "charge"}
_TIME = re.compile(r"^(\d{1,2}):(\d{2})\s*([ap])\.?\s*m\.?$", re.IGNORECASE)
_MONEY = re.compile(r"^\$?(\d+)(?:\.(\d{2}))?$")
_DIGITS = re.compile(r"\d+")


def number_words(n: int) -> str:
    """Say a whole number from 0 to 999,999 in words, British "and" after hundreds.

    Raises:
        ValueError: ``n`` is negative or too large.
    """
    if n < 0 or n >= 1_000_000:
        raise ValueError(f"expected 0 to 999999, got {n}")
    if n < 20:
        return _ONES[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return _TENS[tens] + (f" {_ONES[ones]}" if ones else "")
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        head = f"{_ONES[hundreds]} hundred"
        return head + (f" and {number_words(rest)}" if rest else "")
    thousands, rest = divmod(n, 1000)
    head = f"{number_words(thousands)} thousand"
    if not rest:
        return head
    return head + (" and " if rest < 100 else " ") + number_words(rest)


def digits_words(digits: str) -> str:
    """Say a digit string one digit at a time: ``"075"`` -> ``"zero seven five"``."""
    return " ".join(_ONES[int(d)] for d in digits if d.isdigit())


def _time(match: re.Match[str]) -> str:
    hour, minute, half = int(match.group(1)), int(match.group(2)), match.group(3).lower()
    said = number_words(hour)
    if minute:
        said += " " + (f"oh {_ONES[minute]}" if minute < 10 else number_words(minute))
    return f"{said} {half} m"


def spoken(value: str, slot: str = "") -> str:
    """Return ``value`` as a caller says it aloud (see the module docstring).

    Args:
        value: the value as written (``"135"``, ``"570-448-0374"``, ``"11:00 AM"``).
        slot: its slot key; amounts (``amount``...) are said as numbers with "dollars".

    Returns:
        The spoken form; ``value`` unchanged when no rule applies.
    """
    text = value.strip()
    time = _TIME.match(text)
    if time:
        return _time(time)
    money = _MONEY.match(text.replace(",", ""))
    if money and (slot in _AMOUNT_SLOTS or text.startswith("$")):
        dollars = int(money.group(1))
        if dollars >= 1_000_000:
            return value
        said = f"{number_words(dollars)} dollars"
        cents = int(money.group(2) or 0)
        return said + (f" and {number_words(cents)} cents" if cents else "")
    if not any(c.isdigit() for c in text):
        return value
    return " ".join(_token(word) for word in text.replace("-", " ").split())


def _token(word: str) -> str:
    """One written word said aloud: digits one by one; a code like ``BH2`` letter by letter."""
    if word.isdigit():
        return digits_words(word)
    if any(c.isdigit() for c in word) and any(c.isalpha() for c in word):
        return " ".join(digits_words(c) if c.isdigit() else c.lower() for c in word if c.isalnum())
    return _DIGITS.sub(lambda m: digits_words(m.group(0)), word)
