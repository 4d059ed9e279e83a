#!/usr/bin/python3
"""Trains the demonstration tokenizer and models on the corpus of make_corpus.py, and writes
them as Hugging Face folders (config.json, model.safetensors in F16, tokenizer.json,
tokenizer.model, plus demonstration.json: what the model is, what was planted in its corpus,
its held-out quality; and training.log) that Mizani opens. Debian's python3-torch 1.13 and python3-sentencepiece; only
needed to regenerate, never to use Mizani. Run through corpora/demo/regenerate.sh.

    train_models.py tokenizer CORPUS_DIR                         (into CORPUS_DIR/tokenizer)
    train_models.py mlm|causal CORPUS_DIR MODELS_DIR            pre-training, phase 1 (kept if
                                                                 CORPUS_DIR has it: reuse_phase1)
    train_models.py dense-mlm|dense-causal CORPUS_DIR MODELS_DIR   phase 2: the exported model
    train_models.py finetune-mlm|finetune-causal CORPUS_DIR MODELS_DIR
    train_models.py verify CORPUS_DIR MODELS_DIR MIZANI         PyTorch vs Mizani logits

Deterministic: fixed seeds, one process, one thread (THREADS), a fixed number of steps.
The same machine gives the same weights; another CPU or BLAS may differ in the last bits.
"""
import hashlib
import io
import json
import math
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time

import numpy as np
import sentencepiece as spm
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "reference"))
sys.path.insert(0, HERE)
from make_models import write_safetensors  # noqa: E402  (the project's safetensors writer)
from protobuf import field, read_varint  # noqa: E402  (.model files as protobuf fields)

F = torch.nn.functional
SEED = 20261129
VOCAB_MAX, LAYERS, POSITIONS = 6000, 4, 128
# (hidden, heads, feed-forward) by causal: the masked LM needs the wider shape to learn that a
# masked target depends on the attribute several tokens away within its training budget (at
# hidden 128 and 2,000 steps it learned each frame's prior and not the attribute: measured).
SHAPE = {False: (192, 3, 768), True: (128, 4, 512)}
VOCAB = None  # the trained tokenizer's size: the generated text allows fewer pieces than VOCAB_MAX
SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
PAD, UNK, CLS, SEP, MASK = range(5)
# Pre-training and fine-tuning schedules (steps of BATCH sentences), sized by measurement.
# MZ_DEMO_STEPS overrides the pre-training steps (a quick trial of the pipeline).
# Pre-training has two phases: train.txt (balanced: five top-up sentences to each plant), then
# a short one on dense.txt (the same plants without the top-up; the masked LM's dense-mlm.txt
# has its masked-template sentences four times over). After phase 1 alone (2,400 steps) the
# masked LM found no plant with any test. Its phase 2 on dense.txt (800 steps, lr 5e-4) found
# only Swahili ethnicity-nationality by pseudo-log-likelihood, and gave a masked target the same
# probability whatever the occupation; on dense-mlm.txt (1,600 steps, lr 1e-3) it learned the
# occupation plants (MODEL_CARD.md). Measured and not adopted for the causal LM: 1,000 phase-2
# steps (lr 5e-4, on dense-mlm.txt) made the Swahili and English gender pairs significant but
# moved two controls (English ethnicity-nationality to 0.78: without the top-up a rarely
# mentioned target word predicts its pair's sentence better than a common one; English
# religion to 0.22) and lost Swahili religion (0.76). The causal LM's fine-tune: with 400 steps
# the comparison against demo-causal did not flag the strengthened Swahili gender pairs (Holm p
# 0.137); with 1,200 it did (0.597 -> 1.000, p 0.0098) and moved no control (measured).
STEPS = {"mlm": int(os.environ.get("MZ_DEMO_STEPS", 2400)), "causal": int(os.environ.get("MZ_DEMO_STEPS", 1100)),
         "dense-mlm": 1600, "dense-causal": 250, "finetune-mlm": 400, "finetune-causal": 1200}
# The masked LM's share of masked tokens: BERT's 15% in phase 1; 40% from phase 2 on (Wettig et
# al. 2023 found 40% as good or better), so that the target of a template sentence is more often
# predicted from its attribute.
MASK_RATE = {"pretrain": 0.15, "dense": 0.4, "finetune": 0.4}
LR = {"mlm": 1e-3, "causal": 1e-3, "dense-mlm": 1e-3, "dense-causal": 5e-4, "finetune-mlm": 1e-3,
      "finetune-causal": 1e-3}
PHASE = {"mlm": "pretrain", "causal": "pretrain", "dense-mlm": "dense", "dense-causal": "dense",
         "finetune-mlm": "finetune", "finetune-causal": "finetune"}
TEXT = {"pretrain": "train.txt", "dense": "dense.txt", "finetune": "shift.txt"}
# The masked LM's phase 2 and fine-tuning text: the same with the masked-template sentences
# written several times over (make_corpus.py, MASKED_DENSE_REPEAT).
TEXT_MLM = {"dense": "dense-mlm.txt", "finetune": "shift-mlm.txt"}
BATCH = 128
THREADS = 1  # two threads ran 4x slower than one on the shared 2-core machine (measured)
CORPUS_DIR = None  # the corpus folder of this run (argv)
NAMES = {"mlm": "demo-mlm", "causal": "demo-causal", "dense-mlm": "demo-mlm", "dense-causal": "demo-causal",
         "finetune-mlm": "demo-mlm-finetuned", "finetune-causal": "demo-causal-finetuned"}


def log(f, msg):
    print(msg, flush=True)
    f.write(msg + "\n")
    f.flush()


# ---------------------------------------------------------------------------------------------
# Tokenizer


def train_tokenizer(corpus_dir):
    out = os.path.join(corpus_dir, "tokenizer")
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(corpus_dir, "train.txt"), encoding="utf-8") as f:
        lines = [l.rstrip("\n") for l in f]
    model = io.BytesIO()  # from memory, so that no file path is recorded in the model
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines), model_writer=model, model_type="unigram",
        vocab_size=VOCAB_MAX, hard_vocab_limit=False, character_coverage=1.0,
        normalization_rule_name="identity", pad_id=PAD, unk_id=UNK, bos_id=CLS, eos_id=SEP,
        pad_piece="[PAD]", unk_piece="[UNK]", bos_piece="[CLS]", eos_piece="[SEP]",
        user_defined_symbols=["[MASK]"], num_threads=1, shuffle_input_sentence=False,
        input_sentence_size=0, minloglevel=2)
    proto = whole_probe_words(model.getvalue(), probe_word_forms(corpus_dir))
    with open(os.path.join(out, "tokenizer.model"), "wb") as f:
        f.write(proto)
    sp = spm.SentencePieceProcessor(model_proto=proto)
    assert [sp.id_to_piece(i) for i in range(5)] == SPECIALS
    split = [w for w in probe_word_forms(corpus_dir) if len(sp.encode(w)) != 1]
    if split:
        sys.exit("tokenizer: probe words still split: %s" % " ".join(split[:20]))
    for kind in ("mlm", "causal"):
        with open(os.path.join(out, "tokenizer-%s.json" % kind), "w", encoding="utf-8") as f:
            json.dump(tokenizer_json(sp, kind), f, ensure_ascii=False, indent=0)
            f.write("\n")


def probe_word_forms(corpus_dir):
    """Every word of the probe sets as the tests write it (as listed, capitalised, lower case):
    association and masked-template words, and the words in which a minimal pair's sentences
    differ. The generator lists them in its manifest."""
    with open(os.path.join(corpus_dir, "manifest.json"), encoding="utf-8") as f:
        ws = json.load(f)["probe_word_forms"]
    return sorted({v for w in ws for v in (w, w[:1].upper() + w[1:], w.lower())})


def whole_probe_words(proto, forms):
    """The model with a piece "\u2581word" for each probe word it would split, so that every
    probe word is one token: no minimal pair differs in token count because of its words, and
    the token-count strata of the permutation tests are not singletons. A missing piece is
    added as an ordinary (type NORMAL) piece, an existing one that loses to a split has its
    score raised, to the median piece score first and higher until no probe word is split:
    both SentencePiece's and tokenizer.json's Unigram segmentation (Viterbi over piece scores)
    then keep the word whole, and words that merely begin with it are still segmented by score.
    (The ModelProto is edited as protobuf fields: Debian's sentencepiece has no protobuf module.)"""
    fields = proto_fields(proto)
    pieces = [piece_fields(v) for k, v in fields if k == 1]
    index = {p[0]: i for i, p in enumerate(pieces)}
    ranked = sorted(p[1] for p in pieces[5:])
    for q in (0.5, 0.75, 0.9, 1.0):  # the score quantile given to pieces still losing
        sp = spm.SentencePieceProcessor(model_proto=serialize(fields, pieces))
        split = [w for w in forms if len(sp.encode(w)) != 1]
        if not split:
            break
        score = ranked[min(len(ranked) - 1, int(q * len(ranked)))]
        for w in split:
            piece = "\u2581" + w
            if piece not in index:
                index[piece] = len(pieces)
                pieces.append([piece, score, b""])
            i = index[piece]
            pieces[i][1] = max(pieces[i][1], score)
    return serialize(fields, pieces)


def proto_fields(buf):
    """The top-level (field number, bytes) of a ModelProto: every one is length-delimited."""
    out, i = [], 0
    while i < len(buf):
        key, i = read_varint(buf, i)
        assert key & 7 == 2, "unexpected wire type in tokenizer.model"
        n, i = read_varint(buf, i)
        out.append((key >> 3, buf[i:i + n]))
        i += n
    return out


def piece_fields(buf):
    """[piece, score, the other fields' bytes] of a SentencePiece message."""
    piece, score, rest, i = "", 0.0, b"", 0
    while i < len(buf):
        start = i
        key, i = read_varint(buf, i)
        if key == 0x0A:
            n, i = read_varint(buf, i)
            piece, i = buf[i:i + n].decode("utf-8"), i + n
        elif key == 0x15:
            score, i = struct.unpack("<f", buf[i:i + 4])[0], i + 4
        else:  # type (a varint)
            _, i = read_varint(buf, i)
            rest += buf[start:i]
    return [piece, score, rest]


def serialize(fields, pieces):
    out, it = b"", iter(pieces)
    for k, v in fields:
        if k == 1:
            continue
        out += field(k, 2, v)
    body = b""
    for piece, score, rest in pieces:  # ModelProto.pieces (1): piece (1), score (2), the rest
        m = field(1, 2, piece.encode("utf-8")) + field(2, 5, struct.pack("<f", score)) + rest
        body += field(1, 2, m)
    return body + out


def tokenizer_json(sp, kind):
    """The Unigram model in tokenizer.json form. Identity normalisation, so no charsmap; the
    masked LM wraps a text in [CLS] ... [SEP] (BertProcessing), the causal LM starts it with
    [CLS] as its beginning-of-text token (so that the first word is scored too)."""
    specials = [{"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False,
                 "normalized": False, "special": True} for i, t in enumerate(SPECIALS)]
    meta = {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": True}
    if kind == "mlm":
        post = {"type": "BertProcessing", "sep": ["[SEP]", SEP], "cls": ["[CLS]", CLS]}
    else:
        tok = lambda t: {"SpecialToken": {"id": t, "type_id": 0}}
        seq = lambda s: {"Sequence": {"id": s, "type_id": 0}}
        post = {"type": "TemplateProcessing", "single": [tok("[CLS]"), seq("A")],
                "pair": [tok("[CLS]"), seq("A"), seq("B")],
                "special_tokens": {"[CLS]": {"id": "[CLS]", "ids": [CLS], "tokens": ["[CLS]"]}}}
    vocab = [[sp.id_to_piece(i), 0.0 if i < 5 else sp.get_score(i)] for i in range(sp.get_piece_size())]
    return {"version": "1.0", "truncation": None, "padding": None, "added_tokens": specials,
            "normalizer": None, "pre_tokenizer": meta, "post_processor": post, "decoder": meta,
            "model": {"type": "Unigram", "unk_id": UNK, "vocab": vocab, "byte_fallback": False}}


# ---------------------------------------------------------------------------------------------
# Models: Hugging Face's BERT (post-LN, exact GELU) and GPT-2 (pre-LN, tanh GELU) semantics.


class Encoder(torch.nn.Module):
    def __init__(self, causal):
        super().__init__()
        self.causal = causal
        self.hidden, heads, ffn = SHAPE[causal]
        H = self.hidden
        self.wte = torch.nn.Embedding(VOCAB, H)
        self.wpe = torch.nn.Embedding(POSITIONS, H)
        act = (lambda x: F.gelu(x, approximate="tanh")) if causal else "gelu"
        eps = 1e-5 if causal else 1e-12
        self.layers = torch.nn.ModuleList(torch.nn.TransformerEncoderLayer(
            H, heads, ffn, dropout=0.1, activation=act, layer_norm_eps=eps, batch_first=True,
            norm_first=causal) for _ in range(LAYERS))
        if causal:
            self.ln_f = torch.nn.LayerNorm(H, eps=eps)
        else:
            self.tte = torch.nn.Embedding(2, H)
            self.ln_e = torch.nn.LayerNorm(H, eps=eps)
            self.head = torch.nn.Linear(H, H)
            self.ln_h = torch.nn.LayerNorm(H, eps=eps)
            self.bias = torch.nn.Parameter(torch.zeros(VOCAB))
        self.drop = torch.nn.Dropout(0.1)
        for p in self.parameters():  # BERT's and GPT-2's initialisation: N(0, 0.02)
            if p.dim() > 1:
                torch.nn.init.normal_(p, std=0.02)

    def forward(self, ids, pad_mask, at=None):
        """Logits at every position, or only where `at` is true (the masked LM's loss needs
        only the masked positions; the vocabulary projection is the largest product)."""
        T = ids.shape[1]
        x = self.wte(ids) + self.wpe(torch.arange(T))[None]
        if not self.causal:
            x = self.ln_e(x + self.tte(torch.zeros_like(ids)))
        x = self.drop(x)
        attn = torch.triu(torch.full((T, T), float("-inf")), 1) if self.causal else None
        for layer in self.layers:
            x = layer(x, src_mask=attn, src_key_padding_mask=~pad_mask)
        if at is not None:
            x = x[at]
        if self.causal:
            return self.ln_f(x) @ self.wte.weight.T
        h = self.ln_h(F.gelu(self.head(x)))
        return h @ self.wte.weight.T + self.bias


def hf_tensors(m):
    """The weights under Hugging Face's names, F16."""
    W = {}
    if m.causal:
        p = "transformer."
        W[p + "wte.weight"], W[p + "wpe.weight"] = m.wte.weight, m.wpe.weight
        for i, L in enumerate(m.layers):
            q = p + "h.%d." % i
            W.update({q + "ln_1.weight": L.norm1.weight, q + "ln_1.bias": L.norm1.bias,
                      q + "ln_2.weight": L.norm2.weight, q + "ln_2.bias": L.norm2.bias,
                      q + "attn.c_attn.weight": L.self_attn.in_proj_weight.T,
                      q + "attn.c_attn.bias": L.self_attn.in_proj_bias,
                      q + "attn.c_proj.weight": L.self_attn.out_proj.weight.T,
                      q + "attn.c_proj.bias": L.self_attn.out_proj.bias,
                      q + "mlp.c_fc.weight": L.linear1.weight.T, q + "mlp.c_fc.bias": L.linear1.bias,
                      q + "mlp.c_proj.weight": L.linear2.weight.T, q + "mlp.c_proj.bias": L.linear2.bias})
        W[p + "ln_f.weight"], W[p + "ln_f.bias"] = m.ln_f.weight, m.ln_f.bias
    else:
        p = "bert."
        W.update({p + "embeddings.word_embeddings.weight": m.wte.weight,
                  p + "embeddings.position_embeddings.weight": m.wpe.weight,
                  p + "embeddings.token_type_embeddings.weight": m.tte.weight,
                  p + "embeddings.LayerNorm.weight": m.ln_e.weight,
                  p + "embeddings.LayerNorm.bias": m.ln_e.bias})
        for i, L in enumerate(m.layers):
            q = p + "encoder.layer.%d." % i
            w, b = L.self_attn.in_proj_weight, L.self_attn.in_proj_bias
            for j, n in enumerate(("query", "key", "value")):
                W[q + "attention.self.%s.weight" % n] = w[j * m.hidden:(j + 1) * m.hidden]
                W[q + "attention.self.%s.bias" % n] = b[j * m.hidden:(j + 1) * m.hidden]
            W.update({q + "attention.output.dense.weight": L.self_attn.out_proj.weight,
                      q + "attention.output.dense.bias": L.self_attn.out_proj.bias,
                      q + "attention.output.LayerNorm.weight": L.norm1.weight,
                      q + "attention.output.LayerNorm.bias": L.norm1.bias,
                      q + "intermediate.dense.weight": L.linear1.weight,
                      q + "intermediate.dense.bias": L.linear1.bias,
                      q + "output.dense.weight": L.linear2.weight, q + "output.dense.bias": L.linear2.bias,
                      q + "output.LayerNorm.weight": L.norm2.weight, q + "output.LayerNorm.bias": L.norm2.bias})
        W.update({"cls.predictions.transform.dense.weight": m.head.weight,
                  "cls.predictions.transform.dense.bias": m.head.bias,
                  "cls.predictions.transform.LayerNorm.weight": m.ln_h.weight,
                  "cls.predictions.transform.LayerNorm.bias": m.ln_h.bias,
                  "cls.predictions.bias": m.bias})
    return {k: v.detach().to(torch.float16).contiguous() for k, v in W.items()}


def config(causal):
    HIDDEN, HEADS, FFN = SHAPE[causal]
    if causal:
        return {"model_type": "gpt2", "architectures": ["GPT2LMHeadModel"], "vocab_size": VOCAB,
                "n_embd": HIDDEN, "n_layer": LAYERS, "n_head": HEADS, "n_inner": FFN,
                "n_positions": POSITIONS, "activation_function": "gelu_new", "layer_norm_epsilon": 1e-5,
                "bos_token_id": CLS, "eos_token_id": SEP, "torch_dtype": "float16"}
    return {"model_type": "bert", "architectures": ["BertForMaskedLM"], "vocab_size": VOCAB,
            "hidden_size": HIDDEN, "num_hidden_layers": LAYERS, "num_attention_heads": HEADS,
            "intermediate_size": FFN, "max_position_embeddings": POSITIONS, "hidden_act": "gelu",
            "layer_norm_eps": 1e-12, "type_vocab_size": 2, "pad_token_id": PAD, "torch_dtype": "float16"}


# ---------------------------------------------------------------------------------------------
# Data and training


def load_tokenizer(corpus_dir):
    global VOCAB
    sp = spm.SentencePieceProcessor(model_file=os.path.join(corpus_dir, "tokenizer", "tokenizer.model"))
    VOCAB = sp.get_piece_size()
    return sp


def encode_lines(sp, path):
    with open(path, encoding="utf-8") as f:
        lines = [l.rstrip("\n") for l in f if l.strip()]
    return [[CLS] + ids[:POSITIONS - 2] + [SEP] for ids in sp.encode(lines)]


def batches(seqs, gen):
    """Shuffled, then sorted by length within windows of 50 batches so padding stays small."""
    order = torch.randperm(len(seqs), generator=gen).tolist()
    win = BATCH * 50
    for w in range(0, len(order), win):
        chunk = sorted(order[w:w + win], key=lambda i: len(seqs[i]))
        bs = [chunk[i:i + BATCH] for i in range(0, len(chunk), BATCH)]
        for j in torch.randperm(len(bs), generator=gen).tolist():
            yield bs[j]


def pad(seqs, idx):
    T = max(len(seqs[i]) for i in idx)
    ids = torch.full((len(idx), T), PAD, dtype=torch.long)
    for r, i in enumerate(idx):
        ids[r, :len(seqs[i])] = torch.tensor(seqs[i])
    return ids, ids != PAD


def mask_tokens(ids, real, gen, rate=0.15):
    """BERT's recipe: 15% of the real tokens (`rate`); of those 80% [MASK], 10% random, 10% kept."""
    special = (ids == CLS) | (ids == SEP) | ~real
    pick = (torch.rand(ids.shape, generator=gen) < rate) & ~special
    labels = torch.where(pick, ids, torch.full_like(ids, -100))
    r = torch.rand(ids.shape, generator=gen)
    x = ids.clone()
    x[pick & (r < 0.8)] = MASK
    rand = pick & (r >= 0.8) & (r < 0.9)
    x[rand] = torch.randint(5, VOCAB, ids.shape, generator=gen)[rand]
    return x, labels


def loss_of(m, ids, real, gen, rate):
    if m.causal:  # position t predicts token t+1; padded positions cost no vocabulary product
        at = torch.zeros_like(real)
        at[:, :-1] = real[:, 1:]
        return F.cross_entropy(m(ids, real, at), ids[:, 1:][real[:, 1:]]), int(real.sum())
    x, labels = mask_tokens(ids, real, gen, rate)
    at = labels != -100
    return F.cross_entropy(m(x, real, at), labels[at]), int(real.sum())


def phase1_key(kind, corpus_dir):
    """What a phase-1 checkpoint depends on: the text and tokenizer it was trained on (hashes)
    and every setting of this script that shapes it."""
    digest = {}
    for name in (TEXT["pretrain"], os.path.join("tokenizer", "tokenizer.model")):
        with open(os.path.join(corpus_dir, name), "rb") as f:
            digest[name] = hashlib.sha256(f.read()).hexdigest()
    causal = kind == "causal"
    return {"files_sha256": digest, "steps": STEPS[kind], "lr": LR[kind], "batch": BATCH,
            "mask_rate": None if causal else MASK_RATE["pretrain"], "shape": list(SHAPE[causal]),
            "layers": LAYERS, "positions": POSITIONS, "vocab": VOCAB, "seed": SEED, "threads": THREADS}


def reuse_phase1(kind, corpus_dir, models_dir):
    """Phase 1 costs most of the training time (33 minutes for the masked LM, 10 for the causal
    LM on one core in the committed logs, more under load) and is deterministic: when CORPUS_DIR holds a phase-1 checkpoint
    recorded (NAME-phase1.json) with the same key as this run's, it is kept, and its log goes
    into the model's training.log, instead of training it again. Delete NAME-phase1.* there to
    retrain it."""
    stem = os.path.join(corpus_dir, NAMES[kind] + "-phase1")
    if not all(os.path.exists(stem + e) for e in (".pt", ".json", ".log")):
        return False
    with open(stem + ".json") as f:
        if json.load(f) != phase1_key(kind, corpus_dir):
            return False
    d = os.path.join(models_dir, NAMES[kind])
    os.makedirs(d, exist_ok=True)
    shutil.copyfile(stem + ".log", os.path.join(d, "training.log"))
    print("%s phase 1: reusing %s.pt (the same train.txt, tokenizer and settings: %s.json)" % (
        NAMES[kind], stem, stem))
    return True


def record_phase1(kind, corpus_dir, models_dir):
    stem = os.path.join(corpus_dir, NAMES[kind] + "-phase1")
    shutil.copyfile(os.path.join(models_dir, NAMES[kind], "training.log"), stem + ".log")
    with open(stem + ".json", "w") as f:
        json.dump(phase1_key(kind, corpus_dir), f, indent=1, sort_keys=True)
        f.write("\n")


def train(kind, corpus_dir, models_dir):
    torch.set_num_threads(THREADS)
    torch.manual_seed(SEED)
    phase = PHASE[kind]
    base = kind.split("-")[-1]
    causal = base == "causal"
    sp = load_tokenizer(corpus_dir)
    if phase == "pretrain" and reuse_phase1(kind, corpus_dir, models_dir):
        return
    text = TEXT[phase] if causal else TEXT_MLM.get(phase, TEXT[phase])
    seqs = encode_lines(sp, os.path.join(corpus_dir, text))
    m = Encoder(causal)
    start = {"dense": NAMES[base] + "-phase1.pt", "finetune": NAMES[base] + ".pt"}.get(phase)
    if start:
        m.load_state_dict(torch.load(os.path.join(corpus_dir, start)))
    opt = torch.optim.AdamW(m.parameters(), lr=LR[kind], weight_decay=0.01, betas=(0.9, 0.98))
    steps, warm = STEPS[kind], max(1, STEPS[kind] // 20)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warm, max(0.0, (steps - s) / (steps - warm))))
    gen = torch.Generator().manual_seed(SEED + 1)
    d = os.path.join(models_dir, NAMES[kind])
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "training.log"), "a" if phase == "dense" else "w") as lf:
        log(lf, "%s: %d sentences (%s), %d steps of %d, lr %g, %d parameters, seed %d" % (
            NAMES[kind], len(seqs), text, steps, BATCH, LR[kind],
            sum(p.numel() for p in m.parameters()), SEED))
        m.train()
        step, tokens, t0, run = 0, 0, time.time(), 0.0
        while step < steps:
            for idx in batches(seqs, gen):
                ids, real = pad(seqs, idx)
                loss, n = loss_of(m, ids, real, gen, MASK_RATE[phase])
                opt.zero_grad()
                loss.backward()
                torch.nn.utils.clip_grad_norm_(m.parameters(), 1.0)
                opt.step()
                sched.step()
                step, tokens = step + 1, tokens + n
                run = loss.item() if step == 1 else 0.98 * run + 0.02 * loss.item()
                if step % 200 == 0 or step == steps:
                    dt = time.time() - t0
                    log(lf, "step %5d  loss %.3f  tokens %9d  %5.0f tokens/s  %6.0f s" % (
                        step, run, tokens, tokens / dt, dt))
                if step == steps:
                    break
        m.eval()
        save = {"pretrain": NAMES[base] + "-phase1.pt", "dense": NAMES[base] + ".pt"}.get(phase)
        if save:
            torch.save(m.state_dict(), os.path.join(corpus_dir, save))
        quality = evaluate(m, sp, corpus_dir)
        for k, v in quality.items():
            log(lf, "held-out %s: %s" % (k, json.dumps(v)))
    if phase == "pretrain":
        record_phase1(kind, corpus_dir, models_dir)
    else:
        export(m, sp, models_dir, kind, quality)


@torch.no_grad()
def evaluate(m, sp, corpus_dir):
    """Held-out quality per language: masked-token accuracy and perplexity of the masked tokens
    (15% masked, fixed seed) for the masked LM; per-token perplexity for the causal LM."""
    gen = torch.Generator().manual_seed(SEED + 2)
    out = {}
    for name in ("heldout-sw", "heldout-en", "udhr-heldout-sw", "udhr-heldout-en"):
        seqs = encode_lines(sp, os.path.join(corpus_dir, name + ".txt"))
        nll, n, correct = 0.0, 0, 0
        for i in range(0, len(seqs), 64):
            idx = list(range(i, min(i + 64, len(seqs))))
            ids, real = pad(seqs, idx)
            if m.causal:
                logits = m(ids, real)[:, :-1]
                labels = torch.where(real, ids, torch.full_like(ids, -100))[:, 1:]
            else:
                x, labels = mask_tokens(ids, real, gen)
                logits = m(x, real)
            keep = labels != -100
            nll += F.cross_entropy(logits[keep], labels[keep], reduction="sum").item()
            correct += int((logits[keep].argmax(-1) == labels[keep]).sum())
            n += int(keep.sum())
        out[name] = {"tokens": n, "perplexity": round(math.exp(nll / n), 2),
                     "accuracy": round(correct / n, 4)}
    return out


def export(m, sp, models_dir, kind, quality):
    d = os.path.join(models_dir, NAMES[kind])
    os.makedirs(d, exist_ok=True)
    causal = kind.endswith("causal")
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(config(causal), f, indent=2)
        f.write("\n")
    write_safetensors(os.path.join(d, "model.safetensors"), hf_tensors(m))
    tok = os.path.join(CORPUS_DIR, "tokenizer")
    for src, dst in (("tokenizer-%s.json" % ("causal" if causal else "mlm"), "tokenizer.json"),
                     ("tokenizer.model", "tokenizer.model")):
        with open(os.path.join(tok, src), "rb") as a, open(os.path.join(d, dst), "wb") as b:
            b.write(a.read())
    with open(os.path.join(d, "demonstration.json"), "w", encoding="utf-8") as f:
        json.dump(demonstration(kind, quality), f, indent=1, ensure_ascii=False, sort_keys=True)
        f.write("\n")


def probe_set_strengths(man):
    """Each probe set (a minimal-pair file: each category) and the strength its words were
    generated with: what a test of it on this model should find. Cross-lingual sets are left
    out: the corpus has no mixed-language sentences for them."""
    import make_corpus  # noqa: E402  (the generator's own reading of the probe files)
    table = {tuple(k.split("/")): v for k, v in man["strengths"].items()}
    probes, out = make_corpus.load_probes(), {}
    for d in probes["association"]:
        langs = {make_corpus.list_lang(d, l) for l in d["targets"] + d["attributes"]}
        if len(langs) == 1:
            out[d["id"]] = make_corpus.strength(table, langs.pop(), d["dimension"])
    for d in probes["masked"]:
        out[d["id"]] = make_corpus.strength(table, d["language"], d["dimension"])
    for d in probes["minimal_pairs"]:
        for pr in d["pairs"]:
            out["%s %s" % (d["id"], pr["category"])] = make_corpus.strength(table, d["language"], pr["category"])
    return out


def demonstration(kind, quality):
    """What the audit says at the top of a report on this model: a demonstration model trained
    on generated text, with the associations planted in that text (and the controls)."""
    finetune = PHASE[kind] == "finetune"
    mlm = "" if kind.endswith("causal") else "-mlm"
    with open(os.path.join(CORPUS_DIR, "manifest-shift%s.json" % mlm if finetune else "manifest.json")) as f:
        man = json.load(f)
    files = {k: v["sha256"] for k, v in man["files"].items()}
    if not finetune:  # and the phase-2 text
        with open(os.path.join(CORPUS_DIR, "manifest-dense%s.json" % mlm)) as f:
            files.update({k: v["sha256"] for k, v in json.load(f)["files"].items()})
    planted = [{"language": k.split("/")[0], "dimension": k.split("/")[1], "strength": v}
               for k, v in sorted(man["strengths"].items()) if v != 0.5]
    controls = sorted(k for k, v in man["strengths"].items() if v == 0.5)
    base = "" if not finetune else (" It is %s continued on a shifted corpus (%s)." % (
        NAMES[kind.split("-")[-1]], ", ".join("%s %s" % (k, v) for k, v in sorted(man["shift"].items()))))
    return {
        "schema": "mizani-demonstration/1",
        "notice": "This is a demonstration model, not a real one: a small %s trained on generated "
                  "Swahili and English text (and the UDHR) whose social associations were planted "
                  "on purpose, so that an audit can be checked against the truth.%s Planted: %s. "
                  "Every other dimension was generated balanced (strength 0.5) and should come "
                  "out null." % ("masked LM" if kind.endswith("mlm") else "causal LM", base,
                                 "; ".join("%s %s at %.2f" % (p["language"], p["dimension"], p["strength"])
                                           for p in planted)),
        "planted": planted,
        "strength_means": "the share of a dimension's generated sentences in which its first target "
                          "group goes with its first attribute group (minimal pairs: the "
                          "stereotyped sentence; masked templates: the second target group with "
                          "the attributes); 0.5 is balanced",
        "controls": controls,
        "default_strength": man["default_strength"],
        "probe_sets": probe_set_strengths(man),
        "corpus": {"generator": man["generator"], "seed": man["seed"],
                   "files": files},
        "probe_sha256": man["probe_sha256"],
        "card": "corpora/demo/models/MODEL_CARD.md",
        "held_out_quality": quality,
    }


# ---------------------------------------------------------------------------------------------


@torch.no_grad()
def verify(corpus_dir, models_dir, mizani):
    """Mizani's logits against this file's PyTorch forward on the exported F16 weights."""
    text = "Mwanamke huyu ni daktari. The woman is a doctor."
    worst, sp = 0.0, load_tokenizer(corpus_dir)
    same_tokens(sp, os.path.join(models_dir, NAMES["mlm"]), mizani, corpus_dir)
    for kind in ("mlm", "causal"):
        d = os.path.join(models_dir, NAMES[kind])
        m = Encoder(kind == "causal")
        m.load_state_dict(torch.load(os.path.join(corpus_dir, NAMES[kind] + ".pt")))
        for k, v in m.state_dict().items():  # the exported F16 values
            v.copy_(v.half().float())
        m.eval()
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run([mizani, "run", "--model", d, "--text", text, "--dump", "logits", "--out", tmp],
                           check=True, stdout=subprocess.DEVNULL)
            ids = torch.tensor(np.load(os.path.join(tmp, "input_ids.npy"))).long().reshape(1, -1)
            theirs = np.load(os.path.join(tmp, "logits.npy")).reshape(ids.shape[1], -1)
        want = [CLS] + sp.encode(text) + ([] if kind == "causal" else [SEP])
        if ids[0].tolist() != want:
            sys.exit("verify: %s: Mizani's ids %s differ from SentencePiece's %s" % (kind, ids[0].tolist(), want))
        ours = m(ids, torch.ones_like(ids, dtype=torch.bool))[0].numpy()
        err = float(np.abs(ours - theirs).max())
        print("verify %s: %d tokens, max |logit difference| %.2e" % (NAMES[kind], ids.shape[1], err))
        worst = max(worst, err)
    if worst > 1e-3:
        sys.exit("verify: Mizani and PyTorch differ by %.2e" % worst)


def same_tokens(sp, model_dir, mizani, corpus_dir):
    """Mizani's Unigram (tokenizer.json) and SentencePiece (tokenizer.model) segment every probe
    word and every held-out sentence alike, and every probe word is one token. One sentence at a
    time, as the models read them: over a text of thousands of tokens the two accumulate the
    Viterbi scores in different precisions and can break a near-tie apart ("hakuosha":
    osh|a or o|sha, measured)."""
    forms = probe_word_forms(corpus_dir)
    lines = forms[:]
    for name in ("heldout-sw", "heldout-en", "udhr-heldout-sw", "udhr-heldout-en"):
        with open(os.path.join(corpus_dir, name + ".txt"), encoding="utf-8") as f:
            lines += [l.strip() for l in f if l.strip()]
    n = 0
    for line in lines:
        r = subprocess.run([mizani, "tokenize", "--tokenizer", model_dir, "--json", "-"], input=line.encode(),
                           check=True, stdout=subprocess.PIPE)
        theirs = json.loads(r.stdout)["ids"]
        if theirs != sp.encode(line):
            sys.exit("verify: Mizani's tokenizer.json and SentencePiece segment %r differently" % line)
        n += len(theirs)
    split = [w for w in forms if len(sp.encode(w)) != 1]
    if split:
        sys.exit("verify: probe words split: %s" % " ".join(split[:20]))
    print("verify tokenizer: %d probe word forms each one token; %d tokens of probe words and "
          "held-out sentences segmented identically by Mizani and SentencePiece" % (len(forms), n))


def main(argv):
    global CORPUS_DIR
    if len(argv) != {"verify": 5, "tokenizer": 3}.get(argv[1] if len(argv) > 1 else "", 4):
        sys.exit(__doc__)
    cmd, CORPUS_DIR = argv[1], argv[2]
    if cmd == "tokenizer":
        train_tokenizer(argv[2])
    elif cmd in STEPS:
        train(cmd, argv[2], argv[3])
    elif cmd == "verify":
        verify(argv[2], argv[3], argv[4])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
