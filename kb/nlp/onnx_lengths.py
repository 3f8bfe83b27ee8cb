"""An edit of an ONNX model on the protobuf wire format: its GRUs given each row's length.

kb's name tagger (:mod:`kb.nlp.tagger`) batches sentences of about the same
length into one padded encoder call; this is what makes a padded row's scores
its own. Only the few fields the edit touches are read; every other byte of the
model (its 30 MB of weights) is copied as it is.
"""

from __future__ import annotations

from collections.abc import Iterator


def with_sequence_lengths(model: bytes) -> bytes:
    """The encoder with its ``length`` input fed to its GRUs as ``sequence_lens``.

    As shipped, the GRUs read every row to the batch's width, so padding would
    change a shorter row's scores. Given each row's length, a GRU stops there
    (the backward direction starts there), so a padded batch gives each row the
    scores it gets alone, bit for bit (a test checks it). The edit is made on
    the protobuf wire format (ModelProto.graph = 7, GraphProto.node = 1,
    NodeProto input/output/name/op_type/attribute = 1/2/3/4/5): a ``Cast``
    node (int64 → int32) comes first, and each GRU's fifth input is its output."""
    lens = b"kb.sequence_lens"
    cast = (_bytes_field(1, b"length") + _bytes_field(2, lens) + _bytes_field(3, b"kb.cast")
            + _bytes_field(4, b"Cast") + _bytes_field(5, _bytes_field(1, b"to") + _int_field(3, 6) + _int_field(20, 2)))
    parts: list[bytes | memoryview] = []  # the new model, joined once (the weights are 30 MB)
    for field, whole, graph in _fields(memoryview(model)):
        if field != 7:
            parts.append(whole)
            continue
        nodes: list[bytes | memoryview] = [_bytes_field(1, cast)]
        for node_field, node_whole, node in _fields(graph):
            if node_field == 1 and any(f == 4 and bytes(v) == b"GRU" for f, _, v in _fields(node)):
                inputs = [bytes(v) for f, _, v in _fields(node) if f == 1]
                inputs += [b""] * (5 - len(inputs))
                inputs[4] = lens
                rest = b"".join(bytes(w) for f, w, _ in _fields(node) if f != 1)
                nodes.append(_bytes_field(1, b"".join(_bytes_field(1, i) for i in inputs) + rest))
            else:
                nodes.append(node_whole)
        parts += [_encode_varint(7 << 3 | 2) + _encode_varint(sum(len(n) for n in nodes)), *nodes]
    return b"".join(parts)


def _fields(message: memoryview) -> Iterator[tuple[int, memoryview, memoryview]]:
    """``(field number, the field's bytes, its payload)`` of each field of a protobuf message
    (a varint's payload: its bytes)."""
    i = 0
    while i < len(message):
        start = i
        key, i = _varint(message, i)
        wire = key & 7
        if wire == 0:
            begin = i
            _, i = _varint(message, i)
        elif wire == 2:
            size, begin = _varint(message, i)
            i = begin + size
        elif wire in (1, 5):
            begin, i = i, i + (8 if wire == 1 else 4)
        else:
            raise ValueError(f"protobuf wire type {wire} at byte {start}")
        yield key >> 3, message[start:i], message[begin:i]


def _varint(data: memoryview, i: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[i]
        i += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, i


def _encode_varint(value: int) -> bytes:
    out = bytearray()
    while value > 0x7F:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _bytes_field(field: int, payload: bytes) -> bytes:
    return _encode_varint(field << 3 | 2) + _encode_varint(len(payload)) + payload


def _int_field(field: int, value: int) -> bytes:
    return _encode_varint(field << 3) + _encode_varint(value)
