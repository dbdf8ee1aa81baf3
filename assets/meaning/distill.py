"""Distil Quire's static embedding model from all-MiniLM-L6-v2, offline, with numpy only.

The method is Model2Vec's: every token of the vocabulary is passed alone through the
transformer ([CLS] token [SEP]) and its outputs pooled into one vector, the table is reduced
by PCA and each row is weighted by how rare its token is (SIF, with the vocabulary's order
standing in for frequency, as Model2Vec does). The pooling is the mean of the [CLS] and the
token's own outputs (Model2Vec means all three): over Quire's question set it put more
targets in the top 10 (see README.md). A sentence is then the normalised mean
of its tokens' rows: no transformer at run time, microseconds per sentence.

This was Quire's model until 2026-12-08; learn.py (run by build.sh) now starts from the same
rows and teaches them. Run alone, this script writes the distilled-only table, to measure
what the teaching adds. The transformer, the rows and the model file's writer are shared
with learn.py.
Usage: distill.py MODEL_DIR OUT_FILE DIMS
"""

import json
import struct
import sys

import numpy as np

SIF_COEFFICIENT = 1e-4
BATCH = 2048


def load_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    (header_len,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + header_len])
    base = 8 + header_len
    kinds = {"F32": np.float32, "F16": np.float16, "I64": np.int64}
    tensors = {}
    for name, spec in header.items():
        if name == "__metadata__":
            continue
        start, end = spec["data_offsets"]
        data = np.frombuffer(raw[base + start : base + end], dtype=kinds[spec["dtype"]])
        tensors[name.removeprefix("bert.")] = data.reshape(spec["shape"]).astype(np.float32)
    return tensors


def erf(x):
    # Abramowitz and Stegun 7.1.26 (|error| < 1.5e-7): numpy has no erf, and BERT's GELU
    # is the exact one.
    sign = np.sign(x)
    x = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * x)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return sign * (1.0 - poly * np.exp(-x * x))


def gelu(x):
    return 0.5 * x * (1.0 + erf(x / np.sqrt(2.0)))


def layer_norm(x, weight, bias, eps):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


def linear(x, w, prefix):
    return x @ w[prefix + ".weight"].T + w[prefix + ".bias"]


def bert(w, config, ids, mask=None):
    """Last hidden states for a batch of id sequences; `mask` (batch x length, True for a
    token) leaves the padding of shorter ones out of attention."""
    eps = config["layer_norm_eps"]
    heads = config["num_attention_heads"]
    batch, length = ids.shape
    x = (
        w["embeddings.word_embeddings.weight"][ids]
        + w["embeddings.position_embeddings.weight"][np.arange(length)][None, :, :]
        + w["embeddings.token_type_embeddings.weight"][0][None, None, :]
    )
    x = layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], eps)
    hidden = x.shape[-1]
    size = hidden // heads
    for layer in range(config["num_hidden_layers"]):
        p = f"encoder.layer.{layer}."

        def split(t):
            return t.reshape(batch, length, heads, size).transpose(0, 2, 1, 3)

        q = split(linear(x, w, p + "attention.self.query"))
        k = split(linear(x, w, p + "attention.self.key"))
        v = split(linear(x, w, p + "attention.self.value"))
        scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(size)
        if mask is not None:
            scores = scores + np.where(mask, 0.0, -1e9).astype(np.float32)[:, None, None, :]
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        scores /= scores.sum(-1, keepdims=True)
        context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch, length, hidden)
        attended = linear(context, w, p + "attention.output.dense")
        x = layer_norm(
            attended + x,
            w[p + "attention.output.LayerNorm.weight"],
            w[p + "attention.output.LayerNorm.bias"],
            eps,
        )
        inner = gelu(linear(x, w, p + "intermediate.dense"))
        out = linear(inner, w, p + "output.dense")
        x = layer_norm(out + x, w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"], eps)
    return x


def token_rows(w, config, tokens, cls, sep):
    """Each token's row, out of context: the mean of the [CLS] and the token's own outputs
    of "[CLS] token [SEP]"."""
    rows = []
    for start in range(0, len(tokens), BATCH):
        chunk = np.asarray(tokens[start : start + BATCH])
        ids = np.stack([np.full_like(chunk, cls), chunk, np.full_like(chunk, sep)], axis=1)
        hidden = bert(w, config, ids)
        rows.append((hidden[:, 0] + hidden[:, 1]) / 2)
        print(f"  rows: {min(start + BATCH, len(tokens))}/{len(tokens)} tokens", file=sys.stderr, flush=True)
    return np.concatenate(rows)


def main():
    model_dir, out_path, dims = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with open(f"{model_dir}/config.json") as f:
        config = json.load(f)
    with open(f"{model_dir}/vocab.txt", encoding="utf-8") as f:
        vocab = [line.rstrip("\n") for line in f]
    weights = load_safetensors(f"{model_dir}/model.safetensors")

    cls, sep = vocab.index("[CLS]"), vocab.index("[SEP]")
    # Tokens WordPiece can produce: the special and unused slots are never looked up.
    kept = [i for i, t in enumerate(vocab) if not (t.startswith("[") and t.endswith("]"))]
    unk = vocab.index("[UNK]")
    kept = [unk] + kept

    table = token_rows(weights, config, kept, cls, sep).astype(np.float64)

    # PCA, as Model2Vec does: centre, project on the top components.
    centred = table - table.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    table = centred @ vt[:dims].T

    # SIF weighting by rank (the vocabulary is roughly in frequency order).
    rank = np.arange(2, len(kept) + 2, dtype=np.float64)
    proba = (1.0 / rank) / (1.0 / rank).sum()
    table *= (SIF_COEFFICIENT / (SIF_COEFFICIENT + proba))[:, None]

    write_model(out_path, [vocab[i] for i in kept], table)


def write_model(out_path, tokens, table):
    """Quire's model file: the tokens, then the rows as int8, each with its own f32 scale."""
    scale = np.abs(table).max(axis=1) / 127.0
    scale[scale == 0] = 1.0
    quantised = np.clip(np.round(table / scale[:, None]), -127, 127).astype(np.int8)
    with open(out_path, "wb") as f:
        f.write(b"QUIREM2V")
        f.write(struct.pack("<III", 1, table.shape[1], len(tokens)))
        for t in tokens:
            token = t.encode("utf-8")
            f.write(struct.pack("<B", len(token)))
            f.write(token)
        f.write(scale.astype("<f4").tobytes())
        f.write(quantised.tobytes())
    print(f"wrote {out_path}: {len(tokens)} tokens x {table.shape[1]} dims", file=sys.stderr)

if __name__ == "__main__":
    main()
