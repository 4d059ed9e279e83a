#!/usr/bin/python3
"""Minimal-pair scoring time and peak memory, `mizani pairs` of one build against another's on
the shipped pairs (every language), with models of BERT-base's shape (vocabulary 30,522) and
XLM-R-base's (vocabulary 250,002), random weights:

    /usr/bin/python3 bench/pairs.py NEW_BUILD OLD_BUILD [PAIRS]

The pseudo-log-likelihood masks each token in turn; a masked LM's head over the whole
vocabulary then dominates when it runs for every position of every masked copy. Needs Debian's
python3-torch to write the checkpoints once (to $TMPDIR/mizani-bench-pairs-*) and ../shared's
tokenizers (bert-bge's WordPiece; udhr-unigram's SentencePiece Unigram for XLM-R's shape, whose
16,000 pieces all lie within the model's 250,002 rows). Each build runs twice in alternation; the
better time of each is printed, with peak RSS from /usr/bin/time (MZ_BENCH_ROUNDS=1: one run
each, for the slow old builds). PAIRS (a file or folder of
pairs files, default the shipped ones) lets both builds score the same pairs when the shipped
sets differ between them.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
SHARED = os.path.join(ROOT, "..", "shared", "data", "tokenizer-json")
SHAPES = {  # name: (model_type, vocab, tokenizer, prefix, pad id)
    "bert-base": ("bert", 30522, "bert-bge.tokenizer.json", "bert.", 0),
    "xlm-roberta-base": ("xlm-roberta", 250002, "udhr-unigram.tokenizer.json", "roberta.", 1),
}
L, C, H, FF, P = 12, 768, 12, 3072, 514


def make_model(d, model_type, V, tok, prefix, pad):
    if os.path.exists(os.path.join(d, "model.safetensors")):
        return
    import torch
    sys.path.insert(0, os.path.join(ROOT, "tests", "reference"))
    from make_models import write_safetensors
    os.makedirs(d, exist_ok=True)
    g = torch.Generator().manual_seed(11)
    r = lambda *s: torch.randn(*s, generator=g) * 0.02
    W = {prefix + "embeddings.word_embeddings.weight": r(V, C),
         prefix + "embeddings.position_embeddings.weight": r(P, C),
         prefix + "embeddings.token_type_embeddings.weight": r(1 if pad else 2, C),
         prefix + "embeddings.LayerNorm.weight": torch.ones(C), prefix + "embeddings.LayerNorm.bias": torch.zeros(C)}
    for l in range(L):
        p = prefix + "encoder.layer.%d." % l
        for n, o, i in (("attention.self.query", C, C), ("attention.self.key", C, C),
                        ("attention.self.value", C, C), ("attention.output.dense", C, C),
                        ("intermediate.dense", FF, C), ("output.dense", C, FF)):
            W[p + n + ".weight"], W[p + n + ".bias"] = r(o, i), r(o)
        for n in ("attention.output.LayerNorm", "output.LayerNorm"):
            W[p + n + ".weight"], W[p + n + ".bias"] = torch.ones(C), torch.zeros(C)
    head = "lm_head." if model_type == "xlm-roberta" else "cls.predictions."
    dense, ln = ("dense", "layer_norm") if pad else ("transform.dense", "transform.LayerNorm")
    W[head + dense + ".weight"], W[head + dense + ".bias"] = r(C, C), r(C)
    W[head + ln + ".weight"], W[head + ln + ".bias"] = torch.ones(C), torch.zeros(C)
    W[head + "bias"] = torch.zeros(V)
    write_safetensors(os.path.join(d, "model.safetensors"), W)
    cfg = {"model_type": model_type, "vocab_size": V, "hidden_size": C, "num_hidden_layers": L,
           "num_attention_heads": H, "intermediate_size": FF, "max_position_embeddings": P,
           "hidden_act": "gelu", "layer_norm_eps": 1e-5 if pad else 1e-12,
           "type_vocab_size": 1 if pad else 2, "pad_token_id": pad}
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(cfg, f)
    shutil.copy(os.path.join(SHARED, tok), os.path.join(d, "tokenizer.json"))


def run(build, model, pairs):
    """(seconds, peak RSS bytes) of one `mizani pairs` over the pairs."""
    out = subprocess.run(["/usr/bin/time", "-f", "%e %M", os.path.join(build, "mizani"), "pairs",
                          "--model", model, "--pairs", pairs, "--json"], capture_output=True,
                         text=True)
    if out.returncode not in (0, 1):
        sys.exit("%s pairs on %s: exit %d: %s" % (build, model, out.returncode, out.stderr.strip()))
    wall, kb = out.stderr.strip().splitlines()[-1].split()
    return float(wall), int(kb) * 1024


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    new, old = sys.argv[1], sys.argv[2]
    pairs = sys.argv[3] if len(sys.argv) == 4 else os.path.join(ROOT, "corpora", "minimal-pairs")
    if not os.path.isdir(SHARED):
        sys.exit("bench/pairs.py needs ../shared/data/tokenizer-json")
    for name, spec in SHAPES.items():
        d = os.path.join(tempfile.gettempdir(), "mizani-bench-pairs-" + name)
        make_model(d, *spec)
        res = {"new": [], "old": []}
        for _ in range(int(os.environ.get("MZ_BENCH_ROUNDS", "2"))):
            for tag, build in (("new", new), ("old", old)):
                res[tag].append(run(build, d, pairs))
        (tn, mn), (to, mo) = min(res["new"]), min(res["old"])
        print("%-17s old %.1f s, %.0f MB; new %.1f s, %.0f MB: %.1fx faster, memory %.2fx"
              % (name, to, mo / 1e6, tn, mn / 1e6, to / tn, mn / mo))


if __name__ == "__main__":
    main()
