#!/usr/bin/env python3
"""The quick calibration study's encoder vocabulary: the committed Unigram test tokenizer
(tests/golden/tokenizers/unigram-metaspace.json, trained on English and Swahili text) with a
<mask> token added, so that a random-weight masked LM can score pseudo-log-likelihoods with
it. Run from the repository root; writes tests/calibration/unigram-mask.tokenizer.json."""
import json

src = "tests/golden/tokenizers/unigram-metaspace.json"
dst = "tests/calibration/unigram-mask.tokenizer.json"
doc = json.load(open(src, encoding="utf-8"))
vocab = doc["model"]["vocab"]
mask_id = len(vocab)
vocab.append(["<mask>", 0.0])
doc["added_tokens"].append({"id": mask_id, "content": "<mask>", "single_word": False,
                            "lstrip": True, "rstrip": False, "normalized": False,
                            "special": True})
with open(dst, "w", encoding="utf-8") as f:
    json.dump(doc, f, ensure_ascii=False)
    f.write("\n")
