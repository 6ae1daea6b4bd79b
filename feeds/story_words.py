"""The words that identify a story, in either language: one token for each name, number and key word of the
domain however an outlet spells it, and what kind of word each token is (how much it says about an event).

Pure data and two small lookups, used by feeds.cluster. Tokens are folded (lower case, no accents); a
concept's token is its Spanish stem, so "sanctions", "sancionó" and "sanciones" are all `sancion`.
"""

from __future__ import annotations

import re

# Phrases first (folded text, before it is split into words): names of several words and idioms whose
# words mean little alone ("turned himself in", "oil firm").
PHRASES: list[tuple[re.Pattern[str], str]] = [(re.compile(pattern), f" {token} ") for pattern, token in (
    (r"\bee\s?\.?\s?uu\b\.?|\bestados unidos\b|\bunited states\b|\bcasa blanca\b|\bwhite house\b"
     r"|\bwashington\b|\bus-", "eeuu"),
    (r"\bunion europea\b|\beuropean union\b|\bu\.e\.|\bconsejo de la ue\b|\bcouncil of the eu\b", "ue"),
    (r"\bconsejo nacional electoral\b|\bnational electoral council\b|\belectoral (?:body|council|authority|chief)\b"
     r"|\belections? (?:body|council|authority|chief)\b|\b(?:organo|autoridad|poder|arbitro|ente) electoral\b",
     "cne"),
    (r"\basamblea nacional constituyente\b|\bnational constituent assembly\b|\bconstituent assembly\b"
     r"|\bconstitutional assembly\b|\basamblea constituyente\b", "constituyente"),
    (r"\basamblea nacional\b|\bnational assembly\b|\bparlamento\b|\bparliament\b|\blegislature\b", "parlamento"),
    (r"\bdepartamento del tesoro\b|\bdepartment of the treasury\b|\btreasury department\b", "tesoro"),
    (r"\bgrupo de lima\b|\blima group\b", "grupolima"),
    (r"\b(?:oil|petroleum) (?:firm|company|giant)\b|\bcompania petrolera\b|\bempresa petrolera\b", "petrolera"),
    (r"\bstate[- ]owned\b|\bstate[- ]run\b", "estatal"),
    (r"\bturn(?:s|ed)? himself in\b|\bse entrega\b|\bse entrego\b|\bgives himself up\b", "entrega"),
    (r"\bdeclares? himself\b|\bdeclared himself\b|\bse (?:auto)?proclamo\b|\bse ha (?:auto)?proclamado\b"
     r"|\bse (?:auto)?proclama\b|\bsworn in\b|\bjuramenta\b|\bjuramento\b", "proclama"),
    (r"\bon hold\b|\bpulls out of\b|\bwalks? out\b", "suspende"),
    (r"\bpresidential (?:race|election|elections|vote|poll|polls)\b|\belecciones presidenciales\b"
     r"|\beleccion presidencial\b|\bpresidenciales\b", "presidencial eleccion"),
    (r"\bexecutive order\b|\borden ejecutiva\b", "decreto"),
    (r"\bblock(?:s|ing|ed)? (?:the )?(?:property|properties|assets)\b|\bbloque(?:a|o|ar) (?:los |sus )?(?:bienes|activos)\b",
     "congela activo"),
    (r"\bhuman rights\b|\bderechos humanos\b", "ddhh"),
    (r"\bfuerzas? armadas?\b|\barmed forces\b", "militar"),
    (r"\bpost-election\b|\bpostelectoral\b|\bpost-electoral\b|\bposelectoral\b", "postelectoral"),
)]

# Number words as digits ("ocho" / "eight" / "8").
NUMBERS: dict[str, str] = {word: str(number) for number, words in enumerate((
    "", "", "dos two", "tres three", "cuatro four", "cinco five", "seis six", "siete seven", "ocho eight",
    "nueve nine", "diez ten", "once eleven", "doce twelve", "trece thirteen", "catorce fourteen",
    "quince fifteen", "dieciseis sixteen", "diecisiete seventeen", "dieciocho eighteen",
    "diecinueve nineteen", "veinte twenty")) for word in words.split()}

# One token for the forms of a key word in both languages. Tokens are what two titles must share.
_CONCEPTS = {
    "sancion": "sancion sanciones sanciona sancionan sanciono sancionaron sancionado sancionados sancionada "
               "sancionadas sancionar sancionando sanction sanctions sanctioned sanctioning sancionara",
    "impone": "impone imponen impuso impusieron impondra impondran imponer impose imposes imposed imposing "
              "aplica aplican aplico slaps slap hits hit issues issued emite emitio unleashes",
    "funcionario": "funcionario funcionarios official officials oficiales alto altos jerarca jerarcas",
    "eleccion": "eleccion elecciones election elections electoral comicios votacion votaciones vote votes voting "
                "voto votos poll polls ballot sufragio elect",
    "congela": "congela congelan congelo congelar congelamiento congelacion freeze freezes froze frozen freezing "
               "embargo",
    "bloquea": "bloquea bloqueo bloquean bloquearon bloqueara bloquear bloqueando block blocks blocking blocked "
               "obstruct obstructing obstruccion impide impidieron impedir",
    "denuncia": "denuncia denuncio denuncian denunciaron denounce denounces denounced alleges alleged claims",
    "activo": "activo activos bien bienes asset assets propiedad propiedades property fondos funds",
    "gobierno": "gobierno gobiernos government governments govt administracion administration regime regimen",
    "oposicion": "oposicion opositor opositora opositores opposition",
    "dialogo": "dialogo dialogos talk talks conversaciones conversacion negociacion negociaciones negotiation "
               "negotiations mesa",
    "suspende": "suspende suspenden suspendio suspender suspension suspend suspends suspended halt halts halted "
                "abandona abandono withdraws withdrew paraliza paralizo frena freno rechaza rejects",
    "petrolera": "petrolera petroleras",
    "petroleo": "petroleo oil crudo crude",
    "gobernador": "gobernador gobernadores governor governors",
    "presidente": "presidente presidenta president presidency presidencia mandatario",
    "interino": "interino encargado interim acting",
    "reconoce": "reconoce reconocen reconocio reconocimiento recognise recognises recognised recognize "
                "recognizes recognized recognizing recognising recognition",
    "gana": "gana ganan gano ganaron ganador ganadora win wins won winner victoria victory triunfo triunfa "
            "reelection reeleccion reelecto reelected elected electo reelegido",
    "mayoria": "mayoria majority",
    "diputado": "diputado diputados escano escanos seat seats",
    "manipula": "manipula manipulacion manipulado manipulados manipulated manipulation manipul tampered "
                "inflated inflados fraude fraud",
    "participacion": "participacion turnout participaron participantes",
    "protesta": "protesta protestas protest protests manifestacion manifestaciones demonstration demonstrations "
                "rally rallies marcha marchas marches movilizacion concentracion",
    "disturbio": "disturbio disturbios riot riots choque choques clash clashes enfrentamiento enfrentamientos "
                 "bloodshed violencia violence",
    "levantamiento": "levantamiento alzamiento sublevacion uprising rebelion rebellion insurrection",
    "aliado": "aliado aliados aliada ally allies allied loyalist loyalists cercano cercanos",
    "conteo": "conteo recuento recuenta escrutinio count counting",
    "empresa": "empresa company firm compania",
    "entrega": "entrega surrender surrenders surrendered",
    "militar": "militar militares military fanb",
    "muerto": "muerto muertos killed dead deadly death deaths muere mueren murio fallecido fallecidos asesinado",
    "estudiante": "estudiante estudiantes student students estudiantil",
    "lider": "lider lideres leader leaders dirigente dirigentes",
    "revocatorio": "revocatorio referendum referendo recall",
    "tesoro": "tesoro treasury ofac",
    "acuerdo": "acuerdo acuerdos agreement agreements deal acuerdan acordaron acordo agree agreed firma firman "
               "firmaron sign signs signed",
    "ayuda": "ayuda aid humanitaria humanitarian",
    "seguridad": "seguridad security policia police",
    "detiene": "detiene detienen detuvo detenido detenidos detenida arresto arrest arrests arrested "
               "captura capturado",
    "libera": "libera liberan libero liberado liberados liberacion release releases released freed",
    "fecha": "fecha date dates fija fijan fijo set sets",
    "ministro": "ministro ministra minister",
    "corrupcion": "corrupcion corruption corrupto corrupt",
    "nuevo": "nuevo nueva nuevos nuevas new fresh more mas adicional adicionales additional",
    "anuncia": "anuncia anuncian anuncio announce announces announced informa informo dice says",
    "presion": "presion pressure",
    "dictador": "dictador dictator dictadura dictatorship",
    "represion": "represion repression crackdown",
}
CONCEPT: dict[str, str] = {form: token for token, forms in _CONCEPTS.items() for form in forms.split()}

# Names: people, institutions, places, by their folded token (after PHRASES). Their tokens say much.
_NAMES = {
    "maduro": "maduro", "guaido": "guaido", "machado": "machado", "capriles": "capriles", "lopez": "lopez",
    "leopoldo": "lopez", "gonzalez": "gonzalez", "urrutia": "gonzalez", "trump": "trump", "biden": "biden",
    "obama": "obama", "rubio": "rubio", "bolton": "bolton", "mnuchin": "mnuchin", "pompeo": "pompeo",
    "cabello": "cabello", "diosdado": "cabello", "rodriguez": "rodriguez", "padrino": "padrino",
    "saab": "saab", "lucena": "lucena", "tibisay": "lucena", "amoroso": "amoroso", "ortega": "ortega",
    "petro": "petro", "duque": "duque", "lula": "lula", "smartmatic": "smartmatic", "pdvsa": "pdvsa",
    "citgo": "citgo", "chevron": "chevron", "cne": "cne", "tsj": "tsj", "onu": "onu",
    "oea": "oea", "oas": "oea", "cpi": "cpi", "icc": "cpi", "eeuu": "eeuu", "ue": "ue", "barbados": "barbados",
    "noruega": "noruega", "norway": "noruega", "mexico": "mexico", "doha": "qatar", "qatar": "qatar",
    "constituyente": "constituyente", "parlamento": "parlamento", "grupolima": "grupolima",
    "caracas": "caracas", "tachira": "tachira", "zulia": "zulia", "maracaibo": "maracaibo", "valencia": "valencia",
    "bogota": "bogota", "nicaragua": "nicaragua", "nicaraguense": "nicaragua", "nicaraguan": "nicaragua",
    "colombia": "colombia", "colombiano": "colombia", "colombian": "colombia", "cuba": "cuba", "cubano": "cuba",
    "cuban": "cuba", "russia": "rusia", "rusia": "rusia", "china": "china", "iran": "iran", "guyana": "guyana",
    "esequibo": "esequibo", "essequibo": "esequibo", "psuv": "psuv", "mud": "mud", "sidor": "sidor",
}
# Tokens every story of the domain carries: they count for little.
WEAK = frozenset("venezuela venezolano gobierno presidente nicolas juan nuevo anuncia eleccion pais crisis "
                 "nicola impone dia semana lunes martes miercoles jueves viernes sabado domingo hoy year ano".split())
_DEMONYMS = {"venezolano": "venezuela", "venezolana": "venezuela", "venezuelan": "venezuela",
             "venezolanos": "venezuela", "venezuelans": "venezuela", "venezuela's": "venezuela"}


def token(word: str) -> str:
    """The token a folded word stands for: a name's, a concept's, a number's, or the word itself."""
    word = NUMBERS.get(word, word)
    known = _NAMES.get(word) or CONCEPT.get(word) or _DEMONYMS.get(word)
    if known:
        return known
    for ending in _ENGLISH_ENDINGS:  # "sanctioning", "imposed": an English inflection of a listed form
        if len(word) > len(ending) + 3 and word.endswith(ending) and word[:-len(ending)] in CONCEPT:
            return CONCEPT[word[:-len(ending)]]
    return word


_ENGLISH_ENDINGS = ("ing", "ed", "es", "s", "d")


def is_person(token_: str) -> bool:
    """A person's or a company's name: institutions and places are in most stories of their topic."""
    return token_ in _PEOPLE


_PEOPLE = frozenset("maduro guaido machado capriles lopez gonzalez trump biden obama rubio bolton mnuchin pompeo "
                    "cabello rodriguez padrino saab lucena amoroso ortega petro duque lula smartmatic pdvsa citgo "
                    "chevron".split())
