#!/usr/bin/python3
"""Gradient goldens for the tiny checkpoints of tests/golden/models (make_models.py), computed
by PyTorch autograd in float64 on an implementation of Hugging Face's forward semantics written
from the architectures' definitions (make_models.py's building blocks, with hooks added here).

    /usr/bin/python3 tests/reference/make_gradients.py [tests/golden/models] [tests/golden/gradients]

Needs Debian's python3-torch. Reads each model's config.json and model.safetensors (it does not
rebuild them) and writes one file per architecture, ARCH.safetensors, in the layout of
golden.safetensors: I32 tensors for token ids, F32 for everything else. Before writing, it
checks its forward against make_models.forward (hidden states and logits to 1e-5: that one
runs in float32) and a few
input-embedding gradients against central finite differences (to 1e-6 relative), and prints
each Integrated Gradients completeness gap.

Conventions (the engine's gradient wiring is tested against these files to 1e-4 relative:
max |got - want| / max |want| per array):

Inputs. Every case is one sequence run alone, without padding (sequences never interact, so
the engine may pack all cases of a file into one batch). Token types are all 0. Positions are
0..T-1, or pad_token_id+1 .. pad_token_id+T for RoBERTa and XLM-R (what Hugging Face derives
from inputs_embeds). Encoder sequences start with a [CLS]-like id and end with a [SEP]-like id:
2 ... 3 for BERT, DistilBERT and ELECTRA, 0 ... 2 for RoBERTa and XLM-R; the mask id is 4 for
every encoder (the tiny models share one 96-token vocabulary; 4 is BERT's [MASK]).

What the gradients are taken with respect to:
  CASE.grad.inputs_embeds      [T,E]   the word-embedding rows wte[ids] (Hugging Face's
                                       inputs_embeds; E = 16 for ELECTRA), before positions,
                                       token types, the embedding LayerNorm and ELECTRA's
                                       projection are applied
  CASE.grad.hidden.L           [T,C]   Hugging Face's hidden_states[L], as make_models names
                                       them: hidden.0 after the embedding LayerNorm (and
                                       projection), hidden.L the output of block L-1, GPT-2's
                                       last one after ln_f
  CASE.grad.layer.L.attn.probs [H,T,T] block L's attention probabilities as P V uses them; 0
                                       where GPT-2's causal mask holds them at 0 (constants)

Cases and targets (CASE.value [1] holds the target's value, natural logs):
  logprob       encoders with an MLM head (bert, roberta, electra, distilbert): ids
                [CLS 17 33 MASK 51 60 28 SEP]; log softmax(logits[3])[23].
                logprob.target = [3, 23] (position, token)
  logprob_diff  the same input: log P(23) - log P(40) at position 3. target = [3, 23, 40]
  loglik        gpt2: ids [17 33 45 51 60 28 70]; sum over i >= 1 of log P(ids[i] | ids[<i]),
                i.e. log softmax(logits[i-1])[ids[i]]. target = [1] (the first scored position)
  next_token    gpt2: ids [17 33 45 51 60]; log softmax(logits[4])[28]. target = [4, 28]
  cosine        every architecture: cos(mean(a), mean(b)) of two sentences' last hidden
                states, each the mean over all its tokens (specials included, as the engine's
                pooled.mean): a = [CLS 17 33 45 51 SEP], b = [CLS 70 33 81 9 12 57 SEP] (GPT-2:
                without the specials). Its gradients are under cosine.a.* and cosine.b.*.

Integrated Gradients (Sundararajan et al. 2017) on inputs_embeds, explaining ig.case's target
(logprob for the MLM encoders, next_token for GPT-2, cosine.a for XLM-R, sentence b held fixed):
  baselines   "mask": every row not kept becomes wte[4] (the mask token's embedding row);
              "zero": every row not kept becomes 0. GPT-2 has no mask token: zero only.
  kept rows   ig.keep [T] (1 = the baseline keeps x's row): the special tokens and, for
              logprob, the masked position being predicted. Positions and token types are
              never part of the path: they are added to every point of it.
  path        x' + alpha (x - x'), Riemann middle: alpha_k = (k + 1/2)/m, weight 1/m, for
              m = 16 and 64
  ig.BASELINE.M.attr [T]  sum_e (x - x')[t,e] (1/m) sum_k df/dx[t,e] at the k-th point
  ig.BASELINE.value_baseline [1]  f(x'); f(x) is the case's value
AttAttr (Hao et al. 2021), bert only, explaining logprob: for each block L, every head's
probabilities scaled together by alpha (the other blocks untouched), the gradient taken with
respect to the scaled matrix, Riemann middle with 16 steps:
  attattr.layer.L [H,T,T]  A * (1/16) sum_k dF/dA_used at alpha_k A
  attattr.layer.L.value_zero [1]  F with that block's attention at 0 (the path's start)
"""
import json
import math
import os
import struct
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_models as mm  # noqa: E402  (the architectures' building blocks)

F = torch.nn.functional
torch.set_default_dtype(torch.float64)
MASK = 4
SPECIALS = {"roberta": (0, 2), "xlm-roberta": (0, 2)}  # others: (2, 3), BERT's [CLS] [SEP]
ARCHS = ("bert", "roberta", "xlm-roberta", "electra", "distilbert", "gpt2")


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    out = {}
    for name, h in header.items():
        if name == "__metadata__":
            continue
        a, b = h["data_offsets"]
        dt = {"F32": np.float32, "I32": np.int32}[h["dtype"]]
        arr = np.frombuffer(raw[8 + n + a:8 + n + b], dtype=dt).reshape(h["shape"])
        out[name] = torch.from_numpy(arr.copy())
    return out


class Model:
    """One tiny checkpoint in float64, with the forward's hooks: inputs_embeds in, a scale
    on one block's attention probabilities, every hidden state and probability matrix kept."""

    def __init__(self, folder):
        with open(os.path.join(folder, "config.json")) as f:
            self.cfg = json.load(f)
        self.W = {k: v.double() for k, v in read_safetensors(os.path.join(folder, "model.safetensors")).items()}
        cfg, arch = self.cfg, self.cfg["model_type"]
        self.arch = arch
        self.E = cfg.get("embedding_size", mm.C)
        self.eps = cfg.get("layer_norm_eps", cfg.get("layer_norm_epsilon", 1e-12))
        self.act = cfg.get("hidden_act", cfg.get("activation", cfg.get("activation_function")))
        self.types = cfg.get("type_vocab_size", 0)
        self.pad = cfg.get("pad_token_id")
        self.names = {"gpt2": mm.GPT2, "distilbert": mm.DISTIL}.get(arch, mm.ENCODER)
        self.prefix = mm.PREFIX[arch]
        self.head = mm.heads(arch, self.act, self.E)
        self.wte = self.W[self.prefix + ("wte.weight" if arch == "gpt2" else "embeddings.word_embeddings.weight")]
        self.causal = arch == "gpt2"

    def embeds(self, ids):
        return self.wte[torch.tensor(ids).long()].clone()

    def attention(self, x, p, scale):
        """Hugging Face's eager attention for one unpadded sequence; returns the output and
        the probability matrix P V used (scaled), for gradients."""
        names, W, T, C, H = self.names, self.W, x.shape[0], mm.C, mm.H
        if names["fused"]:
            q, k, v = (x @ W[p + names["q"] + ".weight"] + W[p + names["q"] + ".bias"]).split(C, dim=-1)
        else:
            q, k, v = (F.linear(x, W[p + names[s] + ".weight"], W[p + names[s] + ".bias"]) for s in ("q", "k", "v"))
        heads = lambda t: t.view(T, H, C // H).transpose(0, 1)
        q, k, v = heads(q), heads(k), heads(v)
        scores = q @ k.transpose(-1, -2) / math.sqrt(C // H)
        if self.causal:
            scores = scores.masked_fill(~torch.ones(T, T, dtype=torch.bool).tril(), torch.finfo(scores.dtype).min)
        used = scores.softmax(-1) * scale
        if used.requires_grad:
            used.retain_grad()
        out = (used @ v).transpose(0, 1).reshape(T, C)
        return mm.proj(out, W, p + names["o"], names["fused"]), used

    def forward(self, emb, scale_layer=None, scale=1.0):
        """emb [T,E] (requires grad): hidden states, probabilities (as used) and logits."""
        arch, W, T, names, eps = self.arch, self.W, emb.shape[0], self.names, self.eps
        pos = torch.arange(T) + (self.pad + 1 if arch in ("roberta", "xlm-roberta") else 0)
        if arch == "gpt2":
            x = emb + W[self.prefix + "wpe.weight"][pos]
        else:
            x = emb + W[self.prefix + "embeddings.position_embeddings.weight"][pos]
            if self.types:
                x = x + W[self.prefix + "embeddings.token_type_embeddings.weight"][torch.zeros(T).long()]
            x = mm.layer_norm(x, W, self.prefix + "embeddings.LayerNorm", eps)
            if self.E != mm.C:
                x = mm.proj(x, W, self.prefix + "embeddings_project", False)
        hidden, probs, conv = [x], [], names["fused"]
        for l in range(mm.L):
            p = self.prefix + names["layer"] % l
            s = scale if l == scale_layer else 1.0
            if self.causal:
                a, used = self.attention(mm.layer_norm(x, W, p + names["ln1"], eps), p, s)
                x = x + a
                h = mm.layer_norm(x, W, p + names["ln2"], eps)
                x = x + mm.proj(mm.gelu(mm.proj(h, W, p + names["ff1"], conv), self.act), W, p + names["ff2"], conv)
                if l == mm.L - 1:
                    x = mm.layer_norm(x, W, self.prefix + "ln_f", eps)
            else:
                a, used = self.attention(x, p, s)
                x = mm.layer_norm(x + a, W, p + names["ln1"], eps)
                f = mm.proj(mm.gelu(mm.proj(x, W, p + names["ff1"], conv), self.act), W, p + names["ff2"], conv)
                x = mm.layer_norm(x + f, W, p + names["ln2"], eps)
            hidden.append(x)
            probs.append(used)
        for h in hidden:
            if h.requires_grad:
                h.retain_grad()
        logits = None
        if arch == "gpt2":
            logits = x @ self.wte.T
        elif self.head:
            d, ln, dec, bias, _, act = self.head
            logits = mm.mlm_head(x, W, d, ln, dec, bias, act, eps, self.wte)
        return {"hidden": hidden, "probs": probs, "logits": logits}


def lsm(row, t):
    return F.log_softmax(row, -1)[t]


def wrap(model, ids):
    cls, sep = SPECIALS.get(model.arch, (2, 3))
    return ids if model.causal else [cls] + ids + [sep]


def cases(model):
    """(name, ids, target function of the forward's outputs, target ids) for the model."""
    out = []
    if model.head and not model.causal:
        ids = wrap(model, [17, 33, MASK, 51, 60, 28])
        out.append(("logprob", ids, lambda o: lsm(o["logits"][3], 23), [3, 23]))
        out.append(("logprob_diff", ids, lambda o: lsm(o["logits"][3], 23) - lsm(o["logits"][3], 40),
                    [3, 23, 40]))
    if model.causal:
        ll = [17, 33, 45, 51, 60, 28, 70]
        out.append(("loglik", ll, lambda o: sum(lsm(o["logits"][i - 1], ll[i]) for i in range(1, len(ll))), [1]))
        out.append(("next_token", [17, 33, 45, 51, 60], lambda o: lsm(o["logits"][4], 28), [4, 28]))
    return out


def grads(model, ids, target, scale_layer=None, scale=1.0, emb=None):
    """The target's value and its gradients with respect to inputs_embeds, every hidden state
    and every block's probabilities (as used)."""
    emb = (model.embeds(ids) if emb is None else emb.clone()).requires_grad_(True)
    out = model.forward(emb, scale_layer, scale)
    f = target(out)
    f.backward()
    g = {"grad.inputs_embeds": emb.grad.detach().clone()}
    for l, h in enumerate(out["hidden"]):
        g["grad.hidden.%d" % l] = h.grad.detach().clone()
    for l, p in enumerate(out["probs"]):
        d = p.grad.detach().clone()
        if model.causal:  # masked entries are constants: no gradient
            d = d * torch.ones_like(d).tril()
        g["grad.layer.%d.attn.probs" % l] = d
    return f.item(), g, out


def cosine_grads(model, a_ids, b_ids):
    ea = model.embeds(a_ids).requires_grad_(True)
    eb = model.embeds(b_ids).requires_grad_(True)
    oa, ob = model.forward(ea), model.forward(eb)
    f = F.cosine_similarity(oa["hidden"][-1].mean(0), ob["hidden"][-1].mean(0), dim=0)
    f.backward()
    g = {}
    for side, e, o in (("a", ea, oa), ("b", eb, ob)):
        g[side + ".grad.inputs_embeds"] = e.grad.detach().clone()
        for l, h in enumerate(o["hidden"]):
            g[side + ".grad.hidden.%d" % l] = h.grad.detach().clone()
        for l, p in enumerate(o["probs"]):
            d = p.grad.detach().clone()
            g[side + ".grad.layer.%d.attn.probs" % l] = d * torch.ones_like(d).tril() if model.causal else d
    return f.item(), g


def check_forward(model, ids):
    """This forward against make_models.forward (the one the engine's goldens come from), run
    as it was for them: in float32 (its additive mask is float32)."""
    t = torch.tensor([ids], dtype=torch.int32)
    W32 = {k: v.float() for k, v in model.W.items()}
    ref = mm.forward(model.cfg, W32, t, torch.ones_like(t), torch.zeros_like(t))
    with torch.no_grad():
        out = model.forward(model.embeds(ids))
    for l, h in enumerate(out["hidden"]):
        assert (h - ref["hidden.%d" % l][0]).abs().max() < 1e-5, (model.arch, l)
    if out["logits"] is not None:
        assert (out["logits"] - ref["logits"][0]).abs().max() < 1e-5, model.arch


def check_fd(model, ids, target, g):
    """A few input-embedding gradients against central differences."""
    rng = np.random.default_rng(7)
    with torch.no_grad():
        for _ in range(3):
            t, e = int(rng.integers(len(ids))), int(rng.integers(model.E))
            x = model.embeds(ids)
            x[t, e] += 1e-5
            up = target(model.forward(x)).item()
            x[t, e] -= 2e-5
            down = target(model.forward(x)).item()
            fd, an = (up - down) / 2e-5, g["grad.inputs_embeds"][t, e].item()
            assert abs(fd - an) <= 1e-6 * max(1.0, abs(an)), (model.arch, fd, an)


def integrated_gradients(model, ids, target, keep, baseline, m):
    x = model.embeds(ids)
    fill = model.wte[MASK] if baseline == "mask" else torch.zeros(model.E)
    base = torch.where(torch.tensor(keep, dtype=torch.bool)[:, None], x, fill.expand_as(x))
    total = torch.zeros_like(x)
    for k in range(m):
        alpha = (k + 0.5) / m
        _, g, _ = grads(model, ids, target, emb=base + alpha * (x - base))
        total += g["grad.inputs_embeds"] / m
    with torch.no_grad():
        fb = target(model.forward(base)).item()
    return ((x - base) * total).sum(-1), fb


def attattr(model, ids, target, m=16):
    out = {}
    with torch.no_grad():
        A = model.forward(model.embeds(ids))["probs"]
    for l in range(mm.L):
        total = torch.zeros_like(A[l])
        for k in range(m):
            _, g, _ = grads(model, ids, target, scale_layer=l, scale=(k + 0.5) / m)
            total += g["grad.layer.%d.attn.probs" % l] / m
        out["attattr.layer.%d" % l] = A[l] * total
        with torch.no_grad():
            out["attattr.layer.%d.value_zero" % l] = torch.tensor(
                [target(model.forward(model.embeds(ids), l, 0.0)).item()])
    return out


def build(model):
    G = {}
    primary = None
    for name, ids, target, tgt in cases(model):
        check_forward(model, ids)
        f, g, _ = grads(model, ids, target)
        check_fd(model, ids, target, g)
        G[name + ".ids"] = torch.tensor(ids, dtype=torch.int32)
        G[name + ".target"] = torch.tensor(tgt, dtype=torch.int32)
        G[name + ".value"] = torch.tensor([f])
        G.update({name + "." + k: v for k, v in g.items()})
        if name in ("logprob", "next_token"):
            primary = (name, ids, target, f)
    a_ids = wrap(model, [17, 33, 45, 51])
    b_ids = wrap(model, [70, 33, 81, 9, 12, 57])
    f, g = cosine_grads(model, a_ids, b_ids)
    G["cosine.a.ids"] = torch.tensor(a_ids, dtype=torch.int32)
    G["cosine.b.ids"] = torch.tensor(b_ids, dtype=torch.int32)
    G["cosine.value"] = torch.tensor([f])
    G.update({"cosine." + k: v for k, v in g.items()})
    if primary is None:  # XLM-R: the cosine, attributed to sentence a, b held fixed
        with torch.no_grad():
            hb = model.forward(model.embeds(b_ids))["hidden"][-1].mean(0)
        target = lambda o: F.cosine_similarity(o["hidden"][-1].mean(0), hb, dim=0)
        primary = ("cosine.a", a_ids, target, f)
    name, ids, target, fx = primary
    keep = [0] * len(ids)
    if not model.causal:
        keep[0] = keep[-1] = 1
    if name == "logprob":
        keep[3] = 1
    G["ig.keep"] = torch.tensor(keep, dtype=torch.int32)
    for baseline in ("zero",) if model.causal else ("mask", "zero"):
        for m in (16, 64):
            attr, fb = integrated_gradients(model, ids, target, keep, baseline, m)
            gap = abs(attr.sum().item() - (fx - fb)) / max(abs(fx - fb), 1e-2)
            print("  %-11s IG %s baseline, %2d steps: f(x) - f(x') = %+.4f, completeness gap %.2e"
                  % (model.arch, baseline, m, fx - fb, gap))
            if m == 64:
                assert gap < 0.01, (model.arch, baseline, gap)
            G["ig.%s.%d.attr" % (baseline, m)] = attr.detach()
        G["ig.%s.value_baseline" % baseline] = torch.tensor([fb])
    if model.arch == "bert":
        G.update(attattr(model, ids, target))
        for l in range(mm.L):
            s = G["attattr.layer.%d" % l].sum().item()
            delta = fx - G["attattr.layer.%d.value_zero" % l].item()
            print("  bert        AttAttr layer %d: sum %+.4f, F(A) - F(0) %+.4f" % (l, s, delta))
    return {k: v.detach().float() if v.dtype == torch.float64 else v for k, v in G.items()}


def main(models, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    for arch in ARCHS:
        model = Model(os.path.join(models, arch))
        G = build(model)
        mm.write_safetensors(os.path.join(out_dir, arch + ".safetensors"), G)
        print("%s: %d tensors" % (arch, len(G)))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "tests/golden/models",
         sys.argv[2] if len(sys.argv) > 2 else "tests/golden/gradients")
