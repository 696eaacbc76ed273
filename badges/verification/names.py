"""Whether a name an uploaded credential gives its issuer is, to a reader, the institution's own.

Someone who signs a credential with a key of their own can write any issuer name in it. A reader
does not tell "Binghamton University" from "BINGHAMTON  UNIV." or from a name with a Cyrillic "о" in
it, so neither may the verify page: names are folded (Unicode compatibility forms, look-alike letters
of other scripts, accents, case, spaces and punctuation) and then compared loosely.
"""

import difflib
import re
import unicodedata

# Letters of other scripts drawn like Latin ones (a selection of Unicode's confusables: the Cyrillic
# and Greek letters that pass for Latin in common fonts), and digits that stand in for letters.
LOOKALIKES = str.maketrans(
    dict(
        zip(
            "авсеһіјкмнорѕтухԁԛԝѵ" + "αβεικνορτυχ" + "ɑɡıℓ" + "01345",  # Cyrillic, Greek, Latin, digits
            "abcehijkmhopstyxdqwv" + "abeikvoptux" + "agil" + "oleas",
            strict=True,
        )
    )
)
# Words that many institutions' names share: a name that matches ours only in these is not ours.
COMMON_WORDS = {
    "the", "of", "at", "and", "for", "in", "university", "univ", "college", "institute", "school",
    "state", "community", "academy", "polytechnic", "center", "centre",
}  # fmt: skip
WORD_RATIO = 0.85  # a misspelt word (an extra letter) scores about 0.95; a shorter name (Bingham) 0.82
SHORT_WORDS = {"the", "of", "at", "and", "for", "in"}


def fold(name):
    """The words of ``name`` as a reader sees them: compatibility forms, look-alike letters,
    accents, case and punctuation folded away."""
    text = unicodedata.normalize("NFKC", name).casefold().translate(LOOKALIKES)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return re.findall(r"[^\W_]+", text)


def looks_like(name, institution):
    """Whether ``name`` would pass for ``institution`` with a reader, once both are folded: every
    distinctive word of the institution's name (not "University", "College" …) is in it, spelled
    alike (a letter apart) or run together or split apart, or it is the institution's initials
    ("FIU"). "Bingham University" and "Florida State University" do not pass for Binghamton
    University or Florida International University."""
    words, ours = fold(name), fold(institution)
    distinctive = [word for word in ours if word not in COMMON_WORDS] or ours
    if not words or not distinctive:
        return False
    initials = "".join(word[0] for word in ours if word not in SHORT_WORDS)
    runs = {
        "".join(words[start:end]) for start in range(len(words)) for end in range(start + 1, len(words) + 1)
    }
    if len(initials) >= 3 and initials in runs:  # "FIU", "F.I.U."
        return True
    wanted = "".join(distinctive)
    if any("".join(words[start:]).startswith(wanted) for start in range(len(words))):
        return True
    return all(
        any(difflib.SequenceMatcher(None, word, theirs).ratio() >= WORD_RATIO for theirs in words)
        for word in distinctive
    )
