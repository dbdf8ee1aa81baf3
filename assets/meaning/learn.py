"""Quire's static embedding model, distilled then taught, offline, with numpy only.

1. Distil (as Model2Vec does, see distill.py): every vocabulary token passed alone through
   all-MiniLM-L6-v2, the [CLS] and token outputs averaged into its row.
2. Teach (as Model2Vec's tokenlearn does): the transformer embeds every paragraph of a corpus
   of technical prose (corpus.py), and the rows are fitted so that a paragraph's weighted mean
   of rows points where the transformer's vector for it points (cosine loss, Adam, 4 passes).
   A row alone knows its token out of context; taught, it knows how the token is used. Over
   Quire's question set the model alone put 12 targets in the top 3 before, 17 after.
3. Write: rows weighted by token rarity (SIF, vocabulary order standing in for frequency),
   projected on their top DIMS singular directions (uncentred, since a text's vector is a sum
   of rows), int8 with one f32 scale per row, in Quire's format (distill.py's).

Run by build.sh. Usage: learn.py MODEL_DIR CORPUS.json OUT_FILE DIMS
"""

import json
import sys
import time

import numpy as np
from tokenizers import Tokenizer

from distill import bert, load_safetensors, token_rows, write_model

SIF_COEFFICIENT = 1e-4
EPOCHS = 4
LEARNING_RATE = 0.005
BATCH = 64


def log(message):
    print(message, file=sys.stderr, flush=True)


def embed_paragraphs(weights, config, ids_list):
    """The transformer's mean-pooled, normalised vector of each paragraph."""
    order = np.argsort([len(ids) for ids in ids_list], kind="stable")
    out = np.zeros((len(ids_list), config["hidden_size"]), dtype=np.float32)
    started = time.time()
    for start in range(0, len(order), 32):
        chunk = order[start : start + 32]
        length = max(len(ids_list[i]) for i in chunk)
        ids = np.zeros((len(chunk), length), dtype=np.int64)
        mask = np.zeros((len(chunk), length), dtype=bool)
        for row, i in enumerate(chunk):
            ids[row, : len(ids_list[i])] = ids_list[i]
            mask[row, : len(ids_list[i])] = True
        hidden = bert(weights, config, ids, mask)
        out[chunk] = (hidden * mask[:, :, None]).sum(1) / mask.sum(1, keepdims=True)
        if start % 3200 == 0:
            log(f"  teacher: {start}/{len(order)} paragraphs, {time.time() - started:.0f} s")
    return out / np.linalg.norm(out, axis=1, keepdims=True)


def main():
    model_dir, corpus_path, out_path, dims = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    with open(f"{model_dir}/config.json") as f:
        config = json.load(f)
    with open(f"{model_dir}/vocab.txt", encoding="utf-8") as f:
        vocab = [line.rstrip("\n") for line in f]
    weights = load_safetensors(f"{model_dir}/model.safetensors")
    tokenizer = Tokenizer.from_file(f"{model_dir}/tokenizer.json")
    tokenizer.no_truncation()
    tokenizer.no_padding()
    size = len(vocab)
    special = np.array([t.startswith("[") and t.endswith("]") for t in vocab])
    cls, sep = vocab.index("[CLS]"), vocab.index("[SEP]")

    # 1. Distil: each token's row, out of context.
    table = token_rows(weights, config, np.arange(size), cls, sep).astype(np.float32)
    table -= table[~special].mean(axis=0)

    rank = np.arange(size, dtype=np.float64) + 2
    proba = (1.0 / rank) / (1.0 / rank).sum()
    sif = (SIF_COEFFICIENT / (SIF_COEFFICIENT + proba)).astype(np.float32)

    # 2. Teach: the transformer's vectors of the corpus, then the rows fitted to them.
    with open(corpus_path) as f:
        corpus = json.load(f)
    encoded = [tokenizer.encode(p).ids[:128] for p in corpus]
    targets = embed_paragraphs(weights, config, encoded)
    tokens = [np.array([i for i in ids if not special[i]], dtype=np.int64) for ids in encoded]
    kept = [i for i, t in enumerate(tokens) if len(t)]
    moment = np.zeros_like(table)
    second = np.zeros_like(table)
    step = 0
    rng = np.random.default_rng(0)
    for epoch in range(EPOCHS):
        order = rng.permutation(kept)
        loss = 0.0
        for start in range(0, len(order), BATCH):
            chunk = order[start : start + BATCH]
            grad = np.zeros_like(table)
            for i in chunk:
                t = tokens[i]
                v = (table[t] * sif[t, None]).sum(0)
                norm = np.linalg.norm(v) + 1e-9
                cos = v @ targets[i] / norm
                loss += 1.0 - cos
                g = -(targets[i] / norm - cos * v / (norm * norm))
                np.add.at(grad, t, sif[t, None] * g[None, :])
            grad /= len(chunk)
            step += 1
            moment = 0.9 * moment + 0.1 * grad
            second = 0.999 * second + 0.001 * grad * grad
            table -= LEARNING_RATE * (moment / (1 - 0.9**step)) / (np.sqrt(second / (1 - 0.999**step)) + 1e-8)
        log(f"  taught: pass {epoch + 1}/{EPOCHS}, mean cosine loss {loss / len(order):.4f}")

    # 3. Write.
    unk = vocab.index("[UNK]")
    rows = [unk] + [i for i in range(size) if not special[i]]
    weighted = table[rows].astype(np.float64) * sif[rows, None]
    _, _, vt = np.linalg.svd(weighted, full_matrices=False)
    projected = weighted @ vt[:dims].T
    write_model(out_path, [vocab[i] for i in rows], projected)


if __name__ == "__main__":
    main()
