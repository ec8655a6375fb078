#!/usr/bin/python3
"""PyTorch float64 golden values for neurite's normalisation and activation layers (Keras semantics).

    /usr/bin/python3 scripts/golden/torch_norm_golden.py > test/fixtures/golden/torch-norm-golden.json

Each case is a small network trained for a few steps in float64: the loss before each step, every weight after
the last one (batch normalisation's moving statistics included, in Keras's order gamma, beta, movingMean,
movingVariance), and the outputs at inference (moving statistics) on a probe batch.

Batch normalisation is written with torch ops directly, not nn.BatchNorm1d, because the two differ in what they
keep: torch's running_var moves with the UNBIASED batch variance (n/(n-1)·σ²) and its momentum is 1 − Keras's,
while Keras (and neurite) move the moving variance with the same biased variance that normalised the batch. The
script checks, per training step, that F.batch_norm gives the same normalised output and running mean as the
direct ops and that its running variance is the unbiased one, so the difference is the only one.
"""
import json

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
gen = torch.Generator().manual_seed(20261130)


def f32(t):
    """Values float32 can hold exactly, so neurite starts from the very same numbers."""
    return t.to(torch.float32).to(torch.float64)


def uniform(shape, lo=-1.0, hi=1.0):
    return f32(lo + (hi - lo) * torch.rand(shape, generator=gen))


CASES = [
    {
        "name": "dense (no bias) → batchNormalization → relu → dense softmax, categoricalCrossentropy, adam",
        "inputSize": 5,
        "layers": [
            {"kind": "dense", "units": 6, "activation": "linear", "useBias": False},
            {"kind": "batchNormalization", "momentum": 0.99, "epsilon": 1e-3, "center": True, "scale": True},
            {"kind": "activation", "activation": "relu"},
            {"kind": "dense", "units": 3, "activation": "softmax", "useBias": True},
        ],
        "loss": "categoricalCrossentropy",
        "optimizer": {"kind": "adam", "learningRate": 0.01},
        "batches": [4, 7, 2, 5],
    },
    {
        "name": "batchNormalization first (momentum 0.9, epsilon 0.01, no center) → tanh → layerNormalization → linear, mse, sgd+momentum",
        "inputSize": 4,
        "layers": [
            {"kind": "batchNormalization", "momentum": 0.9, "epsilon": 1e-2, "center": False, "scale": True},
            {"kind": "dense", "units": 7, "activation": "tanh", "useBias": True},
            {"kind": "layerNormalization", "epsilon": 1e-3, "center": True, "scale": True},
            {"kind": "dense", "units": 2, "activation": "linear", "useBias": True},
        ],
        "loss": "meanSquaredError",
        "optimizer": {"kind": "sgd", "learningRate": 0.05, "momentum": 0.9},
        "batches": [6, 3, 8],
    },
    {
        "name": "layerNormalization (no scale) → tanh → dense → batchNormalization (no scale) → sigmoid, binaryCrossentropy, rmsprop",
        "inputSize": 6,
        "layers": [
            # (a bias right before batch normalisation has a true gradient of 0, which adaptive optimizers would
            # scale up from rounding noise: the tanh keeps beta's gradient real)
            {"kind": "layerNormalization", "epsilon": 1e-5, "center": True, "scale": False},
            {"kind": "dense", "units": 4, "activation": "tanh", "useBias": True},
            {"kind": "dense", "units": 3, "activation": "linear", "useBias": False},
            {"kind": "batchNormalization", "momentum": 0.8, "epsilon": 1e-3, "center": True, "scale": False},
            {"kind": "activation", "activation": "sigmoid"},
        ],
        "loss": "binaryCrossentropy",
        "optimizer": {"kind": "rmsprop", "learningRate": 0.01},
        "batches": [5, 5, 9],
    },
]

ACT = {"linear": lambda z: z, "relu": F.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid,
       "softmax": lambda z: torch.softmax(z, dim=1)}


def build(case):
    """Weights in neurite's getWeights order: (tensor, trainable, role) per weight."""
    weights = []
    layers = []
    width = case["inputSize"]
    for spec in case["layers"]:
        entry = dict(spec)
        if spec["kind"] == "dense":
            entry["kernel"] = uniform((width, spec["units"]), -0.8, 0.8).requires_grad_()
            weights.append(entry["kernel"])
            if spec["useBias"]:
                entry["bias"] = uniform((spec["units"],), -0.3, 0.3).requires_grad_()
                weights.append(entry["bias"])
            width = spec["units"]
        elif spec["kind"] in ("batchNormalization", "layerNormalization"):
            if spec["scale"]:
                entry["gamma"] = uniform((width,), 0.5, 1.5).requires_grad_()
                weights.append(entry["gamma"])
            if spec["center"]:
                entry["beta"] = uniform((width,), -0.5, 0.5).requires_grad_()
                weights.append(entry["beta"])
            if spec["kind"] == "batchNormalization":
                entry["movingMean"] = uniform((width,), -0.2, 0.2)
                entry["movingVariance"] = uniform((width,), 0.5, 1.5)
                weights += [entry["movingMean"], entry["movingVariance"]]
        layers.append(entry)
    return layers, weights


def forward(layers, x, training, last_is_logits):
    for i, L in enumerate(layers):
        last = i == len(layers) - 1
        if L["kind"] == "dense":
            x = x @ L["kernel"] + (L["bias"] if "bias" in L else 0)
            if not (last and last_is_logits):
                x = ACT[L["activation"]](x)
        elif L["kind"] == "activation":
            if not (last and last_is_logits):
                x = ACT[L["activation"]](x)
        elif L["kind"] == "layerNormalization":
            mean = x.mean(dim=1, keepdim=True)
            var = ((x - mean) ** 2).mean(dim=1, keepdim=True)
            x = (x - mean) / torch.sqrt(var + L["epsilon"])
            x = x * L["gamma"] if "gamma" in L else x
            x = x + L["beta"] if "beta" in L else x
        else:
            eps, momentum = L["epsilon"], L["momentum"]
            if training:
                mean = x.mean(dim=0)
                var = ((x - mean) ** 2).mean(dim=0)  # biased, as Keras
                check_against_torch(L, x, mean, var)
                with torch.no_grad():
                    L["movingMean"].mul_(momentum).add_(mean.detach() * (1 - momentum))
                    L["movingVariance"].mul_(momentum).add_(var.detach() * (1 - momentum))
            else:
                mean, var = L["movingMean"], L["movingVariance"]
            x = (x - mean) / torch.sqrt(var + eps)
            x = x * L["gamma"] if "gamma" in L else x
            x = x + L["beta"] if "beta" in L else x
    return x


def check_against_torch(L, x, mean, var):
    """F.batch_norm (nn.BatchNorm1d's op) agrees except for running_var, which it moves with the unbiased variance."""
    n = x.shape[0]
    rm, rv = L["movingMean"].clone(), L["movingVariance"].clone()
    y = F.batch_norm(x.detach(), rm, rv, None, None, training=True, momentum=1 - L["momentum"], eps=L["epsilon"])
    ours = (x.detach() - mean.detach()) / torch.sqrt(var.detach() + L["epsilon"])
    assert torch.allclose(y, ours, atol=1e-12), "normalised output"
    m = L["momentum"]
    assert torch.allclose(rm, L["movingMean"] * m + mean.detach() * (1 - m), atol=1e-12), "running mean"
    assert torch.allclose(rv, L["movingVariance"] * m + var.detach() * n / (n - 1) * (1 - m), atol=1e-12), "torch's running_var is unbiased"


def loss_of(name, out, y):
    if name == "categoricalCrossentropy":
        return -(y * torch.log_softmax(out, dim=1)).sum(dim=1).mean()
    if name == "binaryCrossentropy":
        return F.binary_cross_entropy_with_logits(out, y)
    return ((out - y) ** 2).mean()


def targets(name, rows, outputs):
    if name == "categoricalCrossentropy":
        return F.one_hot(torch.randint(0, outputs, (rows,), generator=gen), outputs).to(torch.float64)
    if name == "binaryCrossentropy":
        return (torch.rand((rows, outputs), generator=gen) > 0.5).to(torch.float64)
    return uniform((rows, outputs), -1.5, 1.5)


def optimizer_for(o, params):
    if o["kind"] == "adam":
        return torch.optim.Adam(params, lr=o["learningRate"], betas=(0.9, 0.999), eps=1e-7)
    if o["kind"] == "sgd":
        return torch.optim.SGD(params, lr=o["learningRate"], momentum=o["momentum"])
    if o["kind"] == "rmsprop":
        # neurite's (Keras's) rmsprop: v = ρv + (1−ρ)g², w −= lr·g/(√v + ε); torch's alpha is ρ
        return torch.optim.RMSprop(params, lr=o["learningRate"], alpha=0.9, eps=1e-7)
    raise ValueError(o["kind"])


def tolist(t):
    return [float(v) for v in t.detach().reshape(-1)]


def run(case):
    layers, weights = build(case)
    trainable = [w for w in weights if w.requires_grad]
    initial = [{"shape": list(w.shape), "data": tolist(w)} for w in weights]
    outputs = case["layers"][-1].get("units") or next(
        L["units"] for L in reversed(case["layers"]) if L["kind"] == "dense")
    fused = case["loss"] != "meanSquaredError"
    opt = optimizer_for(case["optimizer"], trainable)
    batches, losses = [], []
    for rows in case["batches"]:
        x = uniform((rows, case["inputSize"]), -2, 2)
        y = targets(case["loss"], rows, outputs)
        opt.zero_grad()
        loss = loss_of(case["loss"], forward(layers, x, True, fused), y)
        loss.backward()
        opt.step()
        losses.append(float(loss))
        batches.append({"count": rows, "x": tolist(x), "y": tolist(y)})
    probe = uniform((9, case["inputSize"]), -2, 2)
    with torch.no_grad():
        predicted = forward(layers, probe, False, False)
    return {
        **case,
        "initialWeights": initial,
        "batches": batches,
        "losses": losses,
        "finalWeights": [{"shape": list(w.shape), "data": tolist(w)} for w in weights],
        "probe": tolist(probe),
        "probeOutputs": tolist(predicted),
    }


if __name__ == "__main__":
    print(json.dumps({"torch": torch.__version__, "cases": [run(c) for c in CASES]}, indent=1))
