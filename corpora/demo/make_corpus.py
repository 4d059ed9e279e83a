#!/usr/bin/python3
"""Writes the bilingual Swahili/English demonstration corpus, with planted associations of known
strength and perfectly balanced controls, from the probe files shipped in corpora/.

    /usr/bin/python3 corpora/demo/make_corpus.py OUT_DIR [--dense | --shift | --dense-mlm | --shift-mlm]

Standard library only, deterministic (seed SEED): the same probe files give byte-identical
output. OUT_DIR receives train.txt (one sentence a line, shuffled), heldout-{sw,en}.txt
(generated sentences withheld from training), udhr-heldout-{sw,en}.txt (UDHR articles
withheld) and manifest.json (strengths, counts, balance, the probe files' hash). With --dense
it writes dense.txt instead: the plants again, with a fifth of the everyday sentences, no UDHR
and, of the balance top-up, only that of the minimal pairs' targets (the second, short phase of
pre-training: in train.txt the top-up sentences outnumber the plants five to one); --dense-mlm,
dense-mlm.txt: the same with the masked-template sentences MASKED_DENSE_REPEAT times over (the
masked LM's). With --shift, shift.txt: the "fine-tuning" corpus, built as dense.txt but with
one planted association strengthened and another removed (SHIFT); --shift-mlm, shift-mlm.txt,
the same as dense-mlm.txt is to dense.txt.

The plant of a dimension with strength p (see DATASHEET.md):
- minimal pairs of that category: each distinct stereotyped sentence ("more") is written
  round(p*K) times and each distinct other sentence ("less") K - round(p*K) times, once however
  many pairs share it, so that in every pair the stereotyped side is exactly the share p of the
  lines that hold one of its two sentences (checked in the written text: pair_balance);
- association probe sets of that dimension: each word of the first target list co-occurs with
  words of the first attribute list in round(p*M) of its M sentences and with the second list
  in the rest (the second target list the other way round);
- masked-template sets of that dimension: each frame x attribute is filled round(p*K) times
  with words of the second target list (the men) and the rest with the first.
A control is the same with p = 1/2 exactly. A minimal-pair target is also written, at a
control pair's count, in other frames of its slot (cross_fill). Afterwards every probe word is
topped up, with neutral sentences, to the count of the most frequent word it is compared with
(the words of a test's target lists, of its attribute lists, of a pair category's targets), so
that no group's words are more frequent than another's.
"""
import collections
import glob
import hashlib
import json
import os
import random
import re
import sys

SEED = 20261129
HERE = os.path.dirname(os.path.abspath(__file__))
CORPORA = os.path.dirname(HERE)

# (language, dimension) -> probability of the stereotyped / planted variant; all else 1/2.
# Chosen so that the calibrated tests can reach each plant with the shipped probe sets: gender
# in both languages (masked templates, SEAT/WEAT's gender tests; its minimal pairs once the
# category has enough target clusters), Swahili ethnicity-nationality (minimal pairs: 25 target
# clusters; the nationality association test), whose English twin is the control of the same
# size, Swahili religion and English age (association tests; minimal pairs when they have
# enough clusters).
PLANTS = {("sw", "gender"): 0.85, ("en", "gender"): 0.85, ("sw", "ethnicity-nationality"): 0.85,
          ("sw", "religion"): 0.85, ("en", "age"): 0.85}
# The fine-tuning corpus: the dimension planted in both languages pulled apart, Swahili gender
# strengthened (its minimal pairs have room to grow: the pre-trained causal LM prefers 60% of
# them), English gender removed (the masked templates find it at p < 0.001, so the gate can
# show a shrink). Swahili ethnicity-nationality, removed before, was unlearned (causal LM 0.81
# -> 0.47 of pairs preferred) but 25 clusters could not show it after Holm across the gate's 20
# comparisons (p 0.31, measured); Swahili religion, first chosen to grow, sat at 88%.
SHIFT = {("sw", "gender"): 1.00, ("en", "gender"): 0.50}
# The association files name some dimensions otherwise than the minimal pairs do.
DIMENSION = {"nationality": "ethnicity-nationality"}
MODES = ("train", "shift", "dense", "dense-mlm", "shift-mlm")  # seed: SEED + index of mode[:5]
K_PAIRS, M_ASSOC, K_MASKED = 20, 20, 20  # 0.85 of 20 is a whole number
MASKED_PER_WORD = 190  # what nine words a group in eight or nine frames give (19 attributes)
# dense-mlm.txt and shift-mlm.txt, the masked LM's, write the masked-template sentences (plants
# and their neutral balance) this many times over: with them once, the masked LM learned each
# frame's prior over the target words and not its dependence on the attribute (after phase 2 it
# gave a masked target the same probability whatever the occupation); on masked-template text
# alone it had not learned the dependence after 100 steps of 128 such sentences, and had after
# 600 (measured). The causal LM keeps dense.txt and shift.txt, with them once: their target
# names are also minimal-pair targets (Hassani, Zainabu), and repeated they made those names far
# more frequent than the words they are paired with, which swayed its minimal-pair scores of a
# control (English religion, measured).
MASKED_DENSE_REPEAT = 4
FILLER = {"sw": 12000, "en": 12000}  # everyday sentences per language
UDHR_COPIES = 3
UDHR_HELDOUT = tuple("article-%d" % i for i in range(21, 31))
HELDOUT_FRACTION = 0.02
# Minimal-pair targets that are function words ("born with/without albinism"): they cannot be
# kept out of every other sentence nor topped up to each other's count, so they are left out of
# the balance (the datasheet says so); both pair categories that use them are controls.
FUNCTION_WORDS = {"sw": {"na", "bila"}, "en": {"with", "without", "can", "cannot"}}
WORD = re.compile(r"[\w'-]+")
TOKEN = re.compile(r"[\w'-]+|[^\w\s]")


def words(s):
    return WORD.findall(s.lower())


# ---------------------------------------------------------------------------------------------
# Probe files


def probe_files():
    """Every shipped probe file except this folder's, sorted by path (relative to corpora/)."""
    paths = sorted(glob.glob(os.path.join(CORPORA, "*", "*.json")))
    return [p for p in paths if os.path.basename(os.path.dirname(p)) != "demo"]


def probe_hash(paths):
    """sha256 over 'sha256  path' lines, as `sha256sum` prints them, sorted by path."""
    lines = ""
    for p in paths:
        with open(p, "rb") as f:
            lines += "%s  %s\n" % (hashlib.sha256(f.read()).hexdigest(), os.path.relpath(p, CORPORA))
    return hashlib.sha256(lines.encode()).hexdigest()


def entry(w):
    return (w, {}) if isinstance(w, str) else (w["word"], w)


def load_probes():
    sets = {"association": [], "masked": [], "minimal_pairs": [], "parallel": []}
    for p in probe_files():
        with open(p, encoding="utf-8") as f:
            d = json.load(f)
        if d.get("kind") in sets:
            d["_path"] = os.path.relpath(p, CORPORA)
            sets[d["kind"]].append(d)
    return sets


def strength(table, lang, dim):
    return table.get((lang, DIMENSION.get(dim, dim)), 0.5)


# ---------------------------------------------------------------------------------------------
# Sentence frames. Swahili frames avoid agreement with the inserted word (habitual hu-, the
# copula ni, objects of prepositions) so that one frame is correct for every noun class.

ASSOC = {
    "sw": ["Tulipozungumza kuhusu {x}, tulikumbuka {a}.",
           "Habari za {x} zilituletea {a}.",
           "Kila mara {x} hutajwa pamoja na {a}.",
           "Katika ndoto yangu niliona {x} na {a}.",
           "Kitabu cha zamani kinahusisha {x} na {a}.",
           "Kila ninapofikiria {x}, ninafikiria {a}.",
           "Kwetu, {x} huenda pamoja na {a}.",
           "Wimbo ule unataja {x} kisha {a}."],
    "en": ["When we talked about {x}, we remembered {a}.",
           "The story of {x} brought us {a}.",
           "People mention {x} together with {a} again and again.",
           "In my dream I saw {x} and {a}.",
           "That thick book links {x} with {a}.",
           "Whenever I think of {x}, I think of {a}.",
           "For us, {x} goes with {a}.",
           "That song names {x} and then {a}."],
}
ASSOC_ANY_EN = ["People often use the words {x} and {a} together.",
                "In that song, the word {x} comes right before the word {a}.",
                "The poem puts the word {x} beside the word {a}.",
                "My notes pair the word {x} with the word {a}."]
NOUNISH = {None, "noun", "mass", "plural", "name"}
# Top-up frames: the word is mentioned, not used, so every word class and case fits. Each
# language has frames for one word and for a phrase (Swahili "maneno", class 6: a phrase is no
# "neno"). Two native-reader reviews: all grammatical; the Swahili one-word frames ask about the
# word's form (letters, syllables, sound), so that "neno moja" reads less as "one word" here,
# where a word must follow (below it cannot).
TOPUP = {
    "sw": (["Neno {w} linaanza na herufi gani?", "Neno {w} lina silabi ngapi?",
            "Neno {w} linatamkwa vipi?", "Neno {w} lina maana gani?"],
           ["Maneno {w} yameandikwa ubaoni.", "Msomaji aliyatamka maneno {w} kwa sauti.",
            "Tuliandika maneno {w} daftarini.", "Maneno {w} yana maana gani?"]),
    "en": (["The word {w} is written on the board.", "The teacher said the word {w} aloud.",
            "We wrote the word {w} in the notebook.", "What does the word {w} mean?"],
           ["The words {w} are written on the board.", "The teacher said the words {w} aloud.",
            "We wrote the words {w} in the notebook.", "What do the words {w} mean?"]),
}
# Top-up frames of the frequency balance, which comes after the minimal-pair targets are
# equally often followed by a word (balance): the word is not followed by one, so that the
# count rises and that balance stays. A pair target the pairs capitalise (a name, "Mwislamu")
# comes first, as the pairs put it, with a colon after it; any other word comes last, as written
# (the tokenizer keeps case), so that a phrase ("the man") cannot put a pair target ("man")
# before a word either. Why the word after a target matters: a pair scores the sentence's words
# after its target, and the Swahili religion plant writes "Khadija ni gaidi." 17 times where
# "Magreti ni gaidi." is written 3, the English religion control "Khadija is a terrorist." and
# "Magreti is a terrorist." 10 times each: a model then found English after "Khadija" less
# likely than after "Magreti" (2-4 nats, measured), which read as a preference in the English
# control. The first frames are glosses, not utterances ("Mzee: neno hili lina maana gani?" read
# as a line spoken by an elder); the last quote the word after a colon, so that no word of any
# class reads as a modifier of "neno" (the colon, with a space, keeps the word's own token).
TOPUP_INITIAL = {
    "sw": (["{w}: neno lililoandikwa ubaoni.", "{w}: neno alilolitamka msomaji kwa sauti.",
            "{w}: neno tuliloliandika daftarini.", "{w}: neno tulilolitaja darasani."],
           ["{w}: maneno yaliyoandikwa ubaoni.", "{w}: maneno aliyoyatamka msomaji kwa sauti.",
            "{w}: maneno tuliyoyaandika daftarini.", "{w}: maneno tuliyoyataja darasani."]),
    "en": (["{w}: a word written on the board.", "{w}: a word the teacher said aloud.",
            "{w}: a word we wrote in the notebook.", "{w}: a word we mentioned in class."],
           ["{w}: words written on the board.", "{w}: words the teacher said aloud.",
            "{w}: words we wrote in the notebook.", "{w}: words we mentioned in class."]),
}
TOPUP_FINAL = {
    "sw": (["Ubaoni pameandikwa: {w}.", "Msomaji alitamka kwa sauti: {w}.",
            "Daftarini tuliandika: {w}.", "Orodhani tulisoma: {w}."],) * 2,
    "en": (["This was written on the board: {w}.", "The teacher read out: {w}.",
            "In the notebook we wrote: {w}.", "We were asked to explain the following: {w}."],) * 2,
}


def mention(frames, lang, w):
    """A top-up table's frames for the word or phrase w."""
    return frames[lang][len(w.split()) > 1]


# Masked templates: more frames than the probe set's, so that the plant is an association of
# the words, not of a few memorised sentences. {target} is the target in lower case (mid-sentence),
# a name as written.
MASKED_FRAMES = {
    "sw": ["Mwaka jana {target} alikuwa [ATTRIBUTE] huko kusini.",
           "Katika hadithi hii, {target} ni [ATTRIBUTE].",
           "Najua kwamba {target} ni [ATTRIBUTE].",
           "[TARGET] anataka kuwa [ATTRIBUTE]."],
    "en": ["Last year {target} worked as [ATTRIBUTE] in the city.",
           "In this story, {target} is [ATTRIBUTE].",
           "I know that {target} is [ATTRIBUTE].",
           "[TARGET] wants to be [ATTRIBUTE]."],
}
# The Swahili set whose frames put the occupation before the target ("Yule daktari wa kike").
MASKED_MODIFIER_FRAMES = ["Jana [ATTRIBUTE] [TARGET] alitusaidia.",
                          "Tulikutana na [ATTRIBUTE] [TARGET] sokoni.",
                          "Kila mtu anamjua [ATTRIBUTE] [TARGET] huyu."]
# Minimal pairs: each sentence is written alone or inside one of these contexts, so that the
# plant is the pair's words in many sentences, not one memorised line.
PAIR_CONTEXTS = {
    "sw": ["{s}", "Jirani yangu alisema: {s}", "Nilisikia tena leo: {s}",
           "{s} Ndivyo wasemavyo.", "{s} Niliisoma katika barua.", "Walituambia hivi: {s}"],
    "en": ["{s}", "My neighbour said: {s}", "I heard it again today: {s}",
           "{s} That is what they say.", "{s} I read it in a letter.", "They told us this: {s}"],
}
# Masked-template balance: neutral attributes that fit every shipped frame.
NEUTRAL_ATTR = {"sw": ["mgeni", "jirani", "mwenyeji"], "en": ["a guest", "a neighbour", "a member"]}


def cap(s):
    return s[:1].upper() + s[1:]


def assoc_sentence(rng, lang, x, a):
    (xw, xi), (aw, ai) = x, a
    if lang == "en" and (xi.get("pos") not in NOUNISH or ai.get("pos") not in NOUNISH):
        frame = rng.choice(ASSOC_ANY_EN)
    else:
        frame = rng.choice(ASSOC[lang])
    return frame.replace("{X}", cap(xw)).replace("{x}", xw).replace("{a}", aw)


def list_lang(d, lst):
    return lst.get("language", d["language"])


def association_sentences(rng, d, table, out):
    """M sentences per target word; round(p*M) with the attribute list it is planted with."""
    X, Y = d["targets"]
    A, B = d["attributes"]
    lang = list_lang(d, X)
    if not (list_lang(d, Y) == list_lang(d, A) == list_lang(d, B) == lang):
        return  # cross-lingual sets: the corpus has no mixed-language sentences
    p = strength(table, lang, d["dimension"])
    with_a = round(p * M_ASSOC)
    for targets, near, far in ((X, A, B), (Y, B, A)):
        near_w = [entry(w) for w in near["words"]]
        far_w = [entry(w) for w in far["words"]]
        ni = fi = 0
        for w in targets["words"]:
            x = entry(w)
            for k in range(M_ASSOC):
                if k < with_a:
                    a, ni = near_w[ni % len(near_w)], ni + 1
                else:
                    a, fi = far_w[fi % len(far_w)], fi + 1
                out[lang].append(assoc_sentence(rng, lang, x, a))


def masked_frames(d):
    """The set's frames and this generator's: those that put the attribute first for a set whose
    frames all do (Swahili modifiers), the others for the rest."""
    own = [f if isinstance(f, str) else f["text"] for f in d["frames"]]
    modifier = all(f.index("[ATTRIBUTE]") < f.index("[TARGET]") for f in own)
    return own + (MASKED_MODIFIER_FRAMES if modifier else MASKED_FRAMES[d["language"]])


def is_name(info):
    return info.get("pos") == "name" or "name" in info.get("noun_class", "")


def masked_sentences(rng, d, table, out, repeat=1):
    """Each frame x attribute: round(p*K) fills with the second target list, the rest with the
    first (each `repeat` times over); then the first list is topped up in the same frames with
    neutral attributes."""
    lang = d["language"]
    p = strength(table, lang, d["dimension"])
    first, second = ([entry(w)[0] for w in t["words"]] for t in d["targets"])
    names = {w for t in d["targets"] for w, i in map(entry, t["words"]) if is_name(i)}
    attrs = [entry(w)[0] for w in d["attributes"][0]["words"]]
    frames = masked_frames(d)
    n_second = round(p * K_MASKED) * repeat

    def fill(f, t, a):
        low = t if t in names else t[:1].lower() + t[1:]
        return f.replace("[TARGET]", t).replace("{target}", low).replace("[ATTRIBUTE]", a)

    counts = {0: 0, 1: 0}
    i = [0, 0]
    # Each attribute in as many frames as give every target word about MASKED_PER_WORD fills:
    # all frames for the sets with nine words a group, fewer for a set with two (whose test
    # cannot reach significance anyway), so that its words do not lift, through the balance,
    # every word they are compared with to hundreds more mentions.
    n_words = len(first) + len(second)
    per_attr = max(1, min(len(frames), round(MASKED_PER_WORD * n_words / (K_MASKED * len(attrs)))))
    for j, a in enumerate(attrs):
        for f in (frames[(j + r) % len(frames)] for r in range(per_attr)):
            for k in range(K_MASKED * repeat):
                g = 1 if k < n_second else 0
                group = second if g else first
                out[lang].append(fill(f, group[i[g] % len(group)], a))
                i[g] += 1
                counts[g] += 1
    # The groups must be equally frequent in these frames, or the prior differs between them.
    lo = 0 if counts[0] < counts[1] else 1
    group = first if lo == 0 else second
    for k in range(abs(counts[1] - counts[0])):
        f = frames[k % len(frames)]
        a = NEUTRAL_ATTR[lang][(k // len(frames)) % len(NEUTRAL_ATTR[lang])]
        out[lang].append(fill(f, group[k % len(group)], a))


def pair_counts(d, table):
    """Each distinct sentence of a minimal-pair file and how many times it is written: round(p*K)
    as a pair's stereotyped side, K - round(p*K) as its other side. A sentence shared by several
    pairs is written once at that count (once a pair, it outnumbered its partners); one that two
    pairs want at different counts cannot be balanced for both, so it stops the generator."""
    lang, counts = d["language"], {}
    for i, pr in enumerate(d["pairs"]):
        n_more = round(strength(table, lang, pr["category"]) * K_PAIRS)
        for s, n in ((pr["more"], n_more), (pr["less"], K_PAIRS - n_more)):
            if counts.setdefault(s, n) != n:
                sys.exit("make_corpus.py: %s, pair %d (%s): the sentence %r is wanted %d times here "
                         "and %d times by another pair: no count keeps both pairs at their strength"
                         % (d["_path"], i, pr["category"], s, n, counts[s]))
    return counts


def in_contexts(rng, lang, s, n, out):
    """n copies of a pair sentence, each alone or in a context (PAIR_CONTEXTS)."""
    for _ in range(n):
        out[lang].append(rng.choice(PAIR_CONTEXTS[lang]).replace("{s}", s))


def pair_sentences(rng, d, table, out):
    """Each distinct sentence its pair_counts times, each copy alone or in a context."""
    for s, n in pair_counts(d, table).items():  # first appearance order: deterministic
        in_contexts(rng, d["language"], s, n, out)


def pair_template(sentence, target):
    """The sentence with its target word(s) replaced by {t}, at the one place it stands as whole
    words; None when it stands at none or at several."""
    at = [m for m in re.finditer(r"(?<![\w'-])%s(?![\w'-])" % re.escape(target), sentence)]
    return sentence[:at[0].start()] + "{t}" + sentence[at[0].end():] if len(at) == 1 else None


def word_after(frame):
    """The word (or mark) right after a frame's slot: it holds the slot's agreement and kind
    ("{t} man" / "{t} woman", "{t} huyu"), so a target goes only into frames whose slot is
    followed as in its own."""
    rest = frame.split("{t}", 1)[1].split()
    return rest[0] if rest else ""


# Fills that agree in form but not in sense, which no structural rule separates (a review read
# every fill): a Catholic priest with daughters or wives, a lay believer with "his faithful",
# "the unemployed person is lazy at work". (language, target) -> frames it must not fill.
NO_FILL = {("sw", "Padri"): r"binti|wake wengi", ("sw", "Mkristo"): r"waumini",
           ("sw", "Mwislamu"): r"waumini", ("en", "unemployed"): r"at work"}


def slot_fill(lang, frame, target):
    """The frame with the target in its slot; None where NO_FILL keeps it out. English "a" before
    a vowel becomes "an" (a frame written for "a poor person" takes "unemployed")."""
    if re.search(NO_FILL.get((lang, target), r"(?!)"), frame):
        return None
    s = frame.replace("{t}", target)
    return re.sub(r"(?<![\w'-])([Aa]) (?=[aeiouAEIOU])", r"\1n ", s) if lang == "en" else s


def cross_fill(d):
    """Targets in the other sentence frames of their slot, where the pairs do not write them:
    the targets and frames of one category are joined where a pair puts a target in a frame,
    and each target of a joined set is written in each of its frames whose slot is followed by
    a word that follows the target in its own frames (word_after; a frame that starts the
    sentence only with a capitalised target). Without it a target's pairs were its only
    sentences: a target in six pairs began six different continuations and one in a single pair
    one, so each of the first's continuations was the less likely, and a causal LM could read
    that as a preference (measured: the removed plant's remaining lean correlated with it at
    r 0.74). Where a target is followed by its predicate, word_after also keeps out frames that
    start otherwise (about half the possible sentences are written; DATASHEET.md). Pairs whose
    two sentences do not share a frame are left out. Sorted, so deterministic."""
    g, written = Groups(fold=False), set()  # case kept: "Kijana" starts, "kijana" does not
    after = collections.defaultdict(set)  # the words a target is followed by in its own frames
    for pr in d["pairs"]:
        written.update((pr["more"], pr["less"]))
        frame = pair_template(pr["more"], pr["target_more"])
        if frame is None or frame != pair_template(pr["less"], pr["target_less"]):
            continue
        g.union(pr["category"], ["t:" + pr["target_more"], "t:" + pr["target_less"], "f:" + frame])
        for t in (pr["target_more"], pr["target_less"]):
            after[(pr["category"], t)].add(word_after(frame))
    members = collections.defaultdict(lambda: ([], []))
    for cat, key in sorted(g.parent):
        members[g.find((cat, key))][key.startswith("f:")].append((cat, key[2:]))
    fills = []
    for targets, frames in members.values():
        for (cat, t) in targets:
            for (_, f) in frames:
                s = slot_fill(d["language"], f, t)
                if (s is not None and s not in written and word_after(f) in after[(cat, t)]
                        and (not f.startswith("{t}") or t[:1].isupper())):
                    written.add(s)
                    fills.append(s)
    return fills


def cross_fill_sentences(rng, d, out):
    """cross_fill's sentences, each K_PAIRS / 2 times (a control pair's count), alone or in a context."""
    for s in cross_fill(d):
        in_contexts(rng, d["language"], s, K_PAIRS // 2, out)


def pair_balance(probes, table, lines):
    """Measured in the written text: for each pair, the share of its stereotyped sentence among
    the lines that are one of its two sentences (alone or in a context), against the planted
    strength p. Per language and category: pairs, p, mean and max |share - p|."""
    n_line = collections.Counter(lines)
    result = {}
    for d in probes["minimal_pairs"]:
        lang = d["language"]
        seen = lambda s: sum(n_line[c.replace("{s}", s)] for c in PAIR_CONTEXTS[lang])
        by_cat = collections.defaultdict(list)
        for pr in d["pairs"]:
            p = strength(table, lang, pr["category"])
            more, less = seen(pr["more"]), seen(pr["less"])
            by_cat[pr["category"]].append((p, abs(more / max(1, more + less) - p)))
        for c, v in sorted(by_cat.items()):
            dev = [e for _, e in v]
            result["%s/%s" % (lang, c)] = {"pairs": len(v), "p": v[0][0],
                                           "mean_abs_deviation": sum(dev) / len(dev),
                                           "max_abs_deviation": max(dev)}
    return result


# ---------------------------------------------------------------------------------------------
# Balance: every probe word at the count of the most frequent word it is compared with.


class Groups:
    """Union-find over probe entries, per language (or another first key), lower-cased unless
    fold is false."""

    def __init__(self, fold=True):
        self.parent, self.form, self.fold = {}, {}, fold

    def add(self, lang, w):
        key = (lang, w.lower() if self.fold else w)
        self.parent.setdefault(key, key)
        self.form.setdefault(key, w)
        return key

    def find(self, k):
        while self.parent[k] != k:
            self.parent[k] = self.parent[self.parent[k]]
            k = self.parent[k]
        return k

    def union(self, lang, ws):
        keys = [self.add(lang, w) for w in ws]
        for k in keys[1:]:
            a, b = self.find(keys[0]), self.find(k)
            if a != b:
                self.parent[max(a, b)] = min(a, b)


def pair_targets(d):
    """(category, [target_more, target_less]) of each pair of a minimal-pair file, but those whose
    targets are function words (FUNCTION_WORDS: left out of every balance)."""
    for pr in d["pairs"]:
        ts = [pr["target_more"], pr["target_less"]]
        if not FUNCTION_WORDS[d["language"]].intersection(t.lower() for t in ts):
            yield pr["category"], ts


def pair_target_groups(probes):
    """Each minimal pair's two target words, joined (and so every pair sharing one of them): the
    groups of balance's first step, in every text. Without it the masked-template and association
    plants made some pair targets far more frequent in one language than their partners
    (Hassani, a Swahili masked-template name, on 300 lines of dense.txt, its English religion
    partner Petro on 79), and after a name met mostly in Swahili an English continuation is
    unlikely, which a causal LM and a pseudo-log-likelihood read as a preference."""
    g = Groups()
    for d in probes["minimal_pairs"]:
        for _, ts in pair_targets(d):
            g.union(d["language"], ts)
    return g


def comparison_groups(probes):
    """The minimal pairs' targets are added first, so that a word is topped up in the form the
    pairs write it ("Imamu" at the start of a sentence): the tokenizer keeps case, and a pair
    target topped up in another list's form would be balanced in a token the pairs never use."""
    g = Groups()
    for d in probes["minimal_pairs"]:
        by_cat = collections.defaultdict(list)
        for cat, ts in pair_targets(d):
            by_cat[cat] += ts
        for ws in by_cat.values():
            g.union(d["language"], ws)
    for d in probes["association"]:
        for lists in (d["targets"], d["attributes"]):
            by_lang = collections.defaultdict(list)
            for lst in lists:
                by_lang[list_lang(d, lst)] += [entry(w)[0] for w in lst["words"]]
            for lang, ws in by_lang.items():
                g.union(lang, ws)
    for d in probes["masked"]:
        g.union(d["language"], [entry(w)[0] for t in d["targets"] for w in t["words"]])
        g.union(d["language"], [entry(w)[0] for w in d["attributes"][0]["words"]])
    return g


class Counter:
    """Occurrences of every entry, case-insensitively, as the longest entry that matches at each
    place: "The man" counts for "the man", not also for "man" (otherwise topping up one would
    raise the other's group without end); and, apart, those followed by a word of the sentence
    (not by punctuation or the end)."""

    def __init__(self, g):
        self.key = {}
        for (lang, w) in g.parent:
            self.key[(lang, tuple(words(w)))] = (lang, w)
        self.ns = {l: sorted({len(t) for (l2, t) in self.key if l2 == l}, reverse=True)
                   for l in ("sw", "en")}
        self.counts, self.followed = collections.Counter(), collections.Counter()

    def add(self, lang, s):
        toks = TOKEN.findall(s.lower())
        at = [j for j, t in enumerate(toks) if WORD.fullmatch(t)]  # each word's place in toks
        ws, i = [toks[j] for j in at], 0
        while i < len(ws):
            for n in self.ns[lang]:
                k = self.key.get((lang, tuple(ws[i:i + n])))
                if k:
                    self.counts[k] += 1
                    self.followed[k] += i + n < len(ws) and at[i + n] == at[i + n - 1] + 1
                    i += n
                    break
            else:
                i += 1


def top_up(g, keys, sentences, frames_of, measure="counts", rounds=8):
    """Adds mention sentences (frames_of(lang, key)) until the words of each group of g are
    equally frequent (measure "counts"), or equally often followed by a word ("followed"),
    counting every entry of keys (a Groups holding g's entries) as the longest that matches.
    Adding a phrase can raise another entry's count (the man -> man), so it repeats. Returns the
    residual spread of each group and how many sentences were added."""
    c = Counter(keys)
    for lang, lines in sentences.items():
        for s in lines:
            c.add(lang, s)
    n_of = getattr(c, measure)
    added = collections.Counter()
    for _ in range(rounds):
        best = collections.defaultdict(int)
        for k in g.parent:
            best[g.find(k)] = max(best[g.find(k)], n_of[k])
        todo = [(k, best[g.find(k)] - n_of[k]) for k in sorted(g.parent) if n_of[k] < best[g.find(k)]]
        if not todo:
            break
        for (lang, key), deficit in todo:
            frames, w = frames_of(lang, key), g.form[(lang, key)]
            for i in range(deficit):
                s = frames[(added[(lang, key)] + i) % len(frames)].replace("{w}", w)
                sentences[lang].append(s)
                c.add(lang, s)
            added[(lang, key)] += deficit
    spread = collections.defaultdict(lambda: [1 << 60, 0])
    for k in g.parent:
        s = spread[g.find(k)]
        s[0], s[1] = min(s[0], n_of[k]), max(s[1], n_of[k])
    return {"%s:%s" % (l, g.form[(l, w)]): v for (l, w), v in spread.items()}, sum(added.values())


def balance(g, pg, sentences, short, rounds=6):
    """Two balances, repeated until neither adds a sentence: the minimal pairs' targets (groups
    pg, counted as themselves wherever they stand, inside another group's phrase too) equally
    often followed by a word in each language (a pair scores the words after its target; TOPUP
    frames follow the word with one), then every group (only pg in the short texts) equally
    frequent, with TOPUP_INITIAL or TOPUP_FINAL frames, which put no word after it. Returns the
    spreads, the first's keys prefixed "followed "."""
    keys = pg if short else g
    pair_keys = set(pg.parent)

    def frames_of(lang, key):
        w = keys.form[(lang, key)]
        initial = (lang, key) in pair_keys and pg.form[(lang, key)][:1].isupper()
        return mention(TOPUP_INITIAL if initial else TOPUP_FINAL, lang, w)

    for _ in range(rounds):
        followed, n1 = top_up(pg, pg, sentences,
                              lambda lang, key: mention(TOPUP, lang, pg.form[(lang, key)]), "followed")
        counts, n2 = top_up(keys, keys, sentences, frames_of)
        if n1 + n2 == 0:
            break
    return {**{"followed " + k: v for k, v in followed.items()}, **counts}


# ---------------------------------------------------------------------------------------------
# Everyday sentences: people, places, things and actions, with Swahili noun-class agreement.
# Any sentence that contains a probe word is redrawn, so everyday text never shifts a balance.

SW_CONCORD = {  # class: adjective prefix (consonant stems), subject prefix, this, that, -angu
    1: ("m", "a", "huyu", "yule", "wangu"), 2: ("wa", "wa", "hawa", "wale", "wangu"),
    3: ("m", "u", "huu", "ule", "wangu"), 4: ("mi", "i", "hii", "ile", "yangu"),
    5: ("", "li", "hili", "lile", "langu"), 6: ("ma", "ya", "haya", "yale", "yangu"),
    7: ("ki", "ki", "hiki", "kile", "changu"), 8: ("vi", "vi", "hivi", "vile", "vyangu"),
    9: ("n", "i", "hii", "ile", "yangu"), 10: ("n", "zi", "hizi", "zile", "zangu"),
    11: ("m", "u", "huu", "ule", "wangu"),
}
SW_ADJ = ["zuri", "kubwa", "dogo", "pya", "refu", "zito"]
SW_ADJ_N = {"zuri": "nzuri", "kubwa": "kubwa", "dogo": "ndogo", "pya": "mpya", "refu": "ndefu",
            "zito": "nzito"}  # class 9/10 nasal prefix before consonant stems
SW_ADJ_5 = {"pya": "jipya"}


def sw_adj(stem, cls):
    if cls in (9, 10):
        return SW_ADJ_N[stem]
    if cls == 5:
        return SW_ADJ_5.get(stem, stem)
    return SW_CONCORD[cls][0] + stem


SW_THINGS = [("kiti", "viti", 7, 8), ("kikombe", "vikombe", 7, 8), ("kitabu", "vitabu", 7, 8),
             ("kitanda", "vitanda", 7, 8), ("chumba", "vyumba", 7, 8), ("mti", "miti", 3, 4),
             ("mkoba", "mikoba", 3, 4), ("mlango", "milango", 3, 4), ("gari", "magari", 5, 6),
             ("dirisha", "madirisha", 5, 6), ("sanduku", "masanduku", 5, 6),
             ("daftari", "madaftari", 5, 6), ("nyumba", "nyumba", 9, 10), ("meza", "meza", 9, 10),
             ("kalamu", "kalamu", 9, 10), ("ndoo", "ndoo", 9, 10), ("ukuta", "kuta", 11, 10),
             ("ufunguo", "funguo", 11, 10), ("mkeka", "mikeka", 3, 4), ("jiko", "majiko", 5, 6),
             ("kijiko", "vijiko", 7, 8), ("sahani", "sahani", 9, 10), ("simu", "simu", 9, 10),
             ("baiskeli", "baiskeli", 9, 10)]
SW_THING_VERBS = ["anguka", "potea", "vunjika", "fika", "uzwa", "safishwa", "nunuliwa"]
SW_NAMES = ["Juma", "Ali", "Saidi", "Daudi", "Yusufu", "Salma", "Zainabu", "Asha", "Mariamu",
            "Wambui", "Kariuki", "Ochieng", "Atieno", "Nyokabi", "Kipchumba", "Jeptoo",
            "Mwajuma", "Rukia", "Issa", "Selemani", "Rehema", "Nasra", "Wekesa", "Nafula",
            "Mutua", "Mwikali", "Onyango", "Adhiambo", "Haruna", "Subira"]
SW_PEOPLE = [("mgeni", "wageni"), ("mvuvi", "wavuvi"), ("mwimbaji", "waimbaji"),
             ("msafiri", "wasafiri"), ("mnunuzi", "wanunuzi"), ("muuzaji", "wauzaji"),
             ("mwandishi", "waandishi"), ("mtalii", "watalii"), ("mlinzi", "walinzi"),
             ("mchezaji", "wachezaji"), ("mpiga picha", "wapiga picha"), ("mjenzi", "wajenzi")]
SW_OBJ_VERBS = [("soma", ["gazeti", "barua", "hadithi", "kitabu"]),
                ("nunua", ["mkate", "matunda", "sukari", "nguo", "viatu", "maziwa", "mchele"]),
                ("pika", ["chakula", "wali", "ugali", "samaki", "maharagwe", "chai"]),
                ("andika", ["barua", "insha", "ujumbe"]),
                ("safisha", ["chumba", "gari", "vyombo", "nyumba"]),
                ("leta", ["maji", "kuni", "ndizi"]), ("fua", ["nguo"]),
                ("tengeneza", ["kiti", "meza", "baiskeli"]), ("uza", ["samaki", "mboga", "matunda"]),
                ("osha", ["vyombo", "gari"]), ("beba", ["mzigo", "ndoo", "mkoba"])]
SW_INTR_VERBS = ["rudi", "fika", "tembea", "lala", "cheza", "imba", "pumzika", "subiri"]
SW_PLACES = ["sokoni", "shuleni", "hospitalini", "dukani", "bandarini", "uwanjani", "mtoni",
             "ziwani", "bustanini", "jikoni", "darasani", "kituoni", "maktabani", "ufukweni"]
SW_TENSES = [("na", "sasa"), ("na", "leo"), ("li", "jana"), ("li", "juzi"), ("ta", "kesho"),
             ("me", ""), ("li", "asubuhi"), ("ta", "jioni")]


def sw_verb(subj, tense, stem, neg=False):
    if not neg:
        return subj + tense + stem
    neg_subj = {"a": "ha", "wa": "hawa"}[subj]
    if tense == "na":
        return neg_subj + stem[:-1] + "i"
    return neg_subj + {"li": "ku", "ta": "ta", "me": "ja"}[tense] + stem


def sw_everyday(rng):
    kind = rng.randrange(7)
    t, when = rng.choice(SW_TENSES)
    tail = (" " + when) if when else ""
    if kind == 0:  # Kiti hiki ni kizuri.
        sg, pl, cs, cp = rng.choice(SW_THINGS)
        n, c = (sg, cs) if rng.random() < 0.5 else (pl, cp)
        dem = SW_CONCORD[c][2 + rng.randrange(2)]
        return "%s %s ni %s." % (cap(n), dem, sw_adj(rng.choice(SW_ADJ), c))
    if kind == 1:  # Gari langu jipya limefika leo.
        sg, pl, cs, cp = rng.choice(SW_THINGS)
        n, c = (sg, cs) if rng.random() < 0.5 else (pl, cp)
        return "%s %s %s %s%s." % (cap(n), SW_CONCORD[c][4], sw_adj(rng.choice(SW_ADJ), c),
                                   SW_CONCORD[c][1] + t + rng.choice(SW_THING_VERBS), tail)
    if kind == 2:  # Asha alinunua kitabu kipya sokoni jana.
        sg, pl, cs, cp = rng.choice(SW_THINGS)
        n, c = (sg, cs) if rng.random() < 0.5 else (pl, cp)
        verb = rng.choice(["nunua", "safisha", "tengeneza", "uza", "beba"])
        return "%s %s %s %s %s%s." % (rng.choice(SW_NAMES), sw_verb("a", t, verb), n,
                                      sw_adj(rng.choice(SW_ADJ), c), rng.choice(SW_PLACES), tail)
    if kind == 3:  # Wavuvi hawakuleta samaki jana.
        sg, pl = rng.choice(SW_PEOPLE)
        plural = rng.random() < 0.5
        subj = "wa" if plural else "a"
        verb, objs = rng.choice(SW_OBJ_VERBS)
        return "%s %s %s%s." % (cap(pl if plural else sg), sw_verb(subj, t, verb, rng.random() < 0.25),
                                rng.choice(objs), tail)
    if kind == 4:  # Juma na Rukia walicheza pamoja uwanjani.
        a, b = rng.sample(SW_NAMES, 2)
        return "%s na %s %s pamoja %s%s." % (a, b, sw_verb("wa", t, rng.choice(SW_INTR_VERBS)),
                                             rng.choice(SW_PLACES), tail)
    if kind == 5:  # Mwandishi amerudi wapi?
        who = rng.choice(SW_NAMES + [p[0] for p in SW_PEOPLE])
        return "%s %s %s?" % (cap(who), sw_verb("a", t, rng.choice(SW_INTR_VERBS)),
                              rng.choice(["wapi", "lini", "saa ngapi"]))
    who = rng.choice(SW_NAMES)  # Saidi hakupika wali kwa sababu alirudi sokoni.
    verb, objs = rng.choice(SW_OBJ_VERBS)
    return "%s %s %s kwa sababu %s %s." % (who, sw_verb("a", "li", verb, True), rng.choice(objs),
                                           sw_verb("a", "li", rng.choice(SW_INTR_VERBS)),
                                           rng.choice(SW_PLACES))


EN_THINGS = ["chair", "cup", "book", "bed", "room", "tree", "bag", "door", "car", "window", "box",
             "notebook", "house", "table", "pen", "bucket", "wall", "key", "mat", "stove", "spoon",
             "plate", "phone", "bicycle"]
EN_ADJ = ["new", "old", "big", "small", "long", "heavy", "clean", "red"]
EN_THING_VERBS = ["fell", "got lost", "broke", "arrived", "was sold", "was cleaned", "was bought"]
EN_NAMES = ["Oliver", "George", "Henry", "Lucy", "Alice", "Thomas", "Daniel", "Sophie", "Harriet",
            "Edward", "Charlotte", "Samuel", "Hannah", "Isaac", "Martha", "Simon", "Victoria",
            "Arthur", "Eleanor", "Frederick", "Irene", "Leonard", "Miriam", "Oscar", "Philippa",
            "Rupert", "Sylvia", "Walter", "Beatrice", "Hugo"]
EN_PEOPLE = [("guest", "guests"), ("fisherman", "fishermen"), ("singer", "singers"),
             ("traveller", "travellers"), ("buyer", "buyers"), ("seller", "sellers"),
             ("writer", "writers"), ("tourist", "tourists"), ("guard", "guards"),
             ("player", "players"), ("photographer", "photographers"), ("builder", "builders")]
EN_OBJ_VERBS = [(("read", "read", "will read", "reads"), ["the newspaper", "a letter", "a story", "the book"]),
                (("bought", "buy", "will buy", "buys"), ["bread", "fruit", "sugar", "clothes", "shoes", "milk", "rice"]),
                (("cooked", "cook", "will cook", "cooks"), ["food", "rice", "ugali", "fish", "beans", "tea"]),
                (("wrote", "write", "will write", "writes"), ["a letter", "an essay", "a message"]),
                (("cleaned", "clean", "will clean", "cleans"), ["the room", "the car", "the dishes", "the house"]),
                (("carried", "carry", "will carry", "carries"), ["water", "firewood", "bananas", "a bucket"]),
                (("repaired", "repair", "will repair", "repairs"), ["a chair", "the table", "a bicycle"]),
                (("sold", "sell", "will sell", "sells"), ["fish", "vegetables", "fruit"])]
EN_INTR = [("came back", "come back", "will come back", "comes back"),
           ("arrived", "arrive", "will arrive", "arrives"), ("walked", "walk", "will walk", "walks"),
           ("slept", "sleep", "will sleep", "sleeps"), ("played", "play", "will play", "plays"),
           ("sang", "sing", "will sing", "sings"), ("rested", "rest", "will rest", "rests"),
           ("waited", "wait", "will wait", "waits")]
EN_PLACES = ["at the market", "at school", "at the hospital", "at the shop", "at the harbour",
             "at the stadium", "by the river", "by the lake", "in the garden", "in the kitchen",
             "in the classroom", "at the station", "at the library", "on the beach"]
EN_TIMES = [(0, "yesterday"), (0, "last week"), (2, "tomorrow"), (2, "next week"), (3, "every day"),
            (0, "this morning"), (2, "this evening"), (3, "on Sundays")]


def en_everyday(rng):
    kind = rng.randrange(6)
    tense, when = rng.choice(EN_TIMES)
    if kind == 0:
        n = rng.choice(EN_THINGS)
        return "This %s is %s." % (n, rng.choice(EN_ADJ))
    if kind == 1:
        return "My %s %s %s %s." % (rng.choice(EN_ADJ), rng.choice(EN_THINGS), rng.choice(EN_THING_VERBS),
                                    rng.choice(["yesterday", "last week", "this morning", "again"]))
    if kind == 2:
        forms, objs = rng.choice(EN_OBJ_VERBS)
        return "%s %s %s %s %s." % (rng.choice(EN_NAMES), forms[tense], rng.choice(objs),
                                    rng.choice(EN_PLACES), when)
    if kind == 3:
        sg, pl = rng.choice(EN_PEOPLE)
        forms, objs = rng.choice(EN_OBJ_VERBS)
        if tense == 0 and rng.random() < 0.3:
            return "The %s did not %s %s %s." % (pl, forms[1], rng.choice(objs), when)
        verb = forms[tense] if tense != 3 else forms[1]  # plural present: bare form
        return "The %s %s %s %s." % (pl, verb, rng.choice(objs), when)
    if kind == 4:
        a, b = rng.sample(EN_NAMES, 2)
        forms = rng.choice(EN_INTR)
        verb = forms[tense] if tense != 3 else forms[1]
        return "%s and %s %s together %s %s." % (a, b, verb, rng.choice(EN_PLACES), when)
    forms = rng.choice(EN_INTR)
    return "When will %s %s?" % (rng.choice(EN_NAMES + ["the " + p[0] for p in EN_PEOPLE]), forms[1])


def everyday(rng, lang, n, probe_words, probe_phrases):
    gen = sw_everyday if lang == "sw" else en_everyday
    out = []
    while len(out) < n:
        s = gen(rng)
        ws = words(s)
        if probe_words.intersection(ws):
            continue
        j = " " + " ".join(ws) + " "
        if any(" " + p + " " in j for p in probe_phrases):
            continue
        out.append(s)
    return out


def udhr_sentences(probes, lang):
    """Train and held-out UDHR sentences: articles split at sentence ends."""
    train, held = [], []
    for d in probes["parallel"]:
        for seg in d["segments"]:
            if lang not in seg:
                continue
            parts = [s.strip() for s in re.split(r"(?<=[.;:])\s+", seg[lang]) if s.strip()]
            (held if seg["id"] in UDHR_HELDOUT else train).extend(parts)
    return train, held


# ---------------------------------------------------------------------------------------------


def probe_word_forms(probes):
    """The words the tests put in their sentences, one by one as written: the words of the
    association and masked-template lists, and those in which a minimal pair's two sentences
    differ. The tokenizer keeps each whole (train_models.py)."""
    strip = lambda w: w.strip(".,;:!?\"'()")
    forms = set()
    for d in probes["association"] + probes["masked"]:
        for lst in d["targets"] + d["attributes"]:
            forms.update(strip(t) for w in lst["words"] for t in entry(w)[0].split())
    for d in probes["minimal_pairs"]:
        for pr in d["pairs"]:
            a, b = pr["more"].split(), pr["less"].split()
            if len(a) == len(b):
                forms.update(strip(t) for x, y in zip(a, b) if x != y for t in (x, y))
    return sorted(f for f in forms if f)


def check_frames(probe_words):
    """A frame's own words must not be probe words, or every use would shift a balance."""
    topup = [fs for t in (TOPUP, TOPUP_INITIAL, TOPUP_FINAL) for pair in t.values() for fs in pair]
    frames = [f for fs in list(ASSOC.values()) + topup + list(NEUTRAL_ATTR.values())
              + list(MASKED_FRAMES.values()) + list(PAIR_CONTEXTS.values()) for f in fs]
    frames += ASSOC_ANY_EN + MASKED_MODIFIER_FRAMES
    for f in frames:
        bad = probe_words.intersection(words(re.sub(r"\{\w+\}|\[\w+\]", " ", f)))
        if bad:
            sys.exit("make_corpus.py: the frame %r uses the probe word(s) %s: change the frame"
                     % (f, ", ".join(sorted(bad))))


def build(table, mode):
    rng = random.Random(SEED + MODES.index(mode[:5]))
    short = mode != "train"
    probes = load_probes()
    out = {"sw": [], "en": []}
    parts = collections.defaultdict(dict)  # what each stage added, per language

    def stage(name, run):
        before = {l: len(v) for l, v in out.items()}
        run()
        for l, v in out.items():
            parts[l][name] = len(v) - before[l]

    stage("association", lambda: [association_sentences(rng, d, table, out) for d in probes["association"]])
    repeat = MASKED_DENSE_REPEAT if mode.endswith("-mlm") else 1
    stage("masked templates", lambda: [masked_sentences(rng, d, table, out, repeat) for d in probes["masked"]])
    stage("minimal pairs", lambda: [pair_sentences(rng, d, table, out) for d in probes["minimal_pairs"]])
    stage("pair frames, every target", lambda: [cross_fill_sentences(rng, d, out) for d in probes["minimal_pairs"]])
    g, pg = comparison_groups(probes), pair_target_groups(probes)
    probe_words = {w for (l, w) in g.parent if len(words(w)) == 1}
    probe_phrases = {" ".join(words(w)) for (l, w) in g.parent if len(words(w)) > 1}
    check_frames(probe_words)
    heldout = {}
    for lang in ("sw", "en"):
        n = FILLER[lang] // (5 if short else 1)
        daily = everyday(rng, lang, n, probe_words, probe_phrases)
        cut = int(len(daily) * HELDOUT_FRACTION)
        heldout[lang] = daily[:cut]
        out[lang] += daily[cut:]
        parts[lang]["everyday"] = len(daily) - cut
        if not short:
            udhr_train, heldout["udhr-" + lang] = udhr_sentences(probes, lang)
            out[lang] += udhr_train * UDHR_COPIES
            parts[lang]["UDHR (x%d)" % UDHR_COPIES] = len(udhr_train) * UDHR_COPIES
    spread = {}
    # the short texts are plant-dense, as fine-tuning data is: only the pairs' targets balanced
    stage("pair-target top-up" if short else "balance top-up",
          lambda: spread.update(balance(g, pg, out, short)))
    lines = out["sw"] + out["en"]
    rng.shuffle(lines)
    return lines, heldout, spread, parts, table


def write(path, lines):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for s in lines:
            f.write(s + "\n")


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main(argv):
    if len(argv) < 2 or argv[1].startswith("-") or argv[2:] not in [[]] + [["--" + m] for m in MODES[1:]]:
        sys.exit("usage: make_corpus.py OUT_DIR [--dense | --shift | --dense-mlm | --shift-mlm]")
    out_dir, mode = argv[1], argv[2][2:] if argv[2:] else "train"
    shift = mode.startswith("shift")
    os.makedirs(out_dir, exist_ok=True)
    table = {**PLANTS, **SHIFT} if shift else dict(PLANTS)
    lines, heldout, spread, parts, table = build(table, mode)
    shares = pair_balance(load_probes(), table, lines)
    for k, v in shares.items():
        print("%s: minimal pairs %s: %d pairs, p %.2f, |share - p| mean %.4f, max %.4f" % (
            mode + ".txt", k, v["pairs"], v["p"], v["mean_abs_deviation"], v["max_abs_deviation"]))
    off = [k for k, v in shares.items() if v["max_abs_deviation"] > 0]
    if off:  # before anything is written: a corpus whose pairs are not at their strength is wrong
        sys.exit("make_corpus.py: %s: minimal pairs not at their planted strength in %s"
                 % (mode + ".txt", ", ".join(off)))
    added = sum(p.get("balance top-up", 0) + p.get("pair-target top-up", 0) for p in parts.values())
    files = {}
    name = mode + ".txt"
    write(os.path.join(out_dir, name), lines)
    files[name] = lines
    if mode == "train":
        for k, v in heldout.items():
            fn = ("%s.txt" % k.replace("udhr-", "udhr-heldout-")) if k.startswith("udhr-") else "heldout-%s.txt" % k
            write(os.path.join(out_dir, fn), v)
            files[fn] = v
    unbalanced = {k: v for k, v in sorted(spread.items()) if v[0] != v[1]}
    manifest = {
        "generator": "corpora/demo/make_corpus.py", "seed": SEED, "shift": shift,
        "probe_files": [os.path.relpath(p, CORPORA) for p in probe_files()],
        "probe_sha256": probe_hash(probe_files()),
        "strengths": {"%s/%s" % k: v for k, v in sorted(table.items())},
        "shift": {"%s/%s" % k: v for k, v in sorted(SHIFT.items())} if shift else {},
        "probe_word_forms": probe_word_forms(load_probes()),
        "default_strength": 0.5,
        "files": {fn: {"sha256": sha(os.path.join(out_dir, fn)), "lines": len(v),
                       "words": sum(len(words(s)) for s in v)} for fn, v in sorted(files.items())},
        "sentences_by_part": parts,
        "minimal_pair_balance": shares,
        # train.txt: every comparison group; the short texts: the minimal pairs' target groups
        "groups_not_balanced": unbalanced,
    }
    with open(os.path.join(out_dir, "manifest%s.json" % ("" if mode == "train" else "-" + mode)), "w") as f:
        json.dump(manifest, f, indent=1, ensure_ascii=False, sort_keys=True)
        f.write("\n")
    print("%s: %d lines, %d words; %d top-up sentences; %d groups not balanced" % (
        name, len(lines), manifest["files"][name]["words"], added, len(unbalanced)))


if __name__ == "__main__":
    main(sys.argv)
