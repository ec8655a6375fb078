#!/usr/bin/python3
"""Version 1 model files and PyTorch (run with Debian's /usr/bin/python3, which has torch).

neurite's files of format version 1 named tensors layers.{i}.weight, i counting neurite's layers, which no plain
nn.Sequential has: this script reads and writes them through a wrapper module (Net below). It made the committed
fixtures test/fixtures/io/torch-classifier|regressor, kept to check that version 1 files still load. Version 2
files are a plain nn.Sequential's state_dict: `neurite torch-code` prints the module; scripts/torch-interop.py
writes PyTorch state_dicts and ONNX files for the import tests.

  torch-golden.py predict MODEL.safetensors INPUTS.json
      Load a neurite-saved model into a torch nn.Sequential with load_state_dict(strict=True), run the inputs
      ({"inputs": [[...], ...]}) and print {"outputs": [[...]], "torch": version, "reader": ...} as JSON.

  torch-golden.py golden OUT_DIR
      Write the committed fixtures: models built and initialised by torch, saved as neurite-readable
      .safetensors, with inputs and torch's outputs (OUT_DIR/torch-*.safetensors, OUT_DIR/torch-*.json).

The file is read with safetensors.torch.load_file when the `safetensors` package is installed, else with the
few lines of struct + json + torch.frombuffer below: the format is simple enough to need nothing more.
"""
import json
import struct
import sys

import torch
import torch.nn.functional as F
from torch import nn


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    metadata = header.pop("__metadata__", {})
    base = 8 + n
    tensors = {}
    for name, info in header.items():
        assert info["dtype"] == "F32", f"{name}: dtype {info['dtype']}"
        begin, end = info["data_offsets"]
        flat = torch.frombuffer(bytearray(data[base + begin : base + end]), dtype=torch.float32)
        tensors[name] = flat.reshape(info["shape"])
    return tensors, metadata


def load(path):
    try:
        from safetensors import safe_open
        from safetensors.torch import load_file

        with safe_open(path, framework="pt") as f:
            metadata = f.metadata()
        return load_file(path), metadata, "safetensors.torch.load_file"
    except ImportError:
        tensors, metadata = read_safetensors(path)
        return tensors, metadata, "struct+json+torch.frombuffer"


def write_safetensors(path, tensors, metadata):
    """The writer side, for the fixtures: header padded with spaces to a multiple of 8, data little-endian."""
    header = {"__metadata__": metadata}
    offset = 0
    blobs = []
    for name, t in tensors.items():
        blob = t.detach().to(torch.float32).contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(blob)]}
        offset += len(blob)
        blobs.append(blob)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


class Dense(nn.Linear):
    """nn.Linear plus neurite's activation, so its parameters are named layers.{i}.weight / .bias."""

    def __init__(self, inputs, units, bias, activation, alpha):
        super().__init__(inputs, units, bias=bias)
        self.activation = activation
        self.alpha = alpha

    def forward(self, x):
        z = super().forward(x)
        a = self.activation
        if a == "linear":
            return z
        if a == "relu":
            return F.relu(z)
        if a == "leakyRelu":
            return F.leaky_relu(z, self.alpha)
        if a == "sigmoid":
            return torch.sigmoid(z)
        if a == "tanh":
            return torch.tanh(z)
        if a == "softmax":
            return torch.softmax(z, dim=-1)
        raise ValueError(f"activation {a}")


class Net(nn.Module):
    def __init__(self, description):
        super().__init__()
        modules = []
        width = description["inputSize"]
        for layer in description["layers"]:
            if layer["kind"] == "dense":
                modules.append(Dense(width, layer["units"], layer["useBias"], layer["activation"], layer["alpha"]))
                width = layer["units"]
            else:
                modules.append(nn.Dropout(layer["rate"]))
        self.layers = nn.Sequential(*modules)

    def forward(self, x):
        return self.layers(x)


def predict(model_path, inputs_path):
    tensors, metadata, reader = load(model_path)
    description = json.loads(metadata["neurite"])
    net = Net(description)
    weights = {k: v for k, v in tensors.items() if not k.startswith("optimizer.")}
    net.load_state_dict(weights, strict=True)
    net.eval()
    with open(inputs_path) as f:
        x = torch.tensor(json.load(f)["inputs"], dtype=torch.float32)
    with torch.no_grad():
        y = net(x)
    print(json.dumps({"outputs": y.tolist(), "torch": torch.__version__, "reader": reader}))


def dense(units, activation, alpha=0.3, use_bias=True):
    return {
        "kind": "dense",
        "units": units,
        "activation": activation,
        "alpha": alpha,
        "useBias": use_bias,
        "l2": 0,
        "kernelInitializer": "glorotUniform",
        "biasInitializer": "zeros",
    }


GOLDEN = {
    # odd sizes on purpose; every activation and a bias-free layer appear once
    "torch-classifier": {
        "inputSize": 5,
        "layers": [dense(7, "relu"), {"kind": "dropout", "rate": 0.25}, dense(6, "leakyRelu", alpha=0.1), dense(4, "softmax")],
        "extras": {"classNames": ["ant", "bee", "cicada", "dragonfly"]},
    },
    "torch-regressor": {
        "inputSize": 3,
        "layers": [dense(8, "tanh"), dense(5, "sigmoid", use_bias=False), dense(2, "linear")],
    },
}


def golden(out_dir):
    torch.manual_seed(20240613)
    for name, spec in GOLDEN.items():
        description = {"format": "neurite", "version": 1, "name": name, "inputSize": spec["inputSize"], "seed": 7, "layers": spec["layers"]}
        if "extras" in spec:
            description["extras"] = spec["extras"]
        net = Net(description)
        for p in net.parameters():  # wider than the default init, so that activations leave their linear range
            nn.init.uniform_(p, -1.5, 1.5)
        net.eval()
        x = torch.randn(9, spec["inputSize"]) * 2
        with torch.no_grad():
            y = net(x)
        write_safetensors(f"{out_dir}/{name}.safetensors", net.state_dict(), {"format": "pt", "neurite": json.dumps(description)})
        with open(f"{out_dir}/{name}.json", "w") as f:
            json.dump({"torch": torch.__version__, "inputs": x.tolist(), "outputs": y.tolist()}, f, indent=1)
            f.write("\n")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "predict":
        predict(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 3 and sys.argv[1] == "golden":
        golden(sys.argv[2])
    else:
        sys.exit(__doc__)
