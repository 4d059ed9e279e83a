#!/usr/bin/env python3
"""Builds the small tokenizer.json files under tests/golden/tokenizers/, one per model type
and a spread of normalizers, pre-tokenizers and post-processors, learned from the committed
UDHR text (corpora/parallel/udhr-en-sw.json). Standard library only; deterministic:
    python3 tests/reference/make_tokenizers.py
Their expected outputs come from the reference implementation (tokenizer_goldens.js)."""
import collections
import json
import math
import os
import re
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "golden", "tokenizers")
udhr = json.load(open(os.path.join(HERE, "..", "..", "corpora", "parallel", "udhr-en-sw.json"), encoding="utf-8"))
TEXT = "\n".join(s[l] for s in udhr["segments"] for l in ("en", "sw"))
WORDS = collections.Counter(re.findall(r"\w+|[^\w\s]", TEXT))


def bytes_to_unicode():
    bs = list(range(33, 127)) + list(range(161, 173)) + list(range(174, 256))
    cs, n = bs[:], 0
    for b in range(256):
        if b not in bs:
            bs.append(b); cs.append(256 + n); n += 1
    return {b: chr(c) for b, c in zip(bs, cs)}


def learn_merges(words, n_merges, join):
    """words: Counter of symbol tuples. Greedy BPE: the most frequent pair, ties by order."""
    words = {tuple(w): c for w, c in words.items()}
    merges = []
    for _ in range(n_merges):
        pairs = collections.Counter()
        for w, c in words.items():
            for a, b in zip(w, w[1:]):
                pairs[a, b] += c
        if not pairs:
            break
        best = max(pairs.items(), key=lambda kv: (kv[1], kv[0]))[0]
        merges.append(best)
        new = {}
        for w, c in words.items():
            out, i = [], 0
            while i < len(w):
                if i + 1 < len(w) and (w[i], w[i + 1]) == best:
                    out.append(join(w[i], w[i + 1])); i += 2
                else:
                    out.append(w[i]); i += 1
            new[tuple(out)] = new.get(tuple(out), 0) + c
        words = new
    return merges


def specials(names):
    return [{"id": i, "content": n, "single_word": False, "lstrip": False, "rstrip": False,
             "normalized": False, "special": True} for i, n in enumerate(names)]


def doc(model, normalizer=None, pre=None, post=None, added=()):
    return {"version": "1.0", "truncation": None, "padding": None, "added_tokens": list(added),
            "normalizer": normalizer, "pre_tokenizer": pre, "post_processor": post,
            "decoder": None, "model": model}


def wordpiece(lower):
    sp = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    text = TEXT.lower() if lower else TEXT
    if lower:
        text = "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
    words = collections.Counter(re.findall(r"\w+|[^\w\s]", text))
    vocab = list(sp)
    chars = sorted({c for w in words for c in w})
    vocab += chars + ["##" + c for c in chars]
    merges = learn_merges(collections.Counter({tuple([w[0]] + ["##" + c for c in w[1:]]): n for w, n in words.items()}),
                          600, lambda a, b: a + b[2:])
    for a, b in merges:
        t = a + b[2:]
        if t not in vocab:
            vocab.append(t)
    return {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
            "max_input_chars_per_word": 100, "vocab": {t: i for i, t in enumerate(vocab)}}, sp


def byte_bpe():
    b2u = bytes_to_unicode()
    words = collections.Counter()
    for m in re.finditer(r" ?\w+| ?[^\w\s]+|\s+", TEXT):
        words[tuple(b2u[b] for b in m.group().encode("utf-8"))] += 1
    merges = learn_merges(words, 800, lambda a, b: a + b)
    vocab = ["<s>", "<pad>", "</s>", "<unk>"] + [b2u[b] for b in range(256)]
    for a, b in merges:
        if a + b not in vocab:
            vocab.append(a + b)
    return {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
            "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False,
            "ignore_merges": False, "vocab": {t: i for i, t in enumerate(vocab)},
            "merges": [f"{a} {b}" for a, b in merges]}


def char_bpe(suffix, ignore_merges, words):
    sym = collections.Counter()
    for w, n in words.items():
        sym[tuple(list(w[:-1]) + [w[-1] + suffix])] += n
    merges = learn_merges(sym, 500, lambda a, b: a + b)
    chars = sorted({c for w in words for c in w})
    vocab = ["<unk>"] + chars + [c + suffix for c in chars]
    for a, b in merges:
        if a + b not in vocab:
            vocab.append(a + b)
    vocab = list(dict.fromkeys(vocab))
    return {"type": "BPE", "dropout": None, "unk_token": "<unk>", "continuing_subword_prefix": None,
            "end_of_word_suffix": suffix or None, "fuse_unk": True, "byte_fallback": False,
            "ignore_merges": ignore_merges, "vocab": {t: i for i, t in enumerate(vocab)},
            "merges": [[a, b] for a, b in merges]}


def bpe_prefix():
    """BPE whose non-initial symbols carry '##' (continuing_subword_prefix)."""
    words = collections.Counter(w.lower() for w in WORDS.elements())
    sym = collections.Counter({tuple([w[0]] + ["##" + c for c in w[1:]]): n for w, n in words.items()})
    merges = learn_merges(sym, 400, lambda a, b: a + b[2:])
    chars = sorted({c for w in words for c in w})
    vocab = ["[UNK]"] + chars + ["##" + c for c in chars]
    for a, b in merges:
        if a + b[2:] not in vocab:
            vocab.append(a + b[2:])
    return {"type": "BPE", "dropout": None, "unk_token": "[UNK]", "continuing_subword_prefix": "##",
            "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
            "vocab": {t: i for i, t in enumerate(vocab)}, "merges": [f"{a} {b}" for a, b in merges]}


def unigram():
    text = unicodedata.normalize("NFKC", TEXT)
    pieces = collections.Counter()
    for w in re.findall(r"\S+", text):
        w = "\u2581" + w
        for n in range(1, 7):
            for i in range(len(w) - n + 1):
                pieces[w[i:i + n]] += 1
    keep = [p for p, _ in pieces.most_common(2500)]
    keep += sorted({c for c in text if not c.isspace()} - set(keep))
    total = sum(pieces[p] for p in keep)
    vocab = [["<s>", 0.0], ["<pad>", 0.0], ["</s>", 0.0], ["<unk>", 0.0]]
    vocab += [[f"<0x{b:02X}>", -20.0] for b in range(256)]
    vocab += [[p, round(math.log(pieces[p] / total), 6)] for p in keep]
    return {"type": "Unigram", "unk_id": 3, "vocab": vocab, "byte_fallback": True}


def main():
    os.makedirs(OUT, exist_ok=True)
    files = {}
    m, sp = wordpiece(True)
    files["wordpiece-bert"] = doc(m, {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True, "strip_accents": None, "lowercase": True},
                                  {"type": "BertPreTokenizer"}, {"type": "BertProcessing", "sep": ["[SEP]", 3], "cls": ["[CLS]", 2]}, specials(sp))
    m, sp = wordpiece(False)
    files["wordpiece-cased"] = doc(m, {"type": "Sequence", "normalizers": [{"type": "NFC"}, {"type": "Strip", "strip_left": True, "strip_right": True}]},
                                   {"type": "Sequence", "pretokenizers": [{"type": "WhitespaceSplit"}, {"type": "Punctuation", "behavior": "Isolated"}, {"type": "Digits", "individual_digits": True}]},
                                   {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
                                    "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}}],
                                    "special_tokens": {"[CLS]": {"id": "[CLS]", "ids": [2], "tokens": ["[CLS]"]}, "[SEP]": {"id": "[SEP]", "ids": [3], "tokens": ["[SEP]"]}}}, specials(sp))
    files["bpe-byte-level"] = doc(byte_bpe(), None, {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
                                  {"type": "RobertaProcessing", "sep": ["</s>", 2], "cls": ["<s>", 0], "trim_offsets": True, "add_prefix_space": True},
                                  specials(["<s>", "<pad>", "</s>", "<unk>"]))
    lw = collections.Counter({w.lower(): n for w, n in WORDS.items()})
    files["bpe-char-suffix"] = doc(char_bpe("</w>", False, lw), {"type": "Sequence", "normalizers": [{"type": "NFKC"}, {"type": "Lowercase"}]},
                                   {"type": "Whitespace"}, None, specials(["<unk>"]))
    files["bpe-split-regex"] = doc(char_bpe("", True, WORDS), {"type": "Sequence", "normalizers": [{"type": "NFD"}, {"type": "StripAccents"}, {"type": "Replace", "pattern": {"String": "\u2019"}, "content": "'"}]},
                                   {"type": "Split", "pattern": {"Regex": "\\s+|[.,;:!?]"}, "behavior": "Removed", "invert": False}, None, specials(["<unk>"]))
    files["unigram-metaspace"] = doc(unigram(), {"type": "Sequence", "normalizers": [{"type": "NFKC"}, {"type": "Replace", "pattern": {"String": "  "}, "content": " "}]},
                                     {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": True},
                                     {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "</s>", "type_id": 0}}],
                                      "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}}],
                                      "special_tokens": {"<s>": {"id": "<s>", "ids": [0], "tokens": ["<s>"]}, "</s>": {"id": "</s>", "ids": [2], "tokens": ["</s>"]}}},
                                     specials(["<s>", "<pad>", "</s>", "<unk>"]))
    files["bpe-prefix"] = doc(bpe_prefix(), {"type": "Lowercase"}, {"type": "BertPreTokenizer"},
                              None, specials(["[UNK]"]))
    wl = ["[UNK]"] + sorted({w.lower() for w in WORDS})
    files["wordlevel"] = doc({"type": "WordLevel", "vocab": {t: i for i, t in enumerate(wl)}, "unk_token": "[UNK]"},
                             {"type": "Sequence", "normalizers": [{"type": "Lowercase"}, {"type": "Prepend", "prepend": " "}]},
                             {"type": "Sequence", "pretokenizers": [{"type": "Whitespace"}, {"type": "Digits", "individual_digits": False}]}, None, specials(["[UNK]"]))
    for name, d in files.items():
        with open(os.path.join(OUT, name + ".json"), "w", encoding="utf-8") as f:
            json.dump(d, f, ensure_ascii=False, separators=(",", ":"))
        print(name, len(d["model"]["vocab"]))


if __name__ == "__main__":
    main()
