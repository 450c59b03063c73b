"""A pinyin view of Chinese text, for homophone typos (学为 -> 学位, 幼儿圆 -> 幼儿园).

Each character maps to ONE private-use code per syllable, so a wrong-but-homophone character still
matches at full weight while long syllables don't dominate an edit distance. Southern-accent
confusions (zh/z, ch/c, sh/s, -ng/-n, l/n) share a code. The table ships as bot/resources/pinyin.txt
(built once with pypinyin: `python -m bot.engine.pinyin`), so the runtime needs no pinyin library.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

PRIVATE_USE_START = 0xE000
EXACT_START = 0xF0000  # exact syllables: supplementary private use, apart from the folded ones
# initial, vowels, final, repeated: a quick no for most English words (school, places, the)
# before the exact split
_SHAPE = re.compile(r"(?:(?:[zcs]h|[bpmfdtnlgkhjqxrzcsyw])?[aeiouv]+(?:ng|n|r)?)+")
TABLE_FILE = "pinyin.txt"


def fold_syllable(syllable: str) -> str:
    """Merge syllables that people with a southern accent confuse when typing pinyin."""
    s = syllable
    for hard, soft in (("zh", "z"), ("ch", "c"), ("sh", "s")):
        if s.startswith(hard):
            s = soft + s[len(hard) :]
    if s.startswith("n") and not s.startswith("ng"):
        s = "l" + s[1:]
    if s.endswith("ng") and len(s) > 2:
        s = s[:-1]
    return s


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[int, str], dict[str, str], dict[int, str], dict[str, str]]:
    """Character code -> private-use character of its (folded) syllable, syllable -> that
    character, character code -> a private-use character of its exact syllable, and
    character -> its exact syllable."""
    text = resources.files("bot.engine.resources").joinpath(TABLE_FILE).read_text(encoding="utf-8")
    codes: dict[str, str] = {}
    table: dict[int, str] = {}
    syllables: dict[str, str] = {}
    exact: dict[int, str] = {}
    spoken: dict[str, str] = {}
    for n, line in enumerate(text.splitlines()):
        if not line or line.startswith("#"):
            continue
        syllable, chars = line.split("\t", 1)
        folded = fold_syllable(syllable)
        code = codes.setdefault(folded, chr(PRIVATE_USE_START + len(codes)))
        syllables[syllable] = code
        for ch in chars:
            table[ord(ch)] = code
            exact[ord(ch)] = chr(EXACT_START + n)  # (one line per syllable)
            spoken[ch] = syllable
    # written without the ü: lv and nv as the table has them, lu:/nu: rarely
    return table, syllables, exact, spoken


def translation_table() -> dict[int, str]:
    """Character code -> private-use character of its (folded) syllable."""
    return _tables()[0]


# characters that begin places' names read otherwise than the table's first reading (长沙
# changsha, 重庆 chongqing, 厦门 xiamen, 蚌埠 bengbu; 大厦 is still dasha)
_PLACE_READINGS = {"长": "chang", "重": "chong", "厦": "xia", "蚌": "beng"}


def spelled(name: str) -> str | None:
    """A Chinese name in pinyin without tones or spaces, as English writes Haizhu's places
    (客村 -> kecun, 沥滘 -> lijiao); None when a character has no syllable in the table."""
    spoken = _tables()[3]
    syllables = [spoken.get(ch) for ch in name]
    if syllables and name[0] in _PLACE_READINGS:
        syllables[0] = _PLACE_READINGS[name[0]]
    return "".join(s for s in syllables if s) if all(syllables) and syllables else None


def to_exact_codes(text: str) -> str:
    """Every Chinese character as a code of its exact syllable (no accent folded: 真诚 is not
    增城, 官州 not 广州); other characters stay. For names told apart by sound alone."""
    return text.translate(_tables()[2])


@lru_cache(maxsize=8192)
def syllable_codes(word: str, min_syllables: int = 2) -> str | None:
    """A word typed in pinyin without tones ("xuewei", "tuoyu") as the codes its characters
    would have: the split into the fewest syllables (longest first: "xian" is one syllable);
    None when the word is no run of at least `min_syllables` syllables."""
    syllables = _tables()[1]
    n = len(word)
    if n < 2 * min_syllables or n > 36 or not _SHAPE.fullmatch(word):
        return None
    # count[i]: the fewest syllables that spell word[i:]; end[i]: where the first of them ends
    impossible = n + 1
    count = [impossible] * n + [0]
    end = [0] * (n + 1)
    for i in range(n - 1, -1, -1):
        for j in range(min(n, i + 6), i, -1):  # a syllable has 1-6 letters (zhuang)
            if count[j] + 1 < count[i] and word[i:j] in syllables:
                count[i], end[i] = count[j] + 1, j
    if count[0] >= impossible or count[0] < min_syllables:
        return None
    out, i = [], 0
    while i < n:
        out.append(syllables[word[i : end[i]]])
        i = end[i]
    return "".join(out)


def to_pinyin_codes(text: str) -> str:
    """Replace every Chinese character by its syllable code; other characters stay."""
    return text.translate(translation_table())


def build_table() -> str:  # pragma: no cover - a build step, run by hand with pypinyin installed
    """Build the syllable -> characters table for CJK Unified Ideographs with pypinyin."""
    from pypinyin import Style, lazy_pinyin

    by_syllable: dict[str, list[str]] = {}
    for code in range(0x4E00, 0xA000):
        ch = chr(code)
        syl = lazy_pinyin(ch, style=Style.NORMAL, errors="ignore")
        if syl and syl[0].isalpha() and syl[0].isascii():
            by_syllable.setdefault(syl[0], []).append(ch)
    lines = ["# syllable<TAB>characters; generated by `python -m bot.engine.pinyin` with pypinyin"]
    lines += [f"{s}\t{''.join(chars)}" for s, chars in sorted(by_syllable.items())]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # pragma: no cover
    from pathlib import Path

    out = Path(__file__).parent / "resources" / TABLE_FILE
    out.write_text(build_table(), encoding="utf-8")
    print(f"wrote {out}")
