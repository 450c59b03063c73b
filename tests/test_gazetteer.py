"""intents/lexicon/gazetteer.yaml, written by tools/make_gazetteer.py: China's provinces,
prefectures and counties as other places. The bot reads it like any lexicon file; these checks
say when content has moved on and the tool must be run again."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
GAZETTEER = ROOT / "intents" / "lexicon" / "gazetteer.yaml"


def load() -> dict[str, list[str]]:
    return yaml.safe_load(GAZETTEER.read_text(encoding="utf-8"))


def own_text() -> str:
    """What Haizhu's content writes, as the tool reads it (facts, answers, examples, lexicon)."""
    files = [*(ROOT / "data").rglob("*.yaml"), *(ROOT / "intents").rglob("*.yaml")]
    return "\n".join(p.read_text(encoding="utf-8") for p in files if p != GAZETTEER)


def test_the_gazetteer_holds_china_s_divisions() -> None:
    data = load()
    assert len(data["gazetteer"]) > 3000 and len(data["gazetteer_as_where"]) > 300
    for name in ("仁怀", "仁怀市", "洪山区", "寿光"):
        assert name in data["gazetteer"], name


def test_no_name_of_the_gazetteer_is_written_by_haizhu_s_content() -> None:
    """A county's name that an answer, an example or a fact writes would refuse Haizhu's own
    questions (江海 is a street of Haizhu and a district of Jiangmen): run the tool again."""
    own = own_text()
    data = load()
    written = [n for n in [*data["gazetteer"], *data["gazetteer_as_where"]] if n in own]
    assert not written, written


def test_a_bare_name_of_two_characters_counted_anywhere_begins_no_word() -> None:
    """从江 would be read in 从江对面, 同安 in 共同安置: such names count only as where."""
    function = set("从和在到去与同跟是向对把被给比于的了也都就又还而及或将以为由自往朝")
    bad = [n for n in load()["gazetteer"] if len(n) == 2 and function.intersection(n)]
    assert not bad, bad
