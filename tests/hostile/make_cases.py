#!/usr/bin/python3
"""Writes the hand-made broken inputs of the hostile-input suite into tests/hostile/cases/: one
or more for every loader (tokenizer.json, vocab.txt, vocab.json + merges.txt, SentencePiece
.model, GGUF, safetensors, config.json, text and word2vec vectors, probe files, .npy, word
lists), each broken in one way a real file can be. The files are committed; this script only
documents how they were made (standard library only):

    /usr/bin/python3 tests/hostile/make_cases.py

tests/hostile/cases.txt says what each case runs and what it must answer; tests/hostile/run.sh
checks it. The same files seed the fuzz corpora (tests/fuzz/corpus/*/hostile-*)."""
import json
import os
import shutil
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "reference"))
from protobuf import field, varint  # noqa: E402  (SentencePiece .model fields)
OUT = os.path.join(HERE, "cases")
GOLDEN = os.path.join(HERE, "..", "golden")
FUZZ = os.path.join(HERE, "..", "fuzz", "corpus")


def write(name, data, fuzz=None):
    path = os.path.join(OUT, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(path, "wb") as f:
        f.write(data)
    if fuzz:  # the same bytes seed the fuzz target that reads this format
        with open(os.path.join(FUZZ, fuzz, "hostile-" + os.path.basename(name)), "wb") as f:
            f.write(data)


def tok_json(model, **rest):
    return json.dumps(dict(version="1.0", model=model, **rest))


WORDLEVEL = {"type": "WordLevel", "vocab": {"[UNK]": 0, "[CLS]": 1, "[SEP]": 2, "a": 3, "b": 4},
             "unk_token": "[UNK]"}


def tokenizers():
    write("tok-truncated.json", tok_json(WORDLEVEL)[:40], "tokenizer_json")
    write("tok-ids-gap.json", tok_json(dict(WORDLEVEL, vocab={"[UNK]": 0, "a": 2})), "tokenizer_json")
    # a pattern that backtracks catastrophically on "aaa...ab"
    write("tok-catastrophic.json", tok_json(WORDLEVEL, pre_tokenizer={
        "type": "Split", "pattern": {"Regex": "(a+)+$"}, "behavior": "Isolated", "invert": False}),
        "tokenizer_json")
    write("tok-invalid-regex.json", tok_json(WORDLEVEL, pre_tokenizer={
        "type": "Split", "pattern": {"Regex": "(ab"}, "behavior": "Isolated", "invert": False}),
        "tokenizer_json")
    write("tok-regex-newline.json", tok_json(WORDLEVEL, pre_tokenizer={  # still one line
        "type": "Split", "pattern": {"Regex": "(a\n"}, "behavior": "Isolated", "invert": False}),
        "tokenizer_json")
    # post-processor specials outside the vocabulary, or negative
    write("tok-special-outside.json", tok_json(WORDLEVEL, post_processor={
        "type": "BertProcessing", "sep": ["[SEP]", 99], "cls": ["[CLS]", 1]}), "tokenizer_json")
    write("tok-special-negative.json", tok_json(WORDLEVEL, post_processor={
        "type": "BertProcessing", "sep": ["[SEP]", 2], "cls": ["[CLS]", -1]}), "tokenizer_json")
    write("tok-template-outside.json", tok_json(WORDLEVEL, post_processor={
        "type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}},
                                                 {"Sequence": {"id": "A", "type_id": 0}}],
        "pair": [], "special_tokens": {"[CLS]": {"id": "[CLS]", "ids": [7], "tokens": ["[CLS]"]}}}),
        "tokenizer_json")
    # a named unknown token that is not in the vocabulary; none at all, and a word not in it
    write("tok-unk-missing.json", tok_json(dict(WORDLEVEL, unk_token="<unk>")), "tokenizer_json")
    write("tok-no-unk.json", tok_json({k: v for k, v in WORDLEVEL.items() if k != "unk_token"}),
          "tokenizer_json")
    write("tok-pad-negative.json", tok_json(WORDLEVEL, padding={"pad_id": -3}), "tokenizer_json")


def legacy():
    vocab = "[PAD]\n[UNK]\n[CLS]\n[SEP]\nmtu\nana\nmtu\n"
    write("vocab-repeat/vocab.txt", vocab, "vocab_txt")
    write("vocab-nul/vocab.txt", b"[PAD]\n[UNK]\n[CLS]\n[SEP]\nmt\0u\n", "vocab_txt")
    write("vocab-utf8/vocab.txt", b"[PAD]\n[UNK]\n[CLS]\n[SEP]\nmt\xffu\n", "vocab_txt")
    bpe = {"a": 0, "b": 1, "ab": 2, "c": 3, "<|endoftext|>": 4}
    for name, merges in [("merges-utf8", b"#version: 0.2\na b\nab \xc3(\n"),
                         ("merges-unknown", b"#version: 0.2\na b\nab zz\n"),
                         ("merges-one-token", b"#version: 0.2\na b\nabc\n")]:
        write(name + "/vocab.json", json.dumps(bpe))
        write(name + "/merges.txt", merges)
    write("vocab-json-broken/vocab.json", '{"a": 0,\n "b": }\n')
    write("vocab-json-broken/merges.txt", "#version: 0.2\na b\n")


def piece(text, score, kind):
    return field(1, 2, field(1, 2, text.encode()) + field(2, 5, struct.pack("<f", score)) +
                 field(3, 0, varint(kind)))


def sentencepiece():
    trainer_unk = lambda unk: field(2, 2, field(3, 0, varint(1)) + field(40, 0, varint(unk)))
    pieces = piece("<unk>", 0, 2) + piece("\u2581mtu", -1, 1) + piece("a", -2, 1)
    write("spm-garbage.model", b"\x0a\xff\xff\xff\xff\x0f", "spm")
    write("spm-no-pieces.model", trainer_unk(0), "spm")
    write("spm-unk-outside.model", pieces + trainer_unk(9), "spm")
    write("spm-piece-not-utf8.model", pieces + field(1, 2, field(1, 2, b"\xe2\x96") +
                                                     field(3, 0, varint(1))) + trainer_unk(0), "spm")


def gguf_str(s):
    s = s if isinstance(s, bytes) else s.encode()
    return struct.pack("<Q", len(s)) + s


def gguf(kvs, tensors=(), align_pad=True):
    """kvs: (key, type, raw value bytes); tensors: (name, dims, type, offset)."""
    head = b"GGUF" + struct.pack("<IQQ", 3, len(tensors), len(kvs))
    head += b"".join(gguf_str(k) + struct.pack("<I", t) + v for k, t, v in kvs)
    for name, dims, t, off in tensors:
        head += gguf_str(name) + struct.pack("<I", len(dims)) + b"".join(struct.pack("<Q", d) for d in dims)
        head += struct.pack("<IQ", t, off)
    if align_pad:
        head += b"\0" * (-len(head) % 32)
    return head + b"\0" * 64


def str_array(items):
    return struct.pack("<IQ", 8, len(items)) + b"".join(gguf_str(x) for x in items)


def ggufs():
    bert = [("tokenizer.ggml.model", 8, gguf_str("bert"))]
    write("gguf-align0.gguf", gguf(bert + [("general.alignment", 4, struct.pack("<I", 0))],
                                   [("token_embd.weight", [4, 2], 0, 0)]), "gguf")
    write("gguf-empty-tokens.gguf", gguf(bert + [("tokenizer.ggml.tokens", 9, str_array([]))]), "gguf")
    write("gguf-dup-tensor.gguf", gguf(bert, [("token_embd.weight", [4, 2], 0, 0),
                                             ("token_embd.weight", [4, 2], 0, 32)]), "gguf")
    write("gguf-dup-key.gguf", gguf(bert + bert), "gguf")
    write("gguf-token-not-utf8.gguf",
          gguf(bert + [("tokenizer.ggml.tokens", 9, str_array(["[UNK]", "[CLS]", "[SEP]", b"\xff"]))]), "gguf")
    write("gguf-bad-magic.gguf", b"GGUX" + gguf(bert)[4:], "gguf")
    write("gguf-truncated.gguf", gguf(bert + [("tokenizer.ggml.tokens", 9, str_array(["[UNK]", "a"]))])[:40],
          "gguf")


def safetensors(header, data_len=16, declared=None):
    h = json.dumps(header).encode()
    return struct.pack("<Q", declared if declared is not None else len(h)) + h + b"\0" * data_len


def models():
    config = open(os.path.join(GOLDEN, "models", "bert-f16", "config.json")).read()
    t = {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]}
    for name, st in [("st-header-past-end", safetensors({"x": t}, declared=1 << 40)),
                     ("st-overlap", safetensors({"x": t, "y": dict(t, data_offsets=[8, 24])}, 24)),
                     ("st-bad-header", struct.pack("<Q", 9) + b"{\"x\": [1,")]:
        write(name + "/config.json", config)
        write(name + "/model.safetensors", st, "safetensors")
    write("config-broken/config.json", '{"model_type": "bert",\n "hidden_size": }\n', "model_config")
    write("config-broken/model.safetensors", safetensors({"x": t}))
    write("config-t5/config.json", '{"model_type": "t5"}\n', "model_config")
    write("config-t5/model.safetensors", safetensors({"x": t}))
    # a model with a tokenizer that is not its own: 669 ids against 96 embedding rows
    src = os.path.join(GOLDEN, "models", "bert-f16")
    for f in ("config.json", "model.safetensors"):
        shutil.copy(os.path.join(src, f), os.path.join(OUT, "model-tokenizer-mismatch", f))
    shutil.copy(os.path.join(GOLDEN, "tokenizers", "wordpiece-bert.json"),
                os.path.join(OUT, "model-tokenizer-mismatch", "tokenizer.json"))


def vectors():
    write("vec-nul.vec", b"mama 0.1 0.2\nba\0ba 0.3 0.4\n", "vectors_text")
    write("vec-bad-number.vec", "mama 0.1 0.2\nbaba 0.3 0,4\n", "vectors_text")
    write("vec-dims.vec", "2 3\nmama 0.1 0.2 0.3\nbaba 0.3 0.4\n", "vectors_text")
    write("vec-utf8.vec", b"mama 0.1 0.2\nba\xc3(ba 0.3 0.4\n", "vectors_text")
    write("vec-count.vec", "3 2\nmama 0.1 0.2\nbaba 0.3 0.4\n", "vectors_text")
    write("vec-nan.vec", "mama 0.1 0.2\nbaba nan 0.4\n", "vectors_text")
    row = struct.pack("<3f", 1, 2, 3)
    write("w2v-truncated.bin", b"2 3\nmama " + row + b"\nbaba " + row[:5], "vectors_word2vec")
    write("w2v-bad-header.bin", b"two three\nmama " + row, "vectors_word2vec")
    write("w2v-nan.bin", b"1 3\nmama " + struct.pack("<3f", 1, float("nan"), 3), "vectors_word2vec")


def probes():
    write("probes-broken.json", '{"schema": "mizani-probes/1", "id": "x",\n "kind": }\n', "probes")
    write("probes-schema.json", json.dumps({"schema": "mizani-probes/9", "id": "x"}), "probes")


def npy(header, data=b""):
    h = header.encode()
    h += b" " * (-(10 + len(h) + 1) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h + data


def npys():
    good_ids = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 3), }", struct.pack("<3f", 2, 5, 3))
    write("npy-truncated/input_ids.npy", good_ids[:-4], "npy")
    write("npy-bad-dtype/input_ids.npy", npy("{'descr': '<c16', 'fortran_order': False, 'shape': (1, 1), }",
                                             b"\0" * 16), "npy")
    write("npy-bad-magic/input_ids.npy", b"\x93NUMPX" + good_ids[6:], "npy")
    hidden = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 3, 32), }", b"\0" * 384)
    for case in ("npy-truncated", "npy-bad-dtype", "npy-bad-magic"):
        write(case + "/hidden.0.npy", hidden)
    write("npy-array-truncated/input_ids.npy", good_ids)
    write("npy-array-truncated/hidden.0.npy", hidden[:-100])


def word_lists():
    write("dictionary-utf8.dic", b"3\nmtu/S\nwat\xffu/S\nhaki\n")


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(os.path.join(OUT, "model-tokenizer-mismatch"))
    for fuzz in ("tokenizer_json", "vocab_txt", "spm", "gguf", "safetensors", "model_config",
                 "vectors_text", "vectors_word2vec", "probes", "npy"):
        for f in os.listdir(os.path.join(FUZZ, fuzz)):
            if f.startswith("hostile-"):
                os.remove(os.path.join(FUZZ, fuzz, f))
    tokenizers()
    legacy()
    sentencepiece()
    ggufs()
    models()
    vectors()
    probes()
    npys()
    word_lists()


if __name__ == "__main__":
    main()
