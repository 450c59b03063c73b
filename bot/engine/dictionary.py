"""Real English words: a word of the language is no spelling slip of a lexicon word.

The English spelling step turns a near miss of a lexicon word into that word (kindergarden ->
kindergarten). Without a dictionary it also "corrected" real words that happen to be near one
(incidents -> ancient, landed -> handed, speaking -> spending, appliance -> alliance). The words
are pyspellchecker's English word-frequency list, words used often enough that a typo is unlikely
to be among them; read once per process, from the private disk cache after the first time.
"""

from __future__ import annotations

import functools
import hashlib

import spellchecker

from bot.content.diskcache import DiskCache

MIN_COUNT = 100  # occurrences in the list's corpus: at the floor (50) are typos (shool) and junk
MIN_LENGTH = 4  # shorter words are never taken for slips (normalize.SPELL_MIN is larger)


def _disk_name() -> str:
    version = str(getattr(spellchecker, "__version__", ""))
    key = hashlib.sha256(f"{version}|{MIN_COUNT}|{MIN_LENGTH}".encode()).hexdigest()[:16]
    return f"english-words-{key}.txt"


@functools.cache
def english_words() -> frozenset[str]:
    """The English words of `MIN_LENGTH` letters or more, lower case."""
    cache = DiskCache()
    stored = cache.read(_disk_name())
    if stored is not None:
        try:
            return frozenset(stored.decode().split("\n"))
        except UnicodeDecodeError:
            pass
    frequencies = spellchecker.SpellChecker(language="en", distance=1).word_frequency
    words = sorted(
        w
        for w, count in frequencies.items()
        if count >= MIN_COUNT and len(w) >= MIN_LENGTH and w.isascii() and w.isalpha()
    )
    cache.write(_disk_name(), "\n".join(words).encode())
    return frozenset(words)


def is_english_word(word: str) -> bool:
    return word in english_words()
