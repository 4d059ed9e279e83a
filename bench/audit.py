#!/usr/bin/python3
"""The whole default audit of a BERT-base-shaped masked LM (12 layers, hidden 768, vocabulary
30,522, random weights, bert-bge's WordPiece tokenizer from ../shared), Mizani against the same
model passes done by PyTorch the way published tools do them:

    /usr/bin/python3 bench/audit.py BUILD_DIR [--no-torch] [--no-explain]

Mizani: `mizani audit` with every test but the explanations; time per stage (wall and CPU, from
results.json's $.run.stages) and in total, with peak RSS. PyTorch 1.13 (Debian's python3-torch,
default threading, no_grad, eager operations of BertForMaskedLM) on the same weights and the
same workload as token counts (bench/audit_workload: each pass costs what its length costs):
  - SEAT: every frame sentence, Hugging Face-style batches of 32 in corpus order padded to the
    longest, mean-pooled (as SEAT implementations encode sentences);
  - CEAT: the same sentences again (CEAT's code embeds its contexts itself; Mizani's probe
    runner computes each (sentence, layer) once for both tests);
  - minimal pairs: pseudo-log-likelihood as CrowS-Pairs and bias-bench compute it, one masked
    copy per forward pass (batch 1), the LM head over every position;
  - masked templates: Kurita et al.'s two forward passes per sentence (target masked; target
    and attribute masked), batch 1, the LM head over every position.
Statistics (permutations, bootstraps), tokenization, tokenizer fairness and the input-embedding
WEAT are in Mizani's times but not in PyTorch's, so the ratio understates Mizani's lead. The
explanations' cost is measured apart, per explained item, with the audit's settings.
The machine is shared: CPU seconds are printed beside wall seconds; read both.
"""
import json
import math
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def model_dir():
    import pairs  # bench/pairs.py writes the BERT-base-shaped checkpoint once
    d = os.path.join(tempfile.gettempdir(), "mizani-bench-pairs-bert-base")
    pairs.make_model(d, *pairs.SHAPES["bert-base"])
    return d


def run_mizani(build, model, out, tests):
    t0 = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-f", "%e %U %S %M", os.path.join(build, "mizani"),
                        "--seed", "1", "--quiet", "audit", "--model", model, "--out", out,
                        "--tests", tests], capture_output=True, text=True)
    if p.returncode:
        sys.exit("mizani audit: exit %d: %s" % (p.returncode, p.stderr.strip()))
    wall, user, sys_, kb = p.stderr.strip().splitlines()[-1].split()
    with open(os.path.join(out, "results.json")) as f:
        stages = json.load(f)["run"]["stages"]
    return (time.perf_counter() - t0, float(user) + float(sys_), int(kb) * 1024, stages)


def workload(build, model):
    out = subprocess.run([os.path.join(build, "bench", "audit_workload"), model,
                          os.path.join(ROOT, "corpora")], check=True, capture_output=True,
                         text=True).stdout.split("\n")
    w = {"seat": [], "pair": [], "masked": []}
    for line in out:
        if line:
            kind, *nums = line.split()
            w[kind].append([int(x) for x in nums])
    return w


def torch_reference(model, w):
    """Seconds (wall, CPU) per stage of the PyTorch reference."""
    import torch
    import engine  # bench/engine.py: the eager BertModel forward on the same safetensors file
    F = torch.nn.functional
    W0 = engine.torch_weights(model)
    W = {k[len("bert."):] if k.startswith("bert.") else k: v for k, v in W0.items()}
    V, C = W["embeddings.word_embeddings.weight"].shape
    g = torch.Generator().manual_seed(3)

    def head(x):  # BertForMaskedLM's head on every position, tied decoder
        h = F.gelu(F.linear(x, W["cls.predictions.transform.dense.weight"],
                            W["cls.predictions.transform.dense.bias"]))
        h = F.layer_norm(h, (C,), W["cls.predictions.transform.LayerNorm.weight"],
                         W["cls.predictions.transform.LayerNorm.bias"], 1e-12)
        return F.linear(h, W["embeddings.word_embeddings.weight"], W["cls.predictions.bias"])

    def ids(n):
        return torch.randint(1000, V, (1, n), generator=g)

    def timed(fn):
        t0, c0 = time.perf_counter(), time.process_time()
        with torch.no_grad():
            fn()
        return time.perf_counter() - t0, time.process_time() - c0

    def sentences():  # batches of 32 in corpus order, padded to the longest, mean-pooled
        lens = [x[0] for x in w["seat"]]
        for i in range(0, len(lens), 32):
            b = lens[i:i + 32]
            T = max(b)
            mask = torch.tensor([[1] * n + [0] * (T - n) for n in b])
            h = engine.bert_forward(W, torch.randint(1000, V, (len(b), T), generator=g), mask)
            (h * mask[..., None]).sum(1) / mask.sum(1, keepdim=True)

    def pll():  # one masked copy per forward pass
        for n, k in w["pair"]:
            for _ in range(k):
                x = ids(n)
                head(engine.bert_forward(W, x, torch.ones_like(x))).log_softmax(-1)

    def kurita():  # two passes per sentence
        for (n,) in w["masked"]:
            for _ in range(2):
                x = ids(n)
                head(engine.bert_forward(W, x, torch.ones_like(x))).log_softmax(-1)

    return {"seat": timed(sentences), "ceat": timed(sentences), "pairs": timed(pll),
            "masked": timed(kurita)}


def explain_cost(build, model):
    """Seconds per explained pair and per explained template, with the audit's settings."""
    d = tempfile.mkdtemp(prefix="mizani-bench-explain-")
    with open(os.path.join(ROOT, "corpora", "minimal-pairs", "pairs-sw.json")) as f:
        p = json.load(f)
    p["pairs"] = p["pairs"][:2]
    path = os.path.join(d, "pairs.json")
    with open(path, "w") as f:
        json.dump(p, f, ensure_ascii=False)
    common = ["--method", "ig,occlusion,attention,attattr", "--steps", "20", "--attattr-steps", "5",
              "--no-faithfulness", "--quiet"]
    out = {}
    for name, args, n in (("pair", ["--pairs", path], 2),
                          ("template", ["--text", "[MASK] ni daktari.", "--target", "mwanamke",
                                        "--contrast", "mwanamume", "--split", "sum"], 1)):
        t0, c0 = time.perf_counter(), os.times()
        subprocess.run([os.path.join(build, "mizani"), "--seed", "1", "explain", "--model", model,
                        *args, *common], check=True, capture_output=True)
        c1 = os.times()
        out[name] = ((time.perf_counter() - t0) / n,
                     (c1.children_user + c1.children_system - c0.children_user -
                      c0.children_system) / n)
    return out


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if len(args) != 1:
        sys.exit(__doc__)
    build, model = args[0], model_dir()
    out = tempfile.mkdtemp(prefix="mizani-bench-audit-")
    wall, cpu, rss, stages = run_mizani(build, model, out, "fairness,static,seat,ceat,pairs,masked")
    mz = {s["stage"]: (s.get("seconds", 0.0), s.get("cpu_seconds", 0.0)) for s in stages
          if s["status"] == "run"}
    print("Mizani audit of the BERT-base shape: %.1f s wall, %.1f s CPU, peak RSS %.0f MB "
          "(weights %.0f MB)" % (wall, cpu, rss / 1e6,
                                 os.path.getsize(os.path.join(model, "model.safetensors")) / 1e6))
    ref = None
    if "--no-torch" not in sys.argv:
        w = workload(build, model)
        print("workload: %d sentences (SEAT, and CEAT's contexts), %d minimal-pair sentences with "
              "%d masked copies, %d masked-template sentences" %
              (len(w["seat"]), len(w["pair"]), sum(k for _, k in w["pair"]), len(w["masked"])))
        ref = torch_reference(model, w)
    print("%-10s %12s %12s %14s %14s %8s" % ("stage", "Mizani wall", "Mizani CPU", "PyTorch wall",
                                             "PyTorch CPU", "ratio"))
    tw = tc = rw = rc = 0.0
    for s in ("fairness", "static", "seat", "ceat", "pairs", "masked"):
        mw, mc = mz.get(s, (0.0, 0.0))
        tw, tc = tw + mw, tc + mc
        r = ref.get(s) if ref else None
        if r:
            rw, rc = rw + r[0], rc + r[1]
            print("%-10s %11.1fs %11.1fs %13.1fs %13.1fs %7.2fx" % (s, mw, mc, r[0], r[1],
                                                                  r[0] / mw if mw else math.nan))
        else:
            print("%-10s %11.1fs %11.1fs %14s %14s %8s" % (s, mw, mc, "-", "-", "-"))
    if ref:
        print("%-10s %11.1fs %11.1fs %13.1fs %13.1fs %7.2fx (CPU %.2fx)" %
              ("total", tw, tc, rw, rc, rw / tw, rc / tc))
    if "--no-explain" not in sys.argv:
        e = explain_cost(build, model)
        print("explanations (ig, occlusion, attention, attattr; 20 and 5 points): %.1f s wall, "
              "%.1f s CPU per minimal pair; %.1f s wall, %.1f s CPU per masked template" %
              (e["pair"][0], e["pair"][1], e["template"][0], e["template"][1]))


if __name__ == "__main__":
    main()
