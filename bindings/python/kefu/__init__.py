"""kefu — reply templates, tone checks and customer notes for shop customer service.

    >>> import kefu
    >>> engine = kefu.Engine()                      # the bundled template packs
    >>> result = engine.suggest("亲，这件有XL吗", locale="zh-CN")
    >>> result.intent, result.suggestions[0].text

Customer notes live in a SQLite file: ``kefu.Engine(db_path="shop.db").customers`` finds, shows,
notes, searches, reminds, imports, exports and forgets customers.

Errors raise :class:`KefuError`; its ``code`` names the kind ("invalid_utf8", "parse", ...).
Long calls release the GIL, so an engine can serve several Python threads at once.
"""
from ._kefu import (  # noqa: F401
    Analysis,
    Customer,
    CustomerStore,
    Diagnostic,
    Engine,
    Finding,
    KefuError,
    Note,
    Rendered,
    SearchHit,
    SuggestResult,
    Suggestion,
    ToneReport,
    __version__,
    lint,
    lint_tone,
)

__all__ = [
    "Analysis",
    "Customer",
    "CustomerStore",
    "Diagnostic",
    "Engine",
    "Finding",
    "KefuError",
    "Note",
    "Rendered",
    "SearchHit",
    "SuggestResult",
    "Suggestion",
    "__version__",
    "ToneReport",
    "lint",
    "lint_tone",
]
