"""The GEMM peer: OpenBLAS's sgemm through torch.mm, on the products bench/native/gemm_bench.cpp measures.

Run by bench/lib/gemm.ts, alternately with gemm-bench, in the PyTorch children's environment (lib/systems.ts):
OPENBLAS_NUM_THREADS / OMP_NUM_THREADS = threads, OMP_WAIT_POLICY=PASSIVE, OPENBLAS_CORETYPE and
OPENBLAS_L2_SIZE removed.

    /usr/bin/python3 bench/torch_gemm.py THREADS SECONDS FORM:MxNxK ...

FORM is gemm-bench's name of the product (C=A*B, C=At*B, C=A*Bt). The transposed operand is a transposed view,
which torch hands to sgemm as a transpose flag, not a copy: the same reads as neurite's GEMM. Prints the BLAS and
the OpenBLAS core (torch_bench.blas_info), then one line per product, in gemm-bench's format: the best of the runs
made in SECONDS, as gemm-bench reports its own.
"""
import json
import sys
import time

from torch_bench import blas_info


def main():
    import torch

    if len(sys.argv) < 4:
        sys.exit("usage: torch_gemm.py THREADS SECONDS FORM:MxNxK ...")
    threads, seconds = int(sys.argv[1]), float(sys.argv[2])
    torch.set_num_threads(threads)
    print("blas " + json.dumps(blas_info()), flush=True)
    for spec in sys.argv[3:]:
        form, shape = spec.split(":")
        if form not in ("C=A*B", "C=At*B", "C=A*Bt"):
            sys.exit(f"unknown form {form}: expected C=A*B, C=At*B or C=A*Bt")
        m, n, k = (int(v) for v in shape.split("x"))
        # Values as gemm-bench fills them: small, exact in float32, no denormals.
        a = (torch.arange(m * k, dtype=torch.float32) * 7 % 13 * 0.01).reshape((k, m) if form == "C=At*B" else (m, k))
        b = (torch.arange(k * n, dtype=torch.float32) * 5 % 11 * 0.01).reshape((n, k) if form == "C=A*Bt" else (k, n))
        a = a.t() if form == "C=At*B" else a
        b = b.t() if form == "C=A*Bt" else b
        c = torch.empty((m, n), dtype=torch.float32)
        torch.mm(a, b, out=c)  # warm caches and OpenBLAS's buffers
        best = float("inf")
        start = time.perf_counter()
        while True:
            t0 = time.perf_counter()
            torch.mm(a, b, out=c)
            t1 = time.perf_counter()
            best = min(best, t1 - t0)
            if t1 - start >= seconds:
                break
        print(f"{form:<9} {m}x{n}x{k:<10} {2.0 * m * n * k / best * 1e-9:9.2f}", flush=True)


if __name__ == "__main__":
    main()
