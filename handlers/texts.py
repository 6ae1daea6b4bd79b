"""Every text the bot sends, in Spanish and English: one catalogue, looked up by key.

Values are Telegram HTML templates; arguments are escaped by the caller (`handlers.format`) before they
are filled in, never here. Keys are grouped by the command that uses them; `<command>.usage` and
`<command>.example` are what a wrong argument is answered with, and what /help lists.
"""

from __future__ import annotations

from delivery.render import TEXTS as PUSHED_TEXTS
from model import Lang

# The commands of the bot's menu, in the order /help and the menu show them.
COMMANDS: tuple[str, ...] = (
    "start", "help", "topics", "subscribe", "unsubscribe", "latest", "alert", "alerts",
    "digest", "mode", "quiet", "timezone", "language", "settings", "stop",
)
# What any member of a group may use; the rest changes settings and is for the group's administrators.
READ_COMMANDS: tuple[str, ...] = ("help", "topics", "latest", "alerts", "settings")
# For the bot's own administrators (telegram.admin_ids) only: kept out of the public menu and /help.
ADMIN_COMMANDS: tuple[str, ...] = ("feeds", "feed", "stats", "flagged")

CATALOGUE: dict[str, dict[str, str]] = {
    "es": {
        **PUSHED_TEXTS["es"],  # what alerts and digests say (delivery.render)
        # --- shared by every command
        "common.usage": "Uso: <code>{usage}</code>\nEjemplo: <code>{example}</code>",
        "common.error": "Algo salió mal al procesar tu mensaje. Quedó registrado; inténtalo de nuevo en un rato.",
        "common.admin_only": ("En los grupos solo los administradores pueden cambiar la configuración. "
                              "Cualquiera puede usar /latest, /topics y /settings."),
        "common.unknown_command": "No conozco ese comando. /help muestra todos.",
        "common.outdated_button": "Este mensaje es antiguo y su botón ya no hace nada. /help muestra lo que puedo hacer.",
        "plain.reply": "Solo entiendo comandos: /help los muestra todos, con ejemplos.",
        "plain.subscribe": "➕ /subscribe: {topics}",
        "plain.alert": "🔔 /alert add {phrase}",
        "common.none": "ninguno",
        "common.list_separator": ", ",
        "common.too_many_args": "Sobra algo: «{extra}».",
        "common.too_long": "Es demasiado largo: como mucho {limit} caracteres.",
        # --- topics, shared by /topics, /subscribe, /unsubscribe and /latest
        "topics.unknown": "No conozco el tema «{topic}».\nTemas: {known}",
        "topics.unknown_suggest": ("No conozco el tema «{topic}». ¿Quisiste decir <code>{suggestion}</code>?\n"
                                   "Temas: {known}"),
        "topics.missing": "¿Qué tema?\nTemas: {known}",
        "topics.header": "<b>Temas</b>  (✅ = este chat lo sigue)",
        "topics.line": "{mark} <b>{name}</b>  <code>{id}</code>\n{description}",
        "topics.footer": "Toca un botón para seguir o dejar un tema.",
        "topics.button_on": "✅ {name}",
        "topics.button_off": "▫️ {name}",
        "topics.toggled_on": "Ahora sigues {name}.",
        "topics.toggled_off": "Ya no sigues {name}.",
        "topics.gone": "Ese tema ya no existe. /topics muestra los actuales.",
        # --- /start and /help
        "start.usage": "/start",
        "start.example": "/start",
        "start.greeting": ("¡Hola! Soy <b>Centinela</b> y vigilo la política venezolana por ti.\n"
                           "Leo medios venezolanos e internacionales y agrupo sus noticias por tema.\n"
                           "Te aviso al instante de los temas y las palabras que sigas, o te mando un resumen diario.\n"
                           "\n"
                           "Toca un tema para seguirlo. /help muestra todos los comandos."),
        "help.usage": "/help",
        "help.example": "/help",
        "help.header": "<b>Comandos</b>",
        "help.line": "<code>{example}</code>\n{description}",
        "help.footer": "En los grupos, cualquiera puede leer; solo los administradores cambian la configuración.",
        # --- /topics, /subscribe, /unsubscribe
        "topics.usage": "/topics",
        "topics.example": "/topics",
        "subscribe.usage": "/subscribe TEMA…",
        "subscribe.example": "/subscribe sanctions cne",
        "subscribe.added": "Ahora sigues: {topics}.",
        "subscribe.already": "Ya seguías: {topics}.",
        "subscribe.following": "Este chat sigue: {topics}.",
        "subscribe.following_none": "Este chat no sigue ningún tema. /topics para elegir.",
        "unsubscribe.usage": "/unsubscribe TEMA…|all",
        "unsubscribe.example": "/unsubscribe all",
        "unsubscribe.removed": "Ya no sigues: {topics}.",
        "unsubscribe.not_following": "No seguías: {topics}.",
        "unsubscribe.all": "Dejaste de seguir todos los temas.",
        "unsubscribe.alerts_remain": "Tus alertas de palabras siguen activas (/alerts).",
        # --- /latest
        "latest.usage": "/latest [TEMA] [N]",
        "latest.example": "/latest sanctions 10",
        "latest.bad_count": "N tiene que ser un número entre 1 y {max}.",
        "latest.two_counts": "Pon un solo número.",
        "latest.header": "<b>Últimas noticias: {topics}</b>",
        "latest.capped": "Como mucho muestro {max}.",
        "latest.empty": "Todavía no hay noticias de {topics}.",
        "latest.no_topics": ("Este chat no sigue ningún tema todavía. Prueba <code>/latest sanctions</code> "
                             "o elige temas con /topics."),
        # --- inline mode: @bot WORDS in any chat (plain text, the result's message excepted)
        "inline.sources": "Fuentes: {sources}",
        "inline.sources_more": "y {count} más",
        "inline.nothing": "Nada reciente coincide. Abrir Centinela",
        # --- /alert and /alerts
        "alert.usage": "/alert add FRASE  ·  /alert remove FRASE|NÚMERO",
        "alert.example": '/alert add "Edmundo González" -fútbol',
        "alert.unknown_action": "Primero di qué hacer: <code>add</code> o <code>remove</code>.",
        "alert.missing_phrase": "Falta la frase.",
        # detail keys of delivery.keywords.parse_phrase
        "alert_empty": "La frase no tiene ninguna palabra.",
        "alert_too_long": "Una alerta tiene como mucho {limit} caracteres.",
        "alert_unbalanced_quote": "Faltan unas comillas de cierre.",
        "alert_only_exclusions": "Hace falta al menos una palabra que deba aparecer, no solo exclusiones (-palabra).",
        "alert.added": ("Alerta guardada: <code>{phrase}</code>\n"
                        "Te aviso de cada noticia que la cumpla, sigas o no su tema."),
        "alert.duplicate": "Ya tenías esa alerta: <code>{phrase}</code>",
        "alert.full": "Este chat ya tiene {max} alertas, el máximo. Borra una con <code>/alert remove NÚMERO</code>.",
        "alert.removed": "Alerta borrada: <code>{phrase}</code>",
        "alert.not_found": "No hay ninguna alerta <code>{phrase}</code>.",
        "alert.bad_number": "No hay alerta número {number}.",
        "alerts.usage": "/alerts",
        "alerts.example": "/alerts",
        "alerts.header": "<b>Alertas de palabras</b> ({count} de {max})",
        "alerts.line": "{number}. <code>{phrase}</code>",
        "alerts.empty": "Este chat no tiene alertas de palabras.",
        "alerts.syntax": ("Todas las palabras deben aparecer; \"entre comillas\" aparece tal cual; -palabra excluye. "
                          "Da igual mayúsculas o tildes.\nEjemplo: <code>/alert add \"Edmundo González\" -fútbol</code>"),
        # --- /digest
        "digest.usage": "/digest HH:MM|off|now",
        "digest.example": "/digest 07:30",
        "digest.bad_time": "«{value}» no es una hora HH:MM (de 00:00 a 23:59).",
        "digest.set": "Resumen diario a las {time} ({timezone}).",
        "digest.off": "Resumen diario desactivado. <code>/digest 08:00</code> lo vuelve a activar.",
        "digest.silent_warning": ("Ojo: en modo resumen y sin resumen diario, este chat no recibirá nada. "
                                  "/mode instant cambia el modo."),
        "digest.now_empty": "No hay noticias de {topics} desde {since}.",
        "digest.now_no_topics": "Este chat no sigue ningún tema, así que no hay resumen. /topics para elegir.",
        # --- /mode
        "mode.usage": "/mode instant|digest",
        "mode.example": "/mode digest",
        "mode.instant": "Modo instantáneo: te aviso de cada noticia de tus temas en cuanto llega.",
        "mode.digest": "Modo resumen: solo el resumen diario, a las {time}.",
        "mode.digest_off": ("Modo resumen: solo el resumen diario, que ahora está desactivado. "
                            "Actívalo con <code>/digest 08:00</code>."),
        "mode.name_instant": "instantáneo (cada noticia en cuanto llega)",
        "mode.name_digest": "solo resumen diario",
        # --- /quiet
        "quiet.usage": "/quiet HH:MM-HH:MM|off|silent|hold",
        "quiet.example": "/quiet 23:00-07:00",
        "quiet.bad_window": "«{value}» no es un horario como <code>23:00-07:00</code> (dos horas HH:MM distintas).",
        "quiet.set": ("Horas de silencio: de {start} a {end} ({timezone}). Las alertas de ese horario te llegan "
                      "juntas, en un mensaje, al terminar. <code>/quiet silent</code>: que lleguen al momento, sin sonido."),
        "quiet.set_silent": ("Horas de silencio: de {start} a {end} ({timezone}). Las alertas de ese horario llegan "
                             "al momento, sin sonido. <code>/quiet hold</code>: guardarlas y enviarlas juntas al terminar."),
        "quiet.off": "Sin horas de silencio: las alertas llegan a cualquier hora.",
        "quiet.no_window": "Primero elige el horario, por ejemplo <code>/quiet 23:00-07:00</code>.",
        "settings.quiet": "de {start} a {end}",
        "settings.quiet_silent": "de {start} a {end}, sin sonido",
        "menu.quiet": "Horas sin avisos: guardarlos o enviarlos sin sonido",
        # --- /timezone
        "timezone.usage": "/timezone Área/Ciudad",
        "timezone.example": "/timezone Europe/Madrid",
        "timezone.unknown": "«{value}» no es una zona horaria IANA como America/Caracas.",
        "timezone.unknown_suggest": "«{value}» no es una zona horaria IANA. ¿Quisiste decir <code>{suggestion}</code>?",
        "timezone.set": "Zona horaria: {timezone}. Aquí son las {now}.",
        # --- /language
        "language.usage": "/language es|en",
        "language.example": "/language en",
        "language.set": "Listo, te hablo en español.",
        "language.name": "español",
        # --- /settings
        "settings.usage": "/settings",
        "settings.example": "/settings",
        "settings.title": "Configuración de este chat",
        "settings.title_topic": "Configuración de este tema",
        "settings.body": ("<b>{title}</b>\n"
                          "Idioma: {language}\n"
                          "Zona horaria: {timezone}\n"
                          "Resumen diario: {digest}\n"
                          "Modo: {mode}\n"
                          "Horas de silencio: {quiet}\n"
                          "Temas: {topics}\n"
                          "Alertas de palabras: {alerts} (/alerts)\n"
                          "Estado: {state}"),
        "settings.digest_off": "desactivado",
        "settings.active": "activo",
        "settings.stopped": "detenido (/start para volver)",
        # --- /stop
        "stop.usage": "/stop",
        "stop.example": "/stop",
        "stop.done": ("Listo: dejé de escribir en este chat. Borré sus temas, sus alertas de palabras y el resumen diario.\n"
                      "Para volver, escribe /start."),
        # --- the command menu (setMyCommands): 1-256 characters, plain text
        "menu.start": "Empezar y elegir temas",
        "menu.help": "Todos los comandos, con ejemplos",
        "menu.topics": "Temas y cuáles sigue este chat",
        "menu.subscribe": "Seguir temas",
        "menu.unsubscribe": "Dejar de seguir temas",
        "menu.latest": "Últimas noticias de un tema o de tus temas",
        "menu.alert": "Crear o borrar una alerta de palabras",
        "menu.alerts": "Tus alertas de palabras",
        "menu.digest": "Hora del resumen diario, apagarlo o pedirlo ya",
        "menu.mode": "Avisos al instante o solo el resumen",
        "menu.timezone": "Zona horaria del chat",
        "menu.language": "Idioma: español o inglés",
        "menu.settings": "Toda la configuración de este chat",
        "menu.stop": "Apagar todo en este chat",
        # --- admin commands (/feeds, /feed, /stats), for the user ids in telegram.admin_ids
        "common.not_allowed": "Este comando es solo para quienes administran el bot.",
        "help.admin_header": "<b>Para quienes administran el bot</b>",
        "feeds.usage": "/feeds",
        "feeds.example": "/feeds",
        "feeds.header": ("<b>Fuentes</b>: {count} activas, {failing} con errores.\n"
                         "El número sirve para <code>/feed remove N</code>."),
        "feeds.empty": "No hay fuentes activas. Añade una con <code>/feed add URL</code>.",
        "feeds.line": "<b>#{id}</b> {mark} <b>{name}</b> · {host}\n<code>{scope}</code> · {origin} · {health}",
        "feeds.origin_config": "config.toml",
        "feeds.origin_admin": "añadida por admin",
        "feeds.ok": "último éxito {when}",
        "feeds.never": "aún sin leer",
        "feeds.failing": "{failures} fallos seguidos, el último <code>{kind}</code> {when}",
        "feeds.failed_once": "falló la última vez: <code>{kind}</code> {when}",
        "feeds.error_detail": "«{detail}»",
        "feed.usage": "/feed add URL [venezuela|world]  ·  /feed remove N",
        "feed.example": "/feed add https://example.org/feed/ world",
        "feed.unknown_action": "Primero di qué hacer: <code>add</code> o <code>remove</code>.",
        "feed.missing_url": "Falta la dirección del feed.",
        "feed.bad_url": "«{value}» no es una dirección http(s) completa como https://example.org/feed/.",
        "feed.url_too_long": "Esa dirección tiene {length} caracteres; como mucho acepto {max}.",
        "feed.credentials": "No guardo direcciones con usuario o contraseña: saldrían en /feeds y en los registros.",
        "feed.bad_scope": ("«{value}» no es un alcance. <code>venezuela</code>: todo el feed trata de Venezuela; "
                           "<code>world</code> (por defecto): solo cuenta lo que trate de Venezuela."),
        "feed.missing_number": "Falta el número de la fuente (lo muestra /feeds).",
        "feed.bad_number": "«{value}» no es un número de fuente de /feeds.",
        "feed.added": ("Fuente añadida: <b>#{id} {name}</b> ({host}, <code>{scope}</code>), {entries}. "
                       "La leeré en el próximo ciclo."),
        "feed.entries": "{count} entradas",
        "feed.entry": "1 entrada",
        "feed.no_entries": "aún sin entradas",
        "feed.known": "Esa dirección ya es la fuente <b>#{id} {name}</b>.",
        "feed.refused": "No añadí la fuente: {reason}\n<code>{kind}</code> {detail}",
        "feed.refused_blocked_address": ("su dirección no es pública (loopback, red privada, link-local o "
                                         "metadatos de la nube). Si es a propósito, pon "
                                         "<code>fetch.allow_private_addresses = true</code> en config.toml."),
        "feed.refused_timeout": "no respondió a tiempo.",
        "feed.refused_connection": "no pude conectar (el nombre no existe, la conexión fue rechazada o falló TLS).",
        "feed.refused_http": "el servidor respondió con el estado HTTP {status}.",
        "feed.refused_too_large": "es demasiado grande.",
        "feed.refused_redirect": "sus redirecciones no llevan a ningún feed.",
        "feed.refused_bad_url": "no es una dirección que pueda pedir.",
        "feed.refused_bad_response": "respondió algo que no se entiende.",
        "feed.refused_not_a_feed": "lo que hay ahí no es un feed RSS, Atom ni RDF.",
        "feed.refused_empty": "la respuesta está vacía.",
        "feed.refused_other": "no se pudo leer.",
        "feed.removed": ("Fuente <b>#{id} {name}</b> desactivada; sus noticias se quedan. "
                         "<code>/feed add</code> con la misma dirección la recupera."),
        "feed.not_found": "No hay ninguna fuente activa #{id}. /feeds muestra las que hay.",
        "feed.config_feed": ("La fuente <b>#{id} {name}</b> viene de config.toml: para quitarla, bórrala allí "
                             "y reinicia el bot."),
        "stats.usage": "/stats",
        "stats.example": "/stats",
        "stats.body": ("<b>Estadísticas</b>\n"
                       "Chats activos: {chats}{forum_topics}\n"
                       "Suscripciones: {subscriptions}\n"
                       "Noticias: {items_today} en las últimas 24 h ({items_total} en total)\n"
                       "Fuentes: {feeds_ok} bien, {feeds_failing} con errores; última lectura: {last_fetch}\n"
                       "Envíos: {pending} pendientes, {failed} fallidos, {sent} enviados"),
        "stats.topic": "{name} {count}",
        "stats.never": "nunca",
        "stats.forum_topics": "; temas de foro con su propia configuración: {count}",
        "menu.feeds": "Fuentes y su estado",
        "menu.feed": "Añadir o quitar una fuente",
        "menu.stats": "Chats, suscripciones, noticias y envíos",
        "stats.feedback": "Alertas de los últimos {days} días marcadas «no es de este tema»: {topics}",
        "stats.feedback_topic": "{name} {flagged} de {sent}{share}",
        "stats.feedback_share": " ({percent} %)",
        "flagged.usage": "/flagged [7d | AAAA-MM-DD [AAAA-MM-DD]]",
        "flagged.example": "/flagged 30d",
        "flagged.bad_days": "El periodo va de 1 a {max} días, como <code>7d</code>.",
        "flagged.backwards": "La primera fecha va antes que la segunda.",
        "flagged.bad_period": "«{value}» no es un periodo: usa <code>7d</code> o fechas AAAA-MM-DD.",
        "flagged.none": "Nadie marcó alertas del {since} al {until}.",
        "flagged.caption": ("{count} noticias marcadas por los lectores del {since} al {until}, en el formato "
                            "del corpus etiquetado. Los temas son una propuesta: revisa cada una antes de "
                            "añadirla."),
        "menu.flagged": "Alertas que los lectores marcaron fuera de tema (JSON Lines)",
        # --- the "not about <topic>" button under alerts (handlers/feedback.py): plain text, not HTML
        "feedback.noted": "Gracias: queda anotado que no es de {topic}.",
        "feedback.already": "Ya estaba anotado que no es de {topic}.",
        "feedback.unknown": "Este botón es de un mensaje antiguo y ya no sirve.",
        # --- handlers/throttle.py
        "throttle.slow_down": "Vas muy rápido. Ignoraré tus mensajes unos segundos.",
    },
    "en": {
        **PUSHED_TEXTS["en"],
        # --- shared by every command
        "common.usage": "Usage: <code>{usage}</code>\nExample: <code>{example}</code>",
        "common.error": "Something went wrong while handling your message. It has been logged; please try again later.",
        "common.admin_only": ("In groups only administrators may change settings. "
                              "Anyone may use /latest, /topics and /settings."),
        "common.unknown_command": "I don't know that command. /help lists them all.",
        "common.outdated_button": "This message is outdated and its button no longer does anything. /help shows what I can do.",
        "plain.reply": "I only understand commands: /help lists them all, with examples.",
        "plain.subscribe": "➕ /subscribe: {topics}",
        "plain.alert": "🔔 /alert add {phrase}",
        "common.none": "none",
        "common.list_separator": ", ",
        "common.too_many_args": "Something is left over: “{extra}”.",
        "common.too_long": "That is too long: at most {limit} characters.",
        # --- topics, shared by /topics, /subscribe, /unsubscribe and /latest
        "topics.unknown": "I don't know the topic “{topic}”.\nTopics: {known}",
        "topics.unknown_suggest": ("I don't know the topic “{topic}”. Did you mean <code>{suggestion}</code>?\n"
                                   "Topics: {known}"),
        "topics.missing": "Which topic?\nTopics: {known}",
        "topics.header": "<b>Topics</b>  (✅ = this chat follows it)",
        "topics.line": "{mark} <b>{name}</b>  <code>{id}</code>\n{description}",
        "topics.footer": "Tap a button to follow or unfollow a topic.",
        "topics.button_on": "✅ {name}",
        "topics.button_off": "▫️ {name}",
        "topics.toggled_on": "You now follow {name}.",
        "topics.toggled_off": "You no longer follow {name}.",
        "topics.gone": "That topic no longer exists. /topics shows the current ones.",
        # --- /start and /help
        "start.usage": "/start",
        "start.example": "/start",
        "start.greeting": ("Hi! I'm <b>Centinela</b> and I watch Venezuelan politics for you.\n"
                           "I read Venezuelan and international outlets and sort their news into topics.\n"
                           "I alert you at once about the topics and words you follow, or send you a daily digest.\n"
                           "\n"
                           "Tap a topic to follow it. /help lists every command."),
        "help.usage": "/help",
        "help.example": "/help",
        "help.header": "<b>Commands</b>",
        "help.line": "<code>{example}</code>\n{description}",
        "help.footer": "In groups anyone may read; only administrators change settings.",
        # --- /topics, /subscribe, /unsubscribe
        "topics.usage": "/topics",
        "topics.example": "/topics",
        "subscribe.usage": "/subscribe TOPIC…",
        "subscribe.example": "/subscribe sanctions cne",
        "subscribe.added": "You now follow: {topics}.",
        "subscribe.already": "You already followed: {topics}.",
        "subscribe.following": "This chat follows: {topics}.",
        "subscribe.following_none": "This chat follows no topic. /topics to choose.",
        "unsubscribe.usage": "/unsubscribe TOPIC…|all",
        "unsubscribe.example": "/unsubscribe all",
        "unsubscribe.removed": "You no longer follow: {topics}.",
        "unsubscribe.not_following": "You did not follow: {topics}.",
        "unsubscribe.all": "You unfollowed every topic.",
        "unsubscribe.alerts_remain": "Your keyword alerts are still on (/alerts).",
        # --- /latest
        "latest.usage": "/latest [TOPIC] [N]",
        "latest.example": "/latest sanctions 10",
        "latest.bad_count": "N must be a number from 1 to {max}.",
        "latest.two_counts": "Give one number only.",
        "latest.header": "<b>Latest news: {topics}</b>",
        "latest.capped": "I show {max} at most.",
        "latest.empty": "No news about {topics} yet.",
        "latest.no_topics": ("This chat follows no topic yet. Try <code>/latest sanctions</code> "
                             "or choose topics with /topics."),
        # --- inline mode: @bot WORDS in any chat (plain text, the result's message excepted)
        "inline.sources": "Sources: {sources}",
        "inline.sources_more": "and {count} more",
        "inline.nothing": "Nothing recent matches. Open Centinela",
        # --- /alert and /alerts
        "alert.usage": "/alert add PHRASE  ·  /alert remove PHRASE|NUMBER",
        "alert.example": '/alert add "Edmundo González" -football',
        "alert.unknown_action": "First say what to do: <code>add</code> or <code>remove</code>.",
        "alert.missing_phrase": "The phrase is missing.",
        # detail keys of delivery.keywords.parse_phrase
        "alert_empty": "The phrase has no words.",
        "alert_too_long": "An alert has at most {limit} characters.",
        "alert_unbalanced_quote": "A closing quote is missing.",
        "alert_only_exclusions": "At least one word must be required, not only exclusions (-word).",
        "alert.added": ("Alert saved: <code>{phrase}</code>\n"
                        "I'll tell you about every story that matches it, whatever its topic."),
        "alert.duplicate": "You already had that alert: <code>{phrase}</code>",
        "alert.full": ("This chat already has {max} alerts, the maximum. "
                       "Remove one with <code>/alert remove NUMBER</code>."),
        "alert.removed": "Alert removed: <code>{phrase}</code>",
        "alert.not_found": "There is no alert <code>{phrase}</code>.",
        "alert.bad_number": "There is no alert number {number}.",
        "alerts.usage": "/alerts",
        "alerts.example": "/alerts",
        "alerts.header": "<b>Keyword alerts</b> ({count} of {max})",
        "alerts.line": "{number}. <code>{phrase}</code>",
        "alerts.empty": "This chat has no keyword alerts.",
        "alerts.syntax": ("All words must appear; \"quoted phrases\" must appear as written; -word excludes. "
                          "Case and accents don't matter.\nExample: <code>/alert add \"Edmundo González\" -football</code>"),
        # --- /digest
        "digest.usage": "/digest HH:MM|off|now",
        "digest.example": "/digest 07:30",
        "digest.bad_time": "“{value}” is not a time HH:MM (00:00 to 23:59).",
        "digest.set": "Daily digest at {time} ({timezone}).",
        "digest.off": "Daily digest off. <code>/digest 08:00</code> turns it back on.",
        "digest.silent_warning": ("Note: in digest mode with the digest off, this chat will receive nothing. "
                                  "/mode instant changes the mode."),
        "digest.now_empty": "No news about {topics} since {since}.",
        "digest.now_no_topics": "This chat follows no topic, so there is no digest. /topics to choose.",
        # --- /mode
        "mode.usage": "/mode instant|digest",
        "mode.example": "/mode digest",
        "mode.instant": "Instant mode: I alert you about every story of your topics as soon as it arrives.",
        "mode.digest": "Digest mode: only the daily digest, at {time}.",
        "mode.digest_off": ("Digest mode: only the daily digest, which is off now. "
                            "Turn it on with <code>/digest 08:00</code>."),
        "mode.name_instant": "instant (every story as it arrives)",
        "mode.name_digest": "daily digest only",
        # --- /quiet
        "quiet.usage": "/quiet HH:MM-HH:MM|off|silent|hold",
        "quiet.example": "/quiet 23:00-07:00",
        "quiet.bad_window": "“{value}” is not a window like <code>23:00-07:00</code> (two different HH:MM times).",
        "quiet.set": ("Quiet hours: {start} to {end} ({timezone}). Alerts in that window reach you together, in one "
                      "message, when it ends. <code>/quiet silent</code>: send them at once, without a sound."),
        "quiet.set_silent": ("Quiet hours: {start} to {end} ({timezone}). Alerts in that window arrive at once, "
                             "without a sound. <code>/quiet hold</code>: keep them and send them together when it ends."),
        "quiet.off": "No quiet hours: alerts arrive at any hour.",
        "quiet.no_window": "Choose the hours first, for example <code>/quiet 23:00-07:00</code>.",
        "settings.quiet": "{start} to {end}",
        "settings.quiet_silent": "{start} to {end}, without a sound",
        "menu.quiet": "Hours without alerts: hold them or send them silently",
        # --- /timezone
        "timezone.usage": "/timezone Area/City",
        "timezone.example": "/timezone Europe/Madrid",
        "timezone.unknown": "“{value}” is not an IANA time zone such as America/Caracas.",
        "timezone.unknown_suggest": "“{value}” is not an IANA time zone. Did you mean <code>{suggestion}</code>?",
        "timezone.set": "Time zone: {timezone}. It is {now} there.",
        # --- /language
        "language.usage": "/language es|en",
        "language.example": "/language es",
        "language.set": "Done, I'll speak English.",
        "language.name": "English",
        # --- /settings
        "settings.usage": "/settings",
        "settings.example": "/settings",
        "settings.title": "This chat's settings",
        "settings.title_topic": "This topic's settings",
        "settings.body": ("<b>{title}</b>\n"
                          "Language: {language}\n"
                          "Time zone: {timezone}\n"
                          "Daily digest: {digest}\n"
                          "Mode: {mode}\n"
                          "Quiet hours: {quiet}\n"
                          "Topics: {topics}\n"
                          "Keyword alerts: {alerts} (/alerts)\n"
                          "State: {state}"),
        "settings.digest_off": "off",
        "settings.active": "active",
        "settings.stopped": "stopped (/start to come back)",
        # --- /stop
        "stop.usage": "/stop",
        "stop.example": "/stop",
        "stop.done": ("Done: I stopped writing to this chat and removed its topics, keyword alerts and daily digest.\n"
                      "To come back, send /start."),
        # --- the command menu (setMyCommands): 1-256 characters, plain text
        "menu.start": "Start and choose topics",
        "menu.help": "Every command, with examples",
        "menu.topics": "Topics and which ones this chat follows",
        "menu.subscribe": "Follow topics",
        "menu.unsubscribe": "Unfollow topics",
        "menu.latest": "Latest news of a topic or of your topics",
        "menu.alert": "Add or remove a keyword alert",
        "menu.alerts": "Your keyword alerts",
        "menu.digest": "Daily digest time, turn it off, or get it now",
        "menu.mode": "Instant alerts or the daily digest only",
        "menu.timezone": "This chat's time zone",
        "menu.language": "Language: Spanish or English",
        "menu.settings": "All of this chat's settings",
        "menu.stop": "Turn everything off for this chat",
        # --- admin commands (/feeds, /feed, /stats), for the user ids in telegram.admin_ids
        "common.not_allowed": "This command is only for the bot's administrators.",
        "help.admin_header": "<b>For the bot's administrators</b>",
        "feeds.usage": "/feeds",
        "feeds.example": "/feeds",
        "feeds.header": ("<b>Feeds</b>: {count} active, {failing} failing.\n"
                         "The number is the one for <code>/feed remove N</code>."),
        "feeds.empty": "There are no active feeds. Add one with <code>/feed add URL</code>.",
        "feeds.line": "<b>#{id}</b> {mark} <b>{name}</b> · {host}\n<code>{scope}</code> · {origin} · {health}",
        "feeds.origin_config": "config.toml",
        "feeds.origin_admin": "added by an admin",
        "feeds.ok": "last success {when}",
        "feeds.never": "not read yet",
        "feeds.failing": "{failures} failures in a row, the last <code>{kind}</code> {when}",
        "feeds.failed_once": "failed last time: <code>{kind}</code> {when}",
        "feeds.error_detail": "“{detail}”",
        "feed.usage": "/feed add URL [venezuela|world]  ·  /feed remove N",
        "feed.example": "/feed add https://example.org/feed/ world",
        "feed.unknown_action": "First say what to do: <code>add</code> or <code>remove</code>.",
        "feed.missing_url": "The feed's address is missing.",
        "feed.bad_url": "“{value}” is not a full http(s) address such as https://example.org/feed/.",
        "feed.url_too_long": "That address has {length} characters; I take {max} at most.",
        "feed.credentials": ("I don't store addresses with a user name or password: they would show in /feeds and in "
                             "the logs."),
        "feed.bad_scope": ("“{value}” is not a scope. <code>venezuela</code>: the whole feed is about Venezuela; "
                           "<code>world</code> (the default): only items about Venezuela count."),
        "feed.missing_number": "The feed's number is missing (/feeds shows it).",
        "feed.bad_number": "“{value}” is not a feed number from /feeds.",
        "feed.added": ("Feed added: <b>#{id} {name}</b> ({host}, <code>{scope}</code>), {entries}. "
                       "I'll read it in the next cycle."),
        "feed.entries": "{count} entries",
        "feed.entry": "1 entry",
        "feed.no_entries": "no entries yet",
        "feed.known": "That address already is feed <b>#{id} {name}</b>.",
        "feed.refused": "I did not add the feed: {reason}\n<code>{kind}</code> {detail}",
        "feed.refused_blocked_address": ("its address is not public (loopback, a private network, link-local or "
                                         "a cloud metadata service). If that is intended, set "
                                         "<code>fetch.allow_private_addresses = true</code> in config.toml."),
        "feed.refused_timeout": "it did not answer in time.",
        "feed.refused_connection": "I could not connect (no such name, connection refused or a TLS failure).",
        "feed.refused_http": "the server answered with HTTP status {status}.",
        "feed.refused_too_large": "it is too large.",
        "feed.refused_redirect": "its redirects lead to no feed.",
        "feed.refused_bad_url": "it is not an address I can request.",
        "feed.refused_bad_response": "it answered something I cannot make sense of.",
        "feed.refused_not_a_feed": "what is there is not an RSS, Atom or RDF feed.",
        "feed.refused_empty": "the answer is empty.",
        "feed.refused_other": "it could not be read.",
        "feed.removed": ("Feed <b>#{id} {name}</b> switched off; its news stays. "
                         "<code>/feed add</code> with the same address brings it back."),
        "feed.not_found": "There is no active feed #{id}. /feeds lists them.",
        "feed.config_feed": ("Feed <b>#{id} {name}</b> comes from config.toml: to remove it, delete it there and "
                             "restart the bot."),
        "stats.usage": "/stats",
        "stats.example": "/stats",
        "stats.body": ("<b>Statistics</b>\n"
                       "Active chats: {chats}{forum_topics}\n"
                       "Subscriptions: {subscriptions}\n"
                       "News: {items_today} in the last 24 h ({items_total} in all)\n"
                       "Feeds: {feeds_ok} fine, {feeds_failing} failing; last read: {last_fetch}\n"
                       "Deliveries: {pending} pending, {failed} failed, {sent} sent"),
        "stats.topic": "{name} {count}",
        "stats.never": "never",
        "stats.forum_topics": "; forum topics with settings of their own: {count}",
        "menu.feeds": "Feeds and their health",
        "menu.feed": "Add or remove a feed",
        "menu.stats": "Chats, subscriptions, news and deliveries",
        "stats.feedback": "Alerts of the last {days} days flagged “not about this topic”: {topics}",
        "stats.feedback_topic": "{name} {flagged} of {sent}{share}",
        "stats.feedback_share": " ({percent}%)",
        "flagged.usage": "/flagged [7d | YYYY-MM-DD [YYYY-MM-DD]]",
        "flagged.example": "/flagged 30d",
        "flagged.bad_days": "The period is 1 to {max} days, like <code>7d</code>.",
        "flagged.backwards": "The first date comes before the second.",
        "flagged.bad_period": "“{value}” is not a period: use <code>7d</code> or dates YYYY-MM-DD.",
        "flagged.none": "Nobody flagged an alert from {since} to {until}.",
        "flagged.caption": ("{count} stories readers flagged from {since} to {until}, in the labelled corpus "
                            "format. The topics are a proposal: review each one before adding it."),
        "menu.flagged": "Alerts readers flagged as off-topic (JSON Lines)",
        # --- the "not about <topic>" button under alerts (handlers/feedback.py): plain text, not HTML
        "feedback.noted": "Thanks: noted that this is not about {topic}.",
        "feedback.already": "It was already noted that this is not about {topic}.",
        "feedback.unknown": "This button belongs to an old message and no longer works.",
        # --- handlers/throttle.py
        "throttle.slow_down": "You are going too fast. I will ignore your messages for a few seconds.",
    },
}


def text(lang: Lang | str, key: str, **args: object) -> str:
    """The template `key` in `lang` (English when the chat's language is not Spanish), filled with `args`."""
    catalogue = CATALOGUE["es" if lang == "es" else "en"]
    return catalogue[key].format(**args)


def has_text(key: str) -> bool:
    """Whether the catalogue knows `key` (in both languages; a test checks they hold the same keys)."""
    return key in CATALOGUE["en"]


def user_language(language_code: str | None) -> Lang:
    """Telegram's language_code -> the bot's language: Spanish for es*, otherwise English."""
    return "es" if (language_code or "").lower().startswith("es") else "en"
