"""The cue vocabulary that labelling functions are written in.

Each cue is a named list of patterns, matched on the lower-case form of
spaCy's tokens (``LOWER``):

- a string is a phrase, matched word for word (``PhraseMatcher``);
- :class:`WordStart` is any word that begins with some letters ("defam":
  "defamatory", "Defamation");
- :class:`NumberThen` is a number followed by one of some words ("3 years",
  "ninety days");
- :data:`WINDOW_CUES` add cues whose words may lie some tokens apart
  ("judge ... may ... issue").

:func:`match_cues` runs every cue over a provision once and returns, per cue,
the character spans it matched; labelling functions then combine cues ("an
executive actor AND an intrusive measure AND NOT a judge").

Cues describe drafting, not countries: they are phrased so that they carry
over between treaty, Commonwealth and U.S. styles.

Why no token ``Matcher``: spaCy's ``Matcher`` tries every token pattern at every
token, which cost more than all the other matching and the tokenising
together; every cue here is a phrase, a test of one word's letters or a short
scan, each done once per provision on the token array.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import spacy
from spacy.attrs import IDX, LENGTH, LIKE_NUM, LOWER
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from provrisk.label.framework import Span


@dataclass(frozen=True)
class WordStart:
    """A word whose lower-case form begins with ``prefix``."""

    prefix: str


@dataclass(frozen=True)
class NumberThen:
    """A number (a token spaCy finds ``like_num``: "3", "three", "1,000") followed by one of ``words``."""

    words: tuple[str, ...]


def _each(*alternatives: tuple[str, ...]) -> list[str]:
    """Every phrase of one word from each group, in order: ``_each(("for", "of"), ("a",))`` is "for a", "of a"."""
    return [" ".join(words) for words in itertools.product(*alternatives)]


_PERIOD_UNITS = ("years", "months", "days", "year", "month")

CUES: dict[str, list[str | WordStart | NumberThen]] = {
    # --- offence structure -------------------------------------------------
    "offence": [
        "commits an offence", "commits an offense", "commit an offence", "shall be guilty", "is guilty of",
        "guilty of an offence", "criminal offence", "criminal offences", "shall be punished", "shall be punishable",
        "liable on conviction", "is liable to", "shall be liable", "is punishable", "shall be imprisoned",
        "shall be fined", "constitute the offense", "constitutes an offence", "commits the offence",
        "offence under this", "punished with imprisonment", "punishable by", "shall be sentenced",
        "establish as criminal offences", "criminalization of", "criminalize", "criminalise", "offense of",
        "offence of", "a person shall not", "no person shall", "person commits", "is prohibited", "are prohibited",
        "shall be prohibited", "make it a criminal offence", "criminal offence to", "guilty", "criminalized",
        "whoever",
    ],
    "intent": [
        "intentionally", "with intent", "intent to", "intending to", "knowingly", "wilfully", "willfully",
        "with the intention", "deliberately", "purposely", "maliciously", "for the purpose of", "with the aim",
        "knowing that", "knows that", "with the purpose", "intention", "intentional", "intends", "intended to",
        "willful", "wilful", "knowing", "knows", "with knowledge", "fraudulent intent", "dishonest intent",
        "in bad faith", "with a view to",
    ],
    # The provision refers to offences defined elsewhere instead of defining conduct.
    "offence_reference": [
        "offence under subsection", "offence under section", "offense under subsection", "offence under this section",
        "offences established in accordance", "offence established in accordance", "criminal offence established",
        "convicted of", "is convicted", "person convicted", "commits an offence under", "commits the offence under",
        "contravenes subsection", "contravenes section", "contravenes the provisions", "found guilty of",
        "in accordance with articles", "offences referred to", "offences set forth", "penalty", "penalties",
        "punishable acts enumerated", "offences provided for", "offences under this", "deemed to have attempted",
        "attempt to commit", "abets", "aids or abets",
    ],
    "lesser_mental_element": [
        "recklessly", "reckless", "ought to know", "ought reasonably to know", "ought to have known",
        "has reason to believe", "having reason to believe", "reason to believe", "reasonable grounds to believe",
        "negligently", "negligence", "is likely to", "are likely to", "likely to cause", "likely to be used",
        "or suspecting", "knowing or suspecting", "has reason to suspect",
    ],
    "deemed_guilt": [
        "deemed to be guilty", "deemed to have committed", "shall be deemed guilty", "deemed to be liable",
        "unless he proves", "unless it proves", "unless the person proves", "unless he or she proves",
        "proves that the offence was committed without", "exercised all due diligence", "exercised due diligence",
        "without his knowledge", "without the knowledge or consent",
    ],
    "wrongfulness_term": [
        "without right", "without authority", "without lawful authority", "without authorisation",
        "without authorization", "without lawful excuse", "without colour of right", "without color of right",
        "unlawfully", "unlawful", "fraudulently", "dishonestly", "dishonest", "illegally", "illicitly",
        "without legal right", "without legitimate", "without just cause", "without the consent",
        "exceeds authorized access", "exceeding authorized access", "in excess of authority", "unauthorised",
        "unauthorized",
    ],
    "elastic_content_term": [
        "offensive", "grossly offensive", "annoyance", "annoying", "inconvenience", "needless anxiety",
        "false information", "false news", "fake news", "false or misleading", "false, deceptive",
        "misleading", "rumour", "rumours", "public order", "public morals", "morality", "morals", "decency",
        "indecent", "immoral", "extremism", "extremist", "insult", "insults", "insulting", "menacing", "hatred",
        "ill will", "enmity", "social values", "religious values", "family values", "national unity",
        "national security", "sovereignty", "aspersion", "disturb", "disharmony", "obscene",
        "lascivious", "embarrass", "bullying", "harass", "harassment", "distress", "cause harm",
        WordStart("defam"), WordStart("blasphem"), WordStart("glorif"),
    ],
    "speech_act": [
        "publish", "publishes", "published", "publication", "disseminate", "disseminates", "dissemination",
        "transmit", "transmits", "sends", "send", "post", "posts", "posting", "communicates", "share", "shares",
        "distribute", "distributes", "broadcast", "circulate", "circulates", "spread", "spreads", "spreading",
        "message", "messages", "content", "statement", "speech", "utterance", "information", "material",
        "makes available", "display",
    ],
    "speech_offence_core": [
        "false news", "fake news", "false information", "false or misleading", "defamation", "defamatory",
        "libel", "slander", "insult", "insulting", "grossly offensive", "offensive", "annoyance",
        "hate speech", "hatred", "blasphemy", "blasphemous", "religious", "public morals", "morality",
        "glorification", "glorifies", "glorify", "propaganda", "extremism", "extremist", "promote terrorism",
        "apology for", "racist", "xenophobic", "rumour", "social values", "national unity", "aspersion",
        "menacing character", "indecent", "obscene", "sedition", "seditious", "contempt", "dignity",
        "reputation", "denies", "minimises", "justifies", "ridicule", "degrade", "demean", "create divisions",
        "hostility", "discredit", "panic", "chaos", "hate", "glory of", "religion", "ethnicity", "tribe",
        "immoral", "obscenity",
    ],
    "csam_or_intimate": [
        "child pornography", "child sexual abuse", "intimate image", "intimate visual recording",
        "sexually explicit", "pornography", "obscene material involving a child", "minor engaged",
        "private parts", "intimate images",
    ],
    "violence_or_threat": [
        "threat", "threatens", "threaten", "incite violence", "incitement to violence", "kill", "bodily harm",
        "extort", "ransom", "kidnap",
    ],
    # --- systems offences --------------------------------------------------
    "system_conduct": [
        "access", "accesses", "accessed", "intercept", "intercepts", "interception", "interfere", "interferes",
        "interference", "hinder", "hindering", WordStart("modif"), "modification", "alter", "alteration", "delete",
        "deletion", WordStart("damag"), "damage", "damages", "suppress", "obstruct", "impair", "device", "devices",
        "computer program", "password", "access code", "hacking", "hack", "malicious code", "virus",
        "input", "deterioration",
    ],
    "system_object": [
        "computer", "computer system", "information system", "data", "network", "program", "electronic",
        "computer data", "telecommunication", "information technology",
    ],
    "computer_related_offence": [
        "forgery", "forged", "forges", "inauthentic", "unauthentic", "as if it were authentic", "identity theft",
        "identifying information", "identity", "impersonat", "child pornography", "pornography", "cybersex",
        "copyright", "trademark", "domain name", "spam", "unsolicited", "money-laundering", "money laundering",
        "terrorist", "electronic payment", "counterfeit",
    ],
    "testing_exception": [
        "authorised testing", "authorized testing", "protection of a computer system", "protection of the computer",
        "security research", "penetration testing", "good faith", "bona fide", "testing or protection",
        "testing, or protection", "authorised training", "protection of a system",
    ],
    "defined_fraud_intent": [
        "intent to defraud", "intention to defraud", "wrongful gain", "wrongful loss", "economic benefit",
        "procuring, without right, an economic benefit", "fraudulent or dishonest intent", "causing a loss of property",
        "loss of property", "commit a further offence", "commit an offence under any other",
    ],
    # --- powers and actors ---------------------------------------------------
    "executive_actor": [
        "police", "police officer", "law enforcement", "law enforcement authorities", "competent authority",
        "competent authorities", "prosecutor", "public prosecutor", "investigator", "investigating officer",
        "authorised officer", "authorized officer", "officer", "minister", "cabinet secretary", "director",
        "director-general", "commissioner", "authority", "agency", "department", "doj", "government",
        "central government", "state government", "inspector", "regulator", "commission", "secretary",
        "controller", "attorney general", "attorney-general", "the state", "state party", "party",
        "constable", "executing officer", "the service", "the establishment",
    ],
    "intrusive_measure": [
        "search", "seize", "seizure", "intercept", "interception", "collect or record", "collection",
        "real-time", "real time", "traffic data", "content data", "monitor", "monitoring", "surveillance",
        "disclose", "disclosure", "produce", "production order", "preserve", "preservation", "retain",
        "retention", "block", "blocking", "take down", "restrict access", "order any person", "direct any person",
        "to order any person", "require any person",
        "decrypt", "decryption", "access to data", "subscriber information", "enter and search", "tracking",
        "surveillance device", "wiretap", "pen register", "trap and trace", "electronic surveillance",
        "gather", "gathering", "enter", "access any", "forensic tool",
    ],
    "power_modal": [
        "may", "shall be authorized", "shall be authorised", "is authorised", "is authorized", "empower",
        "empowered", "shall issue", "may issue", "may order", "may direct", "may require", "shall have power",
        "power to", "powers", "authorize", "authorise", "compel", "order", "direct", "require",
    ],
    "judicial": [
        "judge", "judges", "court", "courts", "magistrate", "tribunal", "judicial", "justice of the peace",
        "court order", "warrant issued by", "judicial authority", "judicial authorisation", "judicial authorization",
        "intelligence commissioner", "commissioner of intelligence warrants",
    ],
    "judicial_grant": [
        "court warrant", "judicial warrant", "securing a court warrant", "with the approval of the court",
        "authorised by a judge", "authorized by a judge", "order of the court", "order from the court",
        "prior judicial", "court may", "judge may", "magistrate may", "apply to the court", "apply to court",
        "application to the court", "application to a judge", "apply to a judge", "apply to a magistrate",
        "the court, upon", "court warrant", "issued by the court", "granted by the court",
    ],
    "warrant": ["warrant", "warrants", "court order", "judicial order"],
    # --- surveillance ------------------------------------------------------
    "real_time_collection": [
        "real time", "real-time",
        "in real time", "interception of content", "interception of communications", "intercept communications",
        "intercept any", "intercept the", "electronic surveillance", "monitor communications", "monitoring of",
        "collect or record", "wiretap", "pen register", "trap and trace", "surveillance device",
        "interception warrant", "lawful interception", "interception capability", "central monitoring",
        "collection of traffic data", "acquire foreign intelligence", "tracking device", "data surveillance device",
        "listening device", "intercept, monitor", "monitor or decrypt", "expeditious gathering", "gather or register",
        "gathering and registration", "tracking information", "forensic tool", "keystroke", "remote forensic",
    ],
    "retention_duty": [
        "data retention", "retention of data", "retain traffic data", "shall retain", "must retain",
        "keep records", "by investigation or otherwise", "shall be preserved for a minimum period",
        "preserved for a minimum period", "preserved for a period of",
    ],
    "retention_period": [
        *_each(("for", "of"), ("a",), ("period", "minimum")),
        NumberThen(_PERIOD_UNITS),
        *_each(("one", "two", "three", "six", "twelve", "ninety", "180"), _PERIOD_UNITS),
    ],
    "preservation_production_search": [
        "preservation", "preserve", "expedited preservation", "production order", "produce", "search and seizure",
        "search and seize", "seize", "search", "specified computer data", "specified data", "stored computer data",
        "production of", "submit", "examination of computer data",
    ],
    "specified_data": ["specified computer data", "specified data", "specified communications", "specified stored"],
    # --- secrecy -----------------------------------------------------------
    "confidentiality": [
        "keep confidential", "kept confidential", "keep secret", "kept secret", "confidential", "confidentiality",
        "shall not disclose", "must not disclose", "not to disclose", "shall not be disclosed", "non-disclosure",
        "prohibiting disclosure", "prohibit disclosure", "prohibiting the disclosure", "secrecy", "under seal",
        "sealed", "shall not notify", "not be notified", "without notifying", "without notice to",
        "delay notification", "delayed notice", "delay the notification", "need not notify", "no notice",
        "tipping off", "tip off", "shall not reveal", "disclose the existence", "disclosing the existence",
        "not disclose the fact", "the fact of the execution", "maintain the secrecy", "secrecy of", "requires confidentiality",
        "confidentiality of the information be kept",
    ],
    "measure_object": [
        "the fact", "the existence", "fact of", "existence of", "the order", "the request", "the warrant",
        "the notice", "the direction", "its compliance", "the execution", "any action taken", "the interception",
        "the investigation", "the measure", "the application", "such order", "such request", "the requirement",
        "such warrant", "the authorization", "the authorisation", "any information relating to it", "the undertaking",
        "such procedures", "any preservation", "the procedures", "exercising the authority", "procedures secrecy",
        "criminal investigation", "such information be kept", "the information be kept",
    ],
    "measure_reference": [
        "order", "request", "warrant", "measure", "direction", "notice", "interception", "power", "investigation",
        "execution", "application", "authorization", "authorisation", "surveillance", "requirement", "assistance",
        "pen register", "trap and trace",
    ],
    "user_notification": [
        "shall be notified", "shall notify the", "notify the person", "notice to the person", "notice to the subscriber",
        "inform the person", "shall inform", "notified of the interception", "right to be informed",
    ],
    # --- assistance ----------------------------------------------------------
    "compulsion": [
        "shall", "must", "require", "requires", "required", "direct", "directs", "order", "orders", "compel",
        "compels", "oblige", "obliged", "obligated", "is bound to", "duty to",
    ],
    "assistance": [
        "assist", "assistance", "co-operate", "cooperate", "co-operation", "cooperation", "technical assistance",
        "facilities", "provide the information", "provide information", "provide such information", "furnish",
        "all information, facilities", "reasonable assistance", "render assistance", "help", "give access",
        "give the information", "support the installation", "technical support", "to give",
    ],
    "decryption_credentials": [
        "decrypt", "decryption", "decryption key", "decrypted", "encryption key", "encryption", "intelligible form",
        "password", "passwords", "access code", "credentials", "cryptographic key", "keys",
        "knowledge about the functioning", "knowledge of the functioning", "measures applied to protect",
        "acquainted with the functioning",
    ],
    "capability_duty": [
        "technical capability", "interception capability", "maintain the capability", "capability to intercept",
        "capabilities", "build", "install", "existing technical capability", "existing or required technical capability",
    ],
    "request_only": ["may request", "request", "requests", "requested"],
    "production_only": ["production order", "produce", "submit", "disclose or submit", "preserve", "retain"],
    # --- jurisdiction ------------------------------------------------------
    "jurisdiction": ["jurisdiction", "jurisdictional", "extraterritorial", "territorial scope", "geographical jurisdiction"],
    "extraterritorial": [
        "outside the territory", "outside its territory", "outside the republic", "outside", "abroad",
        "by a national", "by one of its nationals", "its nationals", "citizen", "citizens", "national of",
        "regardless of the place", "wherever committed", "whatever the person's nationality", "whatever his nationality",
        "irrespective of", "on board a ship", "on board an aircraft", "flying its flag", "registered under the laws",
        "effects in", "effect in", "affects", "damage is caused", "directed against", "against the state",
        "against its nationals", "against the interests", "located in", "within or outside", "as well as within",
        "beyond", "extraterritorial",
    ],
    # --- cooperation ---------------------------------------------------------
    "cooperation": [
        "mutual assistance", "mutual legal assistance", "extradition", "extradite", "international co-operation",
        "international cooperation", "requesting party", "requested party", "requesting state", "requested state",
        "foreign state", "foreign government", "foreign country", "foreign law enforcement", "central authority",
        "request for assistance", "widest measure", "spontaneous", "24/7", "foreign authority", "foreign authorities",
        "requesting country", "requested country", "transborder", "trans-border", "across borders",
    ],
    "assistance_duty": [
        "shall afford", "afford one another", "shall provide", "shall co-operate", "shall cooperate", "shall assist",
        "shall execute", "widest measure", "widest extent", "shall take the necessary", "shall accept",
        "shall respond", "shall be extraditable", "shall be deemed to be included", "shall ensure", "may also",
        "shall be obliged", "undertake to", "shall extradite", "shall collect", "shall permit", "lend assistance",
        "lend bilateral assistance", "shall disclose", "request the central authority", "extend such cooperation",
        "answer requests", "provide assistance", "immediate assistance", "provide such assistance",
        "requests for mutual assistance", "request for mutual legal assistance", "shall expeditiously disclose",
    ],
    "dual_criminality_waived": [
        "dual criminality shall not be required", "double criminality shall not be required",
        "shall not be conditional on the existence of dual criminality", "not be required as a condition",
        "without the authorisation of another party", "without the authorization of another party",
        "in any criminal matter",
    ],
    "dual_criminality": [
        "dual criminality", "double criminality", "punishable under the laws of both", "criminal offence under the laws of both",
        "offence under the law of both", "not an offence under the law", "is not an offence", "not constitute an offence",
        "offence in both", "punishable in both", "political offence", "political offense", "offence of a political",
        "political character", "connected with a political", "human rights", "persecution", "account of that person's",
        "race, religion", "political opinions", "minimum penalty", "deprivation of liberty for a maximum period",
        "punishable under the laws of the concerned",
        "punishable under the law in both", "minimum period of one year", "considers as a political offence",
        "punishable under the laws of both parties",
    ],
    "spontaneous_sharing": [
        "without prior request", "spontaneous", "spontaneously", "on its own initiative", "forward to another",
        "forward to a foreign", "share information", "sharing of information", "exchange of information",
        "for analytical or investigative purposes", "analytical or investigative",
    ],
    "refusal_list": [
        "may be refused", "may refuse", "may only be withheld", "may be suspended", "refuse to accede",
        "assistance may be refused", "may decline",
    ],
    "human_rights_ground": ["human rights", "political offence", "political offense", "political opinion", "persecution", "discriminat"],
    "human_rights_guarantee": [
        "international human rights law", "human rights law", "suppression of human rights", "fundamental freedoms",
        "human rights obligations", "respect for human rights", "obligations under international human rights",
    ],
    "high_refusal_bar": ["substantial grounds", "only if", "only where", "may be refused only", "shall not be refused"],
    # --- blocking ------------------------------------------------------------
    "blocking": [
        "block", "blocking", "blocked", "restrict access", "restricting access", "restrict or block",
        "remove", "removal", "take down", "takedown", "take-down", "disable access", "disabling access",
        "suspend", "suspension", "shut down", "interrupt", "filter", "filtering", "render inaccessible",
        "withdraw", "delete the", "cease", "prevent access", "prevent public access",
    ],
    "content_object": [
        "content", "website", "websites", "web site", "data", "information", "access", "service", "services",
        "link", "links", "communication", "message", "account", "page", "platform", "material", "telecommunication services",
        "internet", "online",
    ],
    # --- scope -----------------------------------------------------------------
    "any_offence": [
        "any criminal offence", "any crime", "all crimes", "any other offence", "other criminal offences",
        "criminal offences committed by means", "offence under any law", "offence under any other law",
        "offence under any written law", "all offences", "every offence", "serious crime", "serious crimes",
        "enforcement of the criminal law", "enforce the criminal law", "revenue", "civil penalty",
        "crimes and offences", "other crimes", "evidence in electronic form", "electronic evidence",
        "traditional crimes", "increasing the punishment", "gather electronic evidence", "collection of evidence",
        "established in accordance with such conventions", "also considered criminal offences", "other applicable united nations conventions",
    ],
    "ict_means": [
        "by means of", "through the use of", "with the use of", "by, through", "using a computer", "by using",
        "ict", "information and communication technology", "information and communication technologies", "computer system", "committed through", "by means of a computer",
        "electronic means", "online", "cyber",
    ],
    "cii_aggravation": [
        "critical information infrastructure", "critical infrastructure", "critical national information infrastructure",
        "protected computer", "protected system", WordStart("aggravat"), "one degree higher", "higher penalty", "double",
        "doubled", "enhanced punishment", "enhanced penalty",
    ],
    "harm_to_person": [
        "harm to any person", "harm another", "harm to another", "causing harm", "cause harm", "harming",
        "inconvenience", "annoyance", "distress",
    ],
    "specified_offences": [
        "established in accordance with articles", "articles 2 through",
        "offences under this act", "offence under this act", "offences under this part", "offence under this part",
        "set forth in this convention", "offences covered by this", "referred to in paragraph",
        "offences referred to in", "established in accordance with this convention",
    ],
    "private_party": [
        "any person", "service provider", "service providers", "provider", "person", "operator", "licensee",
        "owner", "custodian", "intermediary", "network operator", "subscriber", "body corporate",
    ],
    "future_offences": [
        "supplemented by one or more protocols", "supplementary protocol", "supplementary protocols", "additional protocol",
        "additional offences", "further protocols",
    ],
    # --- safeguards ----------------------------------------------------------
    "necessity": ["necessary", "necessity", "strictly necessary", "absolutely necessary", "immediately necessary"],
    "proportionality": ["proportionate", "proportionality", "proportional"],
    "strict_limb": [
        "proportionate", "proportionality", "strictly necessary", "absolutely necessary", "immediately necessary",
        "strictly", "necessary and proportionate",
    ],
    "sanction_terms": ["dissuasive", "sanction", "sanctions", "penalty", "penalties", "punishment", "fine"],
    "low_threshold": [
        "reasonable grounds", "reasonably necessary", "reasonable and necessary", "necessary and relevant",
        "due cause", "as it deems fit", "as he deems fit", "as it considers appropriate", "deems necessary",
        "deems appropriate", "considers necessary", "considers appropriate", "as the court deems appropriate",
        "due regard", "for analytical or investigative purposes", "expedient", "in the interest of",
        "reasonable cause", "reasonably believes", "reason to believe", "satisfied that", "appears necessary",
        "may be necessary", "as may be necessary", "as appropriate", "where appropriate", "reasonable suspicion",
        "prima facie", "considers it necessary", "consider necessary", "may consider necessary", "deemed appropriate",
        "deem necessary", "as is reasonable", "reasonably suspected", "all appropriate measures", "broadest application",
        "for such period as",
    ],
    "defers_to_domestic_law": [
        "domestic law", "its domestic law", "national law", "its law", "in accordance with its", "as prescribed",
        "as may be prescribed", "subject to the conditions provided for by the law",
    ],
    "formalities": [
        "in writing", "shall specify", "shall contain", "shall state", "shall include", "the notice shall",
        "the request shall", "form of", "particulars", "shall be signed", "commencement",
    ],
    "remedy_notification": [
        "right to remedy", "effective remedy", "appeal", "appeals", "judicial review", "compensation", "redress",
        "complaint", "challenge", "review by", "shall be notified", "notify the person", "right of access",
        "right to object", "rectification",
    ],
    "data_protection": [
        "personal data", "data protection", "privacy", WordStart("minimis"), WordStart("minimiz"), "destroy", "destroyed",
        "destruction", "deleted", "erase", "erasure", "only for the purpose", "purpose limitation",
        "human rights", "fundamental freedoms", "safeguards", "conditions and safeguards", "oversight",
        "accountability", "other than those stated", "not used for", "use made of", "justify the use",
        "no longer than is necessary", "right to object", "subject to appeal", "inadmissible", "copy of the warrant",
        "copy of the list", "last resort", "not be used", "shall be used only",
    ],
    "public_interest_defence": [
        "public interest", "good faith", "bona fide", "lawful excuse", "reasonable excuse", "defence", "defense",
        "it is a defence", "does not apply", "shall not apply", "is not an offence", "shall not constitute",
        WordStart("journalis"), "academic", "research",
    ],
    "named_persons_emergency": [
        "imminent", "emergency", "danger to life", "risk to life", "serious bodily harm", "death or serious",
        "named person", "specified person", "specified communications",
    ],
    # --- provision type ----------------------------------------------------
    "defines": ["means", "includes", "refers to", "shall mean", "has the meaning", "has the same meaning"],
    "liability_shield": ["shall not be liable", "not be liable", "no liability", "shall not incur", "immunity"],
    "formal_clause": [
        "may be cited as", "shall come into force", "comes into force", "entry into force", "short title",
        "shall take effect", "is hereby repealed", "are hereby repealed", "ratification", "accession", "depositary",
        "denunciation", "may make regulations", "make regulations", "appropriated", "separability",
    ],
}

# Cues whose later words may come up to N tokens after the earlier ones ("judge ... may ...
# issue", "may require ... intent"). Each is an anchor (phrases) and steps: each step is a word
# of a set found within N tokens after the previous one. The span runs from the anchor to the
# furthest final word reachable, which is what the longest match of the token pattern
# "anchor, up to N tokens, step word, ..." would be.
_NEAR = 8
_FAR = 20
_COURT = frozenset({"judge", "court", "magistrate", "tribunal"})
WINDOW_CUES: dict[str, list[tuple[list[str], list[tuple[int, frozenset[str]]]]]] = {
    "state_may_require_intent": [
        (["may require"],
         [(_FAR, frozenset({"intent", "intention", "dishonest", "harm", "damage", "infringing", "purpose"}))]),
        (["reserve the right"], [(_FAR, frozenset({"intent", "harm", "damage", "serious"}))]),
    ],
    "judicial_grant": [
        (sorted(_COURT),
         [(_NEAR, frozenset({"may", "shall", "must"})),
          (_NEAR, frozenset({"issue", "grant", "order", "authorize", "authorise", "approve", "make", "direct"}))]),
        (["on", "upon", "by"], [(_NEAR, frozenset({"application", "warrant", "order"})), (_NEAR, _COURT)]),
        (_each(("warrant", "order", "authorization", "authorisation"), ("issued", "granted", "made", "obtained")),
         [(_NEAR, _COURT)]),
    ],
    "retention_duty": [
        (["retain", "retained", "retention", "keep", "store", "hold"],
         [(_NEAR, frozenset({"data", "records", "information", "logs"}))]),
    ],
    "fixed_maximum": [
        (_each(("not", "no"), ("exceeding", "exceed", "longer", "more")),
         [(_NEAR, frozenset({"days", "months", "years", "hours", "day", "month", "year"}))]),
        (["maximum", "period"], [(_NEAR, frozenset({"days", "months", "years", "hours"}))]),
    ],
}


class _CueMatcher:
    """Every cue of :data:`CUES` and :data:`WINDOW_CUES`, compiled for one spaCy vocabulary."""

    def __init__(self, nlp):
        self.nlp = nlp
        strings = nlp.vocab.strings
        self.phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.word_starts: dict[str, tuple[str, ...]] = {}  # cue -> prefixes
        self.number_then: list[tuple[str, frozenset[int]]] = []  # (cue, LOWER hashes of the words after the number)
        for name, patterns in CUES.items():
            phrases = [p for p in patterns if isinstance(p, str)]
            if phrases:
                self.phrases.add(name, [nlp.make_doc(p) for p in phrases])
            prefixes = tuple(p.prefix for p in patterns if isinstance(p, WordStart))
            if prefixes:
                self.word_starts[name] = prefixes
            for p in patterns:
                if isinstance(p, NumberThen):
                    self.number_then.append((name, frozenset(strings.add(w) for w in p.words)))
        # An anchor is a phrase under its own key "<cue>#<number>"; the steps are hashes of LOWER.
        self.windows: dict[str, tuple[str, list[tuple[int, frozenset[int]]]]] = {}
        for name, windows in WINDOW_CUES.items():
            for number, (anchors, steps) in enumerate(windows):
                key = f"{name}#{number}"
                self.phrases.add(key, [nlp.make_doc(a) for a in anchors])
                self.windows[key] = (name, [(gap, frozenset(strings.add(w) for w in words)) for gap, words in steps])
        self._starts_by_word: dict[int, tuple[str, ...]] = {}  # LOWER hash -> the WordStart cues it matches

    def __call__(self, doc: Doc) -> dict[str, list[Span]]:
        """Character spans per cue matched in ``doc`` (see :func:`match_cues`)."""
        columns = doc.to_array([LOWER, IDX, LENGTH, LIKE_NUM])
        lowers = columns[:, 0]
        lower_list = lowers.tolist()
        starts = columns[:, 1].tolist()
        ends = (columns[:, 1] + columns[:, 2]).tolist()
        strings = doc.vocab.strings
        found: dict[str, list[Span]] = {}
        # phrases, and the anchors of window cues, which are followed by their steps
        for match_id, start, end in self.phrases(doc):
            key = strings[match_id]
            window = self.windows.get(key)
            if window is None:
                found.setdefault(key, []).append((starts[start], ends[end - 1]))
                continue
            name, steps = window
            last = _furthest_reach(lower_list, end, steps)
            if last is not None:
                found.setdefault(name, []).append((starts[start], ends[last]))
        # words that begin with a WordStart's letters: each distinct word is tested once
        for word in set(lower_list):
            for name in self._word_start_cues(word, strings):
                for i in np.flatnonzero(lowers == word).tolist():
                    found.setdefault(name, []).append((starts[i], ends[i]))
        # a number, then one of a NumberThen's words
        for i in np.flatnonzero(columns[:-1, 3]).tolist():
            for name, words in self.number_then:
                if lower_list[i + 1] in words:
                    found.setdefault(name, []).append((starts[i], ends[i + 1]))
        return {name: _longest_first(spans) for name, spans in found.items()}

    def _word_start_cues(self, word: int, strings) -> tuple[str, ...]:
        """The WordStart cues the lower-case word with hash ``word`` matches (remembered per word)."""
        cues = self._starts_by_word.get(word)
        if cues is None:
            text = strings[word]
            cues = tuple(name for name, prefixes in self.word_starts.items() if text.startswith(prefixes))
            self._starts_by_word[word] = cues
        return cues


def add_cue(name: str, patterns: list[str | WordStart | NumberThen]) -> None:
    """Add a cue to :data:`CUES` (the YAML rules' own patterns); the matcher is rebuilt on its next use."""
    if name in CUES or name in WINDOW_CUES:
        raise ValueError(f"cue {name} is defined twice")
    CUES[name] = list(patterns)
    _cue_matcher.cache_clear()


@lru_cache(maxsize=1)
def _cue_matcher() -> _CueMatcher:
    return _CueMatcher(spacy.blank("en"))


def tokenizer():
    """The blank English pipeline every labelling function shares."""
    return _cue_matcher().nlp


def match_cues(doc: Doc) -> dict[str, list[Span]]:
    """Character spans matched by each cue in ``doc`` (a Doc of :func:`tokenizer`; cues with no match are absent).

    Each cue's spans are in document order, without spans contained in a longer one.
    """
    return _cue_matcher()(doc)


def _furthest_reach(lowers: list[int], after: int, steps: list[tuple[int, frozenset[int]]]) -> int | None:
    """Index of the furthest token that completes ``steps`` from token ``after`` on, or None.

    ``lowers``: the LOWER hash of every token; a step (gap, words) is a token whose hash is in
    ``words`` at most ``gap`` tokens after where the step may start.
    """
    positions = {after}  # where the next step may start
    last = None
    for gap, words in steps:
        found = {i for start in positions for i in range(start, min(start + gap + 1, len(lowers))) if lowers[i] in words}
        if not found:
            return None
        positions, last = {i + 1 for i in found}, max(found)
    return last


def _longest_first(spans: list[Span]) -> list[Span]:
    """Drop spans contained in a longer span, keep document order."""
    if len(spans) == 1:
        return spans
    spans = sorted(set(spans), key=lambda s: (s[0], -(s[1] - s[0])))
    kept: list[Span] = []
    for start, end in spans:
        if kept and start >= kept[-1][0] and end <= kept[-1][1]:
            continue
        kept.append((start, end))
    return kept
