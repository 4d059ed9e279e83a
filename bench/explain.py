#!/usr/bin/python3
"""Integrated Gradients' cost, Mizani against PyTorch autograd in the same run: one 32-token
sentence with a mask token in the middle, 50 points on the path from the zero baseline (Riemann
middle), the log-probability of a token at the masked position as the target, on a model of
BERT-base's shape with its masked-LM head (random weights; bench/pairs.py writes it once).

    /usr/bin/python3 bench/explain.py [BUILD_DIR] [--threads N]

PyTorch runs BertForMaskedLM's eager operations on inputs_embeds that require a gradient (the
weights do not), all 50 points as one batch, as Captum's IntegratedGradients does with
internal_batch_size=50; Mizani packs the 50 points into one batch, keeps the forward's caches and
runs its backward pass to the token embeddings. Best of 3; wall and CPU seconds (on a shared
machine, --threads 1 makes CPU seconds the code's own measure) and Mizani's peak RSS.
"""
import math
import os
import subprocess
import sys
import tempfile
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from engine import torch_weights  # noqa: E402
from pairs import SHAPES, make_model  # noqa: E402

T, STEPS, L, C, H = 32, 50, 12, 768, 12
F = torch.nn.functional


def forward(W, emb):
    """BertForMaskedLM on inputs_embeds [B,T,C]: logits [B,T,V]."""
    B = emb.shape[0]
    p = "bert."
    x = emb + W[p + "embeddings.position_embeddings.weight"][:T] + W[p + "embeddings.token_type_embeddings.weight"][0]
    x = F.layer_norm(x, (C,), W[p + "embeddings.LayerNorm.weight"], W[p + "embeddings.LayerNorm.bias"], 1e-12)
    lin = lambda t, n: F.linear(t, W[n + ".weight"], W[n + ".bias"])
    heads = lambda t: t.view(B, T, H, C // H).transpose(1, 2)
    for l in range(L):
        q = p + "encoder.layer.%d." % l
        qq, kk, vv = (heads(lin(x, q + "attention.self." + s)) for s in ("query", "key", "value"))
        a = (qq @ kk.transpose(-1, -2) / math.sqrt(C // H)).softmax(-1)
        a = (a @ vv).transpose(1, 2).reshape(B, T, C)
        x = F.layer_norm(lin(a, q + "attention.output.dense") + x, (C,),
                         W[q + "attention.output.LayerNorm.weight"], W[q + "attention.output.LayerNorm.bias"], 1e-12)
        f = lin(F.gelu(lin(x, q + "intermediate.dense")), q + "output.dense")
        x = F.layer_norm(f + x, (C,), W[q + "output.LayerNorm.weight"], W[q + "output.LayerNorm.bias"], 1e-12)
    h = F.gelu(lin(x, "cls.predictions.transform.dense"))
    h = F.layer_norm(h, (C,), W["cls.predictions.transform.LayerNorm.weight"],
                     W["cls.predictions.transform.LayerNorm.bias"], 1e-12)
    return h @ W[p + "embeddings.word_embeddings.weight"].T + W["cls.predictions.bias"]


def torch_ig(W, ids, at, target):
    """Attributions per token: (x - 0) * the mean gradient over the path's points."""
    x = W["bert.embeddings.word_embeddings.weight"][ids]  # [T,C]
    alphas = (torch.arange(STEPS, dtype=torch.float32) + 0.5) / STEPS
    path = (alphas[:, None, None] * x[None]).requires_grad_(True)
    logits = forward(W, path)
    logits[:, at].log_softmax(-1)[:, target].sum().backward()
    return (x * path.grad.mean(0)).sum(-1)


def main():
    args = sys.argv[1:]
    threads = None
    if "--threads" in args:
        i = args.index("--threads")
        threads = int(args[i + 1])
        torch.set_num_threads(threads)
        del args[i:i + 2]
    build = args[0] if args else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "build")
    d = os.path.join(tempfile.gettempdir(), "mizani-bench-pairs-bert-base")
    make_model(d, *SHAPES["bert-base"])
    W = {k: v for k, v in torch_weights(d).items()}
    ids = torch.randint(0, 30522, (T,), generator=torch.Generator().manual_seed(7))
    at = T // 2
    ids[at] = 103
    best, cpu = math.inf, math.inf
    for _ in range(3):
        t0, c0 = time.perf_counter(), time.process_time()
        torch_ig(W, ids, at, int(ids[at + 1]))
        best, cpu = min(best, time.perf_counter() - t0), min(cpu, time.process_time() - c0)
    env = dict(os.environ, MZ_BENCH_THREADS=str(threads)) if threads else None
    out = subprocess.run([os.path.join(build, "bench", "explain_bench"), d, str(T), str(STEPS), "3"],
                         check=True, capture_output=True, text=True, env=env).stdout.split()
    wall, mcpu, rss = float(out[0]), float(out[1]), float(out[2])
    size = os.path.getsize(os.path.join(d, "model.safetensors"))
    print("Integrated Gradients, %d tokens x %d steps, BERT-base shape with MLM head (%s threads): "
          "PyTorch autograd %.2f s (CPU %.2f s), Mizani %.2f s (CPU %.2f s): %.2fx wall, %.2fx CPU; "
          "Mizani peak RSS %.0f MB = %.2fx the weight file"
          % (T, STEPS, threads or os.cpu_count(), best, cpu, wall, mcpu, best / wall, cpu / mcpu,
             rss / 1e6, rss / size))


if __name__ == "__main__":
    main()
