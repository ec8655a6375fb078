/*
 * neurite core: the C ABI.
 *
 * One C++ core serves two bindings: the Node-API addon (native/bindings/node) and the Emscripten/WASM module
 * (native/bindings/wasm). Both see only this header: plain C types, status codes, a per-thread last-error message,
 * and fixed-layout descriptor structs without pointers. Their codes and layouts are generated, with those of the
 * TypeScript encoder, from one schema (native/abi/abi.json → neurite/abi.h). No C++ exception crosses it.
 *
 * The contract (written out in src/backends/backend.ts): the Model API validates everything a user passes and
 * names the argument; below it nothing is validated twice. The core checks only what memory safety needs —
 * array lengths against the sizes it will read or write, enum codes, indices, sizes that would overflow — and
 * returns NRT_ERR_INVALID_ARGUMENT for those. Only predict scans data for NaN (see there; the API did the rest) and it trusts
 * hyperparameters. Bindings translate and run asynchronous work; they do no range checks of their own.
 *
 * Semantics (layouts, losses, optimizers, dropout masks, shuffles) are those of src/backends/backend.ts;
 * the TypeScript backend is the reference every engine matches to 1e-5 relative.
 *
 * Threading: every call on a model holds that model's lock, so calls from several threads are serialised and
 * never see a half-updated model. nrt_model_train_epoch holds it one batch at a time: a predict or evaluate from
 * another thread runs between two batches, on the weights of a whole number of steps. Different models run
 * concurrently; they share one worker pool.
 */
#ifndef NEURITE_NEURITE_H
#define NEURITE_NEURITE_H

#include <stdint.h>

#include "neurite/abi.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define NRT_API
#else
#define NRT_API __attribute__((visibility("default")))
#endif

typedef struct nrt_model nrt_model;

/*
 * Called by train_epoch after a batch (0-based index `batch` of `batches`, with that batch's loss), from the
 * thread running the epoch. Return 0 to go on, nonzero to stop (train_epoch then returns NRT_ERR_ABORTED).
 * Every batch is reported, and the Node binding passes every report on to JavaScript, in order.
 */
typedef int32_t (*nrt_progress_fn)(void* user, int64_t batch, int64_t batches, double loss);

/* ---- library ---- */

/* Message of the last failed call on the calling thread ("" if none). Valid until the next call on this thread. */
NRT_API const char* nrt_last_error(void);
NRT_API int32_t nrt_abi_version(void);
/* Name of the GEMM microkernel chosen for this CPU, e.g. "avx2_fma 6x16". */
NRT_API const char* nrt_gemm_kernel_name(void);
/* Number of hardware threads, the default thread count of a model. */
NRT_API int32_t nrt_hardware_threads(void);
/* Models created and not yet destroyed in this process (for leak checks in tests). */
NRT_API int64_t nrt_live_models(void);

/* ---- model lifecycle ---- */

NRT_API nrt_status nrt_model_create(int32_t input_size, const nrt_layer_desc* layers, int32_t layer_count,
                                    uint32_t seed, nrt_model** out_model);
/* Frees the model; NULL is a no-op. No other call on it may be running. */
NRT_API void nrt_model_destroy(nrt_model* model);
/* Threads used by this model's kernels (1 .. NRT_MAX_THREADS); 0 restores the default (hardware threads). */
NRT_API nrt_status nrt_model_set_threads(nrt_model* model, int32_t threads);

/* ---- parameters: per dense layer, kernel [in, units] row-major then bias [units] if use_bias ---- */

NRT_API int32_t nrt_model_parameter_count(const nrt_model* model);
/* Number of floats of parameter `index`, or -1 if index is out of range. */
NRT_API int64_t nrt_model_parameter_size(const nrt_model* model, int32_t index);
NRT_API nrt_status nrt_model_get_parameter(nrt_model* model, int32_t index, float* out, int64_t length);
NRT_API nrt_status nrt_model_set_parameter(nrt_model* model, int32_t index, const float* values, int64_t length);

/* ---- training setup ---- */

/* Sets optimizer and loss (kind and hyperparameters, e.g. huber's delta); resets the optimizer state and the step
 * counter. */
NRT_API nrt_status nrt_model_compile(nrt_model* model, const nrt_optimizer_desc* optimizer, const nrt_loss_desc* loss);
NRT_API nrt_status nrt_model_set_learning_rate(nrt_model* model, double learning_rate);

/*
 * Optimizer state: slots listed per parameter in parameter order, each parameter's slots in the order
 * sgd [velocity] (momentum > 0 only), adam/adamw [m, v], rmsprop [v] or [v, mom] (momentum > 0).
 * Slot i has the size of its parameter. The step counts optimizer steps since compile.
 */
NRT_API int32_t nrt_model_optimizer_slot_count(const nrt_model* model);
NRT_API int64_t nrt_model_optimizer_slot_size(const nrt_model* model, int32_t slot);
NRT_API nrt_status nrt_model_get_optimizer_slot(nrt_model* model, int32_t slot, float* out, int64_t length);
NRT_API nrt_status nrt_model_set_optimizer_slot(nrt_model* model, int32_t slot, const float* values, int64_t length);
/* Both need compile (NRT_ERR_STATE otherwise). */
NRT_API nrt_status nrt_model_get_step(nrt_model* model, int64_t* out_step);
NRT_API nrt_status nrt_model_set_step(nrt_model* model, int64_t step);

/* ---- work ----
 * x is [count, input_size] row-major; y is [count, output_size], or [count] class indices for the sparse loss.
 * Every array comes with its length in floats, which must be exactly what `count` (or `total`) rows need.
 * Values are not scanned (the Model API did that); sparse labels, which the core uses as indices, are checked
 * to be integers in [0, output_size). Input arrays are only read.
 * w is one sample weight per row (w_length = count or total), or NULL for all 1: the batch loss is then
 * Σ w_i·l_i / rows (Keras's semantics: divided by the rows, not by Σ w), and the gradient scales with it.
 * Accuracy counts are not weighted.
 */

/* One optimizer step on one batch of `count` rows; *out_loss is the loss before the update. */
NRT_API nrt_status nrt_model_train_batch(nrt_model* model, const float* x, int64_t x_length, const float* y,
                                         int64_t y_length, const float* w, int64_t w_length, int64_t count,
                                         double* out_loss);
/*
 * One step on the batch made of rows `rows[0..count)` of (x, y), which hold `total` rows. Lets a caller drive
 * an epoch itself (the WASM binding, yielding to its event loop between batches) with nrt_permutation() order.
 * out_correct and out_total receive the accuracy counts of the batch (may be NULL). out_outputs (may be NULL) is
 * [total, output_size]: the outputs of the trained rows are written at their rows (for epoch-wide metrics).
 */
NRT_API nrt_status nrt_model_train_rows(nrt_model* model, const float* x, int64_t x_length, const float* y,
                                        int64_t y_length, const float* w, int64_t w_length, int64_t total,
                                        const uint32_t* rows, int64_t count, double* out_loss, double* out_correct,
                                        double* out_total, float* out_outputs, int64_t out_outputs_length);
/*
 * One epoch: order = shuffle ? permutation(count, rngKey(seed, 2, epoch)) : 0..count-1, consecutive batches of
 * batch_size (the last may be smaller). progress may be NULL; abort_flag (may be NULL) is read between batches.
 * The model's lock is held per batch, not per epoch (see Threading above). out_outputs (may be NULL; then nothing is
 * copied) is [count, output_size]: each row's training output of this epoch, in the data's row order.
 */
NRT_API nrt_status nrt_model_train_epoch(nrt_model* model, const float* x, int64_t x_length, const float* y,
                                         int64_t y_length, const float* w, int64_t w_length, int64_t count,
                                         int64_t batch_size, int32_t shuffle, int64_t epoch, nrt_progress_fn progress,
                                         void* progress_user, const volatile int32_t* abort_flag,
                                         nrt_metrics* out_metrics, float* out_outputs, int64_t out_outputs_length);
/* Loss (including the l2 term) and accuracy at inference, in batches of batch_size. Needs compile (the loss). */
NRT_API nrt_status nrt_model_evaluate(nrt_model* model, const float* x, int64_t x_length, const float* y,
                                      int64_t y_length, const float* w, int64_t w_length, int64_t count,
                                      int64_t batch_size, nrt_metrics* out_metrics);
/* out is [count, output_size] (out_length floats). Works without compile. The one call that checks data:
 * NRT_ERR_NON_FINITE when x holds NaN or ±Infinity (the first GEMM finds them through its output, so the API
 * need not scan x on its own; out is then garbage). */
NRT_API nrt_status nrt_model_predict(nrt_model* model, const float* x, int64_t x_length, int64_t count, float* out,
                                     int64_t out_length);

/*
 * Index of the first NaN or ±Infinity of data[0..length), or -1: the Model API's finite check of input and target
 * arrays, vectorised and on up to `threads` threads (0 = hardware threads).
 */
NRT_API int64_t nrt_first_non_finite(const float* data, int64_t length, int32_t threads);

/* ---- the streaming readers' rows on their way into batches (src/data/reader-rows.ts) ---- */
/*
 * out[i] = bytes[i] / divisor rounded to float32, for i in [0, length): divisor 255 for [0, 1], 1 for 0..255.
 * out holds at least length floats.
 */
NRT_API void nrt_bytes_to_floats(const uint8_t* bytes, int64_t length, float divisor, float* out);
/*
 * A shuffle buffer's exchanges, in order i = 0 .. count-1: row slots[i] of store (store_rows rows of width bytes)
 * leaves for row i of out as floats (bytes / divisor), and row sources[i] of source (source_rows rows) takes its
 * place. source may be store. NRT_ERR_INVALID_ARGUMENT when an index is out of range or out (out_length floats)
 * holds fewer than count rows; nothing is written then.
 */
NRT_API nrt_status nrt_exchange_byte_rows(uint8_t* store, int64_t store_rows, const uint8_t* source,
                                          int64_t source_rows, const uint32_t* slots, const uint32_t* sources,
                                          int64_t count, int64_t width, float divisor, float* out,
                                          int64_t out_length);
/* The same exchanges for rows of floats, copied as they are. */
NRT_API nrt_status nrt_exchange_float_rows(float* store, int64_t store_rows, const float* source, int64_t source_rows,
                                           const uint32_t* slots, const uint32_t* sources, int64_t count,
                                           int64_t width, float* out, int64_t out_length);

/* ---- the streaming CSV reader's plain numeric lines (src/data/csv-stream.ts) ---- */
/*
 * Reads lines of text[0, length) (UTF-8 bytes) from byte offset *cursor while each is a plain numeric line as
 * readNumericLine (src/data/csv-numbers.ts) reads one, at most max_rows of them; returns how many and moves
 * *cursor to the first line not read. slots (one per column): a feature index in [0, features), -1 for a numeric
 * target, -2 for a text target. Row r: features at x[r * features + slot], a numeric target at targets[r], a text
 * target's byte bounds at spans[2r], spans[2r + 1], the line's start at starts[r]; each array holds max_rows rows.
 * delimiter: ASCII, not a space, tab, quote or line break; length below 2^31. Returns -1 (nothing read) when an
 * argument breaks these rules.
 */
NRT_API int64_t nrt_csv_numeric_lines(const uint8_t* text, int64_t length, int64_t* cursor, uint8_t delimiter,
                                      const int32_t* slots, int32_t columns, int32_t features, float* x,
                                      float* targets, int32_t* spans, int32_t* starts, int64_t max_rows);

/* ---- the shared RNG (src/rng.ts), for bindings that drive epochs themselves and for tests ---- */
NRT_API uint32_t nrt_rng_key(uint32_t seed, uint32_t a, uint32_t b);
NRT_API uint32_t nrt_rng_u32(uint32_t key, uint32_t i);
/* out[0..n) = permutation(n, key) */
NRT_API void nrt_permutation(uint32_t n, uint32_t key, uint32_t* out);

#ifdef __cplusplus
}
#endif

#endif /* NEURITE_NEURITE_H */
