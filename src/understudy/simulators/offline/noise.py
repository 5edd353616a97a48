"""The typing-noise layer of typo-prone personas: seeded, and never touching slot values.

Operations, each drawn from the injected ``random.Random``:

* per word, with probability ``typo_rate``, one typo: a neighbouring-key substitution on a QWERTY
  keyboard (the most common slip, weight 0.4), a dropped letter (0.25), a doubled letter (0.15) or
  two swapped neighbouring letters (0.2); the weights follow the usual ranking of typing errors
  (substitution, omission, transposition, insertion) in studies of keyboard typing;
* per gap between words, with probability ``typo_rate / 3``, a missing space;
* per message, with probability ``min(1, 2 * typo_rate)``, all lower case, and independently the
  same chance of losing the final punctuation.

Slot values are protected: a word that is part of a value the turn informs (``ORD-7711``, an
e-mail address) is never changed or glued to its neighbours. Real typists do mistype values, but a
corrupted value can never be validated by the bot, so every conversation would fail for a reason
that says nothing about the bot; typos around the value still test the bot's understanding.
"""

from __future__ import annotations

import random
from collections.abc import Iterable

_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")


def _neighbours() -> dict[str, str]:
    out: dict[str, str] = {}
    for r, row in enumerate(_ROWS):
        for c, char in enumerate(row):
            near = []
            for dr in (-1, 0, 1):
                rr = r + dr
                if 0 <= rr < len(_ROWS):
                    for dc in (-1, 0, 1):
                        cc = c + dc
                        if (dr or dc) and 0 <= cc < len(_ROWS[rr]):
                            near.append(_ROWS[rr][cc])
            out[char] = "".join(near)
    return out


NEIGHBOURS: dict[str, str] = _neighbours()
"""Letter -> letters next to it on a QWERTY keyboard (same row and the rows above and below)."""

_OPS = ("neighbour", "drop", "double", "swap")
_OP_WEIGHTS = (0.4, 0.25, 0.15, 0.2)


def typo(word: str, rng: random.Random) -> str:
    """Return ``word`` with one typo (see the module docstring); words under 2 letters unchanged."""
    letters = [i for i, ch in enumerate(word) if ch.isalpha()]
    if len(letters) < 2:
        return word
    op = rng.choices(_OPS, _OP_WEIGHTS)[0]
    i = rng.choice(letters)
    ch = word[i]
    if op == "neighbour" and ch.lower() in NEIGHBOURS:
        new = rng.choice(NEIGHBOURS[ch.lower()])
        return word[:i] + (new.upper() if ch.isupper() else new) + word[i + 1 :]
    if op == "drop":
        return word[:i] + word[i + 1 :]
    if op == "double":
        return word[: i + 1] + ch + word[i + 1 :]
    j = i + 1 if i + 1 < len(word) and word[i + 1].isalpha() else i - 1
    if j < 0 or not word[j].isalpha() or word[j] == ch:
        return word[:i] + ch + ch + word[i + 1 :] if op == "swap" else word
    a, b = sorted((i, j))
    return word[:a] + word[b] + word[a] + word[b + 1 :]


def add_noise(text: str, rate: float, rng: random.Random, protected: Iterable[str] = ()) -> str:
    """Return ``text`` as a hurried typist would send it.

    Args:
        text: the clean text.
        rate: the persona's typo rate, 0-1 (chance of a typo per word).
        rng: the conversation's seeded random generator.
        protected: values that must come through unchanged (slot values being informed).

    Returns:
        The noisy text; ``text`` itself when ``rate`` is 0.
    """
    if rate <= 0.0 or not text:
        return text
    guarded = {w for value in protected if value for w in value.split()}
    words = text.split(" ")
    out: list[str] = []
    for word in words:
        safe = word in guarded or any(g and g in word for g in guarded)
        out.append(word if safe or rng.random() >= rate else typo(word, rng))
    text_out = out[0] if out else ""
    for prev, word in zip(words, out[1:], strict=False):
        glued = rng.random() < rate / 3.0
        safe = prev in guarded or any(g and g in prev for g in guarded)
        safe = safe or any(g and g in word for g in guarded)
        text_out += word if glued and not safe else " " + word
    chance = min(1.0, 2.0 * rate)
    if rng.random() < chance:
        text_out = _lower_except(text_out, guarded)
    if rng.random() < chance and text_out[-1:] in ".!?":
        text_out = text_out.rstrip(".!?")
    return text_out


def _lower_except(text: str, guarded: set[str]) -> str:
    if not guarded:
        return text.lower()
    return " ".join(w if any(g in w for g in guarded) else w.lower() for w in text.split(" "))
