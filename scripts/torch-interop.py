#!/usr/bin/python3
"""PyTorch side of neurite's import tests (run with Debian's /usr/bin/python3, which has torch; no other package).

  torch-interop.py state-dict SPEC.json OUT_DIR
      Build the spec's plain nn.Sequential, save its state_dict as safetensors in F32, F16, BF16 and F64
      (OUT_DIR/NAME-f32.safetensors, ...) and write OUT_DIR/NAME.json: inputs and, per dtype, torch's outputs
      with the weights as that dtype stores them.

  torch-interop.py onnx SPEC.json OUT_DIR
      torch.onnx.export the spec's model at opsets 13 to 17 with a dynamic batch (OUT_DIR/NAME-opset13.onnx, ...)
      and write OUT_DIR/NAME.json: inputs and torch's outputs.

  torch-interop.py fixtures OUT_DIR
      The small committed fixtures of test/fixtures/io (torch-state-dict-*, torch-mlp-*.onnx).

SPEC.json: {"name": ..., "seed": int, "rows": int, "inputs": int, "modules": [[kind, args...], ...]} with kinds
Linear(in, out[, bias]), ReLU, LeakyReLU(slope), Sigmoid, Tanh, Softmax(dim), Dropout(p), Flatten, Identity,
ELU, GELU, SiLU, SELU, Softplus, Softsign, Mish, and MatMulAdd(in, out) (x @ W + b with W [in, out], which
exports as MatMul + Add instead of Gemm).
"""
import json
import struct
import sys

import torch
from torch import nn


class MatMulAdd(nn.Module):
    def __init__(self, inputs, units):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(inputs, units))
        self.bias = nn.Parameter(torch.empty(units))

    def forward(self, x):
        return x @ self.weight + self.bias


def module(kind, *args):
    if kind == "Linear":
        return nn.Linear(args[0], args[1], bias=args[2] if len(args) > 2 else True)
    if kind == "MatMulAdd":
        return MatMulAdd(*args)
    if kind == "LeakyReLU":
        return nn.LeakyReLU(args[0])
    if kind == "Softmax":
        return nn.Softmax(dim=args[0])
    if kind == "Dropout":
        return nn.Dropout(args[0])
    return getattr(nn, kind)()


def build(spec):
    torch.manual_seed(spec["seed"])
    net = nn.Sequential(*[module(*m) for m in spec["modules"]])
    with torch.no_grad():
        for p in net.parameters():  # wider than the default init, so activations leave their linear range
            p.uniform_(-1.2, 1.2)
    net.eval()
    x = torch.randn(spec["rows"], spec["inputs"]) * 2
    return net, x


DTYPES = {"F32": (torch.float32, "<f4"), "F16": (torch.float16, "<f2"), "F64": (torch.float64, "<f8"), "BF16": (torch.bfloat16, None)}


def tensor_bytes(t, dtype):
    torch_dtype, numpy_type = DTYPES[dtype]
    t = t.detach().to(torch_dtype).contiguous()
    if numpy_type is None:  # numpy has no bfloat16: its bits are an int16
        return t.view(torch.int16).numpy().astype("<i2").tobytes()
    return t.numpy().astype(numpy_type).tobytes()


def save_file(tensors, path, dtype):
    """safetensors as the safetensors package writes it: names sorted, header padded to 8 bytes with spaces."""
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        blob = tensor_bytes(tensors[name], dtype)
        header[name] = {"dtype": dtype, "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(blob)]}
        offset += len(blob)
        blobs.append(blob)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def state_dict(spec, out_dir):
    net, x = build(spec)
    state = {k: v.clone() for k, v in net.state_dict().items()}
    outputs = {}
    for dtype in DTYPES:
        save_file(state, f"{out_dir}/{spec['name']}-{dtype.lower()}.safetensors", dtype)
        # torch's outputs with the weights exactly as this dtype stores them
        net.load_state_dict({k: v.to(DTYPES[dtype][0]).to(torch.float32) for k, v in state.items()})
        with torch.no_grad():
            outputs[dtype] = net(x).tolist()
    write_json(f"{out_dir}/{spec['name']}.json", {"torch": torch.__version__, "inputs": x.tolist(), "outputs": outputs})


def onnx(spec, out_dir, opsets=range(13, 18)):
    net, x = build(spec)
    for opset in opsets:
        torch.onnx.export(
            net,
            x[:1],
            f"{out_dir}/{spec['name']}-opset{opset}.onnx",
            input_names=["input"],
            output_names=["output"],
            dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}},
            opset_version=opset,
        )
    with torch.no_grad():
        y = net(x)
    write_json(f"{out_dir}/{spec['name']}.json", {"torch": torch.__version__, "inputs": x.tolist(), "outputs": y.tolist()})


def write_json(path, value):
    with open(path, "w") as f:
        json.dump(value, f, indent=1)
        f.write("\n")


FIXTURES = {
    # every activation neurite has, a bias-free Linear, a Dropout, and more than ten modules ("10.weight")
    "state-dict": {
        "name": "torch-state-dict",
        "seed": 7,
        "rows": 5,
        "inputs": 3,
        "modules": [
            ["Linear", 3, 6], ["ReLU"], ["Dropout", 0.25], ["Linear", 6, 5, False], ["Tanh"], ["Linear", 5, 4], ["LeakyReLU", 0.1],
            ["Linear", 4, 4], ["Sigmoid"], ["Linear", 4, 2], ["Linear", 2, 3], ["Softmax", -1],
        ],
    },
    "onnx": {
        "name": "torch-mlp",
        "seed": 11,
        "rows": 6,
        "inputs": 4,
        "modules": [["Flatten"], ["Linear", 4, 7], ["LeakyReLU", 0.05], ["Dropout", 0.3], ["Linear", 7, 5], ["Tanh"], ["Linear", 5, 3], ["Softmax", 1]],
    },
}


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] in ("state-dict", "onnx"):
        with open(sys.argv[2]) as f:
            spec = json.load(f)
        (state_dict if sys.argv[1] == "state-dict" else onnx)(spec, sys.argv[3])
    elif len(sys.argv) == 3 and sys.argv[1] == "fixtures":
        state_dict(FIXTURES["state-dict"], sys.argv[2])
        onnx(FIXTURES["onnx"], sys.argv[2], opsets=[13])
    else:
        sys.exit(__doc__)
