#!/usr/bin/python3
"""Goldens for `mizani explain` (tests/test_explain.c): whole explanations of texts and minimal
pairs on the tiny BERT and GPT-2 checkpoints of tests/golden/models, computed in float64 with
PyTorch autograd on make_gradients.py's implementation of Hugging Face's forward semantics, and
everything around the model written here from the methods' definitions, not from Mizani's code:
a WordPiece tokenizer for the tiny vocabulary, the targets, Gauss-Legendre nodes from numpy,
baselines, Integrated Gradients, saliency, gradient x input, occlusion, raw attention, rollout,
norm-based attention, attention attribution's head importance and ERASER's curves.

    /usr/bin/python3 tests/reference/make_explain.py [tests/golden/models] [tests/golden/explain.json]

Conventions (what Mizani's explain job must do, and is checked to 1e-4 of each array's largest
magnitude):
- Masked LM texts carry one [MASK]; the target word's pieces replace it (a word of k pieces: k
  mask tokens, f = the sum of their log-probabilities); with a contrast, f = log P(target) -
  log P(contrast). Without a target, the model's most probable token there.
- Decoder texts (GPT-2, here with the tiny WordPiece tokenizer and no special tokens) predict
  the token after the text, or score a continuation token by token.
- Minimal pairs: each sentence's score as `mizani pairs` computes it, over the tokens the two
  sentences share (longest common subsequence of ids, specials excluded): the pseudo-log-
  likelihood (each scored token masked in its own copy of the sentence) or, for GPT-2, the
  log-likelihood of those tokens given the ones before.
- Integrated Gradients: Gauss-Legendre points on [0, 1]; baseline rows of the mask token's
  embedding (masked LMs) or zeros (GPT-2), special tokens and the target's tokens kept.
- Token scores of the attention views are read from the target's rows (the mask positions, the
  rows predicting the next or continuation tokens, the scored positions of a sentence) and
  averaged; raw attention and norm-based attention from the last layer.
- Words are the pre-tokenizer's words without the target's tokens; word scores sum their
  tokens'. Removing a word: its tokens become [MASK] (masked LMs) or are left out (GPT-2, where a
  context left empty is replaced by [CLS], the tokenizer's only start-like token).
"""
import json
import math
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_gradients as mg  # noqa: E402  (Model: float64 forward with hooks)
import make_models as mm  # noqa: E402

F = torch.nn.functional
torch.set_default_dtype(torch.float64)
MASK, CLS, SEP = 4, 2, 3
STEPS, ATT_STEPS = 16, 8
BINS = (0.01, 0.05, 0.10, 0.20, 0.50)


# ---- the tiny WordPiece tokenizer (tokenizer.json of tests/golden/models/bert)

def load_vocab(models):
    with open(os.path.join(models, "bert", "tokenizer.json")) as f:
        return json.load(f)["model"]["vocab"]


def pre_tokens(text):
    """BertPreTokenizer after lowercasing, [MASK] kept whole: (piece, word index) list."""
    words, i = [], 0
    while i < len(text):
        if text.startswith("[MASK]", i):
            words.append("[MASK]")
            i += 6
        elif text[i].isspace():
            i += 1
        elif not text[i].isalnum():
            words.append(text[i])
            i += 1
        else:
            j = i
            while j < len(text) and text[j].isalnum():
                j += 1
            words.append(text[i:j].lower())
            i = j
    return words


def wordpiece(word, vocab):
    if word == "[MASK]":
        return [MASK]
    out, start = [], 0
    while start < len(word):
        end = len(word)
        while end > start:
            piece = ("##" if start else "") + word[start:end]
            if piece in vocab:
                out.append(vocab[piece])
                break
            end -= 1
        if end == start:
            return [vocab["[UNK]"]]
        start = end
    return out


def encode(text, vocab, special):
    """ids and each token's word index (-1 for [CLS]/[SEP])."""
    ids, words = [], []
    for w, piece in enumerate(pre_tokens(text)):
        for t in wordpiece(piece, vocab):
            ids.append(t)
            words.append(w)
    if special:
        ids, words = [CLS] + ids + [SEP], [-1] + words + [-1]
    return ids, words


# ---- targets: f as terms over copies of the input

class Target:
    """copies: the position each copy masks (-1: none); terms (copy, row, token, weight);
    query: the rows the attention views read; keep: rows the baseline keeps; word_of: each
    token's word (-1: none); removes: words are left out rather than masked."""

    def __init__(self, ids, word_of, keep, copies, terms, query, removes=False):
        self.ids, self.word_of, self.keep = ids, word_of, keep
        self.copies, self.terms, self.query, self.removes = copies, terms, query, removes
        self.W = max(word_of) + 1 if any(w >= 0 for w in word_of) else 0


def renumber(word_of):
    """Words numbered in order of first appearance, skipping the ones left out."""
    seen, out = {}, []
    for w in word_of:
        if w < 0:
            out.append(-1)
            continue
        seen.setdefault(w, len(seen))
        out.append(seen[w])
    return out


def masked_text(model, vocab, text, target=None, contrast=None):
    ids, words = encode(text, vocab, True)
    at = ids.index(MASK)
    pieces = [wordpiece(p, vocab) for p in pre_tokens(target)] if target else [[None]]
    pieces = sum(pieces, [])
    k = len(pieces)
    ids = ids[:at] + [MASK] * k + ids[at + 1:]
    words = words[:at] + [-1] * k + words[at + 1:]
    pos = list(range(at, at + k))
    terms = []
    if target is None:
        with torch.no_grad():
            logits = model.forward(model.embeds(ids))["logits"]
        pieces = [int(logits[at].argmax())]
    for i, p in zip(pos, pieces):
        terms.append((0, i, p, 1.0))
    if contrast:
        for i, p in zip(pos, wordpiece(contrast, vocab)):
            terms.append((0, i, p, -1.0))
    keep = [1 if w < 0 else 0 for w in words]
    return Target(ids, renumber(words), keep, [-1], terms, pos), pieces


def decoder_text(vocab, text, target=None, continuation=None):
    ids, words = encode(text, vocab, False)
    n = len(ids)
    after = continuation or target
    more, _ = encode(after, vocab, False)
    if continuation:
        ids = ids + more
        words = words + [-1] * len(more)
        terms = [(0, n - 1 + i, t, 1.0) for i, t in enumerate(more)]
    else:
        terms = [(0, n - 1, more[0], 1.0)]
    query = [t[1] for t in terms]
    keep = [1 if w < 0 else 0 for w in words]
    return Target(ids, renumber(words), keep, [-1], terms, query, removes=True)


def lcs_shared(a, b):
    n, m = len(a), len(b)
    L = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            L[i][j] = L[i + 1][j + 1] + 1 if a[i] == b[j] else max(L[i + 1][j], L[i][j + 1])
    sa, sb, i, j = [0] * n, [0] * m, 0, 0
    while i < n and j < m:
        if a[i] == b[j]:
            sa[i] = sb[j] = 1
            i, j = i + 1, j + 1
        elif L[i + 1][j] >= L[i][j + 1]:
            i += 1
        else:
            j += 1
    return sa, sb


def sentence(vocab, text, other, causal):
    ids, words = encode(text, vocab, True)
    shared, _ = lcs_shared(ids, encode(other, vocab, True)[0])
    scored = [i for i in range(len(ids)) if shared[i] and words[i] >= 0 and (i > 0 or not causal)]
    keep = [1 if w < 0 else 0 for w in words]
    if causal:
        return Target(ids, words, keep, [-1], [(0, i - 1, ids[i], 1.0) for i in scored],
                      [i - 1 for i in scored], removes=True)
    return Target(ids, words, keep, scored, [(c, i, ids[i], 1.0) for c, i in enumerate(scored)],
                  scored)


# ---- the target's value and gradient

def value(model, tgt, emb, ids=None, scale_layer=None, scale=1.0, shift=0):
    """f at input embeddings emb [T,E] (a copy masks its position with the mask embedding)."""
    f = 0.0
    for c, masked in enumerate(tgt.copies):
        e = emb
        if masked >= 0:
            sel = torch.zeros(emb.shape[0], dtype=torch.bool)
            sel[masked] = True
            e = torch.where(sel[:, None], model.wte[MASK].expand_as(emb), emb)
        out = model.forward(e, scale_layer, scale)
        for cc, row, tok, w in tgt.terms:
            if cc == c:
                f = f + w * F.log_softmax(out["logits"][row - shift], -1)[tok]
    return f


def grad_at(model, tgt, emb, **kw):
    emb = emb.clone().requires_grad_(True)
    f = value(model, tgt, emb, **kw)
    f.backward()  # a copy's own masked row is the mask embedding, a constant: no gradient
    return f.item(), emb.grad.detach().clone()


def legendre(m):
    x, w = np.polynomial.legendre.leggauss(m)
    return (x + 1) / 2, w / 2


def baseline(model, tgt, causal):
    x = model.embeds(tgt.ids)
    fill = torch.zeros(x.shape[1]) if causal else model.wte[MASK]
    keep = torch.tensor(tgt.keep, dtype=torch.bool)[:, None]
    return x, torch.where(keep, x, fill.expand_as(x))


def gradient_methods(model, tgt, causal):
    x, base = baseline(model, tgt, causal)
    fx, g = grad_at(model, tgt, x)
    with torch.no_grad():
        fb = value(model, tgt, base).item()
    alpha, weight = legendre(STEPS)
    total = torch.zeros_like(x)
    for a, w in zip(alpha, weight):
        _, gk = grad_at(model, tgt, base + float(a) * (x - base))
        total += float(w) * gk
    ig = ((x - base) * total).sum(-1)
    return {"f_x": fx, "f_baseline": fb, "ig": ig.tolist(), "saliency": g.norm(dim=-1).tolist(),
            "grad_input": (g * x).sum(-1).tolist()}


# ---- attention views

def head_outputs(model, x_l, l):
    """f^h(x_j) [H,T,C]: each head's value vectors through its slice of the output projection
    (value bias in, output bias out; Kobayashi et al. 2020)."""
    names, W, T, C, H = model.names, model.W, x_l.shape[0], mm.C, mm.H
    p, d = model.prefix + names["layer"] % l, mm.C // mm.H
    if names["fused"]:
        v = (x_l @ W[p + names["q"] + ".weight"] + W[p + names["q"] + ".bias"])[:, 2 * C:]
        Wo = W[p + names["o"] + ".weight"]  # [in, out]
        return torch.stack([v[:, h * d:(h + 1) * d] @ Wo[h * d:(h + 1) * d, :] for h in range(H)])
    v = F.linear(x_l, W[p + names["v"] + ".weight"], W[p + names["v"] + ".bias"])
    Wo = W[p + names["o"] + ".weight"]  # [out, in]
    return torch.stack([v[:, h * d:(h + 1) * d] @ Wo[:, h * d:(h + 1) * d].T for h in range(H)])


def attention_views(model, tgt, causal):
    with torch.no_grad():
        out = model.forward(model.embeds(tgt.ids))
        A = [p.detach() for p in out["probs"]]  # [H,T,T] each
        T = A[0].shape[-1]
        roll = torch.eye(T)
        for a in A:
            aug = a.mean(0) + torch.eye(T)
            roll = (aug / aug.sum(-1, keepdim=True)) @ roll
        last = mm.L - 1
        x_l = out["hidden"][last]
        if causal:
            x_l = mm.layer_norm(x_l, model.W, model.prefix + model.names["layer"] % last + model.names["ln1"], model.eps)
        fx = head_outputs(model, x_l, last)
        norm = (A[last][:, :, :, None] * fx[:, None, :, :]).sum(0).norm(dim=-1)  # [T,T]
    q = tgt.query
    read = lambda m: m[q].mean(0).tolist()
    return {"attention": read(A[last].mean(0)), "rollout": read(roll), "norm": read(norm)}


def head_importance(model, tgt):
    alpha, weight = legendre(ATT_STEPS)
    imp = []
    for l in range(mm.L):
        total = 0
        for c, masked in enumerate(tgt.copies):
            one = Target(tgt.ids, tgt.word_of, tgt.keep, [masked],
                         [(0, r, t, w) for cc, r, t, w in tgt.terms if cc == c], tgt.query)
            ids = list(tgt.ids)
            if masked >= 0:
                ids[masked] = MASK
            with torch.no_grad():
                Ac = model.forward(model.embeds(ids))["probs"][l]
            acc = torch.zeros_like(Ac)
            for a, w in zip(alpha, weight):
                out = model.forward(model.embeds(ids).requires_grad_(True), l, float(a))
                f = sum(wt * F.log_softmax(out["logits"][r], -1)[t] for _, r, t, wt in one.terms)
                f.backward()
                d = out["probs"][l].grad.detach()
                if model.causal:
                    d = d * torch.ones_like(d).tril()
                acc += float(w) * d
            total = total + Ac * acc
        imp += total.flatten(1).max(-1).values.tolist()
    return imp


# ---- perturbations

def perturbed(tgt, keep):
    """ids and shift of the input with words not kept masked or left out."""
    ids = []
    for t, w in zip(tgt.ids, tgt.word_of):
        if w < 0 or keep[w]:
            ids.append(t)
        elif not tgt.removes:
            ids.append(MASK)
    shift = len(tgt.ids) - len(ids)
    if min(r for _, r, _, _ in tgt.terms) - shift < 0:
        ids, shift = [CLS] + ids, shift - 1
    return ids, shift


def score_ids(model, tgt, keep):
    ids, shift = perturbed(tgt, keep)
    with torch.no_grad():
        return value(model, tgt, model.embeds(ids), shift=shift).item()


def faithfulness(model, tgt, scores, fx):
    W = tgt.W
    order = sorted(range(W), key=lambda w: -scores[w])
    dele, ins = [], []
    for k in range(W + 1):
        top = set(order[:k])
        dele.append(score_ids(model, tgt, [w not in top for w in range(W)]))
        ins.append(score_ids(model, tgt, [w in top for w in range(W)]))
    area = lambda c: sum(0.5 * (c[k] + c[k + 1]) / W for k in range(W))
    ks = [max(1, math.ceil(q * W - 1e-9)) for q in BINS]
    return {"deletion": dele, "insertion": ins, "deletion_area": area(dele),
            "insertion_area": area(ins),
            "comprehensiveness": sum(fx - dele[k] for k in ks) / len(ks),
            "sufficiency": sum(fx - ins[k] for k in ks) / len(ks)}


def words_of(tgt, token_scores):
    out = [0.0] * tgt.W
    for t, w in enumerate(tgt.word_of):
        if w >= 0:
            out[w] += token_scores[t]
    return out


def explain(model, tgt, causal, perturb=True):
    g = gradient_methods(model, tgt, causal)
    g.update(attention_views(model, tgt, causal))
    g["head_importance"] = head_importance(model, tgt)
    g["ig_words"] = words_of(tgt, g["ig"])
    g["ids"] = tgt.ids
    if perturb:
        g["occlusion"] = [g["f_x"] - score_ids(model, tgt, [v != w for v in range(tgt.W)])
                          for w in range(tgt.W)]
        g["faithfulness_ig"] = faithfulness(model, tgt, g["ig_words"], g["f_x"])
    return g


def main(models, out):
    vocab = load_vocab(models)
    bert, gpt2 = mg.Model(os.path.join(models, "bert")), mg.Model(os.path.join(models, "gpt2"))
    cases = []

    def add(name, model_name, opts, tgt, model, causal, extra=None):
        c = {"name": name, "model": model_name, **opts, **explain(model, tgt, causal)}
        c.update(extra or {})
        cases.append(c)
        print("%-14s f(x) %+.5f  IG sum %+.5f  f(x)-f(x') %+.5f" %
              (name, c["f_x"], sum(c["ig"]), c["f_x"] - c["f_baseline"]))

    text = "Daktari yuko [MASK] hapa."
    t, _ = masked_text(bert, vocab, text, "mtu")
    add("masked", "bert", {"text": text, "target": "mtu"}, t, bert, False)
    t, _ = masked_text(bert, vocab, text, "mtu", "mwalimu")
    add("contrast", "bert", {"text": text, "target": "mtu", "contrast": "mwalimu"}, t, bert, False)
    t, _ = masked_text(bert, vocab, "[MASK] ana haki.", "kaka")
    add("split", "bert", {"text": "[MASK] ana haki.", "target": "kaka", "split": "sum"}, t, bert,
        False)
    t, top = masked_text(bert, vocab, "Mwalimu ni [MASK].")
    add("top", "bert", {"text": "Mwalimu ni [MASK]."}, t, bert, False, {"predicted_id": top[0]})
    t = decoder_text(vocab, "Daktari yuko hapa", target="na")
    add("next", "gpt2", {"text": "Daktari yuko hapa", "target": "na"}, t, gpt2, True)
    t = decoder_text(vocab, "Kila mtu", continuation="ana haki .")
    add("continuation", "gpt2", {"text": "Kila mtu", "continuation": "ana haki ."}, t, gpt2, True)
    more, less = "Kila mtu ana haki.", "Kila daktari ana haki."
    t = sentence(vocab, more, less, False)
    add("pair_pll", "bert", {"more": more, "less": less}, t, bert, False)
    t = sentence(vocab, less, more, True)
    g = explain(gpt2, t, True, perturb=False)  # a decoder's sentence: none (see explain.h)
    cases.append({"name": "pair_loglik", "model": "gpt2", "more": more, "less": less, **g})
    print("%-14s f(x) %+.5f" % ("pair_loglik", g["f_x"]))
    with open(out, "w") as f:
        json.dump({"steps": STEPS, "attattr_steps": ATT_STEPS, "cases": cases}, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "tests/golden/models",
         sys.argv[2] if len(sys.argv) > 2 else "tests/golden/explain.json")
