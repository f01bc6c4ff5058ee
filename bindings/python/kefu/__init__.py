"""kefu — reply templates, tone checks and customer notes for shop customer service.

    >>> import kefu
    >>> engine = kefu.Engine()                      # the bundled template packs
    >>> result = engine.suggest("亲，这件有XL吗", locale="zh-CN")
    >>> result.intent, result.suggestions[0].text

Errors raise :class:`KefuError`; its ``code`` names the kind ("invalid_utf8", "parse", ...).
Long calls release the GIL, so an engine can serve several Python threads at once.
"""
from ._kefu import (  # noqa: F401
    Analysis,
    Diagnostic,
    Engine,
    Finding,
    KefuError,
    Rendered,
    SuggestResult,
    Suggestion,
    ToneReport,
    __version__,
    lint,
    lint_tone,
)

__all__ = [
    "Analysis",
    "Diagnostic",
    "Engine",
    "Finding",
    "KefuError",
    "Rendered",
    "SuggestResult",
    "Suggestion",
    "__version__",
    "ToneReport",
    "lint",
    "lint_tone",
]
