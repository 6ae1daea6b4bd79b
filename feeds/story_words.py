"""The words that identify a story, in either language: one token for each name, number and key word of the
domain however an outlet spells it, and what kind of word each token is (how much it says about an event).

Pure data and two small lookups, used by feeds.cluster. Tokens are folded (lower case, no accents); a
concept's token is its Spanish stem, so "sanctions", "sancionó" and "sanciones" are all `sancion`.
"""

from __future__ import annotations

# Phrases (sequences of folded words): names of several words and idioms whose words mean little alone
# ("turned himself in", "oil firm"). Each alternative, separated by "|", becomes the token(s) after it.
_PHRASES = (
    ("ee uu|estados unidos|united states|casa blanca|white house|washington", "eeuu"),
    ("union europea|european union|u e|consejo de la ue|council of the eu", "ue"),
    ("consejo nacional electoral|national electoral council|electoral body|electoral council|electoral authority"
     "|electoral chief|elections body|election body|elections council|elections authority|elections chief"
     "|organo electoral|autoridad electoral|poder electoral|arbitro electoral|ente electoral", "cne"),
    ("asamblea nacional constituyente|national constituent assembly|constituent assembly|constitutional assembly"
     "|asamblea constituyente", "constituyente"),
    ("asamblea nacional|national assembly|parlamento|parliament|legislature", "parlamento"),
    ("departamento del tesoro|department of the treasury|treasury department", "tesoro"),
    ("grupo de lima|lima group", "grupolima"),
    ("oil firm|oil company|oil giant|petroleum company|compania petrolera|empresa petrolera", "petrolera"),
    ("state owned|state run", "estatal"),
    ("turns himself in|turned himself in|turn himself in|se entrega|se entrego|gives himself up", "entrega"),
    ("declares himself|declared himself|declare himself|se proclamo|se autoproclamo|se ha proclamado"
     "|se ha autoproclamado|se proclama|se autoproclama|sworn in|juramenta|juramento", "proclama"),
    ("on hold|pulls out of|walks out|walked out", "suspende"),
    ("presidential race|presidential election|presidential elections|presidential vote|presidential poll"
     "|presidential polls|elecciones presidenciales|eleccion presidencial|presidenciales", "presidencial eleccion"),
    ("executive order|orden ejecutiva", "decreto"),
    ("blocking property|blocks property|blocked property|blocking assets|blocks assets|block assets"
     "|bloquea bienes|bloquea activos|bloqueo de bienes|bloqueo de activos", "congela activo"),
    ("human rights|derechos humanos", "ddhh"),
    ("tribunal supremo de justicia|supreme court|supreme tribunal|tribunal supremo", "tsj"),
    ("fuerza armada|fuerzas armadas|armed forces", "militar"),
    ("post election|post electoral|postelectoral|poselectoral", "postelectoral"),
    ("ruling party|partido de gobierno|partido oficialista|partido de gobierno", "chavismo"),
    ("medidas restrictivas|restrictive measures", "sancion"),
)
PHRASES: dict[tuple[str, ...], tuple[str, ...]] = {
    tuple(alternative.split()): tuple(tokens.split())
    for alternatives, tokens in _PHRASES for alternative in alternatives.split("|")}
PHRASE_STARTS = frozenset(phrase[0] for phrase in PHRASES)
LONGEST_PHRASE = max(map(len, PHRASES))


# Number words as digits ("ocho" / "eight" / "8").
NUMBERS: dict[str, str] = {word: str(number) for number, words in enumerate((
    "", "", "dos two", "tres three", "cuatro four", "cinco five", "seis six", "siete seven", "ocho eight",
    "nueve nine", "diez ten", "once eleven", "doce twelve", "trece thirteen", "catorce fourteen",
    "quince fifteen", "dieciseis sixteen", "diecisiete seventeen", "dieciocho eighteen",
    "diecinueve nineteen", "veinte twenty")) for word in words.split()}

# The months, each as its Spanish name in both languages. English "March" and "May" are the months only next
# to a day's number (feeds.cluster reads them first): otherwise they are a march and a modal verb.
MONTHS = ("enero january", "febrero february", "marzo", "abril april", "mayo", "junio june",
          "julio july", "agosto august", "septiembre setiembre september", "octubre october",
          "noviembre november", "diciembre december")
_MONTH = {word: names.split()[0] for names in MONTHS for word in names.split()}

# One token for the forms of a key word in both languages. Tokens are what two titles must share.
_CONCEPTS = {
    "sancion": "sancion sanciones sanciona sancionan sanciono sancionaron sancionado sancionados sancionada "
               "sancionadas sancionar sancionando sanction sanctions sanctioned sanctioning sancionara",
    "impone": "impone imponen impuso impusieron impondra impondran imponer impose imposes imposed imposing "
              "aplica aplican aplico slaps slap hits hit issues issued emite emitio unleashes",
    "funcionario": "funcionario funcionarios official officials oficiales alto altos jerarca jerarcas",
    "eleccion": "eleccion elecciones election elections electoral comicios votacion votaciones vote votes voting "
                "voto votos poll polls ballot sufragio elect vota votan votaron voted",
    "congela": "congela congelan congelo congelar congelamiento congelacion freeze freezes froze frozen freezing "
               "embargo",
    "bloquea": "bloquea bloqueo bloquean bloquearon bloqueara bloquear bloqueando block blocks blocking blocked "
               "obstruct obstructing obstruccion impide impidieron impedir",
    "denuncia": "denuncia denuncio denuncian denunciaron denounce denounces denounced alleges alleged claims",
    "activo": "activo activos bien bienes asset assets propiedad propiedades property fondos funds",
    "gobierno": "gobierno gobiernos government governments govt administracion administration regime regimen",
    "oposicion": "oposicion opositor opositora opositores opposition",
    "dialogo": "dialogo dialogos dialogue dialogues talk talks conversaciones conversacion negociacion negociaciones "
               "negotiation negotiations mesa",
    "suspende": "suspende suspenden suspendio suspender suspension suspend suspends suspended halt halts halted "
                "abandona abandono withdraws withdrew paraliza paralizo frena freno rechaza rejects",
    "petrolera": "petrolera petroleras",
    "petroleo": "petroleo oil crudo crude",
    "gobernador": "gobernador gobernadores governor governors gobernacion gobernaciones governorship "
                  "governorships governorate governorates",
    "parlamento": "parlamentaria parlamentarias parliamentary legislativa legislativas legislative",
    "primaria": "primaria primarias primarie primary primaries",
    "chavismo": "chavismo chavista chavistas oficialismo oficialista oficialistas",
    "presidente": "presidente presidenta president presidency presidencia mandatario",
    "interino": "interino encargado interim acting",
    "reconoce": "reconoce reconocen reconocio reconocimiento recognise recognises recognised recognize "
                "recognizes recognized recognizing recognising recognition",
    "gana": "gana ganan gano ganaron ganador ganadora win wins won winner victoria victory triunfo triunfa "
            "reelection reeleccion reelecto reelected elected electo reelegido triumph triumphs arrasa arraso sweeps swept",
    "mayoria": "mayoria majority",
    "diputado": "diputado diputados escano escanos seat seats",
    "manipula": "manipula manipulacion manipulado manipulados manipulated manipulation manipul tampered "
                "inflated inflados fraude fraud",
    "participacion": "participacion turnout participaron participantes asistencia",
    "millon": "millon millones million millions",
    "mil": "mil miles thousand thousands",
    "licencia": "licencia licencias license licenses licence licences",
    "candidato": "candidato candidata candidatos candidatas candidate candidates",
    "manifestante": "manifestante manifestantes protester protesters demonstrator demonstrators",
    "tribunal": "tribunal tribunales court courts",
    "preso": "preso presos presa presas prisoner prisoners detainee detainees",
    "partido": "partido partidos party parties",
    "delegacion": "delegacion delegaciones delegation delegations",
    "ronda": "ronda rondas round rounds",
    "migrante": "migrante migrantes migrant migrants",
    "paro": "paro paros huelga huelgas strike strikes",
    "exige": "exige exigen exigir exigieron demand demands demanded demanding",
    "politico": "politico politica politicos politicas political",
    "salario": "salario salarios wage wages salary salaries",
    "extranjero": "extranjero extranjeros extranjera foreign",
    "derroca": "derroca derrocar derrocamiento sacar oust ousting ouster topple toppling overthrow",
    "proclama": "proclama proclamo proclamado proclamada proclamacion proclamation proclaims proclaimed proclaim "
                "autoproclama autoproclamo autoproclamado autoproclamacion",
    "resultado": "resultado resultados result results boletin boletines bulletin bulletins",
    "gaceta": "gaceta gazette",
    "protesta": "protesta protestas protest protests manifestacion manifestaciones demonstration demonstrations "
                "rally rallies marcha marchas march marches movilizacion concentracion marchan marcharon marchar "
                "marchando marched marching protestan protestaron protestar protesting protested",
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
    "retoma": "retoma retoman retomaron reanuda reanudan reanudaron resume resumes resumed reanudacion "
              "resumption vuelven vuelve regresan",
    "acuerdo": "acuerdo acuerdos pacto pact agreement agreements deal acuerdan acordaron acordo agree agreed firma firman "
               "firmaron sign signs signed",
    "ayuda": "ayuda aid humanitaria humanitarian",
    "seguridad": "seguridad security policia police",
    "detiene": "detiene detienen detuvo detenido detenidos detenida arresto arrest arrests arrested "
               "captura capturado",
    "libera": "libera liberan libero liberado liberados liberacion release releases released freed releasing "
              "frees liberar liberara liberaran excarcela excarcelan excarcelo excarcelado excarcelados "
              "excarcelacion excarcelaciones",
    "reimpone": "reimpone reimponen reimpuso reimpose reimposes reimposed reinstaura reinstauro reinstate "
                "reinstates reinstated restablece restablecen restablecio restaura restauran restauro restore "
                "restores restored snapback",
    "prorroga": "prorroga prorrogan prorrogo prorrogar prolonga prolongan prolongo extiende extienden extendio "
                "extend extends extended renueva renuevan renovo renew renews renewed renewal",
    "intercambio": "intercambio canje swap swaps exchange",
    "extradicion": "extradicion extradita extraditado extraditan extradition extradite extradited",
    "estadounidense": "estadounidense estadounidenses american americans",
    "amenaza": "amenaza amenazas threat threats",
    "declara": "declara declaran declaro declare declares declared declaring declar",
    "reunion": "reunion reuniones meeting meetings meet meets reune reunen",
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
    known = _NAMES.get(word) or CONCEPT.get(word) or _DEMONYMS.get(word) or _MONTH.get(word)
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
