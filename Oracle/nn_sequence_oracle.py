#!/usr/bin/env python3
"""TapeGrad's oracle for the sequence layers: RNN/LSTM/GRU (and their cells), MultiheadAttention and the
Transformer layers on real MindSpore 2.10 (CPU, PyNative). Writes
Tests/TapeGradTests/Fixtures/oracle_nn_sequence.json.

Every case sets all parameters explicitly from a seeded numpy generator (by MindSpore parameter name, so the
Swift side also proves the names map), gives the inputs, the forward outputs, and the gradients of
L = sum_k <output_k, sens_k> (fixed random sens) with respect to every input and every trainable parameter.
Dropout is 0 everywhere (the layers are in evaluation mode).

    python3.11 -m venv v && v/bin/pip install mindspore==2.10.0 "numpy<2"
    v/bin/python Oracle/nn_sequence_oracle.py        # here: /work/venv-ms/bin/python
"""
import json
import math
import os

import numpy as np
import mindspore as ms
from mindspore import Tensor, nn, ops

ms.set_context(mode=ms.PYNATIVE_MODE)
ms.set_device("CPU")
RNG = np.random.default_rng(20261128)
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "Tests", "TapeGradTests", "Fixtures", "oracle_nn_sequence.json")


def enc(a):
    a = a.asnumpy() if isinstance(a, Tensor) else np.asarray(a)
    if a.dtype == np.bool_:
        a = a.astype(np.int32)
    vals = []
    for v in a.reshape(-1).tolist():
        if isinstance(v, float) and not math.isfinite(v):
            v = "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")
        vals.append(v)
    return {"dtype": str(a.dtype), "shape": list(a.shape), "values": vals}


def rand(*shape, lo=-1.0, hi=1.0):
    return RNG.uniform(lo, hi, size=shape).astype(np.float32)


def set_params(net):
    """Random values for every parameter (LayerNorm γ around 1), returned by name."""
    values = {}
    for name, p in net.parameters_and_names():
        v = rand(*p.shape, lo=0.5, hi=1.5) if name.endswith("gamma") else rand(*p.shape, lo=-0.5, hi=0.5)
        p.set_data(Tensor(v))
        values[name] = enc(v)
    return values


def case(name, layer, args, net, inputs, forward, masks=None):
    """`forward(*inputs)` returns a tuple of tensors; the gradients are of sum_k <out_k, sens_k>."""
    net.set_train(False)
    params = set_params(net)
    ms_inputs = [Tensor(x) for x in inputs]
    outs = forward(*ms_inputs)
    sens = [Tensor(rand(*o.shape)) for o in outs]

    def loss(*xs):
        return sum((o * s).sum() for o, s in zip(forward(*xs), sens))

    weights = net.trainable_params()
    gin, gw = ms.grad(loss, grad_position=tuple(range(len(ms_inputs))), weights=weights)(*ms_inputs)
    if len(ms_inputs) == 1 and not isinstance(gin, tuple):
        gin = (gin,)
    return {
        "name": name, "layer": layer, "args": args, "params": params,
        "inputs": [enc(x) for x in inputs], "masks": {k: enc(v) for k, v in (masks or {}).items()},
        "outputs": [enc(o) for o in outs], "sens": [enc(s) for s in sens],
        "input_grads": [enc(g) for g in gin],
        "param_grads": {p.name: enc(g) for p, g in zip(weights, gw)},
    }


CASES = []

# ------------------------------------------------------------------------------------------ recurrent layers
lstm = nn.LSTM(3, 4, num_layers=2, bidirectional=True)
CASES.append(case("LSTM 2 layers bidirectional with hx", "LSTM",
                  {"input_size": 3, "hidden_size": 4, "num_layers": 2, "bidirectional": True}, lstm,
                  [rand(5, 2, 3), rand(4, 2, 4), rand(4, 2, 4)],
                  lambda x, h, c: (lambda r: (r[0], r[1][0], r[1][1]))(lstm(x, (h, c)))))
lstm_bf = nn.LSTM(3, 5, has_bias=False, batch_first=True)
CASES.append(case("LSTM batch_first no bias", "LSTM",
                  {"input_size": 3, "hidden_size": 5, "has_bias": False, "batch_first": True}, lstm_bf,
                  [rand(2, 6, 3)], lambda x: (lambda r: (r[0], r[1][0], r[1][1]))(lstm_bf(x))))
gru = nn.GRU(3, 4, num_layers=2, bidirectional=True)
CASES.append(case("GRU 2 layers bidirectional with hx", "GRU",
                  {"input_size": 3, "hidden_size": 4, "num_layers": 2, "bidirectional": True}, gru,
                  [rand(4, 2, 3), rand(4, 2, 4)], lambda x, h: gru(x, h)))
gru_bf = nn.GRU(2, 3, batch_first=True)
CASES.append(case("GRU batch_first", "GRU", {"input_size": 2, "hidden_size": 3, "batch_first": True}, gru_bf,
                  [rand(3, 4, 2)], lambda x: gru_bf(x)))
rnn = nn.RNN(3, 4, num_layers=2, nonlinearity="tanh")
CASES.append(case("RNN tanh 2 layers with hx", "RNN", {"input_size": 3, "hidden_size": 4, "num_layers": 2}, rnn,
                  [rand(4, 2, 3), rand(2, 2, 4)], lambda x, h: rnn(x, h)))
rnn_relu = nn.RNN(3, 4, nonlinearity="relu", batch_first=True, bidirectional=True)
CASES.append(case("RNN relu bidirectional batch_first", "RNN",
                  {"input_size": 3, "hidden_size": 4, "nonlinearity": "relu", "batch_first": True, "bidirectional": True},
                  rnn_relu, [rand(2, 4, 3)], lambda x: rnn_relu(x)))

# ------------------------------------------------------------------------------------------ cells
lstm_cell = nn.LSTMCell(3, 4)
CASES.append(case("LSTMCell", "LSTMCell", {"input_size": 3, "hidden_size": 4}, lstm_cell,
                  [rand(2, 3), rand(2, 4), rand(2, 4)], lambda x, h, c: lstm_cell(x, (h, c))))
gru_cell = nn.GRUCell(3, 4)
CASES.append(case("GRUCell", "GRUCell", {"input_size": 3, "hidden_size": 4}, gru_cell,
                  [rand(2, 3), rand(2, 4)], lambda x, h: (gru_cell(x, h),)))
rnn_cell = nn.RNNCell(3, 4, nonlinearity="relu")
CASES.append(case("RNNCell relu", "RNNCell", {"input_size": 3, "hidden_size": 4, "nonlinearity": "relu"}, rnn_cell,
                  [rand(2, 3), rand(2, 4)], lambda x, h: (rnn_cell(x, h),)))

# ------------------------------------------------------------------------------------------ attention
mha = nn.MultiheadAttention(8, 2)
kpm = np.array([[False, False, False, True], [False, False, False, False]])
CASES.append(case("MHA self-attention key_padding_mask (bool)", "MultiheadAttention",
                  {"embed_dim": 8, "num_heads": 2, "self": True}, mha, [rand(4, 2, 8)],
                  lambda x: mha(x, x, x, key_padding_mask=Tensor(kpm)), masks={"key_padding_mask": kpm}))
mha2 = nn.MultiheadAttention(8, 4)
amask = rand(2 * 4, 3, 5)
CASES.append(case("MHA cross-attention float attn_mask 3-D", "MultiheadAttention",
                  {"embed_dim": 8, "num_heads": 4}, mha2, [rand(3, 2, 8), rand(5, 2, 8), rand(5, 2, 8)],
                  lambda q, k, v: mha2(q, k, v, attn_mask=Tensor(amask)), masks={"attn_mask": amask}))
mha3 = nn.MultiheadAttention(6, 3, batch_first=True)
causal = np.triu(np.ones((4, 4), dtype=bool), k=1)
CASES.append(case("MHA batch_first bool causal attn_mask, weights per head", "MultiheadAttention",
                  {"embed_dim": 6, "num_heads": 3, "batch_first": True, "self": True, "average_attn_weights": False},
                  mha3, [rand(2, 4, 6)],
                  lambda x: mha3(x, x, x, attn_mask=Tensor(causal), average_attn_weights=False), masks={"attn_mask": causal}))

# ------------------------------------------------------------------------------------------ transformer
enc_post = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0)
CASES.append(case("TransformerEncoderLayer post-norm relu", "TransformerEncoderLayer",
                  {"d_model": 8, "nhead": 2, "dim_feedforward": 16}, enc_post, [rand(4, 2, 8)], lambda x: (enc_post(x),)))
enc_pre = nn.TransformerEncoderLayer(8, 2, dim_feedforward=12, dropout=0.0, activation="gelu", batch_first=True, norm_first=True)
kpm2 = np.array([[False, False, True], [False, False, False]])
CASES.append(case("TransformerEncoderLayer pre-norm gelu batch_first key padding", "TransformerEncoderLayer",
                  {"d_model": 8, "nhead": 2, "dim_feedforward": 12, "activation": "gelu", "batch_first": True, "norm_first": True},
                  enc_pre, [rand(2, 3, 8)], lambda x: (enc_pre(x, src_key_padding_mask=Tensor(kpm2)),),
                  masks={"src_key_padding_mask": kpm2}))
encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0), 2, norm=nn.LayerNorm((8,)))
CASES.append(case("TransformerEncoder 2 layers with final norm", "TransformerEncoder",
                  {"d_model": 8, "nhead": 2, "dim_feedforward": 16, "num_layers": 2}, encoder, [rand(3, 2, 8)],
                  lambda x: (encoder(x),)))
dec = nn.TransformerDecoderLayer(8, 2, dim_feedforward=16, dropout=0.0)
tgt_mask = np.where(np.triu(np.ones((3, 3)), k=1) > 0, -np.inf, 0.0).astype(np.float32)
CASES.append(case("TransformerDecoderLayer float causal tgt_mask", "TransformerDecoderLayer",
                  {"d_model": 8, "nhead": 2, "dim_feedforward": 16}, dec, [rand(3, 2, 8), rand(4, 2, 8)],
                  lambda t, m: (dec(t, m, tgt_mask=Tensor(tgt_mask)),), masks={"tgt_mask": tgt_mask}))

decoder = nn.TransformerDecoder(nn.TransformerDecoderLayer(8, 2, dim_feedforward=16, dropout=0.0), 2, norm=nn.LayerNorm((8,)))
mkpm = np.array([[False, False, False, True], [False, True, False, False]])
CASES.append(case("TransformerDecoder 2 layers, final norm, memory_key_padding_mask", "TransformerDecoder",
                  {"d_model": 8, "nhead": 2, "dim_feedforward": 16, "num_layers": 2}, decoder, [rand(3, 2, 8), rand(4, 2, 8)],
                  lambda t, m: (decoder(t, m, memory_key_padding_mask=Tensor(mkpm)),), masks={"memory_key_padding_mask": mkpm}))
model = nn.Transformer(8, 2, num_encoder_layers=1, num_decoder_layers=1, dim_feedforward=16, dropout=0.0, batch_first=True)
CASES.append(case("Transformer 1+1 layers batch_first, causal tgt_mask", "Transformer",
                  {"d_model": 8, "nhead": 2, "dim_feedforward": 16, "batch_first": True}, model, [rand(2, 4, 8), rand(2, 3, 8)],
                  lambda s_, t: (model(s_, t, tgt_mask=Tensor(tgt_mask)),), masks={"tgt_mask": tgt_mask}))

lens = np.array([5, 3], dtype=np.int32)
lstm_len = nn.LSTM(3, 4, bidirectional=True)
CASES.append(case("LSTM bidirectional seq_length", "LSTM", {"input_size": 3, "hidden_size": 4, "bidirectional": True}, lstm_len,
                  [rand(5, 2, 3), rand(2, 2, 4), rand(2, 2, 4)],
                  lambda x, h, c: (lambda r: (r[0], r[1][0], r[1][1]))(lstm_len(x, (h, c), seq_length=Tensor(lens))),
                  masks={"seq_length": lens}))
gru_len = nn.GRU(3, 4, num_layers=2, batch_first=True)
lens2 = np.array([2, 4, 1], dtype=np.int32)
CASES.append(case("GRU 2 layers batch_first seq_length", "GRU", {"input_size": 3, "hidden_size": 4, "num_layers": 2, "batch_first": True},
                  gru_len, [rand(3, 4, 3)], lambda x: gru_len(x, seq_length=Tensor(lens2)), masks={"seq_length": lens2}))
rnn_len = nn.RNN(3, 4, bidirectional=True)
CASES.append(case("RNN tanh bidirectional seq_length", "RNN", {"input_size": 3, "hidden_size": 4, "bidirectional": True},
                  rnn_len, [rand(5, 2, 3)], lambda x: rnn_len(x, seq_length=Tensor(lens)), masks={"seq_length": lens}))

mha_kv = nn.MultiheadAttention(8, 2, kdim=5, vdim=3)
CASES.append(case("MHA kdim 5 vdim 3 (separate projections)", "MultiheadAttention", {"embed_dim": 8, "num_heads": 2, "kdim": 5, "vdim": 3},
                  mha_kv, [rand(3, 2, 8), rand(4, 2, 5), rand(4, 2, 3)], lambda q, k, v: mha_kv(q, k, v)))

with open(OUT, "w") as f:
    json.dump({"mindspore": ms.__version__, "cases": CASES}, f)
print("wrote %d cases to %s" % (len(CASES), OUT))
