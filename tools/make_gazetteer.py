"""Writes intents/lexicon/gazetteer.yaml: every province, prefecture and county of China by name,
from the administrative division codes that the `cpca` package ships (adcodes.csv), so that a
question about any of them is refused as another place's, not only about those a person listed.

Run by hand when the list should change (`pip install cpca`, then
`python tools/make_gazetteer.py`); the bot reads only the YAML it writes. A full name (义乌市,
曹县, 共和县) counts wherever it stands. Its bare name (义乌) counts wherever it stands too, unless
it is a word of everyday Chinese (jieba's dictionary counts it often: 共和, 商城, 大同, 平安): such names count only as where (大同那边) or starting a clause before a figure (大同新增
学位多少), like the lexicon's other `areas_as_where`. Left out: names that Haizhu's own content
writes (城中 in 城中村, 江海), those that places.yaml already lists, and one-character names alone;
a full name of one character and its kind (曹县, 沛县) counts only as where, as it ends words
too (示范县).
"""

from __future__ import annotations

import csv
import re
import sys
from importlib import resources
from importlib.metadata import version
from pathlib import Path

import jieba
import yaml

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "intents" / "lexicon" / "gazetteer.yaml"

# what a division's name ends with, longest first (新疆维吾尔自治区 -> 新疆)
_KIND = re.compile(
    r"(?:维吾尔自治区|壮族自治区|回族自治区|自治区|特别行政区|自治州|自治县|自治旗|"
    r"林区|地区|新区|特区|盟|省|市|县|区|旗)$"
)
_CJK = re.compile(r"[\u4e00-\u9fff]+")
NAME_MAX = 6  # longer names are seas and island groups, not how anyone asks
# a name as often a word: jieba counts it this often or more (商城, 古城, 天桥, 平安; its
# part-of-speech tags are too loose to tell: 常熟 is an adjective there, 商城 a place)
WORD_FREQUENCY = 100
# ... and so often that even as where it is mostly the word (南部, 比如, 新建, 平安): left out
COMMON_WORD_FREQUENCY = 1000
# a name made of a side and a kind of place says no one place (城东, 东区, 北关, 南郊, 上街)
# (城区, 郊区, 矿区 alone; 新城区, 老城区 say no one place either)
_SIDE = re.compile(
    r"[东西南北中上下前后内外][城区关郊街站部湖河海江山门塔]|[城市][东西南北中关]|[新老旧古]?[城郊矿]|[东西南北中]"
)


def peoples() -> list[str]:
    """China's 56 peoples by name (cpca's 56_nations.csv), longest first."""
    table = resources.files("cpca").joinpath("resources/56_nations.csv").read_text(encoding="utf-8")
    names = {line.split(",")[0].strip() for line in table.splitlines() if line.strip()}
    return sorted(names, key=len, reverse=True)


def bare(name: str, nations: list[str]) -> str:
    """The name without its kind, nor the peoples it is named for (延边朝鲜族自治州 -> 延边,
    长阳土家族自治县 -> 长阳)."""
    base = _KIND.sub("", name)
    stripped = True
    while stripped:
        stripped = False
        for people in nations:
            if base.endswith(people) and len(base) - len(people) >= 2:
                base, stripped = base[: -len(people)], True
                break
    return base


def dictionary() -> dict[str, tuple[int, str]]:
    """jieba's words -> how often its corpus has them, and their part of speech."""
    path = Path(jieba.__file__).parent / "dict.txt"
    words: dict[str, tuple[int, str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) == 3:
            words[parts[0]] = (int(parts[1]), parts[2])
    return words


# rows of the table that name no place (a city's districts taken together)
_NO_PLACE = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})
# characters that are words of their own in most sentences (从, 和, 在 …): a bare name of two
# characters that begins or ends with one is read across words too often (从江 in 从江对面搬过来,
# 同安 in 共同安置)
_FUNCTION = frozenset("从和在到去与同跟是向对把被给比于的了也都就又还而及或将以为由自往朝")


def is_word(name: str, words: dict[str, tuple[int, str]]) -> bool:
    """Whether everyday Chinese uses the name as a word (or it says no one place). A bare name
    of two characters is one too when the dictionary lacks it (the bot counts it only where the
    segmenter, which reads with this dictionary, makes it a word: bot/engine/segment.py), has it
    as other than a proper name (樟树, 民乐, 修水: a noun, a verb), or begins or ends with a word
    of its own (从江, 同安)."""
    count, tag = words.get(name, (0, ""))
    if len(name) == 2 and (not tag.startswith("n") or tag == "n" or _FUNCTION.intersection(name)):
        return True
    return count >= WORD_FREQUENCY or bool(_SIDE.fullmatch(name))


def own_text() -> str:
    """Everything Haizhu's content writes: the report's sources, the facts and the intents."""
    files = [*(ROOT / "data").rglob("*"), *(ROOT / "intents").rglob("*.yaml")]
    return "\n".join(
        p.read_text(encoding="utf-8")
        for p in files
        if p.is_file() and p.suffix in {".yaml", ".txt", ".md"} and p.name != OUT.name
    )


def haizhus() -> set[str]:
    """Haizhu's own names (places.yaml `inside`): a division elsewhere named so (滨江区, 龙凤区,
    凤阳县) is kept by its full name, which the bot reads before it sets Haizhu's names aside."""
    data = yaml.safe_load((ROOT / "intents" / "lexicon" / "places.yaml").read_text("utf-8"))
    return {str(n) for n in data.get("inside") or []}


def listed() -> set[str]:
    """The names the lexicon's other files list already."""
    names: set[str] = set()
    for path in (ROOT / "intents" / "lexicon").glob("*.yaml"):
        if path.name == OUT.name:
            continue
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for key in ("places", "areas_as_where", "landmarks_as_where", "inside", "home", "wider"):
            value = data.get(key) or []
            groups = value.values() if isinstance(value, dict) else [value]
            for group in groups:
                names.update(str(n) for n in group)
    return names


def main() -> int:
    """Writes the gazetteer; prints how many names it holds."""
    table = resources.files("cpca").joinpath("resources/adcodes.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(table.splitlines()))
    words, own, known, nations = dictionary(), own_text(), listed(), peoples()
    inside = haizhus()
    anywhere: set[str] = set()
    as_where: set[str] = set()
    for row in rows:
        name = row["name"]
        if not _CJK.fullmatch(name) or len(name) > NAME_MAX + 3 or name in _NO_PLACE:
            continue
        base = bare(name, nations)
        if base in inside and name != base and name not in own and len(base) >= 2:
            anywhere.add(name)  # (滨江区: Hangzhou's, though 滨江 is a street of Haizhu's)
            continue
        if base in known:
            continue  # (天河区: 天河 is listed, and a kind after a listed name is read with it)
        if name not in known and name not in own and name != base and not _SIDE.fullmatch(base):
            # (a full name is a place however often a corpus has it: 洪山区, 仙桃市; one of
            # one character and its kind ends words too: 示范县, 管理县)
            (anywhere if len(base) >= 2 else as_where).add(name)
        if len(base) < 2 or len(base) > NAME_MAX or base in own:
            continue
        if words.get(base, (0, ""))[0] >= COMMON_WORD_FREQUENCY:
            continue
        (as_where if is_word(base, words) else anywhere).add(base)
    lines = [
        "# Made by tools/make_gazetteer.py from the administrative division codes of China (the",
        f"# cpca package's adcodes.csv, cpca {version('cpca')}) and jieba's dictionary (jieba"
        f" {version('jieba')}): do not edit by hand, run it again.",
        "gazetteer: [" + ", ".join(sorted(anywhere)) + "]",
        "# names that are words of everyday Chinese too: another place only as where",
        "gazetteer_as_where: [" + ", ".join(sorted(as_where)) + "]",
    ]
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{OUT.relative_to(ROOT)}: {len(anywhere)} names anywhere, {len(as_where)} as where")
    return 0


if __name__ == "__main__":
    sys.exit(main())
