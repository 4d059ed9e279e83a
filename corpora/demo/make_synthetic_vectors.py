#!/usr/bin/env python3
"""Writes corpora/demo/synthetic-vectors.vec: vectors for every word of the shipped probe sets,
random except for associations planted in the tests listed in PLANTED. The demonstration audit
(scripts/demo.sh) runs on them, so its report must find the planted associations and no others.
Standard library only; deterministic: python3 corpora/demo/make_synthetic_vectors.py"""
import glob
import json
import os
import random

DIM = 100
STRENGTH = 0.9  # planted shift along the test's own direction, in units of the noise per axis
PLANTED = {"weat1-en", "weat2-en", "weat6-en", "weat7-en",
           "gender-career-names-sw", "instruments-weapons-sw"}

here = os.path.dirname(os.path.abspath(__file__))
rng = random.Random(20261126)
sets = [s for s in (json.load(open(p, encoding="utf-8"))
                    for p in sorted(glob.glob(os.path.join(here, "..", "*", "*.json"))))
        if s["kind"] == "association"]
word = lambda w: w if isinstance(w, str) else w["word"]

vectors = {}
for s in sets:
    for group in ("targets", "attributes"):
        for lst in s[group]:
            for w in lst["words"]:
                if " " not in word(w):  # a phrase has no row in a word-vector file
                    vectors.setdefault(word(w), [rng.gauss(0, 1) for _ in range(DIM)])

for s in sets:
    if s["id"] not in PLANTED:
        continue
    # X words and A words move together along a direction of their own
    direction = [rng.gauss(0, 1) for _ in range(DIM)]
    norm = sum(d * d for d in direction) ** 0.5
    direction = [d / norm * STRENGTH * DIM ** 0.5 for d in direction]
    for lst in (s["targets"][0], s["attributes"][0]):
        for w in lst["words"]:
            if word(w) not in vectors:
                continue
            v = vectors[word(w)]
            for i in range(DIM):
                v[i] += direction[i]

with open(os.path.join(here, "synthetic-vectors.vec"), "w", encoding="utf-8") as f:
    f.write(f"{len(vectors)} {DIM}\n")
    for w in sorted(vectors):
        f.write(w + " " + " ".join(f"{x:.5f}" for x in vectors[w]) + "\n")
print(f"{len(vectors)} words, planted in: {', '.join(sorted(PLANTED))}")
