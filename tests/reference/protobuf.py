"""The little of the protocol-buffer wire format that SentencePiece .model files use: base-128
varints and tagged fields. Standard library only: shared by the generators that write .model
files (tests/hostile/make_cases.py) or edit them (corpora/demo/train_models.py)."""


def varint(n):
    out = b""
    while True:
        b, n = n & 0x7F, n >> 7
        out += bytes([b | (0x80 if n else 0)])
        if not n:
            return out


def read_varint(buf, i):
    """The varint at buf[i:] and the index after it."""
    n = shift = 0
    while True:
        b = buf[i]
        i += 1
        n |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return n, i


def field(num, wire, payload):
    """Field `num` of wire type `wire` (0 varint, 2 length-delimited, 5 32-bit); a varint's or a
    32-bit value's payload comes encoded."""
    if wire == 2:
        return varint(num << 3 | 2) + varint(len(payload)) + payload
    return varint(num << 3 | wire) + payload
