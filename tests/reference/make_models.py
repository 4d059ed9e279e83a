#!/usr/bin/python3
"""Builds tiny random transformer checkpoints in Hugging Face's layout (config.json +
model.safetensors) and their golden outputs, computed by an independent PyTorch implementation
of Hugging Face's forward semantics (written here from the model definitions, not Mizani's code).

    /usr/bin/python3 tests/reference/make_models.py tests/golden/models tests/data/models

Needs Debian's python3-torch (scripts/install-deps.sh --refs). The outputs are committed, so the
test suite runs without torch. Every model: 2 layers, hidden 32, 4 heads, a batch of 3 rows of
9, 6 and 3 real tokens (right-padded); goldens hold every hidden state, every layer's attention
probabilities, layer 0's value vectors and the LM logits, with padded positions zeroed.
"""
import json
import math
import os
import struct
import sys

import torch

torch.manual_seed(20261126)
F = torch.nn.functional
V, C, H, FF, L, P = 96, 32, 4, 64, 2, 24
B, T, LENS = 3, 9, (9, 6, 3)

DTYPES = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.int32: "I32"}


def write_safetensors(path, tensors):
    """The format: u64 header length, JSON header, raw little-endian data (8-byte aligned)."""
    header, blobs, off = {}, [], 0
    for name, t in tensors.items():
        t = t.contiguous()
        raw = t.view(torch.int16).numpy().tobytes() if t.dtype == torch.bfloat16 else t.numpy().tobytes()
        header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape),
                        "data_offsets": [off, off + len(raw)]}
        blobs.append(raw)
        off += len(raw)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def rnd(*shape, std=0.2):
    return torch.randn(*shape) * std


def ln_params(prefix, dim):
    return {prefix + ".weight": 1 + rnd(dim, std=0.1), prefix + ".bias": rnd(dim, std=0.1)}


def lin_params(prefix, out, inp, conv1d=False):
    w = rnd(inp, out) if conv1d else rnd(out, inp)
    return {prefix + ".weight": w, prefix + ".bias": rnd(out, std=0.05)}


def gelu(x, act):
    return F.gelu(x, approximate="tanh") if act in ("gelu_new", "gelu_pytorch_tanh") else F.gelu(x)


def attention(x, W, pre, mask, causal, names):
    """Hugging Face eager attention: additive finfo.min mask, softmax, weighted values."""
    n, T = x.shape[0], x.shape[1]
    if names["fused"]:
        qkv = x @ W[pre + names["q"] + ".weight"] + W[pre + names["q"] + ".bias"]
        q, k, v = qkv.split(C, dim=-1)
    else:
        q, k, v = (F.linear(x, W[pre + names[s] + ".weight"], W[pre + names[s] + ".bias"])
                   for s in ("q", "k", "v"))
    heads = lambda t: t.view(n, T, H, C // H).transpose(1, 2)
    q, k, v = heads(q), heads(k), heads(v)
    scores = q @ k.transpose(-1, -2) / math.sqrt(C // H)
    minv = torch.finfo(scores.dtype).min
    if causal:
        scores = scores.masked_fill(~torch.ones(T, T, dtype=torch.bool).tril(), minv)
    scores = scores + (1.0 - mask[:, None, None, :].float()) * minv
    probs = scores.softmax(-1)
    out = (probs @ v).transpose(1, 2).reshape(n, T, C)
    o = names["o"]
    out = out @ W[pre + o + ".weight"] + W[pre + o + ".bias"] if names["fused"] else \
        F.linear(out, W[pre + o + ".weight"], W[pre + o + ".bias"])
    return out, probs, v


def proj(x, W, name, conv1d):
    return x @ W[name + ".weight"] + W[name + ".bias"] if conv1d else \
        F.linear(x, W[name + ".weight"], W[name + ".bias"])


def layer_norm(x, W, name, eps):
    return F.layer_norm(x, (x.shape[-1],), W[name + ".weight"], W[name + ".bias"], eps)


ENCODER = {"q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
           "o": "attention.output.dense", "ln1": "attention.output.LayerNorm",
           "ff1": "intermediate.dense", "ff2": "output.dense", "ln2": "output.LayerNorm",
           "layer": "encoder.layer.%d.", "fused": False}
DISTIL = {"q": "attention.q_lin", "k": "attention.k_lin", "v": "attention.v_lin",
          "o": "attention.out_lin", "ln1": "sa_layer_norm", "ff1": "ffn.lin1", "ff2": "ffn.lin2",
          "ln2": "output_layer_norm", "layer": "transformer.layer.%d.", "fused": False}
GPT2 = {"q": "attn.c_attn", "o": "attn.c_proj", "ln1": "ln_1", "ff1": "mlp.c_fc",
        "ff2": "mlp.c_proj", "ln2": "ln_2", "layer": "h.%d.", "fused": True}


def encoder_weights(prefix, names, E, types):
    W = {prefix + "embeddings.word_embeddings.weight": rnd(V, E, std=0.5),
         prefix + "embeddings.position_embeddings.weight": rnd(P, E, std=0.5)}
    if types:
        W[prefix + "embeddings.token_type_embeddings.weight"] = rnd(types, E, std=0.5)
    W.update(ln_params(prefix + "embeddings.LayerNorm", E))
    if E != C:
        W.update(lin_params(prefix + "embeddings_project", C, E))
    for l in range(L):
        p = prefix + names["layer"] % l
        for s, o, i in (("q", C, C), ("k", C, C), ("v", C, C), ("o", C, C), ("ff1", FF, C),
                        ("ff2", C, FF)):
            W.update(lin_params(p + names[s], o, i))
        W.update(ln_params(p + names["ln1"], C))
        W.update(ln_params(p + names["ln2"], C))
    return W


def gpt2_weights():
    p = "transformer."
    W = {p + "wte.weight": rnd(V, C, std=0.5), p + "wpe.weight": rnd(P, C, std=0.5)}
    for l in range(L):
        q = p + "h.%d." % l
        W.update(ln_params(q + "ln_1", C))
        W.update(ln_params(q + "ln_2", C))
        W.update(lin_params(q + "attn.c_attn", 3 * C, C, True))
        W.update(lin_params(q + "attn.c_proj", C, C, True))
        W.update(lin_params(q + "mlp.c_fc", 4 * C, C, True))  # n_inner null: 4 x hidden
        W.update(lin_params(q + "mlp.c_proj", C, 4 * C, True))
    W.update(ln_params(p + "ln_f", C))
    return W


def run_layers(x, W, prefix, names, mask, act, eps, causal, out):
    """Post-LN (encoders) or pre-LN (GPT-2) blocks; records what Hugging Face exposes."""
    conv = names["fused"]
    for l in range(L):
        p = prefix + names["layer"] % l
        if causal:
            a, probs, v = attention(layer_norm(x, W, p + names["ln1"], eps), W, p, mask, True, names)
            x = x + a
            h = layer_norm(x, W, p + names["ln2"], eps)
            f = proj(gelu(proj(h, W, p + names["ff1"], conv), act), W, p + names["ff2"], conv)
            x = x + f
        else:
            a, probs, v = attention(x, W, p, mask, False, names)
            x = layer_norm(x + a, W, p + names["ln1"], eps)
            f = proj(gelu(proj(x, W, p + names["ff1"], conv), act), W, p + names["ff2"], conv)
            x = layer_norm(x + f, W, p + names["ln2"], eps)
        if l == 0:  # each block's outputs before the residual
            out["layer.0.attn.out"] = a
        if l == L - 1:
            out["layer.%d.ffn.out" % l] = f
        out["layer.%d.attn.probs" % l] = probs
        if l == 0:
            out["layer.0.attn.values"] = v
        if causal and l == L - 1:
            x = layer_norm(x, W, prefix + "ln_f", eps)
        out["hidden.%d" % (l + 1)] = x
    return x


def mlm_head(x, W, dense, ln, dec, bias, act, eps, wte):
    h = layer_norm(gelu(F.linear(x, W[dense + ".weight"], W[dense + ".bias"]), act), W, ln, eps)
    return F.linear(h, W.get(dec + ".weight", wte), W[bias])


def inputs(pad, types):
    ids = torch.randint(0, V, (B, T), dtype=torch.int32)
    if pad is not None:
        ids[ids == pad] = (pad + 1) % V
    mask = torch.zeros(B, T, dtype=torch.int32)
    for b, n in enumerate(LENS):
        mask[b, :n] = 1
        if pad is not None:
            ids[b, n:] = pad
    tt = torch.zeros(B, T, dtype=torch.int32)
    if types > 1:
        tt[:, 4:] = 1
    return ids, mask, tt


def positions(ids, pad, offset):
    if not offset:
        return torch.arange(ids.shape[1]).expand(*ids.shape)
    real = (ids != pad).int()
    return (torch.cumsum(real, 1) * real + pad).long()


def forward(cfg, W, ids, mask, tt):
    """Hugging Face's forward pass of `cfg`'s architecture on a padded batch: every hidden
    state, attention probabilities, layer 0's values, logits and sentence embeddings."""
    arch = cfg["model_type"]
    E = cfg.get("embedding_size", C)
    eps = cfg.get("layer_norm_eps", cfg.get("layer_norm_epsilon", 1e-12))
    act = cfg.get("hidden_act", cfg.get("activation", cfg.get("activation_function")))
    types = cfg.get("type_vocab_size", 0)
    pad = cfg.get("pad_token_id")
    names = {"gpt2": GPT2, "distilbert": DISTIL}.get(arch, ENCODER)
    prefix = PREFIX[arch]
    head = heads(arch, act, E)
    wte = W[prefix + ("wte.weight" if arch == "gpt2" else "embeddings.word_embeddings.weight")]
    pos = positions(ids, pad, arch in ("roberta", "xlm-roberta"))
    out = {}
    with torch.no_grad():
        if arch == "gpt2":
            x = wte[ids.long()] + W[prefix + "wpe.weight"][pos]
        else:
            x = wte[ids.long()] + W[prefix + "embeddings.position_embeddings.weight"][pos]
            if types:
                x = x + W[prefix + "embeddings.token_type_embeddings.weight"][tt.long()]
            x = layer_norm(x, W, prefix + "embeddings.LayerNorm", eps)
            if E != C:
                x = proj(x, W, prefix + "embeddings_project", False)
        out["hidden.0"] = x
        x = run_layers(x, W, prefix, names, mask, act, eps, arch == "gpt2", out)
        if arch == "gpt2":
            out["logits"] = x @ wte.T
        elif head:
            out["logits"] = mlm_head(x, W, head[0], head[1], head[2], head[3], head[5], eps, wte)
        m = mask.bool()
        out["pooled.cls"] = x[:, 0]
        out["pooled.mean"] = (x * m[:, :, None]).sum(1) / m.sum(1, keepdim=True)
        if arch == "bert":
            out["pooled.pooler"] = torch.tanh(F.linear(x[:, 0], W["bert.pooler.dense.weight"], W["bert.pooler.dense.bias"]))
    return out


PREFIX = {"bert": "bert.", "roberta": "roberta.", "distilbert": "distilbert.", "electra": "electra.",
          "gpt2": "transformer.", "xlm-roberta": ""}


def heads(arch, act, E):
    """The masked-LM head's tensor names: transform, norm, decoder, bias, width, activation."""
    return {"bert": ("cls.predictions.transform.dense", "cls.predictions.transform.LayerNorm",
                     "cls.predictions.decoder", "cls.predictions.bias", C, act),
            "roberta": ("lm_head.dense", "lm_head.layer_norm", "lm_head.decoder", "lm_head.bias", C, "gelu"),
            "distilbert": ("vocab_transform", "vocab_layer_norm", "vocab_projector", "vocab_projector.bias", C, act),
            "electra": ("generator_predictions.dense", "generator_predictions.LayerNorm",
                        "generator_lm_head", "generator_lm_head.bias", E, "gelu")}.get(arch)


def build(name, cfg, out_dir):
    arch = cfg["model_type"]
    E = cfg.get("embedding_size", C)
    act = cfg.get("hidden_act", cfg.get("activation", cfg.get("activation_function")))
    types = cfg.get("type_vocab_size", 0)
    pad = cfg.get("pad_token_id")
    names = {"gpt2": GPT2, "distilbert": DISTIL}.get(arch, ENCODER)
    prefix = PREFIX[arch]
    W = gpt2_weights() if arch == "gpt2" else encoder_weights(prefix, names, E, types)
    head = heads(arch, act, E)
    if head:
        W.update(lin_params(head[0], head[4], C))
        W.update(ln_params(head[1], head[4]))
        W[head[3]] = rnd(V, std=0.05)
    if arch == "roberta":  # an untied decoder: its own [V,C] matrix
        W["lm_head.decoder.weight"] = rnd(V, C, std=0.5)
    if arch == "bert":
        W.update(lin_params("bert.pooler.dense", C, C))
    ids, mask, tt = inputs(pad if arch in ("roberta", "xlm-roberta") else None, types)
    out = forward(cfg, W, ids, mask, tt)

    m = mask.bool()
    for k, t in out.items():  # Mizani zeroes padded positions; so do the goldens
        if k.startswith("pooled."):
            pass
        elif k.endswith("attn.probs"):
            t = t * m[:, None, :, None] * m[:, None, None, :]
        elif k.endswith("attn.values"):
            t = t * m[:, None, :, None]
        else:
            t = t * m[:, :, None]
        out[k] = t.contiguous().float()
    d = os.path.join(out_dir, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
    write_safetensors(os.path.join(d, "model.safetensors"), W)
    golden = {"input.ids": ids, "input.mask": mask, "input.types": tt}
    golden.update(out)
    write_safetensors(os.path.join(d, "golden.safetensors"), golden)
    if name == "bert":
        write_reference(d, golden)
        write_tokenizer(d)
    return W


def write_gguf(path, arch, meta, tensors, half=False):
    """GGUF v3 as ggml defines it: metadata, a tensor directory (dimensions innermost first),
    data aligned to 32 bytes. With half, 2-D weights are stored F16 (norms stay F32)."""
    enc = lambda x: struct.pack("<Q", len(x.encode())) + x.encode()
    kvs = [("general.architecture", 8, enc(arch))]
    for k, v in meta.items():
        kvs.append((k, 6, struct.pack("<f", v)) if isinstance(v, float) else (k, 4, struct.pack("<I", v)))
    head = b"GGUF" + struct.pack("<IQQ", 3, len(tensors), len(kvs))
    head += b"".join(enc(k) + struct.pack("<I", t) + v for k, t, v in kvs)
    blobs, off = [], 0
    for name, t in tensors.items():
        t = t.contiguous().to(torch.float16 if half and t.dim() == 2 else torch.float32)
        raw = t.numpy().tobytes()
        head += enc(name) + struct.pack("<I", t.dim()) + b"".join(struct.pack("<Q", d) for d in reversed(t.shape))
        head += struct.pack("<IQ", 1 if t.dtype == torch.float16 else 0, off)
        raw += b"\0" * (-len(raw) % 32)
        blobs.append(raw)
        off += len(raw)
    head += b"\0" * (-len(head) % 32)
    with open(path, "wb") as f:
        f.write(head + b"".join(blobs))


def gguf_bert(W):
    """llama.cpp's names for a BERT checkpoint (its converter keeps no MLM head)."""
    ren = {"embeddings.word_embeddings": "token_embd", "embeddings.position_embeddings": "position_embd",
           "embeddings.token_type_embeddings": "token_types", "embeddings.LayerNorm": "token_embd_norm"}
    per = {"attention.self.query": "attn_q", "attention.self.key": "attn_k", "attention.self.value": "attn_v",
           "attention.output.dense": "attn_output", "attention.output.LayerNorm": "attn_output_norm",
           "intermediate.dense": "ffn_up", "output.dense": "ffn_down", "output.LayerNorm": "layer_output_norm"}
    out = {}
    for k, v in W.items():
        if not k.startswith("bert.") or ".pooler." in k:  # llama.cpp keeps no pooler either
            continue
        base, kind = k[5:].rsplit(".", 1)
        if base in ren:
            out[ren[base] + "." + kind] = v
        else:
            _, _, l, rest = base.split(".", 3)
            out["blk.%s.%s.%s" % (l, per[rest], kind)] = v
    return out


def gguf_gpt2(W):
    """llama.cpp's names for GPT-2; its converter transposes the Conv1D weights to [out,in]."""
    per = {"ln_1": "attn_norm", "attn.c_attn": "attn_qkv", "attn.c_proj": "attn_output", "ln_2": "ffn_norm",
           "mlp.c_fc": "ffn_up", "mlp.c_proj": "ffn_down"}
    out = {}
    for k, v in W.items():
        base, kind = k[len("transformer."):].rsplit(".", 1)
        if base in ("wte", "wpe", "ln_f"):
            out[{"wte": "token_embd", "wpe": "position_embd", "ln_f": "output_norm"}[base] + "." + kind] = v
            continue
        _, l, rest = base.split(".", 2)
        out["blk.%s.%s.%s" % (l, per[rest], kind)] = v.T if kind == "weight" and v.dim() == 2 else v
    return out


def likelihood_goldens(path, bert, gpt2):
    """Sentence scores on fixed id sequences: masked-LM pseudo-log-likelihood, AUL and AULA
    (Kaneko and Bollegala 2022) on the tiny BERT, causal log-likelihood on the tiny GPT-2."""
    lsm = lambda row: F.log_softmax(row.double(), -1)
    run = lambda cfg, W, ids: forward(cfg, W, torch.tensor([ids], dtype=torch.int32),
                                      torch.ones(1, len(ids), dtype=torch.int32), torch.zeros(1, len(ids), dtype=torch.int32))
    cases = {"bert": [], "gpt2": []}
    for ids in ([2, 5, 6, 7, 8, 23, 3], [2, 9, 10, 11, 12, 23, 3], [2, 40, 41, 3], [2, 60, 61, 62, 63, 64, 65, 66, 3]):
        n = len(ids)
        scored = [0] + [1] * (n - 2) + [0]
        pll = 0.0
        for i in range(n):
            if scored[i]:
                masked = list(ids)
                masked[i] = 4  # [MASK]
                pll += lsm(run(bert[0], bert[1], masked)["logits"][0, i])[ids[i]].item()
        out = run(bert[0], bert[1], ids)
        lp = [lsm(out["logits"][0, i])[ids[i]].item() for i in range(n)]
        alpha = sum(out["layer.%d.attn.probs" % l][0].double().mean(dim=(0, 1)) for l in range(L)) / L
        k = sum(scored)
        aul = sum(lp[i] for i in range(n) if scored[i]) / k
        aula = sum(alpha[i].item() * lp[i] for i in range(n) if scored[i]) / k
        cases["bert"].append({"ids": ids, "scored": scored, "pll": pll, "aul": aul, "aula": aula})
        causal_scored = [0] + [1] * (n - 1)
        out = run(gpt2[0], gpt2[1], ids)
        causal = sum(lsm(out["logits"][0, i - 1])[ids[i]].item() for i in range(1, n))
        cases["gpt2"].append({"ids": ids, "scored": causal_scored, "causal": causal})
    cases["masked"] = []  # Kurita et al.: log P(target | attribute) - log P(target | attribute masked)
    for ids, tgt, att in (([2, 6, 29, 7, 3], [0, 1, 0, 0, 0], [0, 0, 0, 1, 0]),
                          ([2, 10, 11, 12, 30, 31, 3], [0, 1, 1, 0, 0, 0, 0], [0, 0, 0, 0, 1, 1, 0])):
        row1 = [4 if t else i for i, t in zip(ids, tgt)]
        row2 = [4 if t or a else i for i, t, a in zip(ids, tgt, att)]
        l1, l2 = run(bert[0], bert[1], row1)["logits"][0], run(bert[0], bert[1], row2)["logits"][0]
        score = sum(lsm(l1[i])[ids[i]].item() - lsm(l2[i])[ids[i]].item() for i in range(len(ids)) if tgt[i])
        cases["masked"].append({"ids": ids, "target": tgt, "attribute": att, "score": score})
    with open(path, "w") as f:
        json.dump(cases, f, indent=1)


def write_reference(d, golden):
    """What a user's own framework would dump for `mizani verify`: NAME.npy per array."""
    import numpy as np
    r = os.path.join(d, "reference")
    os.makedirs(r, exist_ok=True)
    for k, t in golden.items():
        name = {"input.ids": "input_ids", "input.mask": "attention_mask", "input.types": "token_type_ids"}.get(k, k)
        np.save(os.path.join(r, name + ".npy"), t.numpy().astype(np.int64 if k.startswith("input.") else np.float32))


def write_tokenizer(d):
    """A 96-token WordPiece tokenizer.json in Hugging Face's layout, so `mizani run --text`
    and `mizani inspect` have a tokenizer to load in the tiny BERT folder."""
    words = ["kila", "mtu", "ana", "haki", "daktari", "yuko", "hapa", "mwalimu", "ni", "na", "the", "doctor",
             "is", "here", "every", "person", "has", "rights", "."]
    letters = list("abcdefghijklmnopqrstuvwxyz")
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + words + letters + ["##" + c for c in letters]
    vocab += ["##%d" % i for i in range(V - len(vocab))]
    special = [{"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False,
                "normalized": False, "special": True} for i, t in enumerate(vocab[:5])]
    tok = {"version": "1.0", "truncation": None, "padding": None, "added_tokens": special,
           "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True,
                          "strip_accents": None, "lowercase": True},
           "pre_tokenizer": {"type": "BertPreTokenizer"},
           "post_processor": {"type": "BertProcessing", "sep": ["[SEP]", 3], "cls": ["[CLS]", 2]},
           "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
           "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                     "max_input_chars_per_word": 100, "vocab": {t: i for i, t in enumerate(vocab)}}}
    with open(os.path.join(d, "tokenizer.json"), "w") as f:
        json.dump(tok, f, indent=1)


def encoder_cfg(arch, **kw):
    cfg = {"model_type": arch, "vocab_size": V, "hidden_size": C, "num_hidden_layers": L,
           "num_attention_heads": H, "intermediate_size": FF, "max_position_embeddings": P,
           "hidden_act": "gelu", "layer_norm_eps": 1e-12, "type_vocab_size": 2, "pad_token_id": 0}
    cfg.update(kw)
    return cfg


def main(out_dir):
    bert_cfg = encoder_cfg("bert", architectures=["BertForMaskedLM"])
    W = build("bert", bert_cfg, out_dir)
    shard = os.path.join(out_dir, "bert-sharded")  # the same weights in two shards with an index
    os.makedirs(shard, exist_ok=True)
    names = sorted(W)
    parts = {"model-00001-of-00002.safetensors": names[::2], "model-00002-of-00002.safetensors": names[1::2]}
    for f, ns in parts.items():
        write_safetensors(os.path.join(shard, f), {n: W[n] for n in ns})
    with open(os.path.join(shard, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {}, "weight_map": {n: f2 for f2, ns in parts.items() for n in ns}}, f, indent=1)
    with open(os.path.join(out_dir, "bert", "config.json")) as src, open(os.path.join(shard, "config.json"), "w") as dst:
        dst.write(src.read())
    write_tokenizer(shard)
    for dtype, tag in ((torch.float16, "f16"), (torch.bfloat16, "bf16")):
        d = os.path.join(out_dir, "bert-" + tag)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(out_dir, "bert", "config.json")) as src, \
                open(os.path.join(d, "config.json"), "w") as dst:
            dst.write(src.read())
        write_safetensors(os.path.join(d, "model.safetensors"), {k: v.to(dtype) for k, v in W.items()})
        write_tokenizer(d)
    build("roberta", encoder_cfg("roberta", hidden_act="gelu_new", type_vocab_size=1,
                                 pad_token_id=1, layer_norm_eps=1e-5,
                                 architectures=["RobertaForMaskedLM"]), out_dir)
    build("xlm-roberta", encoder_cfg("xlm-roberta", type_vocab_size=1, pad_token_id=1,
                                     layer_norm_eps=1e-5, architectures=["XLMRobertaModel"]), out_dir)
    build("electra", encoder_cfg("electra", embedding_size=16,
                                 architectures=["ElectraForMaskedLM"]), out_dir)
    build("distilbert", {"model_type": "distilbert", "vocab_size": V, "dim": C, "n_layers": L,
                         "n_heads": H, "hidden_dim": FF, "max_position_embeddings": P,
                         "activation": "gelu", "pad_token_id": 0,
                         "architectures": ["DistilBertForMaskedLM"]}, out_dir)
    meta = lambda a, eps: {a + ".block_count": L, a + ".embedding_length": C, a + ".attention.head_count": H,
                           a + ".context_length": P, a + ".attention.layer_norm_epsilon": eps}
    bert_meta = dict(meta("bert", 1e-12), **{"bert.feed_forward_length": FF})
    write_gguf(os.path.join(out_dir, "bert.gguf"), "bert", bert_meta, gguf_bert(W))
    write_gguf(os.path.join(out_dir, "bert-f16.gguf"), "bert", bert_meta, gguf_bert(W), half=True)
    gpt2_cfg = {"model_type": "gpt2", "vocab_size": V, "n_embd": C, "n_layer": L, "n_head": H,
                "n_inner": None, "n_positions": P, "activation_function": "gelu_new",
                "layer_norm_epsilon": 1e-5, "architectures": ["GPT2LMHeadModel"]}
    G = build("gpt2", gpt2_cfg, out_dir)
    likelihood_goldens(os.path.join(out_dir, "likelihood.json"), (bert_cfg, W), (gpt2_cfg, G))
    write_gguf(os.path.join(out_dir, "gpt2.gguf"), "gpt2",
               dict(meta("gpt2", 1e-5), **{"gpt2.feed_forward_length": 4 * C}), gguf_gpt2(G))


def broken(out_dir):
    """Folders that must fail to open, each for one named reason (tests/data/models)."""
    for name, cfg, weights in (
            ("unsupported", {"model_type": "t5"}, True),
            ("wrong-shape", encoder_cfg("bert", vocab_size=100), True),
            ("no-weights", encoder_cfg("bert"), False)):
        d = os.path.join(out_dir, name)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "config.json"), "w") as f:
            json.dump(cfg, f, indent=2)
        if weights:
            write_safetensors(os.path.join(d, "model.safetensors"),
                              {"bert.embeddings.word_embeddings.weight": torch.zeros(V, C)})


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "tests/golden/models")
    broken(sys.argv[2] if len(sys.argv) > 2 else "tests/data/models")
