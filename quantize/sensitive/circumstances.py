"""Lexicons of the categories that are circumstances rather than traits: immigration status, a
criminal record, financial distress, domestic violence (English; shaped as in ``lexicon``).

``finances`` means financial distress and debt (arrears, bankruptcy, collection, benefits, losses),
not everyday money matters: "transfer 50 euros to Tom" or "which savings account" disclose nothing.
"""

from __future__ import annotations

from quantize.sensitive.lexicon import Lexicon

IMMIGRATION = Lexicon(
    facts=(
        "{S} {am|is|are} undocumented", "{S} {am|is|are} in {country} illegally", "{S} {have|has} no valid residence permit",
        "{S} overstayed {pos} visa {when}", "{S} {am|is|are} an asylum seeker", "{S} applied for asylum {when}",
        "{S} {am|is|are} waiting for the decision on {pos} asylum claim", "{S} {have|has} a deportation hearing {when_next}",
        "{S} {am|is|are} a refugee from {conflict}", "{S} {am|is|are} on a {visa} visa that expires {when_next}",
        "{S} {was|was|were} refused a visa extension", "{S} {am|is|are} about to be deported",
        "{S} {have|has} temporary protected status", "{S} crossed the border without papers",
        "{SP} residence permit was revoked", "{S} {am|is|are} working without a work permit",
        "{S} {have|has} been living here without papers for {dur}", "{S} {was|was|were} detained by immigration {when}",
        "{S} {am|is|are} married for the papers", "{S} {have|has} a pending asylum appeal",
        "{S} came here on a {visa} visa and never left", "{SP} visa ran out {when}", "{S} {have|has} an expired residence card",
        "{S} {am|is|are} waiting for {pos} refugee status", "{S} {was|was|were} smuggled into {country}", "{SP} asylum claim was refused {when}",
        "{S} {am|is|are} here on a humanitarian permit", "{S} {am|is|are} stateless", "{S} {live|lives} here without legal status",
        "{S} {have|has} been ordered to leave {country}", "{S} {am|is|are} in immigration detention", "{S} {am|is|are} an irregular migrant",
        "{S} {work|works} cash in hand because {pron} {have|has} no papers", "{S} got a removal letter from the Home Office",
        "{SP} permanent residency application was rejected", "{S} only {have|has} {status}", "{S} {am|is|are} on {status}",
        "{S} {am|is|are} in the asylum system", "{S} {am|is|are} waiting to hear about {pos} asylum appeal", "{S} {fled|fled} {conflict} and {am|is|are} seeking protection",
    ),
    nouns=("asylum application", "deportation order", "residence permit renewal", "asylum case", "refugee status",
           "expired visa", "undocumented status", "visa overstay", "immigration detention", "asylum interview"),
    asks=("Can {S} open a bank account without papers?", "Will {S} be deported if {pron} {report|reports} a crime?",
          "How can {S} stay in {country} after {pos} visa runs out?", "Can {S} marry here while {pos} asylum claim is pending?"),
    identities=("undocumented worker", "asylum seeker", "refugee", "person without papers", "visa overstayer"),
    topics=("asylum law", "the Schengen area", "visa types", "refugee camps", "immigration policy", "citizenship tests",
            "work permits", "the Geneva Convention", "migration statistics", "the points-based visa system"),
    general=("How does {t} work in {country}?", "What is {t}?", "What changed in {t} recently?",
             "Give me an overview of {t}."),
    slots={
        "conflict": ("Syria", "Afghanistan", "Eritrea", "Sudan", "Ukraine", "Yemen", "Venezuela", "Iran"),
        "visa": ("student", "work", "tourist", "spouse", "skilled worker", "working holiday", "H-1B", "fiancé", "seasonal worker"),
        "status": ("TPS", "humanitarian leave", "pre-settled status",
                   "a pending asylum claim", "refugee status", "no status at all", "an expired permit"),
    },
)

CRIMINAL_RECORD = Lexicon(
    facts=(
        "{S} {have|has} a criminal record", "{S} {was|was|were} convicted of {crime} {when}",
        "{S} {was|was|were} arrested for {crime} {when}", "{S} spent {dur} in prison", "{S} {am|is|are} on parole",
        "{S} {am|is|are} facing charges for {crime}", "{S} {have|has} a court date for {crime}",
        "{S} {was|was|were} caught {caught}", "{S} {am|is|are} a registered sex offender",
        "{S} {have|has} a conviction for {crime}", "{S} {am|is|are} wearing an ankle monitor",
        "{S} {was|was|were} in juvenile detention as a teenager", "{S} {am|is|are} out on bail",
        "{S} got a suspended sentence for {crime}", "{S} {was|was|were} questioned by the police about {crime}",
        "{S} {am|is|are} doing community service for {crime}", "{S} went to jail for {crime}",
        "{S} {am|is|are} serving a sentence for {crime}", "{S} {was|was|were} released from prison {when}", "{S} {have|has} a record for {crime}",
        "{S} {am|is|are} on probation for {crime}", "{S} {am|is|are} awaiting trial for {crime}", "{S} {was|was|were} found guilty of {crime}",
        "{S} {was|was|were} given a police caution for {crime}", "{S} {have|has} been in and out of prison", "{S} {am|is|are} being investigated by the police for {crime}",
        "{S} {was|was|were} charged with {crime} {when}", "{S} {have|has} a juvenile record", "{S} did time for {crime}",
        "{S} {have|has} {crime} on {pos} record", "{S} got a conviction for {crime} {when}", "{S} {am|is|are} on licence after prison",
        "the police arrested {obj} for {crime} {when}", "{S} {have|has} an outstanding warrant",
    ),
    nouns=("criminal record", "conviction", "prison sentence", "arrest", "parole conditions", "court case",
           "trial", "charges", "police caution", "time in prison", "{crime} conviction"),
    asks=("Will {SP} conviction show up when {pron} {apply|applies} for {job}?",
          "Can {S} travel to {country} with {pos} criminal record?", "How do I explain {SP} time in prison to {audience}?"),
    identities=("ex-offender", "former prisoner", "person with a criminal record", "parolee"),
    topics=("the criminal justice system", "parole", "probation", "sentencing guidelines", "prison reform",
            "criminal records checks", "bail", "juvenile courts", "the presumption of innocence", "jury duty"),
    general=("How does {t} work in {country}?", "What is the purpose of {t}?", "What are the criticisms of {t}?"),
    slots={
        "crime": ("domestic assault", "possession with intent", "indecent exposure", "manslaughter", "perjury",
                  "cybercrime", "insurance fraud", "carrying a knife", "receiving stolen goods", "robbery", "shoplifting", "fraud", "GBH", "stalking", "arson", "dangerous driving", "joyriding", "drink-driving", "burglary", "drug possession", "theft", "assault", "dealing cannabis",
                  "vandalism", "tax fraud", "embezzlement", "a bar fight", "money laundering", "possession of cocaine",
                  "criminal damage", "handling stolen goods", "benefit fraud"),
        "caught": ("drink-driving", "with drugs", "stealing from work", "selling weed", "breaking into a car"),
        "job": ("a job at a bank", "the civil service", "a job with children", "a security licence"),
    },
)

FINANCES = Lexicon(
    facts=(
        "{S} {am|is|are} {amount} in debt", "{S} {owe|owes} {amount} to {creditor}", "{S} {am|is|are} behind on {pos} {bill}",
        "{S} {have|has} declared bankruptcy", "{S} {am|is|are} facing eviction because {pron} can't pay the rent",
        "{S} {have|has} a court judgment against {obj} for unpaid debts", "{S} {am|is|are} on the verge of bankruptcy",
        "{S} maxed out all {pos} credit cards", "{S} {have|has} a gambling problem and lost {amount}",
        "{S} can't afford food this week", "{SP} house is being repossessed", "{S} {have|has} been living on benefits since {month}",
        "{S} defaulted on {pos} loan", "{S} {am|is|are} being chased by bailiffs",
        "{S} {have|has} a terrible credit score after missing payments", "{S} {am|is|are} using an overdraft to buy groceries",
        "{S} lost all {pos} savings {when}", "{S} can't repay {pos} student loan",
        "{S} {am|is|are} in a debt management plan", "{S} {have|has} two months of unpaid rent",
        "{S} {am|is|are} broke and {have|has} {small} left until payday", "{S} {have|has} debts everywhere", "{S} {am|is|are} drowning in debt",
        "{S} took out a loan to pay off another loan", "{SP} wages are being seized for {pos} debts", "{S} {am|is|are} being sued for unpaid {bill}",
        "{S} {have|has} a debt collector after {obj}", "{S} {owe|owes} the tax office {amount}", "{S} {am|is|are} on unemployment benefit",
        "{S} {am|is|are} three months behind on {pos} {bill}", "{S} {have|has} a gambling debt of {amount}", "{S} {am|is|are} insolvent",
        "{SP} car was repossessed {when}", "{S} can't make {pos} loan payments since {pron} lost {pos} job", "{S} {rely|relies} on handouts to eat",
        "{SP} account is frozen because of debts", "{S} {have|has} a CCJ on {pos} credit file",
        "{S} {am|is|are} behind on {pos} {bill} again", "{S} {have|has} {amount} on {pos} credit cards",
        "{S} {use|uses} {lender} to get through the month", "{S} can't afford {pos} {bill} this month",
    ),
    nouns=("debts", "bankruptcy", "rent arrears", "overdraft", "loan default", "gambling losses", "money problems",
           "repayment plan", "debt", "unpaid bills", "benefit claim"),
    asks=("How can {S} pay off {amount} of debt on a small income?", "Can the bailiffs take {SP} car?",
          "Should {S} declare bankruptcy with {amount} in debts?", "How do I tell {audience} about {SP} debts?"),
    identities=("person in debt", "benefit claimant", "single mum on benefits", "bankrupt business owner"),
    topics=("personal loans", "inflation", "interest rates", "credit scores", "bankruptcy law", "debt relief orders",
            "index funds", "budgeting", "mortgages", "pension funds", "tax brackets", "student loans",
            "credit card interest", "the housing market"),
    general=("How do {t} work?", "What is the history of {t}?", "Explain {t} to a beginner.",
             "What are the rules on {t} in {country}?"),
    slots={
        "amount": ("2,000", "€900", "a few thousand", "£25k", "15,000", "€40k", "£8,000", "$120,000", "3000 euros", "nearly 50 grand", "over 10k", "$6,500"),
        "creditor": ("the bank", "the tax office", "a payday lender", "a collection agency", "the landlord",
                     "the hospital", "my brother", "the energy company"),
        "lender": ("buy-now-pay-later apps", "a pawn shop", "cash advances", "my overdraft", "high-interest loans", "title loans"),
        "small": ("5 euros", "£3", "ten dollars", "nothing"),
        "bill": ("rent", "mortgage", "car payments", "council tax", "electricity bill", "loan repayments"),
    },
)

DOMESTIC_VIOLENCE = Lexicon(
    facts=(
        "{S} {am|is|are} being abused by {pos} {partner}", "{SP} {partner} {abuse}", "{S} {am|is|are} afraid of {pos} {partner}",
        "{S} {have|has} bruises from {pos} {partner}", "{S} {am|is|are} in an abusive relationship",
        "{S} {have|has} a restraining order against {pos} ex", "{S} ran away from {pos} violent {partner}",
        "{S} {am|is|are} staying at a women's refuge", "{SP} {partner} raped {obj}", "{SP} {partner} threatened to hurt {obj}",
        "{S} {was|was|were} beaten by {pos} {parent} as a child", "{SP} {parent} {abuse}",
        "{SP} {partner} won't let {obj} leave the house", "{SP} ex keeps stalking {obj}",
        "{S} {have|has} to hide from {pos} {partner}",
        "{SP} {partner} {abuse} whenever {pron} {argue|argues} with him", "{S} {live|lives} in fear of {pos} {partner}",
        "{SP} {partner} isolates {obj} from {pos} friends", "{SP} {partner} reads all {pos} messages and decides who {pron} can see",
        "{S} {have|has} been hit by {pos} {partner} for years", "{SP} {partner} forced {obj} to have sex", "{SP} ex {threat}",
        "{S} {am|is|are} a victim of domestic abuse", "{S} {was|was|were} assaulted by {pos} {partner} {when}",
        "{SP} {partner} threw a glass at {obj} {when}", "{SP} son hits {obj} and takes {pos} pension", "{SP} {partner} {abuse} in front of the kids",
    ),
    nouns=("abusive marriage", "abuser", "injuries", "violent relationship", "stalker", "violent ex",
           "abusive partner", "safety plan"),
    asks=("How can {S} leave {pos} violent {partner} safely?", "Where can {S} stay tonight? {SP} {partner} {abuse}.",
          "How do I apply for a restraining order for {obj}?"),
    identities=("survivor of domestic violence", "battered wife", "abused husband", "woman in a refuge"),
    topics=("domestic violence", "controlling behaviour", "women's refuges", "restraining orders", "abuse hotlines",
            "child protection services", "femicide statistics", "the Istanbul Convention", "elder abuse"),
    general=("What is {t}?", "How common is {t} in {country}?", "What are the signs of {t}?", "How do {t} work?"),
    slots={
        "partner": ("husband", "wife", "boyfriend", "girlfriend", "partner", "ex-husband", "ex", "fiancé"),
        "threat": ("sends {obj} death threats", "follows {obj} home", "turns up at {pos} work and screams", "threatens to post {pos} nudes",
                   "won't stop calling and threatening {obj}"),
        "parent": ("father", "mother", "stepdad", "dad", "mum"),
        "abuse": ("hits {obj}", "beats {obj} when he's drunk", "pushes {obj} around", "threatens {obj} with a knife",
                  "chokes {obj} during fights", "kicks {obj}", "controls every cent {pron} {spend|spends}",
                  "humiliates and controls {obj}", "takes {pos} phone and money", "slapped {obj} again {when}"),
    },
)

CIRCUMSTANCES = {"immigration": IMMIGRATION, "criminal_record": CRIMINAL_RECORD, "finances": FINANCES,
                 "domestic_violence": DOMESTIC_VIOLENCE}
