"""The note kefu leaves for the agent in a helpdesk (a Chatwoot private note, a Zendesk private
comment, a Request Tracker comment): what the customer wants, ranked suggestions ready to copy, the
customer's profile card and care reminders, in the agent's language.

Labels are kept once in Simplified Chinese and English; Traditional Chinese (zh-TW, zh-HK) is made
from the Simplified labels with OpenCC's ``opencc`` command (Debian package ``opencc``), never kept
as a second hand-written copy.
"""
from __future__ import annotations

import functools
import shutil
import subprocess
from typing import Iterable, Optional

LABELS = {
    "zh-CN": {
        "title": "kefu 建议",
        "intent": "意图",
        "emotion": "情绪",
        "stage": "阶段",
        "suggestions": "建议回复（可直接复制）",
        "fill": "需补充",
        "profile": "客户档案",
        "reminders": "关怀提醒",
        "none": "暂无合适的模板，请人工回复。",
        "tone": "语气检查",
    },
    "en": {
        "title": "kefu suggestions",
        "intent": "intent",
        "emotion": "emotion",
        "stage": "stage",
        "suggestions": "Suggested replies (ready to copy)",
        "fill": "fill in",
        "profile": "Customer profile",
        "reminders": "Care reminders",
        "none": "No template fits; please answer in your own words.",
        "tone": "Tone check",
    },
}

_OPENCC_CONFIG = {"zh-TW": "s2twp.json", "zh-HK": "s2hk.json"}


@functools.lru_cache(maxsize=None)
def to_traditional(text: str, locale: str) -> str:
    """Simplified → Traditional for zh-TW / zh-HK with the opencc command; unchanged if it is absent."""
    config = _OPENCC_CONFIG.get(locale)
    exe = shutil.which("opencc")
    if not config or not exe:
        return text
    try:
        out = subprocess.run([exe, "-c", config], input=text.encode("utf-8"), capture_output=True,
                             timeout=10, check=True)
        converted = out.stdout.decode("utf-8")
        if not text.endswith("\n") and converted.endswith("\n"):
            converted = converted[:-1]
        return converted
    except (OSError, subprocess.SubprocessError):
        return text


def agent_locale(locale: Optional[str]) -> str:
    """Normalise a locale tag (zh_TW, zh-Hant-HK, en-US, ...) to one kefu knows; zh-CN by default."""
    if not locale:
        return "zh-CN"
    tag = locale.replace("_", "-").lower()
    if tag.startswith("en"):
        return "en"
    if tag.startswith("zh"):
        if "hk" in tag or "mo" in tag:
            return "zh-HK"
        if "tw" in tag or "hant" in tag:
            return "zh-TW"
        return "zh-CN"
    return "en"


@functools.lru_cache(maxsize=None)
def labels(locale: str) -> dict:
    loc = agent_locale(locale)
    if loc == "en":
        return LABELS["en"]
    base = LABELS["zh-CN"]
    if loc == "zh-CN":
        return base
    keys = list(base)
    converted = to_traditional("\n".join(base[k] for k in keys), loc).split("\n")
    if len(converted) != len(keys):
        return base
    return dict(zip(keys, converted))


@functools.lru_cache(maxsize=None)
def value_names(locale: str) -> dict:
    """Names of intents, emotions and stages in the agent's language, from the sidebar's i18n files
    (``intent_shipping``, ``emotion_angry``, ``stage_post_sale``); empty if they are not installed."""
    import json
    import pathlib
    loc = agent_locale(locale)
    here = pathlib.Path(__file__).resolve().parent
    for root in (here / "sidebar", here.parent.parent / "sidebar"):
        src = root / "i18n" / ("en.json" if loc == "en" else "zh-CN.json")
        if src.is_file():
            names = {k: v for k, v in json.loads(src.read_text(encoding="utf-8")).items()
                     if k.startswith(("intent_", "emotion_", "stage_", "care_", "tag_"))}
            if loc in ("zh-TW", "zh-HK"):
                keys = list(names)
                converted = to_traditional("\n".join(names[k] for k in keys), loc).split("\n")
                if len(converted) == len(keys):
                    names = dict(zip(keys, converted))
            return names
    return {}


def _name(kind: str, value, locale: str) -> str:
    return value_names(locale).get(f"{kind}_{value}", str(value))


def _lines_profile(card: Optional[dict], lab: dict, loc: str) -> list:
    if not card:
        return []
    who = card.get("name") or card.get("id") or ""
    bits = [str(who)] if who else []
    types = card.get("types") or card.get("type") or []
    tags = card.get("tags") or []
    if isinstance(types, str):
        types = [types]
    marks = [_name("tag", t, loc) for t in dict.fromkeys(list(types) + list(tags)) if t]
    if marks:
        bits.append("(" + ", ".join(marks) + ")")
    for key in ("last_purchase", "last_complaint", "satisfaction_trend"):
        value = card.get(key)
        if isinstance(value, dict):
            value = value.get("summary") or value.get("items") or value.get("order_id") or ""
        if value:
            bits.append(f"{key.replace('_', ' ')}: {value}")
    return [f"{lab['profile']}: " + " · ".join(bits)] if bits else []


def _lines_reminders(reminders: Iterable, lab: dict, loc: str) -> list:
    out = []
    for r in reminders or []:
        if isinstance(r, dict):  # {"kind": "birthday", "days": 3, "due": "...", "template_id": "care.birthday_member"}
            bits = [_name("care", r.get("kind") or r.get("occasion") or "", loc)]
            if r.get("due"):
                bits.append(str(r["due"]))
            if r.get("detail"):
                bits.append(str(r["detail"]))
            template = r.get("template_id") or r.get("template")
            out.append("  - " + " · ".join(b for b in bits if b) + (f" [{template}]" if template else ""))
        elif r:
            out.append(f"  - {r}")
    return [f"{lab['reminders']}:"] + out if out else []


def note_text(result: dict, *, locale: Optional[str] = None, card: Optional[dict] = None,
              reminders: Optional[list] = None, markdown: bool = False) -> str:
    """The note for a helpdesk, from a suggestions result (the JSON of ``kefu suggest --json``)."""
    loc = locale or result.get("locale") or "zh-CN"
    lab = labels(loc)
    head = f"{lab['title']} · {lab['intent']} {_name('intent', result.get('intent', '?'), loc)} · " \
           f"{lab['emotion']} {_name('emotion', result.get('emotion', '?'), loc)} · " \
           f"{lab['stage']} {_name('stage', result.get('stage', '?'), loc)}"
    lines = [f"**{head}**" if markdown else head]
    lines += _lines_profile(card, lab, loc)
    lines += _lines_reminders(reminders or [], lab, loc)
    suggestions = result.get("suggestions") or []
    if suggestions:
        lines.append(f"{lab['suggestions']}:")
        for n, s in enumerate(suggestions, 1):
            shortcut = f" {s['shortcut']}" if s.get("shortcut") else ""
            lines.append(f"{n}. [{s.get('template_id')}{shortcut}] {s.get('text', '')}")
            if s.get("missing"):
                lines.append(f"   ({lab['fill']}: {', '.join(s['missing'])})")
    else:
        lines.append(lab["none"])
    return "\n".join(lines)
