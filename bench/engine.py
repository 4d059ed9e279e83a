#!/usr/bin/python3
"""Engine speed and memory, Mizani against PyTorch CPU, measured in one run on the same random
weights of a BERT-base-shaped model (12 layers, hidden 768, 12 heads, vocab 30522).

    /usr/bin/python3 bench/engine.py [BUILD_DIR] [--before OLD_BUILD_DIR] [--threads N]

Needs Debian's python3-torch (scripts/install-deps.sh --refs) and, for ONNX Runtime, its npm
package (cd bench && npm install --ignore-scripts --no-save onnxruntime-node; skipped with a
note when absent). Writes the 440 MB checkpoint and its ONNX export to $TMPDIR/mizani-bench-bert
once. PyTorch runs the Hugging Face BERT forward in eager mode (the operations of BertModel,
default threading, no_grad), best of 3:
  1. fixed shape: a batch of 8 x 128 tokens; tokens/s of PyTorch, ONNX Runtime (the same
     weights exported by torch.onnx at opset 14, as many intra-op threads as cores, all graph
     optimisations) and Mizani, and achieved GFLOP/s next to the SGEMM peak that the same build
     of OpenBLAS reaches on this machine;
  2. probe workload: the UDHR's sentences and the minimal pairs, English and Swahili (lengths
     from BERT-style pre-tokenisation, words and punctuation, plus [CLS] and [SEP]); PyTorch in
     Hugging Face style (batches of 32 in corpus order, padded to the longest), Mizani with its
     own batching (length-sorted, padding never computed).
Every time is given as wall and CPU seconds: on a machine shared with other work, --threads 1
(each engine on one thread) makes CPU seconds the measure of the code's own speed.
Peak RSS of the Mizani process is printed against the weight file's size. With --before, an
older build's engine_bench runs alternately with this one, 5 rounds of each measurement, and the
medians are compared (speed and peak memory, new / old).
"""
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "reference"))
from make_models import write_safetensors  # noqa: E402

L, C, H, FF, V, P = 12, 768, 12, 3072, 30522, 512
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def make_model(d):
    if os.path.exists(os.path.join(d, "model.safetensors")):
        return
    os.makedirs(d, exist_ok=True)
    g = torch.Generator().manual_seed(7)
    r = lambda *s: torch.randn(*s, generator=g) * 0.02
    W = {"embeddings.word_embeddings.weight": r(V, C), "embeddings.position_embeddings.weight": r(P, C),
         "embeddings.token_type_embeddings.weight": r(2, C),
         "embeddings.LayerNorm.weight": torch.ones(C), "embeddings.LayerNorm.bias": torch.zeros(C)}
    for l in range(L):
        p = "encoder.layer.%d." % l
        for n, o, i in (("attention.self.query", C, C), ("attention.self.key", C, C),
                        ("attention.self.value", C, C), ("attention.output.dense", C, C),
                        ("intermediate.dense", FF, C), ("output.dense", C, FF)):
            W[p + n + ".weight"], W[p + n + ".bias"] = r(o, i), r(o)
        for n in ("attention.output.LayerNorm", "output.LayerNorm"):
            W[p + n + ".weight"], W[p + n + ".bias"] = torch.ones(C), torch.zeros(C)
    write_safetensors(os.path.join(d, "model.safetensors"), W)
    cfg = {"model_type": "bert", "vocab_size": V, "hidden_size": C, "num_hidden_layers": L,
           "num_attention_heads": H, "intermediate_size": FF, "max_position_embeddings": P,
           "hidden_act": "gelu", "layer_norm_eps": 1e-12, "type_vocab_size": 2}
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(cfg, f)


def torch_weights(d):
    """Reads the same safetensors file back (F32 only) into torch tensors."""
    with open(os.path.join(d, "model.safetensors"), "rb") as f:
        n = int.from_bytes(f.read(8), "little")
        header = json.loads(f.read(n))
        data = f.read()
    W = {}
    for k, v in header.items():
        b, e = v["data_offsets"]
        W[k] = torch.frombuffer(bytearray(data[b:e]), dtype=torch.float32).view(v["shape"])
    return W


def bert_forward(W, ids, mask):
    """BertModel's eager forward: embeddings, 12 post-LN layers, last hidden state."""
    F = torch.nn.functional
    B, T = ids.shape
    x = W["embeddings.word_embeddings.weight"][ids] + \
        W["embeddings.position_embeddings.weight"][:T] + W["embeddings.token_type_embeddings.weight"][0]
    x = F.layer_norm(x, (C,), W["embeddings.LayerNorm.weight"], W["embeddings.LayerNorm.bias"], 1e-12)
    ext = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
    lin = lambda t, n: F.linear(t, W[n + ".weight"], W[n + ".bias"])
    for l in range(L):
        p = "encoder.layer.%d." % l
        heads = lambda t: t.view(B, T, H, C // H).transpose(1, 2)
        q, k, v = (heads(lin(x, p + "attention.self." + s)) for s in ("query", "key", "value"))
        a = (q @ k.transpose(-1, -2) / math.sqrt(C // H) + ext).softmax(-1)
        a = (a @ v).transpose(1, 2).reshape(B, T, C)
        x = F.layer_norm(lin(a, p + "attention.output.dense") + x, (C,),
                         W[p + "attention.output.LayerNorm.weight"], W[p + "attention.output.LayerNorm.bias"], 1e-12)
        f = lin(F.gelu(lin(x, p + "intermediate.dense")), p + "output.dense")
        x = F.layer_norm(f + x, (C,), W[p + "output.LayerNorm.weight"], W[p + "output.LayerNorm.bias"], 1e-12)
    return x


class Bert(torch.nn.Module):
    """bert_forward as a module, so torch.onnx can export it with the weights as initialisers."""
    def __init__(self, W):
        super().__init__()
        self.names = list(W)
        self.w = torch.nn.ParameterList([torch.nn.Parameter(W[n], requires_grad=False) for n in self.names])

    def forward(self, ids, mask):
        return bert_forward(dict(zip(self.names, self.w)), ids, mask)


def onnx_seconds(d, W, B, T):
    """ONNX Runtime's best time on the same batch shape, or None without its npm package."""
    ort = os.path.join(ROOT, "bench", "node_modules", "onnxruntime-node")
    if not os.path.isdir(ort):
        print("ONNX Runtime: skipped (cd bench && npm install --ignore-scripts --no-save onnxruntime-node)")
        return None
    path = os.path.join(d, "model.onnx")
    if not os.path.exists(path):
        ids, mask = torch.zeros(B, T, dtype=torch.long), torch.ones(B, T, dtype=torch.long)
        torch.onnx.export(Bert(W), (ids, mask), path, opset_version=14, input_names=["ids", "mask"],
                          dynamic_axes={"ids": {0: "b", 1: "t"}, "mask": {0: "b", 1: "t"}})
    out = subprocess.run(["node", os.path.join(ROOT, "bench", "engine_ort.js"), path, str(B), str(T),
                          "5", str(THREADS or os.cpu_count())], check=True, capture_output=True,
                         text=True)
    return [float(x) for x in out.stdout.split()]


def median(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2]


def before_after(new, old, d, lens_file):
    """Medians of 5 alternating rounds of each build: speed and peak memory, new / old."""
    runs = {k: {"new": [], "old": []} for k in ("fixed", "workload")}
    for _ in range(5):
        for tag, build in (("new", new), ("old", old)):
            runs["fixed"][tag].append(mizani(build, "fixed", d, 8, 128, 3))
            runs["workload"][tag].append(mizani(build, "workload", d, lens_file, 1))
    for k, r in runs.items():
        med = lambda tag, i: median([x[i] for x in r[tag]])
        t_new, t_old, m_new, m_old = med("new", 0), med("old", 0), med("new", 2), med("old", 2)
        cpu = ""
        if all(x[1] is not None for x in r["new"] + r["old"]):
            cpu = "; CPU old %.3f s, new %.3f s: %.3fx" % (med("old", 1), med("new", 1),
                                                          med("old", 1) / med("new", 1))
        print("before/after, %s (medians of 5): wall old %.3f s, new %.3f s: %.3fx%s; peak RSS old "
              "%.0f MB, new %.0f MB: %.3fx" % (k, t_old, t_new, t_old / t_new, cpu, m_old / 1e6,
                                               m_new / 1e6, m_new / m_old))


def best_of(n, fn):
    """Best wall and CPU seconds (all of the process's threads) of n calls."""
    best, cpu = math.inf, math.inf
    for _ in range(n):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        best, cpu = min(best, time.perf_counter() - t0), min(cpu, time.process_time() - c0)
    return best, cpu


def sentence_lengths():
    """The sentences an audit feeds the model: UDHR sentences and both sides of every minimal
    pair, in English and Swahili, in corpus order (so Hugging Face-style batches mix lengths)."""
    corpora = os.path.join(ROOT, "corpora")
    with open(os.path.join(corpora, "parallel", "udhr-en-sw.json")) as f:
        sents = [x for s in json.load(f)["segments"] for lang in ("en", "sw")
                 for x in re.split(r"(?<=[.;:])\s+", s[lang]) if x.strip()]
    for lang in ("en", "sw"):
        with open(os.path.join(corpora, "minimal-pairs", "pairs-%s.json" % lang)) as f:
            sents += [p[k] for p in json.load(f)["pairs"] for k in ("more", "less")]
    return [min(128, len(re.findall(r"\w+|[^\w\s]", x)) + 2) for x in sents]


def flops(tokens_per_row):
    """Multiply-adds x 2 of the encoder for rows of the given lengths."""
    per_tok = 2 * (4 * C * C + 2 * C * FF) * L
    return sum(n * per_tok + 4 * n * n * C * L for n in tokens_per_row)


THREADS = None  # --threads N: every engine at N threads (1 isolates compute on a shared machine)


def mizani_raw(build, *args):
    env = dict(os.environ, MZ_BENCH_THREADS=str(THREADS)) if THREADS else None
    out = subprocess.run([os.path.join(build, "bench", "engine_bench"), *map(str, args)],
                         check=True, capture_output=True, text=True, env=env).stdout.split()
    return [float(v) for v in out]


def mizani(build, *args):
    """(wall seconds, CPU seconds, peak RSS) of engine_bench; builds from before the CPU time
    was printed give (wall, None, rss)."""
    x = mizani_raw(build, *args)
    return (x[0], x[1], x[2]) if len(x) == 3 else (x[0], None, x[1])


def main():
    global THREADS
    args = sys.argv[1:]
    old = None
    if "--threads" in args:
        i = args.index("--threads")
        THREADS = int(args[i + 1])
        torch.set_num_threads(THREADS)
        del args[i:i + 2]
    if "--before" in args:
        i = args.index("--before")
        old = args[i + 1]
        del args[i:i + 2]
    build = args[0] if args else os.path.join(ROOT, "build")
    d = os.path.join(tempfile.gettempdir(), "mizani-bench-bert")
    make_model(d)
    size = os.path.getsize(os.path.join(d, "model.safetensors"))
    W = torch_weights(d)
    torch.manual_seed(0)
    print("PyTorch %s (default threading: %d intra-op threads, its BLAS on all cores); "
          "%d cores; weights %.0f MB" % (torch.__version__, torch.get_num_threads(), os.cpu_count(), size / 1e6))

    peak, *shapes = mizani_raw(build, "sgemm")
    B, T = 8, 128
    ids, mask = torch.randint(0, V, (B, T)), torch.ones(B, T, dtype=torch.long)
    with torch.no_grad():
        t_torch = best_of(3, lambda: bert_forward(W, ids, mask))
    (t_torch, c_torch) = t_torch
    t_mz, c_mz, rss = mizani(build, "fixed", d, B, T, 3)
    gf = flops([T] * B) / 1e9
    t_peak = c_mz if THREADS == 1 else t_mz  # one thread: CPU seconds, as the peak was measured
    print("fixed 8x128: PyTorch %.0f tokens/s (%.0f GFLOP/s), Mizani %.0f tokens/s (%.0f GFLOP/s), "
          "ratio %.2fx (CPU time %.2fx); OpenBLAS SGEMM peak %.0f GFLOP/s, Mizani at %.0f%% of it"
          % (B * T / t_torch, gf / t_torch, B * T / t_mz, gf / t_mz, t_torch / t_mz, c_torch / c_mz,
             peak, 100 * gf / t_peak / peak))
    ort = onnx_seconds(d, W, B, T)
    if ort:
        print("fixed 8x128: ONNX Runtime %.0f tokens/s (%.0f GFLOP/s, %d threads); Mizani / ONNX "
              "Runtime %.2fx (CPU time %.2fx)"
              % (B * T / ort[0], gf / ort[0], THREADS or os.cpu_count(), ort[0] / t_mz,
                 ort[1] / c_mz))
    print("OpenBLAS SGEMM alone at the layer's shapes (1024 tokens; 768x768, 768->3072, 3072->768): "
          "%.0f, %.0f, %.0f GFLOP/s = %.0f%%, %.0f%%, %.0f%% of the peak"
          % (*shapes, *(100 * x / peak for x in shapes)))

    lens = sentence_lengths()
    def hf_style():
        for i in range(0, len(lens), 32):
            chunk = lens[i:i + 32]
            m = torch.zeros(len(chunk), max(chunk), dtype=torch.long)
            for r, n in enumerate(chunk):
                m[r, :n] = 1
            bert_forward(W, torch.randint(0, V, m.shape), m)
    with torch.no_grad():
        t_torch, c_torch = best_of(3, hf_style)
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write("\n".join(map(str, lens)))
    t_mz, c_mz, rss2 = mizani(build, "workload", d, f.name, 3)
    if old:
        before_after(build, old, d, f.name)
    os.unlink(f.name)
    print("probe workload: %d sentences, %d tokens (mean %.1f): PyTorch %.1f sentences/s, "
          "Mizani %.1f sentences/s, ratio %.2fx (CPU time %.2fx)"
          % (len(lens), sum(lens), sum(lens) / len(lens), len(lens) / t_torch, len(lens) / t_mz,
             t_torch / t_mz, c_torch / c_mz))
    print("Mizani peak RSS %.0f MB = %.2fx the weight file (fixed), %.2fx (workload)"
          % (max(rss, rss2) / 1e6, rss / size, rss2 / size))


if __name__ == "__main__":
    main()
