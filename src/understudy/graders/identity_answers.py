"""Which identity details a caller's answer actually gives, in written or spoken form.

The verification check (``semantic_checks.check_asks_before_disclosing``) asks whether the caller
answered the identity question with what was asked: a name, a zip code, an e-mail address, a
phone number, an order number, a postal address or a date of birth. Callers give these in many
forms, and speech transcripts spell digits as words ("eight oh two seven three", "double five"),
so an answer is first normalised (number words to digits, digit groups joined) and then read
with one small recogniser per field.

``fields_given(text)`` returns the fields recognised; ``declines(text)`` tells a caller who gives
nothing and says so ("I don't remember which email I used").
"""

from __future__ import annotations

import re

_UNITS = {
    "zero": "0",
    "oh": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
}
_TEENS = {
    "ten": "10",
    "eleven": "11",
    "twelve": "12",
    "thirteen": "13",
    "fourteen": "14",
    "fifteen": "15",
    "sixteen": "16",
    "seventeen": "17",
    "eighteen": "18",
    "nineteen": "19",
}
_TENS = {
    "twenty": "2",
    "thirty": "3",
    "forty": "4",
    "fifty": "5",
    "sixty": "6",
    "seventy": "7",
    "eighty": "8",
    "ninety": "9",
}
_UNIT = r"(?:zero|oh|one|two|three|four|five|six|seven|eight|nine)"
_DIGIT_WORD = re.compile(
    r"\b(?:(?P<rep>double|triple) (?P<rep_unit>" + _UNIT + r")|"
    r"(?P<tens>" + "|".join(_TENS) + r")(?:[ -](?P<tens_unit>" + _UNIT + r"))?|"
    r"(?P<teen>" + "|".join(_TEENS) + r")|(?P<unit>" + _UNIT + r"))\b"
)
_DIGIT_GAP = re.compile(r"[ \t.,()/-]{1,2}")


def _join_digit_groups(text: str, *, across_commas: bool) -> str:
    """Join digit groups separated by one or two spaces or punctuation marks into one run.

    With ``across_commas`` False a gap holding a comma ends the run, so a written list of details
    ("80219, 555 123 4567") stays a zip code and a phone number; spoken digits are joined across
    commas too, because a transcript puts a comma where the caller paused inside one number
    ("five five five, double one, two three").
    """
    parts = re.split(r"(\d+)", text)
    out = [parts[0]]
    for i in range(1, len(parts), 2):
        gap = parts[i + 1] if i + 1 < len(parts) else ""
        out.append(parts[i])
        joins = i + 2 < len(parts) and _DIGIT_GAP.fullmatch(gap) is not None
        if not (joins and (across_commas or "," not in gap)):
            out.append(gap)
    return "".join(out)


def spoken_digits(low: str) -> str:
    """``low`` with number words turned into digits and digit groups joined into one run.

    "eight oh two seven three" -> "80273"; "five five five, double one, two three" -> "5551123";
    "eighty two seven three" -> "8273". A lone "oh" stays a word ("oh, okay"). Written digit
    groups are not joined across a comma: "80219, 555 123 4567" -> "80219, 5551234567".
    """

    def digit(match: re.Match[str]) -> str:
        if match.group("rep"):
            times = 2 if match.group("rep") == "double" else 3
            return _UNITS[match.group("rep_unit")] * times
        if match.group("tens"):
            unit = match.group("tens_unit")
            return _TENS[match.group("tens")] + (_UNITS[unit] if unit else "0")
        if match.group("teen"):
            return _TEENS[match.group("teen")]
        return _UNITS[match.group("unit")]

    def keep_lone_oh(match: re.Match[str]) -> str:
        text = match.group(0)
        if match.group("unit") == "oh":
            before = low[max(0, match.start() - 12) : match.start()]
            after = low[match.end() : match.end() + 12]
            if not (_DIGIT_WORD.search(before) or _DIGIT_WORD.search(after)):
                return text
        return digit(match)

    spoken = not re.search(r"\d", low)
    return _join_digit_groups(_DIGIT_WORD.sub(keep_lone_oh, low), across_commas=spoken)


_COMMON = frozenset(
    re.findall(
        r"\S+",
        """a an the and or but so if it it's its i i'm im me my we our you your he she they
    is are was were be been am do does did have has had to of in on at by for with from
    about as just only
    also very really yes yeah yep yup no nope not okay ok oh um uh er ah hmm mm well right sure
    fine thanks thank hi hello hey sorry wait hang on actually honestly erm so sure name names
    zip code post postcode postal email e-mail mail address phone number order account full first
    last surname it's that's there here this that what which who why how when where one please
    great good lovely perfect cool hold let see think know remember don't can't cannot won't
    dont cant used use using again under street road avenue lane drive
    january february march april may june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday today tomorrow yesterday
    mr mrs ms miss dr""",
    )
)
_CAPITALISED = re.compile(r"\b[A-Z][a-z\u00c0-\u00ff]+(?:['\u2019-][A-Z]?[a-z\u00c0-\u00ff]+)?\b")
_INTRO = re.compile(
    r"\b(?:my name(?:'s| is)|name's|the name(?:'s| is)|under(?: the name)?)\s+"
    r"([a-z\u00c0-\u00ff'-]+)|"
    r"\b(?:it's|its|this is|i'm|i am)\s+([a-z\u00c0-\u00ff'-]+) ([a-z\u00c0-\u00ff'-]+)\b"
)
_STREET = (
    r"(?:street|st|road|rd|avenue|ave|lane|ln|drive|dr|way|court|ct|boulevard|blvd|place|pl|"
    r"terrace|close|crescent|circle|parkway|highway|hwy|square|row|trail)"
)
_ORDINAL = (
    r"(?:(?:twenty|thirty)[ -]?)?(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)|"
    r"tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|"
    r"nineteenth|twentieth|thirtieth"
)
_MONTH = (
    r"(?:january|february|march|april|may|june|july|august|september|october|november|december|"
    r"jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)"
)

FIELD_ANSWERS: dict[str, re.Pattern[str]] = {
    "email": re.compile(
        r"[a-z0-9._%+-]*@[a-z0-9.-]+|\b[a-z0-9._-]+ at [a-z0-9-]+ dot (?:com|net|org|co|io|edu)\b|"
        r"\b(?:gmail|hotmail|yahoo|outlook|icloud|proton(?:mail)?)\b"
    ),
    "zip": re.compile(r"(?<![\d#])\d{5}(?:-\d{4})?(?!\d)"),
    "phone": re.compile(r"(?<![\d#])\+?\d{7,11}(?!\d)"),
    "order_number": re.compile(
        r"\border(?: number| no| reference| ref| id)?(?: is| was|'s)?:? #?[a-z]{0,3}-?\d{3,}|"
        r"#\s?[a-z]{0,3}-?\d{3,}|\b[a-z]{1,4}-?\d{4,}\b"
    ),
    "address": re.compile(
        r"\b\d{1,5}[a-z]? (?:[a-z']+ ){1,3}" + _STREET + r"\b|"
        r"\b(?:apartment|apt|unit|suite|flat) #?\d+"
    ),
    "date_of_birth": re.compile(
        r"\b" + _MONTH + r" (?:the )?(?:\d{1,2}(?:st|nd|rd|th)?|" + _ORDINAL + r")\b|"
        r"\b(?:\d{1,2}(?:st|nd|rd|th)?|(?:the )?" + _ORDINAL + r") (?:of )?" + _MONTH + r"\b|"
        r"\b\d{1,2}[/.-]\d{1,2}[/.-](?:19|20)?\d{2}\b"
    ),
}
"""Recognisers over the normalised answer (lower case, ``spoken_digits``) per field; ``name`` is
read separately (``gives_name``) because capitals matter."""

DECLINES = re.compile(
    r"\b(?:don't|do not|can't|cannot|couldn't) (?:remember|recall|know|find|have|think of)|"
    r"\b(?:no idea|not sure|i forget|forgot|rather not|prefer not|why do you need)\b"
)
"""A caller saying they cannot or will not give what was asked."""


def gives_name(text: str) -> bool:
    """True when an answer gives a person's name.

    A capitalised word that is not a common word (the first word of a sentence only when another
    capitalised word, a comma or digits follow: "Daiki Johnson, 80273.", "Greg, 80219."), a name
    after "my name is", "it's", "this is", "under"; or, in an unpunctuated lower-case transcript,
    the words left once fillers, digits and field words are set aside, when the same answer
    also gives a number ("yeah daiki johnson eight zero two seven three").
    """
    for match in _CAPITALISED.finditer(text):
        word = match.group(0)
        if word.lower() in _COMMON:
            continue
        start = match.start()
        prefix = text[:start].rstrip()
        sentence_start = not prefix or prefix[-1] in ".!?"
        if not sentence_start:
            return True
        rest = text[match.end() :]
        if re.match(r"\s*(?:[A-Z][a-z]|,|\d)", rest) or len(text.split()) <= 3:
            return True
    low = text.lower().replace("\u2019", "'")
    for match in _INTRO.finditer(low):
        words = [w for w in match.groups() if w]
        if all(w.strip("'") not in _COMMON and not _DIGIT_WORD.fullmatch(w) for w in words):
            return True
    if text == low:
        normal = spoken_digits(low)
        for field in ("email", "order_number", "address", "date_of_birth"):
            normal = FIELD_ANSWERS[field].sub(" ", normal)
        if re.search(r"\d", normal):
            words = [w for w in re.findall(r"[a-z\u00c0-\u00ff'-]+", normal) if w not in _COMMON]
            return bool(words)
    return False


def fields_given(text: str) -> set[str]:
    """The identity fields an answer gives (see ``FIELD_ANSWERS`` and ``gives_name``).

    A digit run counts once, for the field its length fits: five digits a zip code, seven to
    eleven a phone number; an order number or address claims its digits first.
    """
    low = re.sub(r"\s+", " ", text.lower().replace("\u2019", "'"))
    normal = spoken_digits(low)
    found: set[str] = set()
    for field in ("email", "order_number", "address", "date_of_birth"):
        match = FIELD_ANSWERS[field].search(normal)
        if match:
            found.add(field)
            normal = normal[: match.start()] + " " + normal[match.end() :]
    for field in ("zip", "phone"):
        if FIELD_ANSWERS[field].search(normal):
            found.add(field)
    rest = re.sub(r"[\w.%+-]*@[\w.-]+", " ", text)
    rest = re.sub(FIELD_ANSWERS["address"].pattern, " ", rest, flags=re.IGNORECASE)
    if gives_name(rest):
        found.add("name")
    return found


def declines(text: str) -> bool:
    """True when an answer says the caller cannot or will not give what was asked."""
    return bool(DECLINES.search(text.lower().replace("\u2019", "'")))
