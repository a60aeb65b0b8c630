"""Reference answers for embedd's MiniLM provider (test tooling only).

    python3 Tests/Python/minilm_reference.py tokens MODEL_DIR SENTENCES_JSON
        token ids from Hugging Face `tokenizers` (BertWordPieceTokenizer over MODEL_DIR/vocab.txt,
        uncased, truncation at 256), one JSON list per sentence
    python3 Tests/Python/minilm_reference.py embed MODEL_DIR SENTENCES_JSON
        sentence embeddings from an independent NumPy forward pass over MODEL_DIR/model.safetensors
        (padded batches with an attention mask, the way PyTorch runs it), one JSON list per sentence

SENTENCES_JSON is a file holding a JSON list of strings. Output: a JSON list on stdout.
"""
import json
import math
import struct
import sys

import numpy as np
from tokenizers import BertWordPieceTokenizer

MAX_LENGTH = 256


def tokenizer(model_dir):
    t = BertWordPieceTokenizer(f"{model_dir}/vocab.txt", lowercase=True, strip_accents=None,
                               clean_text=True, handle_chinese_chars=True)
    t.enable_truncation(MAX_LENGTH)
    return t


def token_ids(model_dir, sentences):
    t = tokenizer(model_dir)
    return [e.ids for e in t.encode_batch(sentences)]


def read_safetensors(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__" or entry["dtype"] != "F32":
            continue
        begin, end = entry["data_offsets"]
        tensors[name] = np.frombuffer(data[begin:end], dtype="<f4").reshape(entry["shape"])
    return tensors


def layer_norm(x, gamma, beta, eps):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * gamma + beta


def erf(x):
    # Abramowitz & Stegun 7.1.26 in float64 (absolute error below 1.5e-7); NumPy has no erf, and
    # math.erf element by element takes minutes.
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return sign * (1.0 - poly * np.exp(-a * a))


def gelu(x):
    return 0.5 * x * (1.0 + erf(x / math.sqrt(2.0)))


def embed(model_dir, sentences, batch=32):
    with open(f"{model_dir}/config.json") as f:
        config = json.load(f)
    w = read_safetensors(f"{model_dir}/model.safetensors")
    eps, heads, layers = config["layer_norm_eps"], config["num_attention_heads"], config["num_hidden_layers"]
    ids_all = token_ids(model_dir, sentences)
    # Batches of similar length (as sentence-transformers forms them), so padding stays small.
    order = sorted(range(len(ids_all)), key=lambda i: len(ids_all[i]))
    out = [None] * len(ids_all)
    for start in range(0, len(order), batch):
        members = order[start:start + batch]
        ids = [ids_all[i] for i in members]
        length = max(len(i) for i in ids)
        tokens = np.zeros((len(ids), length), dtype=np.int64)
        mask = np.zeros((len(ids), length), dtype=np.float32)
        for row, seq in enumerate(ids):
            tokens[row, :len(seq)] = seq
            mask[row, :len(seq)] = 1
        x = (w["embeddings.word_embeddings.weight"][tokens]
             + w["embeddings.position_embeddings.weight"][np.arange(length)][None]
             + w["embeddings.token_type_embeddings.weight"][0][None, None])
        x = layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], eps)
        b, n, h = x.shape
        d = h // heads
        additive = (1.0 - mask)[:, None, None, :] * -1e9
        for layer in range(layers):
            p = f"encoder.layer.{layer}."

            def linear(name, v):
                return v @ w[p + name + ".weight"].T + w[p + name + ".bias"]

            def split(v):
                return v.reshape(b, n, heads, d).transpose(0, 2, 1, 3)

            q, k, v = (split(linear("attention.self." + m, x)) for m in ("query", "key", "value"))
            scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(d) + additive
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(b, n, h)
            x = layer_norm(x + linear("attention.output.dense", context),
                           w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"], eps)
            ff = linear("output.dense", gelu(linear("intermediate.dense", x)))
            x = layer_norm(x + ff, w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"], eps)
        pooled = (x * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
        pooled /= np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        for i, vector in zip(members, pooled.tolist()):
            out[i] = vector
    return out


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("tokens", "embed"):
        sys.exit(__doc__)
    command, model_dir, path = sys.argv[1:]
    with open(path, encoding="utf-8") as f:
        sentences = json.load(f)
    result = token_ids(model_dir, sentences) if command == "tokens" else embed(model_dir, sentences)
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
