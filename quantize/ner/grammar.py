"""Compositional training sentences: many small frames x openers x endings, in six languages.

Fixed templates teach a model the templates. Here a request is assembled from an opener
("Can you", "Bitte", "pls"), a frame that puts a person or an address in one of the positions
people really put them (object of "write to", "für", "avec"; subject; after "Dear"; in a list),
and an ending, so the context around a name varies far more than any template list could.
Negative frames put cities, companies, products and famous people in the same kinds of positions.
"""

from __future__ import annotations

import random

_OPENERS = {
    "en": ("", "", "Please ", "Can you ", "Could you ", "pls ", "Hey, ", "I need to ", "Help me ", "Quickly ", "ok "),
    "de": ("", "", "Bitte ", "Kannst du ", "Hilf mir, ", "Ich muss "),
    "fr": ("", "", "Peux-tu ", "Merci de ", "Stp ", "Il faut "),
    "it": ("", "", "Per favore ", "Puoi ", "Devo "),
    "es": ("", "", "Por favor ", "Puedes ", "Necesito "),
    "nl": ("", "", "Kun je ", "Graag ", "Ik moet "),
}
_ENDINGS = {
    "en": (".", "?", " today.", " tomorrow morning.", " about the {topic}.", " before {date}.", " at {time}.",
           " and say thanks.", ", it is urgent.", " regarding {topic}.", "", " for me."),
    "de": (".", "?", " wegen {topic}.", " bis {date}.", " morgen früh.", ""),
    "fr": (".", "?", " pour {topic}.", " avant le {date}.", " demain matin.", ""),
    "it": (".", "?", " per {topic}.", " entro il {date}.", " domani mattina.", ""),
    "es": (".", "?", " sobre {topic}.", " antes del {date}.", " mañana por la mañana.", ""),
    "nl": (".", "?", " over {topic}.", " voor {date}.", " morgenochtend.", ""),
}
_TOPICS = ("the invoice", "the party", "the rent", "the project", "dinner", "the meeting", "the contract",
           "the repair", "the school trip", "the insurance", "the holiday", "the car")
_PERSON_FRAMES = {
    "en": (
        "write to {P}", "send a message to {P}", "email {P}", "call {P}", "remind {P}", "ask {P}", "tell {P}",
        "thank {P}", "invite {P}", "congratulate {P}", "text {P}", "meet {P}", "pick up {P}", "pay {P}",
        "book a table for {P}", "buy a gift for {P}", "make an appointment with {P}", "forward this to {P}",
        "reply to {P}", "apologize to {P}", "schedule a call with {P}", "introduce me to {P}",
        "write a goodbye card for {P}", "draft a letter to {P}", "find the email from {P}",
        "summarize what {P} said", "plan a surprise for {P}", "ask {P} and {P} to join",
        "cancel my meeting with {P}", "check if {P} replied", "add {P} to the list",
        "reserve two seats under the name {P}", "prepare the report for {P}", "give {P} a call",
        "tell {P} that {P} will be late", "share the photos with {P}", "wish {P} a happy birthday",
        "set up a meeting between {P} and {P}", "ask whether {P} is coming",
    ),
    "de": (
        "schreib {P} eine Nachricht", "ruf {P} an", "erinnere {P} an den Termin", "frag {P}",
        "sag {P} Bescheid", "danke {P}", "lade {P} ein", "schick {P} die Unterlagen", "einen Brief an {P} schreiben",
        "ein Geschenk für {P} finden", "den Termin mit {P} absagen", "die Mail von {P} zusammenfassen",
        "{P} zum Geburtstag gratulieren", "einen Tisch auf den Namen {P} reservieren",
    ),
    "fr": (
        "écris à {P}", "appelle {P}", "rappelle à {P} le rendez-vous", "demande à {P}", "remercie {P}",
        "invite {P}", "envoie les documents à {P}", "écrire une lettre à {P}", "trouver un cadeau pour {P}",
        "annuler le rendez-vous avec {P}", "résumer le mail de {P}", "réserver une table au nom de {P}",
    ),
    "it": (
        "scrivi a {P}", "chiama {P}", "ricorda a {P} l'appuntamento", "chiedi a {P}", "ringrazia {P}",
        "invita {P}", "manda i documenti a {P}", "scrivere una lettera a {P}", "trovare un regalo per {P}",
        "annullare l'incontro con {P}", "riassumere la mail di {P}",
    ),
    "es": (
        "escribe a {P}", "llama a {P}", "recuérdale a {P} la cita", "pregunta a {P}", "agradece a {P}",
        "invita a {P}", "envía los documentos a {P}", "escribir una carta a {P}", "buscar un regalo para {P}",
        "cancelar la reunión con {P}", "resumir el correo de {P}",
    ),
    "nl": (
        "schrijf {P} een bericht", "bel {P}", "herinner {P} aan de afspraak", "vraag {P}", "bedank {P}",
        "nodig {P} uit", "stuur de documenten naar {P}", "een brief aan {P} schrijven",
        "een cadeau voor {P} zoeken", "de afspraak met {P} afzeggen",
    ),
}
# Places and famous people right after the words that also introduce people ("à", "a", "van", "from",
# "about"): no PII. Without these the model learns that any capitalised word there is someone.
_PLACE_NEGATIVES = (
    "Il fait beau à {city} ce week-end ?", "Je pars à {city} demain.", "Un hôtel pas cher à {city} ?",
    "Vado a {city} domani.", "Che tempo fa a {city}?", "Voy a {city} el lunes.", "¿Qué hay que ver en {city}?",
    "Ik ga naar {city} op vakantie.", "De trein van {city} is te laat.", "Hoeveel inwoners heeft {country}?",
    "De president van {country} is op bezoek.", "Het parlement van {country} stemt vandaag.",
    "Wir fahren nach {city}.", "Der Zug von {city} hat Verspätung.", "Hotels near {city} for {date}.",
    "I grew up in {city}.", "The office of {org} in {city} is closed.", "Was kostet ein Ticket nach {city}?",
    "What did {famous} invent?", "Why is {famous} still read today?", "Write an essay on {famous}.",
    "Was hat {famous} erfunden?", "Qu'a inventé {famous} ?", "Chi era {famous}?", "¿Quién fue {famous}?",
    "Wie was {famous}?", "Summarize the life of {famous} for a school project.",
)
# Whole sentences with the person as subject, greeting or list item (no opener/ending added).
_PERSON_SENTENCES = {
    "en": (
        "{P} said the delivery is late.", "{P} wants to move the meeting to {date}.", "Dear {P}, thanks for your help.",
        "Hi {P}! Are we still on for {time}?", "My sister {P} is visiting from {city}.", "{P}'s flight lands at {time}.",
        "Our teacher {P} asked for a signed form.", "The doctor, {P}, prescribed antibiotics.",
        "I'm going to the cinema with {P} and {P}.", "Notes from the call with {P}: budget approved.",
        "{P}, {P} and {P} are on the team.", "Name: {P}", "Contact person: {P}", "From: {P}",
        "What did {P} mean by that?", "Is {P} allowed to sign for me?", "Yesterday I met {P} at {org}.",
        "Who is {P}?", "{P} from {org} called about {topic}.", "My boss {P} needs the slides by {date}.",
    ),
    "de": ("{P} hat angerufen.", "Liebe {P}, vielen Dank!", "Mein Nachbar {P} ist krank.", "Ansprechpartner: {P}",
           "Hallo {P}, wie geht's?", "{P} kommt am {date} zu Besuch."),
    "fr": ("{P} a appelé.", "Chère {P}, merci beaucoup!", "Mon voisin {P} est malade.", "Bonjour {P}, ça va?",
           "{P} arrive le {date}."),
    "it": ("{P} ha chiamato.", "Cara {P}, grazie mille!", "Il mio vicino {P} è malato.", "Ciao {P}, come stai?"),
    "es": ("{P} ha llamado.", "Querida {P}, ¡muchas gracias!", "Mi vecino {P} está enfermo.", "Hola {P}, ¿qué tal?"),
    "nl": ("{P} heeft gebeld.", "Beste {P}, bedankt!", "Mijn buurman {P} is ziek.", "Hoi {P}, hoe gaat het?"),
}
_ADDRESS_SENTENCES = {
    "en": (
        "Deliver it to {A}.", "My new address is {A}.", "Send the invoice to {A}", "I live at {A}.",
        "How do I get from {A} to {city}?", "The flat at {A} has a leak.", "Ship to: {A}", "Address: {A}",
        "Pick me up at {A} at {time}.", "{P} lives at {A}.", "Is parking allowed in front of {A}?",
        "Send a taxi to {A}", "We moved from {A} to {A}.", "Billing address {A}, same as shipping.",
    ),
    "de": ("Lieferadresse: {A}", "Ich wohne in {A}.", "Schick das Paket an {A}.", "Die Wohnung {A} hat Schimmel.",
           "Wir ziehen nach {A}."),
    "fr": ("Adresse de livraison : {A}", "J'habite au {A}.", "Envoie le colis au {A}.", "Nous déménageons au {A}."),
    "it": ("Indirizzo: {A}", "Abito in {A}.", "Spedisci il pacco in {A}.", "Ci trasferiamo in {A}."),
    "es": ("Dirección: {A}", "Vivo en {A}.", "Envía el paquete a {A}.", "Nos mudamos a {A}."),
    "nl": ("Adres: {A}", "Ik woon op {A}.", "Stuur het pakket naar {A}.", "We verhuizen naar {A}."),
}
# Same positions, no PII: places, companies, products, famous people, name-like words.
_NEGATIVE_SENTENCES = (
    "Write to {org} about the refund.", "Call {org} and ask about {topic}.", "Compare {product} and {product}.",
    "Plan a trip to {city} and {city}.", "What is there to do in {city} on {date}?", "Tell me about {famous}.",
    "Buy a {product} for the office.", "Is {org} in {city} open on {date}?", "Find a flight between {city} and {city}.",
    "Email the {org} support team about {product}.", "Write a poem about {famous} and {word}.",
    "Book a hotel near {landmark} in {city}.", "How big is {country}?", "Invoice {id} from {org} is due {date}.",
    "Schreib {org} wegen der Rechnung {id}.", "Plane eine Reise nach {city}.", "Écris à {org} pour le {product}.",
    "Voyage à {city} le {date}.", "Scrivi a {org} per il {product}.", "Viaggio a {city} il {date}.",
    "Escribe a {org} sobre el {product}.", "Viaje a {city} el {date}.", "Schrijf {org} over de {product}.",
    "Reis naar {city} op {date}.", "Meet at {landmark} at {time}.", "{word} is a lovely month in {city}.",
    "The {product} by {org} costs {amount}.", "Who won the match in {city} on {date}?",
)


def sentence(rng: random.Random, language: str) -> str:
    """One template string with {person}/{address} and look-alike slots, in `language`."""
    lang = language if language in _OPENERS else "en"
    r = rng.random()
    if r < 0.42:
        frame = rng.choice(_PERSON_FRAMES[lang])
        opener = rng.choice(_OPENERS[lang])
        body = opener + (frame if opener else frame[0].upper() + frame[1:])
        text = body + rng.choice(_ENDINGS[lang])
    elif r < 0.62:
        text = rng.choice(_PERSON_SENTENCES[lang])
    elif r < 0.82:
        text = rng.choice(_ADDRESS_SENTENCES[lang])
    elif r < 0.92:
        text = rng.choice(_NEGATIVE_SENTENCES)
    else:
        text = rng.choice(_PLACE_NEGATIVES)
    text = text.replace("{topic}", rng.choice(_TOPICS))
    return text.replace("{P}", "{person}").replace("{A}", "{address}")
