"""Every text the bot sends, in Spanish and English: one catalogue, looked up by key.

Values are Telegram HTML templates; arguments are escaped by the caller (`handlers.format`) before they
are filled in, never here.
"""

from __future__ import annotations

from model import Lang

CATALOGUE: dict[str, dict[str, str]] = {
    "es": {
        "story.sources_more": "+{count} fuentes más",
        "story.matched_phrase": "Alerta: «{phrase}»",
        "throttle.slow_down": "Vas muy rápido. Ignoraré tus mensajes unos segundos.",
        "alert.keyword": "Alerta por palabra clave",
        "alert.bundle": "🔔 <b>{count} alertas nuevas</b>",
        "digest.title": "📰 <b>Resumen diario · {day}</b>",
        "digest.more": "(+{count} más en este tema)",
    },
    "en": {
        "story.sources_more": "+{count} more sources",
        "story.matched_phrase": "Alert: “{phrase}”",
        "throttle.slow_down": "You are going too fast. I will ignore your messages for a few seconds.",
        "alert.keyword": "Keyword alert",
        "alert.bundle": "🔔 <b>{count} new alerts</b>",
        "digest.title": "📰 <b>Daily digest · {day}</b>",
        "digest.more": "(+{count} more on this topic)",
    },
}


def text(lang: Lang | str, key: str, **args: object) -> str:
    """The template `key` in `lang` (English when the chat's language is not Spanish), filled with `args`."""
    catalogue = CATALOGUE["es" if lang == "es" else "en"]
    return catalogue[key].format(**args)


def user_language(language_code: str | None) -> Lang:
    """Telegram's language_code -> the bot's language: Spanish for es*, otherwise English."""
    return "es" if (language_code or "").lower().startswith("es") else "en"
