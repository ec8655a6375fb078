// The Emscripten binding: what the WASM module exports beyond the core's C ABI (neurite.h), which it also
// exports unchanged (the list is in native/bindings/wasm/wasm.cmake). No math here: the core does the work;
// this file only adds what a JavaScript caller needs that cannot block its thread: epoch slices, and the long
// calls as jobs for the runner thread (runner.h).
//
// Why an epoch "slice": a browser tab (or Node's event loop) must not freeze for a whole epoch, and WASM cannot
// yield in the middle of a call. So src/backends/wasm.ts runs an epoch as a series of slices: each call trains
// consecutive batches of the epoch order for about `budget_ms` milliseconds, inside WASM, then returns so the
// caller can yield, report progress and look at its AbortSignal.
#include <emscripten/emscripten.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "core/thread_pool.h"
#include "neurite/neurite.h"
#include "runner.h"

// The descriptor layouts are held to native/abi/abi.json by the generated neurite/abi.h; the JavaScript side
// encodes them from the same schema (src/backends/abi.ts).
static_assert(sizeof(void*) == 4, "the JavaScript side reads pointers as 32-bit: build for wasm32");

extern "C" {

// 1 when this module was compiled with -msimd128 (the tests check the build that runs is the SIMD one).
EMSCRIPTEN_KEEPALIVE int32_t nrtw_simd128(void) {
#if defined(__wasm_simd128__)
  return 1;
#else
  return 0;
#endif
}

// 1 in the threaded build (-pthread, neurite-wasm-mt.mjs), 0 in the single-threaded one.
EMSCRIPTEN_KEEPALIVE int32_t nrtw_threads_build(void) {
#if defined(__EMSCRIPTEN_PTHREADS__)
  return 1;
#else
  return 0;
#endif
}

// The threaded build's loader starts `threads - 1` pthread workers with the module and says so here, before any
// model exists, so the core's thread pool asks for no more workers than there are.
EMSCRIPTEN_KEEPALIVE void nrtw_set_hardware_threads(int32_t threads) { nrt::set_hardware_threads(threads); }

// Bumped when an export below changes meaning; the loader refuses a module it does not know.
EMSCRIPTEN_KEEPALIVE int32_t nrtw_binding_version(void) { return 5; }

/*
 * Trains batches first_batch, first_batch+1, ... of an epoch whose row order is `order` (`total` rows, batches of
 * batch_size, the last one possibly smaller) until batch `batch_end` or until budget_ms milliseconds have passed
 * (at least one batch runs). For each batch i trained: losses[i - first_batch] = its loss. totals[0..3) are
 * accumulated, not overwritten: [Σ loss·rows, Σ correct, Σ counted] (the accuracy counts of nrt_model_train_rows).
 * *out_done = number of batches trained, also when a batch fails (then the failing one is not counted).
 * w (sample weights) and outputs may be NULL: see nrt_model_train_rows.
 */
EMSCRIPTEN_KEEPALIVE nrt_status nrtw_train_slice(nrt_model* model, const float* x, int64_t x_length, const float* y,
                                                 int64_t y_length, const float* w, int64_t w_length, int64_t total,
                                                 const uint32_t* order, int64_t batch_size, int64_t first_batch,
                                                 int64_t batch_end, double budget_ms, double* losses, double* totals,
                                                 int64_t* out_done, float* outputs, int64_t outputs_length) {
  *out_done = 0;
  const double start = emscripten_get_now();
  for (int64_t batch = first_batch; batch < batch_end; batch++) {
    const int64_t first_row = batch * batch_size;
    const int64_t rows = total - first_row < batch_size ? total - first_row : batch_size;
    double loss = 0, correct = 0, counted = 0;
    const nrt_status status =
        nrt_model_train_rows(model, x, x_length, y, y_length, w, w_length, total, order + first_row, rows, &loss,
                             &correct, &counted, outputs, outputs_length);
    if (status != NRT_OK) return status;
    losses[batch - first_batch] = loss;
    totals[0] += loss * static_cast<double>(rows);
    totals[1] += correct;
    totals[2] += counted;
    *out_done += 1;
    if (emscripten_get_now() - start >= budget_ms) break;
  }
  return NRT_OK;
}

/*
 * The long calls, as jobs (runner.h): in the threaded build they run on the runner thread and return at once; the
 * caller awaits the job's state and then reads its status. Every heap block passed must stay allocated until then.
 */
EMSCRIPTEN_KEEPALIVE void nrtw_predict_async(nrtw_job* job, nrt_model* model, const float* x, int64_t x_length,
                                             int64_t count, float* out, int64_t out_length) {
  nrtw::submit(job, [=] { return nrt_model_predict(model, x, x_length, count, out, out_length); });
}

EMSCRIPTEN_KEEPALIVE void nrtw_evaluate_async(nrtw_job* job, nrt_model* model, const float* x, int64_t x_length,
                                              const float* y, int64_t y_length, const float* w, int64_t w_length,
                                              int64_t count, int64_t batch_size, nrt_metrics* out_metrics) {
  nrtw::submit(job, [=] {
    return nrt_model_evaluate(model, x, x_length, y, y_length, w, w_length, count, batch_size, out_metrics);
  });
}

EMSCRIPTEN_KEEPALIVE void nrtw_train_slice_async(nrtw_job* job, nrt_model* model, const float* x, int64_t x_length,
                                                 const float* y, int64_t y_length, const float* w, int64_t w_length,
                                                 int64_t total, const uint32_t* order, int64_t batch_size,
                                                 int64_t first_batch, int64_t batch_end, double budget_ms,
                                                 double* losses, double* totals, int64_t* out_done, float* outputs,
                                                 int64_t outputs_length) {
  nrtw::submit(job, [=] {
    return nrtw_train_slice(model, x, x_length, y, y_length, w, w_length, total, order, batch_size, first_batch,
                            batch_end, budget_ms, losses, totals, out_done, outputs, outputs_length);
  });
}

/*
 * For the tests of the JavaScript trap handling only: kind 0 executes `unreachable`, kind 1 calls abort(),
 * kind 2 stores out of bounds of the linear memory. A trap leaves the C stack pointer where it was, which the
 * loader restores; none of these touch any model.
 */
EMSCRIPTEN_KEEPALIVE void nrtw_debug_trap(int32_t kind) {
  if (kind == 0) __builtin_trap();
  if (kind == 1) std::abort();
  volatile float* far = reinterpret_cast<volatile float*>(static_cast<uintptr_t>(0xfffffff0u));
  *far = 1.0f;
}

}  // extern "C"
