"""German and French: a smaller set of disclosures, topic questions and everyday requests.

The encoder's vocabulary is English (uncased WordPiece), so these sentences teach it the few
words per category that carry a disclosure in DE/FR ("schwanger", "Schulden", "sans papiers").
``{bin|ist}`` picks the first- or third-person form; ``je a`` becomes ``j'a`` after filling.
"""

from __future__ import annotations

import random
import re

from quantize.sensitive.compose import Subject, fill, sentence_case

_ICH = Subject("ich", "1", "ich", "mein", "mich", "mein")
_JE = Subject("je", "1", "je", "mon", "me", "mon")
_DE_SUBJECTS = (_ICH, _ICH, _ICH, Subject("mein Mann", "3", "er", "sein", "ihn", "meines Mannes"),
                Subject("meine Frau", "3", "sie", "ihr", "sie", "meiner Frau"),
                Subject("mein Sohn", "3", "er", "sein", "ihn", "meines Sohnes"),
                Subject("meine Tochter", "3", "sie", "ihr", "sie", "meiner Tochter"),
                Subject("meine Schwester", "3", "sie", "ihr", "sie", "meiner Schwester"),
                Subject("mein Kollege", "3", "er", "sein", "ihn", "meines Kollegen"),
                Subject("<PERSON_1>", "3", "sie", "ihr", "sie", "<PERSON_1>s"))
_FR_SUBJECTS = (_JE, _JE, _JE, Subject("mon mari", "3", "il", "son", "le", "de mon mari"),
                Subject("ma femme", "3", "elle", "sa", "la", "de ma femme"),
                Subject("mon fils", "3", "il", "son", "le", "de mon fils"),
                Subject("ma fille", "3", "elle", "sa", "la", "de ma fille"),
                Subject("mon frère", "3", "il", "son", "le", "de mon frère"),
                Subject("ma collègue", "3", "elle", "sa", "la", "de ma collègue"),
                Subject("<PERSON_1>", "3", "elle", "sa", "la", "de <PERSON_1>"))

DE: dict[str, tuple[str, ...]] = {
    "health": ("{S} {habe|hat} {krankheit}", "{S} {leide|leidet} an {krankheit}", "{S} {bin|ist} psychisch krank", "{S} {habe|hat} eine Essstörung", "{S} {bin|ist} in der Reha wegen Alkohol", "{S} {bin|ist} schwerbehindert", "{S} {bin|ist} im dritten Monat schwanger", "{S} {habe|hat} seit {dauer} {krankheit}", "{S} {bin|ist} wegen {krankheit} in Behandlung", "{S} {muss|muss} {medikament} nehmen", "{S} {war|war} nach einem Suizidversuch im Krankenhaus", "{S} {bin|ist} schwanger", "{S} {nehme|nimmt} seit Jahren Antidepressiva",
               "{S} {bin|ist} HIV-positiv", "{S} {war|war} drei Wochen in der Psychiatrie", "{S} {bin|ist} alkoholabhängig",
               "{S} {bekomme|bekommt} gerade eine Chemotherapie", "{S} {wurde|wurde} letzte Woche operiert, ein Tumor", "{S} {bin|ist} seit Monaten krankgeschrieben wegen Burn-out", "{S} {habe|hat} Panikattacken", "bei {S} wurde {krankheit} festgestellt"),
    "sex_life": ("{S} {habe|hat} eine Affäre mit einem Kollegen", "{S} {hatte|hatte} ungeschützten Sex mit einer Fremden", "{S} {schlafe|schläft} nicht mehr mit {meinem|seinem} Partner", "{S} {betrüge|betrügt} {meine|seine} Frau", "{S} {habe|hat} seit {dauer} keinen Sex mehr", "{S} {bin|ist} in einer offenen Beziehung", "{S} {habe|hat} keine Lust mehr auf Sex",
                 "{S} {habe|hat} {meinen|seinen} Partner betrogen", "{S} {habe|hat} Erektionsprobleme", "{S} {gehe|geht} fremd", "{S} {habe|hat} einen One-Night-Stand gehabt", "{S} {schlafe|schläft} mit {meinem|ihrem} Chef"),
    "sexual_orientation": ("{S} {bin|ist} schwul", "{S} {bin|ist} {orient_de}", "{S} {habe|hat} einen festen Freund und {bin|ist} selbst ein Mann", "{S} {stehe|steht} auf Frauen und {bin|ist} selbst eine", "{S} {habe mich|hat sich} vor {dauer} als {orient_de} geoutet", "{S} {lebe|lebt} in einer gleichgeschlechtlichen Beziehung", "{S} {bin|ist} lesbisch", "{S} {bin|ist} bisexuell",
                           "{S} {habe mich|hat sich} als schwul geoutet", "{S} {liebe|liebt} eine Frau und {bin|ist} selbst eine Frau", "{S} {habe|hat} einen Freund und {bin|ist} ein Mann"),
    "gender_identity": ("{S} {bin|ist} transgender", "{S} {bin|ist} {trans_de}", "{S} {habe|hat} {meinen|seinen} Vornamen und Geschlechtseintrag geändert", "{S} {nehme|nimmt} seit {dauer} Östrogen", "{S} {bin|ist} nichtbinär", "{S} {nehme|nimmt} Hormone für die Transition",
                        "{S} {habe|hat} eine Geschlechtsangleichung vor sich", "{S} {bin|ist} eine trans Frau", "{S} {bin|ist} ein trans Mann", "{S} {möchte|möchte} als Frau leben"),
    "religion": ("{S} {bin|ist} Muslim", "{S} {bin|ist} {glaube_de}", "{S} {gehe|geht} jeden Freitag in die Moschee", "{S} {bin|ist} sehr gläubig", "{S} {esse|isst} nur koscher", "{S} {bete|betet} fünfmal am Tag", "{S} {bin|ist} zum {religion_de} konvertiert", "{S} {bin|ist} zum Islam konvertiert", "{S} {gehe|geht} jeden Sonntag in die Kirche",
                 "{S} {trage|trägt} ein Kopftuch", "{S} {bin|ist} aus der Kirche ausgetreten", "{S} {faste|fastet} im Ramadan", "{S} {bin|ist} gläubige Christin", "{S} {bin|ist} Jude und {halte|hält} den Sabbat", "{S} {bin|ist} aus dem Islam ausgetreten"),
    "political_opinion": ("{S} {bin|ist} Mitglied bei den Grünen", "{S} {bin|ist} Mitglied {partei_de}", "{S} {bin|ist} politisch aktiv bei {partei_de_dat}", "{S} {gehe|geht} für {partei_de_akk} Plakate kleben", "{S} {habe|hat} {partei_de_akk} gewählt", "{S} {mache|macht} Wahlkampf für {partei_de_akk}", "{S} {bin|ist} {ideologie_de}", "{S} {habe|hat} die Linke gewählt",
                          "{S} {bin|ist} in der CDU aktiv", "{S} {gehe|geht} zu jeder Klimademo", "{S} {wähle|wählt} immer die Linke", "{S} {bin|ist} Kommunist", "{S} {engagiere|engagiert} sich bei den Jusos"),
    "ethnicity": ("{S} {bin|ist} Roma", "{S} {bin|ist} {herkunft_de}", "{S} {werde|wird} als Ausländer beschimpft", "{S} {komme|kommt} aus einer Roma-Familie", "{S} {habe|hat} {herkunft_adj_de} Wurzeln", "{S} {werde|wird} wegen {meiner|ihrer} Hautfarbe diskriminiert", "{S} {bin|ist} schwarz und {werde|wird} oft kontrolliert",
                  "{S} {habe|hat} türkische Wurzeln und {erlebe|erlebt} Rassismus", "{S} {bin|ist} Kurde", "{S} {bin|ist} Afrodeutsche und {werde|wird} beleidigt"),
    "immigration": ("{S} {habe|hat} keine Aufenthaltserlaubnis", "{S} {bin|ist} Asylbewerber", "{S} {habe|hat} keinen gültigen Aufenthaltstitel mehr", "{mein|ihr} Asylantrag wurde abgelehnt", "{S} {arbeite|arbeitet} schwarz ohne Papiere", "{mein|ihr} Visum ist seit {dauer} abgelaufen", "{S} {habe|hat} einen Abschiebebescheid bekommen", "{S} {bin|ist} illegal eingereist", "{S} {bin|ist} ohne Papiere hier",
                    "{S} {habe|hat} einen Asylantrag gestellt", "{S} {soll|soll} abgeschoben werden",
                    "{S} {bin|ist} als Flüchtling aus Syrien gekommen", "{S} {lebe|lebt} illegal in Deutschland", "{S} {warte|wartet} seit zwei Jahren auf den Asylbescheid", "{S} {habe|hat} eine Abschiebungsandrohung bekommen"),
    "criminal_record": ("{S} {habe|hat} eine Vorstrafe wegen Diebstahls", "{S} {wurde|wurde} wegen {straftat_de} verurteilt", "{S} {war|war} im Knast", "{S} {bin|ist} gerade aus der Haft entlassen worden", "{S} {habe|hat} einen Eintrag im Führungszeugnis", "{S} {habe|hat} wegen {straftat_de} gesessen", "{S} {bin|ist} wegen {straftat_de} angeklagt", "{S} {stehe|steht} unter Bewährung", "{S} {war|war} zwei Jahre im Gefängnis",
                        "{S} {bin|ist} auf Bewährung", "{S} {wurde|wurde} wegen Betrugs verurteilt", "{S} {sitze|sitzt} im Gefängnis", "{S} {wurde|wurde} gestern verhaftet", "{S} {habe|hat} eine Anzeige wegen Körperverletzung"),
    "finances": ("{S} {habe|hat} 20.000 Euro Schulden", "{S} {habe|hat} {betrag} Schulden bei {glaeubiger_de}", "{S} {bin|ist} total verschuldet", "{S} {habe|hat} Schulden überall", "{mein|ihr} Konto wurde gepfändet", "{S} {bin|ist} mit der Miete {monate} Monate im Rückstand", "{S} {stehe|steht} vor der Privatinsolvenz", "{S} {habe|hat} einen Schufa-Eintrag wegen nicht bezahlter Raten", "{S} {kann|kann} die Miete nicht mehr zahlen",
                 "{S} {musste|musste} Privatinsolvenz anmelden", "{S} {bekomme|bekommt} Bürgergeld und das Konto ist im Minus", "{S} {bin|ist} pleite", "{S} {habe|hat} Mietschulden", "der Gerichtsvollzieher war bei {mir|ihr}"),
    "trade_union": ("{S} {bin|ist} Gewerkschaftsmitglied", "{S} {bin|ist} Mitglied {gewerkschaft_de}", "{S} {bin|ist} in der Gewerkschaft", "{S} {zahle|zahlt} Gewerkschaftsbeiträge", "{S} {streike|streikt} mit {gewerkschaft_de_dat}", "{S} {bin|ist} Vertrauensfrau {gewerkschaft_de}", "{S} {bin|ist} im Betriebsrat und in der Gewerkschaft",
                    "{S} {streike|streikt} mit der Gewerkschaft", "{S} {bin|ist} Vertrauensmann der Gewerkschaft", "{S} {bin|ist} gewerkschaftlich organisiert"),
    "genetic": ("{S} {trage|trägt} eine BRCA1-Mutation", "{S} {habe|hat} laut Gentest ein hohes Risiko für {erbkrankheit_de}", "{S} {habe|hat} eine Erbkrankheit", "die Pränataldiagnostik hat einen Gendefekt gefunden", "{S} {bin|ist} Träger einer Genmutation", "der DNA-Test hat ergeben, dass {S} {adoptiert bin|adoptiert ist}", "{S} {habe|hat} einen Gendefekt geerbt",
                "der Gentest zeigt, dass {S} {Träger bin|Träger ist} einer Erbkrankheit", "{S} {habe|hat} eine erbliche Genmutation", "{S} {trage|trägt} das Gen für eine Erbkrankheit"),
    "domestic_violence": ("{S} {werde|wird} von {meinem|ihrem} Partner geschlagen", "mein {partner_de} schlägt mich", "mein {partner_de} sperrt mich ein", "mein {partner_de} tritt mich", "ich werde zu Hause geschlagen", "mein {partner_de} bedroht mich mit dem Messer", "{S} {werde|wird} von {meinem|ihrem} {partner_de} kontrolliert und eingesperrt", "mein {partner_de} hat mich vergewaltigt", "mein Mann bedroht mich",
                          "{S} {habe|hat} Angst vor {meinem|ihrem} Ex-Freund, er schlägt zu", "{S} {lebe|lebt} jetzt im Frauenhaus", "mein Freund würgt mich, wenn er wütend ist", "mein Vater schlägt meine Mutter", "{S} {werde|wird} von {meinem|ihrem} Ex verfolgt und bedroht"),
}
FR: dict[str, tuple[str, ...]] = {
    "health": ("{S} {ai|a} {maladie}", "{S} {souffre|souffre} de {maladie_sans}", "{S} {suis|est} en dépression", "{S} {ai|a} des troubles alimentaires", "{S} {suis|est} handicapé", "{S} {suis|est} enceinte de trois mois", "{S} {suis|est} suivi pour {maladie}", "{S} {prends|prend} {medicament_fr} tous les jours", "{S} {ai|a} été hospitalisé en psychiatrie", "{S} {ai|a} fait une tentative de suicide", "{S} {suis|est} enceinte", "{S} {prends|prend} des antidépresseurs depuis un an",
               "{S} {suis|est} séropositif", "{S} {suis|est} en chimiothérapie", "{S} {suis|est} alcoolique", "{S} {ai|a} fait une dépression", "{S} {suis|est} atteint d'un cancer", "{S} {ai|a} fait une fausse couche"),
    "sex_life": ("{S} {ai|a} trompé {mon|son} mari", "{S} n'{ai|a} plus de rapports sexuels depuis {duree}", "{S} {trompe|trompe} {ma|sa} femme", "{S} {couche|couche} avec {mon|son} ex", "{S} {ai|a} couché avec un inconnu sans préservatif", "{S} {suis|est} dans un couple libre", "{S} {ai|a} une liaison avec un collègue",
                 "{S} n'{ai|a} plus de désir sexuel", "{S} {ai|a} des problèmes d'érection", "{S} {couche|couche} avec {mon|son} patron", "{S} {ai|a} eu une aventure d'un soir"),
    "sexual_orientation": ("{S} {suis|est} lesbienne", "{S} {suis|est} {orient_fr}", "{S} {vis|vit} avec un homme et {je suis|il est} un homme", "{S} {vis|vit} avec {ma|sa} compagne et {je suis|elle est} une femme", "{S} {suis|est} bisexuel", "{S} {suis|est} homosexuel",
                           "{S} {ai|a} fait son coming out", "{S} {suis|est} gay", "{S} {aime|aime} les femmes et {suis|est} une femme"),
    "gender_identity": ("{S} {suis|est} transgenre", "{S} {suis|est} {trans_fr}", "{S} {ai|a} changé de prénom et d'état civil", "{S} {suis|est} non binaire", "{S} {suis|est} en transition", "{S} {suis|est} une femme trans", "{S} {prends|prend} des hormones pour {ma|sa} transition"),
    "religion": ("{S} {suis|est} juif pratiquant", "{S} {suis|est} {foi_fr}", "{S} {suis|est} très croyant", "{S} {mange|mange} halal", "{S} {vais|va} à la synagogue chaque samedi", "{S} {prie|prie} cinq fois par jour", "{S} {vais|va} à la mosquée le vendredi", "{S} {me suis|s'est} converti à l'islam", "{S} {vais|va} à la messe chaque dimanche",
                 "{S} {porte|porte} le voile", "{S} {fais|fait} le ramadan", "{S} {suis|est} musulman", "{S} {suis|est} catholique pratiquant", "{S} {ai|a} quitté l'Église"),
    "political_opinion": ("{S} {suis|est} militant au Parti socialiste", "{S} {suis|est} adhérent {parti_fr}", "{S} {fais|fait} campagne pour {parti_fr2_nom}", "{S} {colle|colle} des affiches pour {parti_fr2_nom}", "{S} {ai|a} voté {parti_fr2}", "{S} {suis|est} {ideologie_fr}", "{S} {ai|a} voté pour le Rassemblement national",
                          "{S} {suis|est} membre de La France insoumise", "{S} {vote|vote} toujours à gauche", "{S} {suis|est} militant écologiste", "{S} {suis|est} encarté chez Les Républicains"),
    "ethnicity": ("{S} {suis|est} noir et {subis|subit} du racisme", "{S} {suis|est} {origine_fr}", "{S} {me fais|se fait} traiter de sale étranger", "{S} {subis|subit} des remarques racistes au travail parce que {je suis|elle est} {origine_fr}", "{S} {suis|est} d'origine marocaine",
                  "{S} {suis|est} rom", "{S} {suis|est} d'origine maghrébine", "{S} {suis|est} victime de racisme parce que {je suis|elle est} noire"),
    "immigration": ("{S} {suis|est} sans papiers", "{S} {suis|est} sous OQTF", "{S} n'{ai|a} pas de papiers", "{S} {suis|est} réfugié", "{ma|sa} demande de titre de séjour a été refusée", "{S} {ai|a} un visa expiré depuis {duree}", "{S} {suis|est} demandeuse d'asile", "{S} {suis|est} entré illégalement en France", "{S} {ai|a} demandé l'asile", "{S} {ai|a} reçu une OQTF",
                    "{S} n'{ai|a} plus de titre de séjour", "{S} {suis|est} en situation irrégulière", "{S} {attends|attend} la réponse de l'OFPRA", "{S} {suis|est} réfugié syrien"),
    "criminal_record": ("{S} {suis|est} sorti de prison", "{S} {ai|a} été condamné pour {delit_fr}", "{S} {ai|a} fait de la prison", "{S} {suis|est} en garde à vue", "{S} {ai|a} pris du sursis pour {delit_fr}", "{S} {suis|est} mis en examen pour {delit_fr}", "{S} {ai|a} fait de la prison pour {delit_fr}", "{S} {ai|a} été condamné pour vol", "{S} {suis|est} en liberté conditionnelle", "{S} {ai|a} été arrêté pour vol", "{S} {suis|est} en prison", "{S} {ai|a} un casier pour conduite en état d'ivresse"),
    "finances": ("{S} {ai|a} 15 000 euros de dettes", "{S} {ai|a} {montant} de dettes auprès de {creancier_fr}", "{S} {suis|est} criblé de dettes", "{S} {ai|a} des huissiers sur le dos", "{S} ne {peux|peut} plus rembourser {mon|son} crédit", "{S} {ai|a} un dossier de surendettement à la Banque de France", "{S} {suis|est} fiché à la Banque de France", "{S} ne {peux|peut} plus payer le loyer", "{S} {suis|est} à découvert depuis des mois",
                 "{S} {suis|est} en faillite personnelle", "{S} {suis|est} fauché", "{S} {dois|doit} trois mois de loyer", "{S} {suis|est} au RSA et les huissiers appellent"),
    "trade_union": ("{S} {suis|est} délégué syndical", "{S} {suis|est} adhérent {syndicat_fr}", "{S} {suis|est} syndiqué depuis {duree}", "{S} {milite|milite} au syndicat", "{S} {suis|est} élu du personnel pour {syndicat_fr}", "{S} {suis|est} syndiqué", "{S} {fais|fait} grève avec le syndicat", "{S} {suis|est} membre de la CFDT", "{S} {suis|est} représentant syndical"),
    "genetic": ("{S} {suis|est} porteur d'une mutation génétique", "{S} {ai|a} une maladie génétique rare", "{S} {suis|est} porteur sain d'une maladie génétique", "le test génétique indique que {S} {ai|a} un risque élevé de {cancer_fr}", "le test ADN montre que {S} {ai|a} une maladie héréditaire", "{S} {ai|a} hérité d'une mutation génétique", "{S} {suis|est} porteur du gène de l'hémophilie"),
    "domestic_violence": ("{S} {suis|est} battue par {mon|son} mari", "mon {conjoint_fr} me frappe", "mon {conjoint_fr} m'a étranglée", "mon {conjoint_fr} me séquestre", "je subis des violences à la maison", "mon {conjoint_fr} me menace de mort", "mon {conjoint_fr} contrôle mon argent et mon téléphone", "mon compagnon me menace et me frappe",
                          "{S} {vis|vit} dans un foyer pour femmes battues", "{S} {suis|est} victime de violences conjugales", "mon copain m'insulte et me bat", "mon ex me harcèle et me menace"),
}
_DE_SLOTS = {
    "dauer": ("einem Jahr", "zwei Jahren", "Monaten", "Wochen", "fünf Jahren"),
    "medikament": ("Insulin", "Antidepressiva", "Blutverdünner", "Methadon", "Lithium", "Cortison"),
    "orient_de": ("schwul", "lesbisch", "bi", "bisexuell", "queer", "homosexuell"),
    "trans_de": ("trans", "nichtbinär", "eine trans Frau", "ein trans Mann", "genderfluid"),
    "glaube_de": ("Muslim", "Muslima", "Jüdin", "Jude", "Katholikin", "evangelisch", "Buddhist", "Hindu", "Atheist", "freikirchlich"),
    "religion_de": ("Islam", "Judentum", "Buddhismus", "Katholizismus"),
    "partei_de": ("der CDU", "der Linken", "der CSU", "der SPÖ", "der Grünen", "der ÖVP", "der SVP"),
    "partei_de_dat": ("der CDU", "der Linken", "den Grünen", "der SPÖ", "der ÖVP", "der SVP"),
    "partei_de_akk": ("die CDU", "die Linke", "die CSU", "die Grünen", "die SPÖ", "die ÖVP", "die SVP", "die Piraten"),
    "ideologie_de": ("Kommunist", "Sozialist", "Anarchistin", "konservativ und stolz darauf", "Klimaaktivistin", "rechts"),
    "herkunft_de": ("Roma", "Afrodeutscher", "Tamile", "Eritreerin", "Türkin", "Jeside"),
    "herkunft_adj_de": ("türkische", "nigerianische", "vietnamesische", "arabische", "polnische", "kurdische"),
    "straftat_de": ("Diebstahl", "Betrug", "Drogenbesitz", "Trunkenheit am Steuer", "Einbruch", "Steuerhinterziehung", "Raub"),
    "betrag": ("10.000 Euro", "50.000 Euro", "3.000 Euro", "hohe"),
    "glaeubiger_de": ("der Bank", "meinem Vermieter", "einem Inkassobüro", "der Krankenkasse"),
    "monate": ("zwei", "drei", "vier"),
    "gewerkschaft_de": ("der IG BCE", "der GdL", "der EVG", "der Gewerkschaft", "der NGG", "der Unia"),
    "gewerkschaft_de_dat": ("der GdL", "der Gewerkschaft", "der EVG", "der NGG"),
    "erbkrankheit_de": ("Darmkrebs", "Brustkrebs", "Herzkrankheiten", "Demenz"),
    "partner_de": ("Mann", "Freund", "Ex-Mann", "Ex-Freund", "Partner", "Vater"),
    "krankheit": ("Krebs", "Diabetes", "Depressionen", "eine Angststörung", "Epilepsie", "Brustkrebs",
                           "eine Essstörung", "Parkinson", "HIV", "eine bipolare Störung")}
_FR_SLOTS = {
    "duree": ("un an", "deux ans", "six mois", "des années"),
    "maladie_sans": ("dépression", "diabète", "schizophrénie", "troubles bipolaires", "endométriose", "épilepsie"),
    "medicament_fr": ("de l'insuline", "des anxiolytiques", "de la méthadone", "des antirétroviraux", "du lithium"),
    "orient_fr": ("gay", "lesbienne", "bisexuelle", "homo", "bi", "queer"),
    "trans_fr": ("trans", "non-binaire", "une femme trans", "un homme trans"),
    "foi_fr": ("musulmane", "juive", "catholique", "protestant", "bouddhiste", "hindoue", "évangélique", "athée"),
    "parti_fr": ("au Parti communiste", "chez Renaissance", "aux Républicains", "au Parti socialiste", "chez EELV"),
    "parti_fr2_nom": ("le Parti communiste", "Renaissance", "les Républicains", "le Parti socialiste", "les écologistes"),
    "parti_fr2": ("Mélenchon", "à droite", "à l'extrême gauche", "pour le Parti socialiste", "écologiste"),
    "ideologie_fr": ("communiste", "anarchiste", "militante féministe", "de droite", "souverainiste"),
    "origine_fr": ("noire", "d'origine marocaine", "d'origine turque", "d'origine vietnamienne", "gitan", "kabyle", "antillaise"),
    "delit_fr": ("vol", "trafic de stupéfiants", "escroquerie", "violences", "conduite en état d'ivresse", "cambriolage"),
    "montant": ("20 000 euros", "5 000 euros", "beaucoup"),
    "creancier_fr": ("la banque", "du Trésor public", "mon propriétaire", "plusieurs organismes de crédit"),
    "syndicat_fr": ("à la CFDT", "à SUD", "à l'UNSA", "au syndicat", "à la CFE-CGC"),
    "cancer_fr": ("cancer du sein", "cancer du côlon", "cancer de l'ovaire"),
    "conjoint_fr": ("mari", "copain", "compagnon", "ex", "père"),
    "maladie": ("un cancer", "le diabète", "une dépression", "le VIH", "l'épilepsie", "une maladie chronique",
                         "des troubles anxieux", "la maladie de Crohn")}
_DE_FOLLOW = ("", "Was soll ich tun?", "Muss ich das meinem Arbeitgeber sagen?", "Wie sage ich es meiner Familie?",
              "Hast du einen Rat?", "Wo bekomme ich Hilfe?", "Kannst du mir helfen, eine E-Mail an meinen Chef zu schreiben?",
              "Wie kann ich helfen?", "Welche Rechte habe ich?")
_FR_FOLLOW = ("", "Que dois-je faire ?", "Dois-je le dire à mon employeur ?", "Comment l'annoncer à ma famille ?",
              "Tu as un conseil ?", "Où trouver de l'aide ?", "Peux-tu m'aider à écrire un mail à mon chef ?",
              "Comment puis-je l'aider ?", "Quels sont mes droits ?")
_DE_CONTEXT = ("meine Eltern wissen nichts davon", "ich habe Angst", "mein Chef ahnt etwas", "ich schäme mich",
               "ich weiß nicht weiter", "meine Familie ist sehr religiös", "ich kann nicht mehr schlafen",
               "niemand auf der Arbeit weiß es", "das macht mich fertig", "ich brauche einen Brief an die Behörde",
               "mein Vermieter will mich loswerden", "die Kinder merken schon etwas", "ich finde keine Arbeit",
               "ich muss morgen zum Amt", "mein Arzt weiß Bescheid", "ich will umziehen", "ich traue mich nicht, es zu sagen",
               "meine Schwiegereltern sind dagegen", "es geht schon seit Monaten so")
_FR_CONTEXT = ("mes parents ne savent rien", "j'ai peur", "je ne sais plus quoi faire", "j'ai honte",
               "ma famille est très croyante", "je ne dors plus", "personne au travail ne le sait", "ça me ronge",
               "je dois écrire à l'administration", "mon propriétaire veut me mettre dehors", "les enfants se doutent de quelque chose",
               "je ne trouve pas de travail", "j'ai rendez-vous à la préfecture demain", "mon médecin est au courant",
               "je veux déménager", "je n'ose pas en parler", "ma belle-famille est contre", "ça dure depuis des mois")
_DE_PREFIX = ("", "", "", "Hallo, ", "Ehrlich gesagt: ", "Kurze Frage: ", "Ich brauche Rat: ", "Also, ")
_FR_PREFIX = ("", "", "", "Bonjour, ", "Honnêtement, ", "Petite question : ", "J'ai besoin d'aide : ", "Alors, ")
_DE_GENERAL = ("Was ist {t}?", "Wie funktioniert {t} in Deutschland?", "Erkläre {t} in einfachen Worten.",
               "Was sind die Ursachen von {t}?", "Schreib einen kurzen Aufsatz über {t}.")
_FR_GENERAL = ("Qu'est-ce que {t} ?", "Comment fonctionne {t} en France ?", "Explique {t} simplement.",
               "Quelles sont les causes de {t} ?", "Écris un court texte sur {t}.")
_DE_TOPICS = ("ein Betriebsrat", "die Kirchensteuer", "eine Schufa-Auskunft", "das Bürgergeld", "eine Abschiebung",
              "die Sterbehilfe", "eine Bewährungsstrafe", "die Grundsicherung", "ein Gentest", "das Selbstbestimmungsgesetz",
              "die Einbürgerung", "ein Frauenhaus", "die Gewerkschaftsbewegung", "die Pflegeversicherung", "Diabetes", "Depression", "die Gewerkschaft", "das Asylrecht", "der Islam", "die Bundestagswahl",
              "Privatinsolvenz", "häusliche Gewalt", "Gentests", "das Strafregister", "die Schwangerschaft",
              "Homosexualität in der Geschichte", "Rassismus", "Verhütung", "die Transition")
_FR_TOPICS = ("un délégué syndical", "le RSA", "une OQTF", "la laïcité à l'école", "le casier judiciaire", "le PACS",
              "la sécurité sociale", "le droit de grève", "l'euthanasie", "un test ADN", "le mariage pour tous", "le diabète", "la dépression", "le syndicalisme", "le droit d'asile", "l'islam",
              "les violences conjugales", "les tests génétiques", "le casier judiciaire",
              "la grossesse", "l'homosexualité", "le racisme", "la contraception", "les élections européennes")
_DE_EVERYDAY = ("Stell einen Wecker auf {z} Uhr.", "Wie wird das Wetter am Wochenende?", "Schreib eine Einkaufsliste für Pfannkuchen.",
                "Mach das Licht im Wohnzimmer aus.", "Erinnere mich morgen an den Zahnarzttermin meines Sohnes.",
                "Wie lange muss ein Ei kochen?", "Übersetze 'guten Appetit' ins Englische.", "Meine Frau hat Geburtstag, Geschenkideen?",
                "Wann fährt der nächste Zug nach Köln?", "Schreib <PERSON_1>, dass ich später komme.",
                "Wie entkalke ich die Kaffeemaschine?", "Mein Bankkonto-App stürzt ab, was tun?", "Erklär mir die Kirchensteuer.",
                "Wo ist die nächste Apotheke?", "Plane einen Ausflug für die Familie am Sonntag.",
                "Wann öffnet der Dom für Besucher?", "Mein Sohn braucht Hilfe bei Mathe.", "Wie überweise ich Geld ins Ausland?",
                "Schreib eine Einladung zur Betriebsfeier.", "Die Party beginnt um acht, erinnere mich um sieben.",
                "Wie viele Kalorien hat ein Apfel?", "Mein Mann und ich wollen nach Rom, was sollten wir sehen?",
                "Meine Tochter hat einen neuen Freund, was kann ich kochen, wenn er kommt?", "Wie beantrage ich einen neuen Reisepass?",
                "Erkläre mir den Unterschied zwischen Kredit und Leasing.", "Spiel etwas Jazz im Wohnzimmer.")
_FR_EVERYDAY = ("Mets un minuteur de {z} minutes.", "Quel temps fera-t-il demain à Lyon ?", "Donne-moi une recette de crêpes.",
                "Éteins la lumière de la cuisine.", "Rappelle-moi d'appeler le garagiste.", "Traduis 'bonne nuit' en allemand.",
                "Mon mari fête ses quarante ans, une idée de cadeau ?", "À quelle heure part le train pour Paris ?",
                "Écris à <PERSON_1> que je serai en retard.", "Comment détartrer la bouilloire ?",
                "Mon appli bancaire ne marche plus, que faire ?", "Réserve une table pour quatre samedi soir.",
                "Où est la pharmacie la plus proche ?", "Organise une sortie en famille dimanche.",
                "À quelle heure ouvre la cathédrale pour les visites ?", "Mon fils a besoin d'aide en maths.",
                "Comment faire un virement à l'étranger ?", "Écris une invitation pour la fête du bureau.",
                "La fête commence à 20 h, rappelle-le-moi à 19 h.", "Ma femme et moi partons à Rome, que visiter ?",
                "Ma fille a un nouveau copain, que cuisiner quand il vient ?", "Comment renouveler mon passeport ?",
                "Explique la différence entre un crédit et un leasing.", "Mets du jazz dans le salon.")


def _subjects(language: str) -> tuple[Subject, ...]:
    return _DE_SUBJECTS if language == "de" else _FR_SUBJECTS


def disclosure(language: str, category: str, rng: random.Random) -> str:
    table, slots = (DE, _DE_SLOTS) if language == "de" else (FR, _FR_SLOTS)
    subj = rng.choice(_subjects(language))
    text = _elide(fill(rng.choice(table[category]), subj, slots, rng))
    de = language == "de"
    if rng.random() < 0.5:  # "..., und meine Eltern wissen nichts davon"
        text = f"{text} {'und' if de else 'et'} {rng.choice(_DE_CONTEXT if de else _FR_CONTEXT)}"
    prefix = rng.choice(_DE_PREFIX if de else _FR_PREFIX)
    follow = rng.choice(_DE_FOLLOW if de else _FR_FOLLOW)
    return f"{prefix}{sentence_case(text) if not prefix else text}. {follow}".strip()


def topical(language: str, rng: random.Random) -> str:
    frames, topics = (_DE_GENERAL, _DE_TOPICS) if language == "de" else (_FR_GENERAL, _FR_TOPICS)
    return rng.choice(frames).replace("{t}", rng.choice(topics))


def everyday(language: str, rng: random.Random) -> str:
    pool = _DE_EVERYDAY if language == "de" else _FR_EVERYDAY
    return rng.choice(pool).replace("{z}", rng.choice(("6", "7", "10", "15")))


def _elide(text: str) -> str:
    return re.sub(r"\b([Jj])e ([aeiouéèh])", r"\1'\2", text)
