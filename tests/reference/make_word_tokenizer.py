#!/usr/bin/env python3
"""Writes tests/data/compare/words.tokenizer.json: a word-level tokenizer whose vocabulary holds
every word of every shipped association probe set as one token (split on whitespace only), for
the regression gate's known-answer test: with one token a word, moving a word's input embedding
moves that word and no other, so the tests that can change are exactly those sharing its words.
Run from the repository root: python3 tests/reference/make_word_tokenizer.py"""
import glob
import json

specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
words = set()
for path in sorted(glob.glob("corpora/weat-*/*.json")):
    probe = json.load(open(path, encoding="utf-8"))
    if probe.get("kind") != "association":
        continue
    for role in ("targets", "attributes"):
        for lst in probe[role]:
            for w in lst["words"]:
                words.update((w["word"] if isinstance(w, dict) else w).split())
vocab = {t: i for i, t in enumerate(specials + sorted(words))}
tok = {
    "version": "1.0",
    "truncation": None,
    "padding": None,
    "added_tokens": [
        {"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False,
         "normalized": False, "special": True}
        for i, t in enumerate(specials)
    ],
    "normalizer": None,
    "pre_tokenizer": {"type": "WhitespaceSplit"},
    "post_processor": {"type": "BertProcessing", "sep": ["[SEP]", 3], "cls": ["[CLS]", 2]},
    "decoder": None,
    "model": {"type": "WordLevel", "vocab": vocab, "unk_token": "[UNK]"},
}
with open("tests/data/compare/words.tokenizer.json", "w", encoding="utf-8") as f:
    json.dump(tok, f, ensure_ascii=False, indent=1)
    f.write("\n")
print(len(vocab), "tokens")
