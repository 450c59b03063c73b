"""Content: the report's facts (data/) and what citizens ask (intents/), as validated data.

Loading reads the YAML with line numbers (yamlload), checks it against the schema (schema),
checks every figure against the report's verbatim text and renders every answer template in a
sandbox (templates), and reports each problem as path:line. `coverage` lists report sentences
that no fact represents. Nothing here knows about questions, Telegram or storage.
"""

from bot.content.load import Content, ContentError, LoadedIntent, Problem, load_content

__all__ = ["Content", "ContentError", "LoadedIntent", "Problem", "load_content"]
