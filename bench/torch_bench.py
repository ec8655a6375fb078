"""PyTorch side of neurite's benchmark suite: the same plan as the JavaScript children (bench/lib/child.ts).

Run by the suite as `/usr/bin/python3 bench/torch_bench.py '<request JSON>'` with OPENBLAS_NUM_THREADS and
OMP_NUM_THREADS equal to the thread count and OMP_WAIT_POLICY=PASSIVE (idle OpenMP threads then sleep instead
of spinning, which on 2 cores would steal time from the main thread). Writes a SystemResult JSON to
request["out"]; when torch cannot be imported the result says unavailable and why.

Training is the plain hand-written loop a PyTorch user writes: randperm, index the batch, zero_grad, forward,
CrossEntropyLoss (softmax fused), backward, SGD step. Inference runs under torch.inference_mode() and includes
the softmax, as neurite's predict does.
"""
import gzip
import json
import os
import statistics
import sys
import time

FEATURES = 784
CLASSES = 10
FULL_EPOCH = 60000
FASHION_DIR = "/usr/share/datasets/fashion-mnist"
W1 = dict(sizes=[784, 256, 128, 10], batch=128, lr=0.1)
W2 = dict(sizes=[784, 1024, 1024, 10], batch=256, lr=0.1)
W3_LARGE_BATCH = 1024


def log(line):
    sys.stderr.write("  " + line + "\n")
    sys.stderr.flush()


def peak_rss_mib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return None


def blas_library():
    """Which BLAS this process mapped (Debian's torch calls the libblas.so.3 alternative)."""
    with open("/proc/self/maps") as f:
        names = {line.split()[-1].rsplit("/", 1)[-1] for line in f if "blas" in line.lower() and "/" in line}
    return ", ".join(sorted(names)) or "none mapped"


def load_data(kind, np):
    if kind == "fashion-mnist":
        with gzip.open(os.path.join(FASHION_DIR, "train-images-idx3-ubyte.gz")) as f:
            x = np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(-1, FEATURES)
        with gzip.open(os.path.join(FASHION_DIR, "train-labels-idx1-ubyte.gz")) as f:
            y = np.frombuffer(f.read(), dtype=np.uint8, offset=8)
        return (x.astype(np.float32) / 255.0), y.astype(np.int64)
    rng = np.random.default_rng(3)
    count = 4096
    return rng.random((count, FEATURES), dtype=np.float32), (np.arange(count) % CLASSES).astype(np.int64)


def main():
    request = json.loads(sys.argv[1])
    plan = request["plan"]
    result = {"id": request["system"], "available": False, "notes": [], "figures": {}}
    started = time.perf_counter()
    try:
        import numpy as np
        import torch
    except Exception as e:  # ImportError, or a broken install
        result["reason"] = f"{sys.executable}: import torch failed: {e}"
        with open(request["out"], "w") as f:
            json.dump(result, f, indent=2)
        log("unavailable: " + result["reason"])
        return

    threads = int(request["options"].get("threads", 1))
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    x_np, y_np = load_data(request["data"], np)
    X = torch.from_numpy(x_np)
    Y = torch.from_numpy(y_np)
    count = X.shape[0]

    def mlp(sizes):
        layers = []
        for i in range(len(sizes) - 1):
            layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
            if i < len(sizes) - 2:
                layers.append(torch.nn.ReLU())
        return torch.nn.Sequential(*layers)

    def train(sizes, batch, samples, passes):
        model = mlp(sizes)
        opt = torch.optim.SGD(model.parameters(), lr=W1["lr"])
        loss_fn = torch.nn.CrossEntropyLoss()
        x, y = X[:samples], Y[:samples]
        rates = []
        for _ in range(passes):
            t0 = time.perf_counter()
            order = torch.randperm(samples)
            for i in range(0, samples, batch):
                idx = order[i:i + batch]
                opt.zero_grad(set_to_none=True)
                loss = loss_fn(model(x[idx]), y[idx])
                loss.backward()
                opt.step()
            rates.append(samples / (time.perf_counter() - t0))
        return rates

    def median_call_micros(fn, calls):
        times = []
        for i in range(calls):
            t0 = time.perf_counter_ns()
            fn(i)
            times.append((time.perf_counter_ns() - t0) / 1000)
        return statistics.median(times)

    def rate_for(fn, batch, seconds):
        samples = 0
        t0 = time.perf_counter()
        while True:
            fn()
            samples += batch
            elapsed = time.perf_counter() - t0
            if elapsed >= seconds:
                return samples / elapsed

    def latency(sizes, calls, runs):
        model = mlp(sizes).eval()
        rows = [X[r:r + 1] for r in range(64)]
        with torch.inference_mode():
            call = lambda i: torch.softmax(model(rows[i & 63]), dim=1)
            median_call_micros(call, min(calls, 2000))
            return [median_call_micros(call, calls) for _ in range(runs)]

    def throughput(sizes, batch, seconds, runs):
        model = mlp(sizes).eval()
        xb = X[:batch]
        with torch.inference_mode():
            call = lambda: torch.softmax(model(xb), dim=1)
            rate_for(call, batch, seconds / 2)
            return [rate_for(call, batch, seconds) for _ in range(runs)]

    def rows(samples, batch):
        if samples <= count and (samples == count or samples % batch == 0 or samples < batch):
            return samples
        return max(batch, (min(samples, count) // batch) * batch)

    def describe(samples, batch):
        if samples == FULL_EPOCH:
            return "full epoch (60,000)"
        if samples < batch:
            return f"1 partial batch of {samples}"
        batches = samples // batch
        return f"{batches} batch{'' if batches == 1 else 'es'} ({samples:,} samples)"

    def figure(runs, detail):
        if not runs or any(not (v > 0 and v != float("inf")) for v in runs):
            raise RuntimeError(f"a measurement came out as {runs}: expected finite positive numbers")
        return {"median": statistics.median(runs), "runs": runs, "detail": detail}

    def measured(sizes, batch, samples):
        return train(sizes, batch, samples, plan["warmup"] + plan["runs"])[plan["warmup"]:]

    figures = {}
    for w in request["workloads"]:
        if w in ("w1", "w2"):
            spec = W1 if w == "w1" else W2
            samples = rows(plan["w1Samples"] if w == "w1" else plan["w2Samples"], spec["batch"])
            figures[w] = figure(measured(spec["sizes"], spec["batch"], samples), f"{describe(samples, spec['batch'])}, batch {spec['batch']}")
        elif w == "w3Latency":
            calls = plan["w3Calls"]
            figures[w] = figure(latency(W1["sizes"], calls, plan["runs"]), f"median of {calls:,} single calls per run")
        else:
            figures[w] = figure(throughput(W1["sizes"], W3_LARGE_BATCH, plan["w3Seconds"], plan["runs"]),
                                f"{plan['w3Seconds']} s of batch-{W3_LARGE_BATCH} calls per run")
        f = figures[w]
        log(f"{w}: {f['median']:.4g} ({', '.join(f'{v:.4g}' for v in f['runs'])}) — {f['detail']}")

    scaling = None
    if request["scaling"]:
        scaling = []
        for hidden in plan["scalingHidden"]:
            for batch in plan["scalingBatches"]:
                sizes = [784, hidden, hidden // 2, 10]
                probe = rows(batch * max(2, -(-plan["scalingProbe"] // batch)), batch)
                rate = train(sizes, batch, probe, 1)[0]
                samples = rows(max(2, round(rate * plan["scalingSeconds"] / batch)) * batch, batch)
                f = figure(measured(sizes, batch, samples), "")
                scaling.append({"hidden": hidden, "batch": batch, "median": f["median"], "runs": f["runs"], "samples": samples})
                log(f"scaling 784-{hidden}-{hidden // 2}-10 batch {batch}: {f['median']:.4g} samples/s")

    result.update(
        available=True,
        version=f"torch {torch.__version__}",
        threads=str(torch.get_num_threads()),
        notes=[
            f"Python {sys.version.split()[0]} ({sys.executable})",
            f"BLAS: {blas_library()}; OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')}, "
            f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY')}",
            "hand-written loop: randperm, index, zero_grad, forward, CrossEntropyLoss, backward, SGD step; "
            "inference under inference_mode() with softmax",
        ],
        figures=figures,
        peakRssMiB=peak_rss_mib(),
        wallSeconds=time.perf_counter() - started,
    )
    if scaling is not None:
        result["scaling"] = scaling
    with open(request["out"], "w") as f:
        json.dump(result, f, indent=2)


if __name__ == "__main__":
    main()
