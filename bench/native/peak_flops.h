// The single-core FMA peak: independent FMA chains kept in registers, no memory traffic. The yardstick the
// GEMM's GFLOPS are compared against.
#pragma once

// GFLOPS of the widest FMA this CPU runs on one thread (0 if none was compiled in), and the ISA's name.
double peak_gflops(const char** isa);
double peak_gflops_avx2();
double peak_gflops_avx512();

// The best of 200 calls of `trial` (each about 1 ms, returning GFLOPS): on a shared machine the fastest is the
// hardware's rate, and a trial that short often runs without being preempted. The FMA peak and the microkernel's
// figure in gemm_bench.cpp are both timed this way, so that one's share of the other compares like with like.
// A plain function, defined in peak_flops.cpp and built for the baseline ISA: a template (or std::function)
// instantiated in the AVX-512 file could be the copy the linker keeps for the AVX2 one.
double best_of_trials(double (*trial)(void* context), void* context);
