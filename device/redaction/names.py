"""Word lists for the rule-based PERSON detector (v1, until a learned model replaces it).

First names are deliberately restricted to ones that are rarely anything else when capitalised:
names that double as places, months, brands, languages or everyday words (Paris, June, Will,
Mercedes, Ruby, Joy, ...) are left out, because a false hit costs the model context while a
miss of a first name alone is covered by the "name + surname" requirement anyway.
"""

from __future__ import annotations

from pathlib import Path


def word_set(block: str) -> frozenset[str]:
    """The whitespace-separated words of `block`: how the lists here (and beside them) are written."""
    return frozenset(block.split())


def _gazetteer() -> frozenset[str]:
    """First names of the markets (`data/first_names.txt`, written by `quantize.ner.gazetteer`)."""
    path = Path(__file__).parent / "data" / "first_names.txt"
    return frozenset(line for line in path.read_text(encoding="utf-8").splitlines() if line and line[0] != "#")


FIRST_NAMES = word_set(
    # English
    """
    James John Robert Michael William David Richard Joseph Thomas Charles Christopher Daniel Matthew
    Anthony Steven Paul Andrew Joshua Kenneth Kevin Brian George Timothy Ronald Edward Jason Jeffrey
    Ryan Jacob Gary Nicholas Eric Jonathan Stephen Larry Justin Scott Brandon Benjamin Samuel Gregory
    Alexander Patrick Raymond Dennis Jerry Tyler Aaron Henry Adam Douglas Nathan Peter Zachary Kyle
    Noah Ethan Jeremy Christian Walter Keith Roger Terry Harold Sean Carl Arthur Lawrence Dylan Jesse
    Bryan Joe Billy Bruce Albert Willie Gabriel Logan Alan Wayne Roy Ralph Randy Eugene Vincent
    Russell Elijah Louis Bobby Philip Johnny Oliver Harry Jack Charlie Oscar Leo Alfie Freddie Archie
    Theo Liam Mason Lucas Aiden Tom Ben Sam Max Alex Chris Nick Dan Matt Mike Steve Tony Jim Tim Andy
    Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Lisa Nancy Betty Margaret
    Sandra Ashley Kimberly Emily Donna Michelle Carol Amanda Dorothy Melissa Deborah Stephanie Rebecca
    Sharon Laura Cynthia Kathleen Amy Angela Shirley Anna Brenda Pamela Emma Nicole Helen Samantha
    Katherine Christine Debra Rachel Carolyn Janet Catherine Maria Heather Diane Ruth Julie Olivia
    Joyce Kelly Lauren Christina Joan Evelyn Judith Megan Andrea Cheryl Hannah Jacqueline Martha
    Gloria Teresa Ann Sara Frances Kathryn Janice Jean Abigail Alice Judy Sophia Isabella Ava Mia
    Charlotte Amelia Ella Chloe Lily Zoe Sophie Lucy Jane Claire Kate Emily Jennifer Natalie Vanessa
    """
    # German / Swiss
    """
    Lukas Leon Finn Jonas Felix Elias Maximilian Moritz Niklas Tobias Florian Sebastian Stefan Markus
    Matthias Andreas Martin Jürgen Klaus Wolfgang Dieter Uwe Bernd Holger Jörg Ralf Günter Helmut
    Heinz Karl Hans Kurt Ludwig Fritz Otto Ulrich Dirk Sven Jens Lena Leonie Lea Marie Lisa Katharina Julia
    Johanna Sabine Petra Monika Ursula Gisela Renate Karin Birgit Claudia Susanne Stefanie Kerstin
    Heike Silke Anja Jana Franziska Annika Greta Frieda Ida Mila Emilia Lina Klara Luisa Reto Urs
    Ueli Regula Nadja Corinne Severin Jannik Lars Till Lennart Henrik Mathias Manuela Daniela Simone
    """
    # French
    """
    Jean Pierre Michel Philippe Alain Nicolas Christophe Laurent Éric Frédéric Julien Sébastien
    Olivier Antoine Mathieu Guillaume Maxime Hugo Théo Louis Raphaël Jules Nathalie Isabelle Sylvie
    Françoise Valérie Sandrine Céline Camille Chloé Manon Léa Inès Louise Amélie Élodie Aurélie
    Émilie Juliette Margaux Mathilde François Jacques Henri René Thierry Benoît Stéphane Yves
    Brigitte Monique Martine Anne Hélène Delphine Agnès Jérôme Damien Clément Baptiste Adrien
    """
    # Spanish
    """
    Antonio Manuel José Francisco Juan Javier Carlos Jesús Alejandro Miguel Rafael Pablo Sergio
    Fernando Jorge Luis Alberto Álvaro Diego Adrián Raúl Enrique Ramón Vicente Andrés Joaquín
    Santiago Mateo Martín María Carmen Ana Isabel Cristina Marta Lucía Paula Elena Raquel Pilar
    Beatriz Nuria Silvia Alba Irene Sofía Valeria Gabriela Ximena Guadalupe Alejandra Dolores
    Rocío Montserrat Javiera Gonzalo Íñigo Ignacio Rodrigo Emilio Julián
    """
    # Italian
    """
    Giuseppe Giovanni Mario Luigi Francesco Angelo Vincenzo Pietro Salvatore Carlo Franco Domenico
    Bruno Paolo Michele Giorgio Luca Marco Alessandro Matteo Lorenzo Leonardo Riccardo Davide
    Stefano Federico Roberto Massimo Fabio Gianluca Emanuele Giulia Francesca Chiara Martina
    Valentina Alessia Elisa Federica Giorgia Ginevra Beatrice Lucia Paola Roberta Simona Giovanna
    Caterina Serena Ilaria Tommaso Filippo Gabriele Edoardo Niccolò
    """
    # Dutch
    """
    Jan Pieter Johannes Hendrik Willem Cornelis Gerrit Jeroen Sander Bram Daan Sem Thijs Ruben Bas
    Joost Koen Maarten Stijn Wouter Sanne Lotte Femke Anouk Eline Fleur Lieke Marieke Noor Saskia
    Esther Ingrid Marloes Joris Floris Jasper Niels Tessa Ilse
    """
    # Portuguese (PT / BR)
    """
    João António Luís Tiago Rui Gonçalo Afonso Duarte Leonor Mariana Matilde Carolina Joana Rita
    Sofia Catarina Margarida Felipe Guilherme Thiago Fernanda Juliana Camila Larissa Letícia
    Vitória Beatriz Rafaela Marcelo Leandro Fábio Sérgio
    """
    # Polish
    """
    Katarzyna Małgorzata Agnieszka Krystyna Ewa Elżbieta Zofia Magdalena Aleksandra Natalia
    Piotr Krzysztof Andrzej Tomasz Paweł Michał Marcin Jakub Łukasz Marek Grzegorz Mateusz Wojciech
    Mariusz Dariusz Zbigniew Jerzy Kamil Maciej Rafał Szymon Bartosz Dorota Jolanta Beata Urszula
    """
)

# Titles that introduce a name: "Dr. Keller", "Frau Keller", "M. Dupont", "Sra. García".
# "M" is special-cased by the detector: it only counts with its dot.
HONORIFICS = word_set(
    """
    Mr Mrs Ms Miss Mx Dr Prof Herr Frau Mme Mlle Sr Sra Srta Sig Dott Dhr Mevr Pani
    Senhor Senhora Signor Signora Señor Señora Monsieur Madame Mademoiselle
    """
)

# Lower-case surname particles that may sit between name tokens: "van der Berg", "de la Fuente".
PARTICLES = word_set("van von der den de del della di da das dos du la le ter ten zu y")

# Capitalised words that never continue a name, even right after a first name or title.
NOT_NAMES = word_set(
    """
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday
    January February March April May June July August September October November December
    Montag Dienstag Mittwoch Donnerstag Freitag Samstag Sonntag Januar Februar März Juni Juli
    Lundi Mardi Mercredi Jeudi Vendredi Samedi Dimanche Lunes Martes Miércoles Jueves Viernes
    The A An And Or But If Then So This That These Those It Is Are Was Were Be I We You He She They
    My Our Your His Her Their Me Us Him Them To In On At Of For From With By As Not No Yes Do Does
    Did Can Could Will Would Should Please Thanks Thank Hi Hello Dear Also Here There When What Who
    Why How Where Which
    Street Road Avenue Lane Strasse Straße Platz Weg Airport Station University Hospital School
    Inc Ltd GmbH AG Corp Company Team Project Language Programming Python Java Linux Windows
    German English French Italian Spanish Dutch Swiss Austrian Belgian Portuguese Polish Swedish Danish
    Norwegian Finnish Turkish Greek Russian Chinese Japanese Korean Arabic Hebrew Hindi American British
    Irish Scottish Welsh Canadian Australian Mexican Brazilian Indian European African Asian Latin
    """
)

#: The curated names above plus the generated gazetteer: used where context says a person is meant
#: (a surname follows, or a cue like "for", "an", "voor" comes before), so names that double as
#: ordinary words are kept out of the generated list too.
KNOWN_FIRST_NAMES = FIRST_NAMES | _gazetteer()
KNOWN_FIRST_NAMES_LOWER = frozenset(n.lower() for n in KNOWN_FIRST_NAMES if len(n) >= 4)

# Lower-case words that never continue a name: function words, and time words that follow one
# ("call anna tomorrow"), in the shipped languages.
FUNCTION_WORDS = word_set(
    """
    a an the and or but to for of in on at by with from as is are was be that this it its not no yes
    about after before into onto over under so if then than also just please pls today tomorrow tonight
    now later soon morning evening next last this week weekend again too very asap who what when where
    why how which whom whose knows said says
    der die das den dem des ein eine einen einem einer und oder aber zu für von mit bei nach aus an auf
    im am ist sind war nicht bitte heute morgen abend später noch schon auch dass wegen
    le la les un une des et ou mais pour par avec sans dans sur chez que qui est sont pas ce cette
    aujourd demain soir plus
    il lo gli una uno e o ma per con da di del della che è sono non oggi domani sera
    el los las y pero para por con sin en que es son no hoy mañana tarde
    het een en of maar voor met van op aan bij naar dat die is zijn niet vandaag morgen avond
    """
)
