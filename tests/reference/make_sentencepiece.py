#!/usr/bin/python3
"""SentencePiece references: trains a small Unigram and a small BPE model on the committed UDHR
text with Debian's python3-sentencepiece (deterministic settings), and records the library's
own ids and pieces for the golden texts of tests/golden/tokenizers/goldens.json.
    /usr/bin/python3 tests/reference/make_sentencepiece.py"""
import json
import os

import sentencepiece as spm

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "golden", "sentencepiece")
ROOT = os.path.join(HERE, "..", "..")


def main():
    os.makedirs(OUT, exist_ok=True)
    udhr = json.load(open(os.path.join(ROOT, "corpora/parallel/udhr-en-sw.json"), encoding="utf-8"))
    corpus = os.path.join(OUT, "corpus.txt")
    with open(corpus, "w", encoding="utf-8") as f:
        for s in udhr["segments"]:
            f.write(s["en"] + "\n" + s["sw"] + "\n")
    texts = []
    for cases in json.load(open(os.path.join(ROOT, "tests/golden/tokenizers/goldens.json"), encoding="utf-8")).values():
        for c in cases:
            if c["text"] not in texts:
                texts.append(c["text"])
        break
    goldens = {}
    for kind, extra in (("unigram", {}), ("bpe", {"byte_fallback": True})):
        prefix = os.path.join(OUT, kind)
        spm.SentencePieceTrainer.train(input=corpus, model_prefix=prefix, model_type=kind,
                                       vocab_size=1000 if kind == "unigram" else 800,
                                       character_coverage=1.0, num_threads=1, seed_sentencepiece_size=100000,
                                       shuffle_input_sentence=False, minloglevel=2, **extra)
        os.remove(prefix + ".vocab")
        sp = spm.SentencePieceProcessor(model_file=prefix + ".model")
        goldens[kind + ".model"] = [{"text": t, "ids": sp.encode(t), "pieces": sp.encode(t, out_type=str)}
                                    for t in texts]
    os.remove(corpus)
    with open(os.path.join(OUT, "goldens.json"), "w", encoding="utf-8") as f:
        json.dump(goldens, f, ensure_ascii=False)
    print("wrote", ", ".join(goldens))


if __name__ == "__main__":
    main()
