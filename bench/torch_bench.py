"""PyTorch side of neurite's benchmark suite: a warm child speaking the protocol of bench/lib/protocol.ts.

Started by the suite as `/usr/bin/python3 bench/torch_bench.py '<start request JSON>'` with OPENBLAS_NUM_THREADS
and OMP_NUM_THREADS equal to the thread count, OMP_WAIT_POLICY=PASSIVE (idle OpenMP threads sleep instead of
spinning, which on 2 cores would steal time from the main thread, or from the next system's turn), and with
OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE removed (some machines set them for old OpenBLAS builds; with them,
OpenBLAS runs its AVX2 kernels on an AVX-512 CPU). It answers a "ready" line with the BLAS it mapped and the
OpenBLAS core it chose, then one reply per command read from stdin.

Training is the plain hand-written loop a PyTorch user writes: randperm, index the batch, zero_grad, forward,
CrossEntropyLoss (softmax fused), backward, SGD step. Inference runs under torch.inference_mode() and includes
the softmax, as neurite's predict does.
"""
import ctypes
import gzip
import json
import os
import statistics
import sys
import time

REPLY_PREFIX = "@@neurite-bench "
FEATURES = 784
CLASSES = 10
SYNTHETIC_ROWS = 4096  # DATA_ROWS.synthetic in bench/lib/plan.ts
FASHION_DIR = "/usr/share/datasets/fashion-mnist"
LEARNING_RATE = 0.1


def log(line):
    sys.stderr.write("  " + line + "\n")
    sys.stderr.flush()


def reply(obj):
    sys.stdout.write(REPLY_PREFIX + json.dumps(obj) + "\n")
    sys.stdout.flush()


def peak_rss_mib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return None


def mapped_blas():
    """Paths of the BLAS/LAPACK libraries this process mapped (Debian's torch calls the libblas.so.3 alternative)."""
    with open("/proc/self/maps") as f:
        paths = {line.split()[-1] for line in f if "/" in line and "blas" in line.rsplit("/", 1)[-1].lower()}
    return sorted(paths)


def blas_info():
    """Which BLAS torch's GEMMs run on and, for OpenBLAS, the core (kernel set) it picked for this CPU."""
    paths = mapped_blas()
    info = {"libraries": [p.rsplit("/", 1)[-1] for p in paths], "implementation": "unknown"}
    try:
        import threadpoolctl  # not in Debian's python3 on these machines; used where it is

        for module in threadpoolctl.threadpool_info():
            if module.get("internal_api") == "openblas":
                info.update(implementation="openblas", core=module.get("architecture"),
                            config=f"OpenBLAS {module.get('version')}", source="threadpoolctl")
                return info
    except ImportError:
        pass
    for path in paths:
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        corename = getattr(lib, "openblas_get_corename", None)
        if corename is None:
            continue
        corename.restype = ctypes.c_char_p
        info.update(implementation="openblas", core=corename().decode(), source="ctypes openblas_get_corename")
        config = getattr(lib, "openblas_get_config", None)
        if config is not None:
            config.restype = ctypes.c_char_p
            info["config"] = config().decode().strip()
        return info
    # Debian installs each BLAS in a directory of its own: blas/ is the reference (netlib) implementation
    dirs = {p.rsplit("/", 2)[-2] for p in paths}
    if "blas" in dirs:
        info["implementation"] = "reference"
    elif any(d.startswith("blis") for d in dirs):
        info["implementation"] = "blis"
    elif any(d.startswith("atlas") for d in dirs):
        info["implementation"] = "atlas"
    return info


def load_data(kind, np):
    if kind == "fashion-mnist":
        with gzip.open(os.path.join(FASHION_DIR, "train-images-idx3-ubyte.gz")) as f:
            x = np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(-1, FEATURES)
        with gzip.open(os.path.join(FASHION_DIR, "train-labels-idx1-ubyte.gz")) as f:
            y = np.frombuffer(f.read(), dtype=np.uint8, offset=8)
        return (x.astype(np.float32) / 255.0), y.astype(np.int64)
    rng = np.random.default_rng(3)
    return rng.random((SYNTHETIC_ROWS, FEATURES), dtype=np.float32), (np.arange(SYNTHETIC_ROWS) % CLASSES).astype(np.int64)


class Bench:
    def __init__(self, torch, np, data_kind):
        self.torch = torch
        self.np = np
        self.data_kind = data_kind
        self.data = None

    def tensors(self):
        if self.data is None:
            x_np, y_np = load_data(self.data_kind, self.np)
            self.data = (self.torch.from_numpy(x_np), self.torch.from_numpy(y_np))
        return self.data

    def mlp(self, sizes):
        nn = self.torch.nn
        layers = []
        for i in range(len(sizes) - 1):
            layers.append(nn.Linear(sizes[i], sizes[i + 1]))
            if i < len(sizes) - 2:
                layers.append(nn.ReLU())
        return nn.Sequential(*layers)

    def open(self, task):
        """A session for the task: an object whose run(amount) returns one figure, kept between rounds."""
        torch = self.torch
        X, Y = self.tensors()
        sizes = task["sizes"]
        if task["kind"] == "train":
            model = self.mlp(sizes)
            opt = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE)
            loss_fn = torch.nn.CrossEntropyLoss()
            samples, batch = task["samples"], task["batch"]
            x, y = X[:samples], Y[:samples]

            def train(_amount):
                t0 = time.perf_counter()
                order = torch.randperm(samples)
                for i in range(0, samples, batch):
                    idx = order[i:i + batch]
                    opt.zero_grad(set_to_none=True)
                    loss = loss_fn(model(x[idx]), y[idx])
                    loss.backward()
                    opt.step()
                return samples / (time.perf_counter() - t0)

            return train
        model = self.mlp(sizes).eval()
        if task["kind"] == "latency":
            rows = [X[r:r + 1] for r in range(64)]

            def latency(calls):
                times = []
                with torch.inference_mode():
                    for i in range(calls):
                        t0 = time.perf_counter_ns()
                        torch.softmax(model(rows[i & 63]), dim=1)
                        times.append((time.perf_counter_ns() - t0) / 1000)
                return statistics.median(times)

            return latency
        xb = X[:task["batch"]]
        batch = task["batch"]

        def throughput(seconds):
            samples = 0
            with torch.inference_mode():
                t0 = time.perf_counter()
                while True:
                    torch.softmax(model(xb), dim=1)
                    samples += batch
                    elapsed = time.perf_counter() - t0
                    if elapsed >= seconds:
                        return samples / elapsed

        return throughput


def amount(task):
    return task.get("calls") if task["kind"] == "latency" else task.get("seconds", 0)


def main():
    request = json.loads(sys.argv[1])
    try:
        import numpy as np
        import torch
    except Exception as e:  # ImportError, or a broken install
        reason = f"{sys.executable}: import torch failed: {e}"
        log("unavailable: " + reason)
        reply({"type": "ready", "available": False, "reason": reason})
        return

    threads = int(request["options"].get("threads", 1))
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    torch.ones(8, 8) @ torch.ones(8, 8)  # OpenBLAS picks its core when loaded; make sure a GEMM has run
    blas = blas_info()
    notes = [
        f"Python {sys.version.split()[0]} ({sys.executable})",
        f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')}, OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY')}, "
        f"OPENBLAS_CORETYPE {'=' + os.environ['OPENBLAS_CORETYPE'] if 'OPENBLAS_CORETYPE' in os.environ else 'unset'}",
        "hand-written loop: randperm, index, zero_grad, forward, CrossEntropyLoss, backward, SGD step; "
        "inference under inference_mode() with softmax",
    ]
    if blas["implementation"] != "openblas":
        where = ", ".join(blas["libraries"]) or "no BLAS library mapped"
        reason = (f"torch's BLAS here is {blas['implementation']} ({where}), not OpenBLAS: its GEMMs would run an order "
                  "of magnitude below a tuned BLAS, which is no fair peer (Debian's libtorch only recommends OpenBLAS: "
                  "apt-get install libopenblas0-pthread)")
        if not request.get("quick"):
            log("unavailable: " + reason)
            reply({"type": "ready", "available": False, "reason": reason, "blas": blas})
            return
        notes.insert(0, "NOT A FAIR PEER (quick run only): " + reason)

    reply({"type": "ready", "available": True, "version": f"torch {torch.__version__}",
           "threads": str(torch.get_num_threads()), "notes": notes, "blas": blas})
    bench = Bench(torch, np, request["data"])
    sessions = {}
    for line in sys.stdin:
        if not line.strip():
            continue
        command = json.loads(line)
        op, cid = command["op"], command["id"]
        if op == "finish":
            reply({"type": "done", "id": cid, "peakRssMiB": peak_rss_mib()})
            return
        if op == "release":
            sessions.pop(command["key"], None)
            reply({"type": "result", "id": cid, "value": 1})
            continue
        task = command["task"]
        try:
            if task["key"] not in sessions:
                sessions[task["key"]] = bench.open(task)
            value = sessions[task["key"]](amount(task))
            if not (value > 0 and value != float("inf")):
                raise RuntimeError(f"{task['kind']} came out as {value}: expected a finite positive number")
            reply({"type": "result", "id": cid, "value": value})
        except Exception as e:  # reported to the orchestrator, which marks the workload failed
            log(f"{type(e).__name__}: {e}")
            reply({"type": "error", "id": cid, "error": f"{type(e).__name__}: {e}"})


if __name__ == "__main__":
    main()
