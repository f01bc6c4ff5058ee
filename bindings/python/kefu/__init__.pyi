from ._kefu import (
    Analysis as Analysis,
    Customer as Customer,
    Diagnostic as Diagnostic,
    Engine as Engine,
    KefuError as KefuError,
    Rendered as Rendered,
    SuggestResult as SuggestResult,
    Suggestion as Suggestion,
    __version__ as __version__,
    lint as lint,
)
