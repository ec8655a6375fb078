// The single-core FMA peak: independent FMA chains kept in registers, no memory traffic. The yardstick the
// GEMM's GFLOPS are compared against.
#pragma once

// GFLOPS of the widest FMA this CPU runs on one thread (0 if none was compiled in), and the ISA's name.
double peak_gflops(const char** isa);
double peak_gflops_avx2();
double peak_gflops_avx512();
