"""What a one-line persona description states, read before anything is invented.

``read_description("impatient 72-year-old retired teacher who was double charged $42.99")``
returns a ``Description``: the stated age (or the range its words imply), gender, language,
occupation, the problem clause ("who was double charged $42.99"), values it gives (an amount, a
device, an item, a destination, an order number, a card's last four digits) and facts it says the
customer does not have ("lost her order number"). Both persona generators honour it: the offline
one invents only what it leaves open, and the LLM one's draft is corrected to it
(``honour_description``). The word lists are this project's own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from understudy.content.generation.situations import NOT_A_DEVICE
from understudy.domain.persona import MoodDrift, Persona

_DECADES = {
    "twenties": 20,
    "thirties": 30,
    "forties": 40,
    "fifties": 50,
    "sixties": 60,
    "seventies": 70,
    "eighties": 80,
    "nineties": 90,
}
_AGE_EXACT = re.compile(
    r"\b(\d{1,3})[- ]?(?:years?|yrs?)[- ]old\b|\b(\d{1,3})[- ]?y/?o\b|\baged? (\d{1,3})\b"
)
_AGE_DECADE = re.compile(
    r"\b(?:in (?:her|his|their) )?(\d)0'?s\b|\b(" + "|".join(_DECADES) + r")\b"
)
_ELDERLY = re.compile(
    r"\b(elderly|senior|pensioner|retiree|retired|grandmother|grandfather|grandma|grandpa|"
    r"granny|widow|widower|old (?:man|woman|lady|gentleman))\b"
)
_TEEN = re.compile(r"\b(teen|teens|teenager|teenage|high[- ]school(?:er)?)\b")
_YOUNG = re.compile(r"\b(young|student|college|university|undergraduate|first job)\b")
_MIDDLE = re.compile(r"\bmiddle[- ]aged\b")

_FEMALE = (
    "woman, women, mother, mom, mum, grandmother, grandma, granny, lady, she, her, wife, "
    "daughter, girl, widow, actress, waitress, businesswoman, housewife, sister, aunt, niece"
)
_MALE = (
    "man, men, father, dad, grandfather, grandpa, guy, he, his, him, husband, son, boy, "
    "gentleman, widower, businessman, brother, uncle, nephew"
)
_GENDER_WORDS = {w.strip(): "female" for w in _FEMALE.split(",")} | {
    w.strip(): "male" for w in _MALE.split(",")
}

# Language names and the tag each gives.
_LANGUAGES = {
    "english": "en-US",
    "spanish": "es-ES",
    "french": "fr-FR",
    "german": "de-DE",
    "portuguese": "pt-PT",
    "italian": "it-IT",
    "japanese": "ja-JP",
    "mandarin": "zh-CN",
    "chinese": "zh-CN",
    "cantonese": "zh-HK",
    "korean": "ko-KR",
    "arabic": "ar",
    "hindi": "hi-IN",
    "russian": "ru-RU",
    "polish": "pl-PL",
    "dutch": "nl-NL",
    "turkish": "tr-TR",
    "vietnamese": "vi-VN",
    "tagalog": "tl-PH",
    "swedish": "sv-SE",
    "greek": "el-GR",
    "ukrainian": "uk-UA",
}
# Nationality words: the tag of the language people of that country speak by default.
_NATIONALITIES = {
    "american": "en-US",
    "british": "en-GB",
    "english": "en-GB",
    "scottish": "en-GB",
    "welsh": "en-GB",
    "australian": "en-AU",
    "indian": "en-IN",
    "canadian": "en-CA",
    "irish": "en-IE",
    "new zealander": "en-NZ",
    "kiwi": "en-NZ",
    "south african": "en-ZA",
    "nigerian": "en-NG",
    "mexican": "es-MX",
    "spanish": "es-ES",
    "colombian": "es-CO",
    "argentinian": "es-AR",
    "argentine": "es-AR",
    "chilean": "es-CL",
    "peruvian": "es-PE",
    "french": "fr-FR",
    "quebecois": "fr-CA",
    "belgian": "fr-BE",
    "german": "de-DE",
    "austrian": "de-AT",
    "swiss": "de-CH",
    "brazilian": "pt-BR",
    "portuguese": "pt-PT",
    "italian": "it-IT",
    "japanese": "ja-JP",
    "chinese": "zh-CN",
    "taiwanese": "zh-TW",
    "korean": "ko-KR",
    "dutch": "nl-NL",
    "polish": "pl-PL",
    "russian": "ru-RU",
    "turkish": "tr-TR",
    "vietnamese": "vi-VN",
    "filipino": "tl-PH",
    "swedish": "sv-SE",
    "greek": "el-GR",
    "ukrainian": "uk-UA",
}
_NAMES = "|".join(sorted(_LANGUAGES, key=len, reverse=True))
_SPEAKS = re.compile(
    rf"\b(?:speaks?|speaking|talks?|in|native|fluent(?: only)? in)\s+(?:only\s+|mostly\s+|"
    rf"mainly\s+)?({_NAMES})\b(?!\s+(?:food|fries|restaurant|bakery|class|teacher))"
    rf"|\b({_NAMES})[- ](?:speaking|speaker|only)\b"
)
_NON_NATIVE_ENGLISH = re.compile(
    r"\b(?:english (?:is|isn't|is not) (?:not )?(?:perfect|great|good|fluent|their first)|"
    r"limited english|broken english|learning english|little english|some english|"
    r"english as a second language|second language|non[- ]native|esl)\b"
)
_NATIONALITY = re.compile(
    r"\b(" + "|".join(sorted(_NATIONALITIES, key=len, reverse=True)) + r")\b"
    r"(?![- ](?:speaking|speaker|food|fries|restaurant|bulldog|class|teacher))"
)


def _longest_first(listed: str) -> list[str]:
    """The comma-separated phrases of ``listed``, longest first (so an alternation of them
    matches "bus driver" before "driver")."""
    return sorted((phrase.strip() for phrase in listed.split(",")), key=len, reverse=True)


_JOBS = (
    "small business owner, business owner, shop owner, bakery owner, restaurant owner, "
    "cafe owner, store owner, software developer, software engineer, web developer, "
    "truck driver, bus driver, taxi driver, delivery driver, police officer, "
    "real estate agent, flight attendant, stay-at-home parent, stay-at-home mum, "
    "stay-at-home mom, stay-at-home dad, graduate student, teacher, nurse, student, engineer, "
    "lawyer, accountant, plumber, chef, cook, farmer, developer, programmer, doctor, dentist, "
    "electrician, librarian, mechanic, driver, pilot, designer, consultant, pharmacist, "
    "firefighter, journalist, musician, artist, salesperson, manager, cleaner, carpenter, "
    "freelancer, photographer, scientist, professor, receptionist, waiter, waitress, cashier, "
    "veteran, retiree, pensioner, homemaker, builder, baker, barber, hairdresser, architect, "
    "researcher, soldier, paramedic, vet, veterinarian, translator, writer, editor, "
    "shopkeeper, landlord, contractor, gardener, tailor, butcher, unemployed, jobseeker"
)
_JOB_WORDS = _longest_first(_JOBS)
_JOB = re.compile(
    r"\b((?:retired|former|part-time|young|new|trainee|junior|senior|head|self-employed)\s+)?"
    r"(" + "|".join(re.escape(j) for j in _JOB_WORDS) + r")(s)?\b(?!'s)"
)
_OWNER = re.compile(r"\b([a-z]+) owner\b")

_CLAUSE = re.compile(
    r"\b(who|whose|that|with|about|asking about|calling about|wanting to|wants to|because)\s+"
    r"|\b()(?=(?:double[- ])?(?:charged|overcharged|billed)\b)"
)
_MONEY = re.compile(r"[$£€]\s?\d[\d,]*(?:\.\d{2})?")
_ORDER = re.compile(r"\b(?:order (?:number |no\.? |#)?)?(ORD-?\d{3,}|#\d{4,})", re.IGNORECASE)
_CARD = re.compile(r"\bcard ending (?:in )?(\d{4})\b")
_DESTINATION = re.compile(r"\b(?:to|for|in) ([A-Z][a-z]{2,}(?: [A-Z][a-z]+)?)")
_DEVICES = (
    "smart tv, smart speaker, router, modem, laptop, printer, tablet, smartphone, phone, "
    "computer, tv, television, camera, smartwatch, watch, console, boiler app, app, "
    "internet, wifi, wi-fi"
)
_DEVICE_WORDS = _longest_first(_DEVICES)
_ITEM = re.compile(
    r"\b(?:my|her|his|their|the|a|an|new|whose)\s+((?!order\b|package\b|parcel\b|delivery\b)"
    r"[a-z]+(?: [a-z]+)?)\s+(?:never arrived|has not arrived|hasn't arrived|did not arrive|"
    r"didn't arrive|is late|was late|arrived (?:damaged|broken|late)|was damaged|was broken|"
    r"is missing|was missing|was lost)"
    r"|\bordered (?:a |an |the |some )?([a-z]+(?: [a-z]+)?)"
)
_LACKS = re.compile(
    r"\b(?:lost|forgot|forgotten|misplaced|doesn't know|does not know|can't find|cannot find|"
    r"doesn't have|does not have|has no|without)\s+(?:her |his |their |the |my |an? )?"
    r"(order number|account number|booking reference|password|receipt|tracking number|"
    r"card number|pin|email address)"
)
LACKED_KEYS = {
    "order number": "order_id",
    "account number": "account_number",
    "booking reference": "booking_reference",
    "card number": "card_last_four",
    "email address": "email",
}
"""A phrase the description says the customer lacks -> the persona fact it rules out."""


@dataclass
class Description:
    """What a description states (None or empty: not stated, free to invent).

    Attributes:
        text: the description, white space collapsed.
        age: the stated age in years.
        age_range: the inclusive range its words imply ("in her 70s" -> 70-79, "elderly"
            -> 66-84, "teenager" -> 15-19), when no exact age is stated.
        gender: ``female`` or ``male`` from the first gendered word.
        language: BCP 47 tag from a language or nationality word; English when it says the
            customer's English is not perfect.
        occupation: the first job named, with its modifier ("retired teacher").
        retired: the customer is retired (an invented occupation is then a retired one).
        problem: the clause that says why they call, in the third person ("she was double
            charged and hates phone menus"), without the pronoun; empty when there is none.
        amount: a money amount stated ("$42.99").
        device: a device named ("router").
        item: an item named as ordered or missing ("blender").
        destination: a place travelled to ("Lisbon").
        order_id: an order number stated.
        card_last_four: a card's last four digits stated.
        lacks: things the customer does not have ("order number").
    """

    text: str
    age: int | None = None
    age_range: tuple[int, int] | None = None
    gender: str | None = None
    language: str | None = None
    occupation: str | None = None
    retired: bool = False
    problem: str = ""
    amount: str | None = None
    device: str | None = None
    item: str | None = None
    destination: str | None = None
    order_id: str | None = None
    card_last_four: str | None = None
    lacks: list[str] = field(default_factory=list)

    def fits_age(self, age: int | None) -> bool:
        """True when ``age`` agrees with what the description says (anything when nothing)."""
        if self.age is not None:
            return age == self.age
        if self.age_range is not None:
            return age is not None and self.age_range[0] <= age <= self.age_range[1]
        return True


def _age(low: str, desc: Description) -> None:
    exact = _AGE_EXACT.search(low)
    if exact:
        value = int(next(g for g in exact.groups() if g))
        if value <= 120:
            desc.age = value
            return
    decade = _AGE_DECADE.search(low)
    if decade:
        start = int(decade.group(1)) * 10 if decade.group(1) else _DECADES[decade.group(2)]
        if start >= 10:
            desc.age_range = (max(start, 16), start + 9)
            return
    if _TEEN.search(low):
        desc.age_range = (15, 19)
    elif _ELDERLY.search(low):
        desc.age_range = (66, 84)
    elif _MIDDLE.search(low):
        desc.age_range = (42, 60)
    elif _YOUNG.search(low):
        desc.age_range = (18, 26)


def _gender(low: str) -> str | None:
    for word in re.findall(r"[a-z]+", low):
        if word in _GENDER_WORDS:
            return _GENDER_WORDS[word]
    return None


def _language(low: str) -> str | None:
    if _NON_NATIVE_ENGLISH.search(low):
        nation = _NATIONALITY.search(low)
        tag = _NATIONALITIES[nation.group(1)] if nation else "en-US"
        return tag if tag.startswith("en") else "en-US"
    spoken = _SPEAKS.search(low)
    nation = _NATIONALITY.search(low)
    if spoken:
        tag = _LANGUAGES[spoken.group(1) or spoken.group(2)]
        if nation and _NATIONALITIES[nation.group(1)].split("-")[0] == tag.split("-")[0]:
            return _NATIONALITIES[nation.group(1)]  # "Mexican, speaks Spanish" -> es-MX
        return tag
    return _NATIONALITIES[nation.group(1)] if nation else None


def _occupation(low: str) -> str | None:
    found = [(m.start(), -len(m.group(0)), m) for m in _JOB.finditer(low)]
    owner = _OWNER.search(low)
    if owner and owner.group(1) not in ("business", "shop", "store", "home", "the", "a", "an"):
        found.append((owner.start(), -len(owner.group(0)), owner))
    if not found:
        return None
    match = min(found, key=lambda f: (f[0], f[1]))[2]
    if match.re is _OWNER:
        return match.group(0)
    job = (match.group(1) or "") + match.group(2)
    return job.strip()


def _problem(text: str) -> str:
    """The clause after the first relative word, as words about the customer."""
    low = text.lower()
    match = _CLAUSE.search(low)
    if not match:
        return _bare_problem(text)
    word, rest = match.group(1) or "", text[match.end() :].strip(" .,;")
    if not rest:
        return ""
    rest = rest[0].lower() + rest[1:] if not rest[:2].isupper() else rest
    lead = {
        "whose": "{poss} ",
        "with": "has ",
        "about": "is calling about ",
        "asking about": "is asking about ",
        "calling about": "is calling about ",
        "wanting to": "wants to ",
        "wants to": "wants to ",
        "because": "is calling because ",
        "": "was ",
    }.get(word, "")
    # Later relative clauses join the first: "with a broken printer who has called twice".
    rest = re.sub(r",?\s+(?:and\s+)?who\s+", " and ", rest)
    rest = re.sub(r",?\s+(?:and\s+)?whose\s+", " and {poss} ", rest)
    rest = re.sub(r"\b(my|their)\b", "{poss}", rest)
    return lead + rest


_PROBLEM_WORDS = re.compile(
    r"\b(arrived|arrive|working|works|stopped|broke|broken|charged|declined|cancel+ed|late|"
    r"missing|lost|damaged|wrong|refund|overcharged|locked|crashing|down|keeps|dropping|"
    r"won't|doesn't|isn't|can't)\b"
)
_OWN_VERB = re.compile(
    r"^(lost|broke|forgot|paid|got|had|was|is|has|needs|wants|can't|cannot|\w+ed)\b"
)


def _bare_problem(text: str) -> str:
    """The problem when no clause introduces it: the last comma, colon or dash part that
    names one ("speaks only Portuguese, lost luggage" -> "lost luggage")."""
    parts: list[str] = [str(p).strip(" .;") for p in re.split(r"[,:;]| - | – ", text)[1:]]
    for part in reversed(parts):
        low = part.lower()
        if not _PROBLEM_WORDS.search(low):
            continue
        if _OWN_VERB.match(low):
            return low  # "lost luggage" -> "he lost luggage"
        # "the package never arrived" -> "her package never arrived"
        return "{poss} " + re.sub(r"^(?:my|her|his|their|the|a|an)\s+", "", low)
    return ""


def _device(low: str) -> str | None:
    low = NOT_A_DEVICE.sub(" ", low)
    for device in _DEVICE_WORDS:
        if re.search(rf"\b{re.escape(device)}\b(?!'s)", low):
            if device in ("internet", "wifi", "wi-fi"):
                return "internet connection"
            return {"tv": "TV", "smart tv": "smart TV", "phone": "smartphone"}.get(device, device)
    return None


def read_description(description: str) -> Description:
    """Read what ``description`` states (see the module docstring).

    Args:
        description: one line, any case.

    Returns:
        The stated facts; fields the description leaves open are None or empty.
    """
    text = " ".join(description.split()).replace("’", "'")
    low = text.lower()
    desc = Description(text=text)
    _age(low, desc)
    desc.gender = _gender(low)
    desc.language = _language(low)
    desc.occupation = _occupation(low)
    desc.retired = bool(re.search(r"\b(retired|retiree|pensioner)\b", low))
    desc.problem = _problem(text)
    money = _MONEY.search(text)
    desc.amount = money.group(0).replace(" ", "") if money else None
    order = _ORDER.search(text)
    desc.order_id = order.group(1) if order else None
    card = _CARD.search(low)
    desc.card_last_four = card.group(1) if card else None
    desc.device = _device(low)
    item = _ITEM.search(low)
    desc.item = (item.group(1) or item.group(2)) if item else None
    places = [
        m.group(1)
        for m in _DESTINATION.finditer(text)
        if m.group(1).lower() not in _LANGUAGES and m.group(1).lower() not in _NATIONALITIES
    ]
    desc.destination = places[0] if places else None
    desc.lacks = list(dict.fromkeys(m.group(1) for m in _LACKS.finditer(low)))
    return desc


def _fact_key(knows: dict[str, str], words: tuple[str, ...], default: str) -> str:
    return next((k for k in knows if any(w in k.lower() for w in words)), default)


def honour_description(persona: Persona, description: str) -> Persona:
    """Return ``persona`` corrected to what ``description`` states (for drafts from a model).

    Stated age (or an age outside the range the words imply: the range's middle), gender,
    language, occupation, the mood a feeling word gives, a drift a temperament word gives,
    typos / chatty / terse / non-native behaviour, and stated values (an amount, an order
    number, a card's last four digits) replace what the draft says; facts the description says
    the customer lacks are moved from ``knows`` to ``doesnt_know``. Fields it leaves open keep
    the draft's values.
    """
    from understudy.content.cues import read_cues

    desc = read_description(description)
    cues = read_cues(desc.text)
    demo = persona.demographics
    age = demo.age
    if not desc.fits_age(age):
        age = desc.age if desc.age is not None else sum(desc.age_range or (40, 40)) // 2
    demographics = demo.model_copy(
        update={
            "age": age,
            "gender": desc.gender or demo.gender,
            "occupation": desc.occupation or demo.occupation,
        }
    )
    knows = dict(persona.knowledge.knows)
    if desc.amount:
        knows[_fact_key(knows, ("amount", "charge", "price", "transaction"), "amount")] = (
            desc.amount
        )
    if desc.order_id:
        knows[_fact_key(knows, ("order",), "order_id")] = desc.order_id
    if desc.card_last_four:
        knows[_fact_key(knows, ("card",), "card_last_four")] = desc.card_last_four
    lacked = []
    for thing in desc.lacks:
        words = thing.split()
        mapped = LACKED_KEYS.get(thing, "_".join(words))
        for key in [k for k in knows if k == mapped or all(w in k.lower() for w in words)]:
            knows.pop(key)
        lacked.append(f"the {thing}")
    doesnt = [*lacked, *(d for d in persona.knowledge.doesnt_know if d not in lacked)]
    behaviour = persona.behaviour
    changes: dict[str, float] = {}
    if cues.behaviour.typo_rate > 0 and behaviour.typo_rate == 0:
        changes["typo_rate"] = cues.behaviour.typo_rate
    if "verbose" in cues.style_tags and behaviour.verbosity < 0.6:
        changes["verbosity"] = cues.behaviour.verbosity
    if "terse" in cues.style_tags and behaviour.verbosity > 0.4:
        changes["verbosity"] = cues.behaviour.verbosity
    if cues.behaviour.non_native_level > 0 and behaviour.non_native_level == 0:
        changes["non_native_level"] = cues.behaviour.non_native_level
    update: dict[str, object] = {
        "demographics": demographics,
        "knowledge": persona.knowledge.model_copy(update={"knows": knows, "doesnt_know": doesnt}),
        "behaviour": behaviour.model_copy(update=changes),
    }
    opposite = {"terse": "verbose", "verbose": "terse"}
    cue_tags = set(cues.style_tags)
    kept = [t for t in persona.style_tags if opposite.get(t) not in cue_tags]
    update["style_tags"] = [*kept, *(t for t in cues.style_tags if t not in kept)]
    if desc.language:
        update["language"] = desc.language
    if cues.mood_from_words:
        update["mood"] = cues.mood
    if cues.mood_drift is not MoodDrift.medium:
        update["mood_drift"] = cues.mood_drift
    return Persona.model_validate({**persona.model_dump(), **update})
