/*
 * neurite core: the C ABI.
 *
 * One C++ core serves two bindings: the Node-API addon (native/bindings/node) and the Emscripten/WASM module
 * (native/bindings/wasm). Both see only this header, so it uses plain C types, fixed-layout structs without
 * pointers (their byte offsets are the same on wasm32 and 64-bit hosts and are pinned by static_asserts in
 * native/src/engine/capi.cpp), status codes, and a per-thread last-error message. No C++ exception crosses it.
 *
 * Semantics (layouts, losses, optimizers, dropout masks, shuffles) are those of src/backends/backend.ts;
 * the TypeScript backend is the reference every engine matches to 1e-5 relative.
 *
 * Threading: a model may be used from any thread, but from one thread at a time (the binding serialises calls
 * per model). Different models may run concurrently; they share one worker pool.
 */
#ifndef NEURITE_NEURITE_H
#define NEURITE_NEURITE_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define NRT_API
#else
#define NRT_API __attribute__((visibility("default")))
#endif

#define NRT_ABI_VERSION 1

typedef enum nrt_status {
  NRT_OK = 0,
  NRT_ERR_INVALID_ARGUMENT = 1, /* an argument is out of range or inconsistent; the message names it */
  NRT_ERR_STATE = 2,            /* not valid now, e.g. training before compile */
  NRT_ERR_OUT_OF_MEMORY = 3,
  NRT_ERR_ABORTED = 4, /* the abort flag was set, or the progress callback returned nonzero */
  NRT_ERR_INTERNAL = 5
} nrt_status;

typedef enum nrt_layer_kind { NRT_LAYER_DENSE = 0, NRT_LAYER_DROPOUT = 1 } nrt_layer_kind;

typedef enum nrt_activation {
  NRT_ACTIVATION_LINEAR = 0,
  NRT_ACTIVATION_RELU = 1,
  NRT_ACTIVATION_LEAKY_RELU = 2,
  NRT_ACTIVATION_SIGMOID = 3,
  NRT_ACTIVATION_TANH = 4,
  NRT_ACTIVATION_SOFTMAX = 5
} nrt_activation;

typedef enum nrt_loss {
  NRT_LOSS_MEAN_SQUARED_ERROR = 0,
  NRT_LOSS_BINARY_CROSSENTROPY = 1,
  NRT_LOSS_CATEGORICAL_CROSSENTROPY = 2,
  NRT_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY = 3
} nrt_loss;

typedef enum nrt_optimizer_kind {
  NRT_OPTIMIZER_SGD = 0,
  NRT_OPTIMIZER_ADAM = 1,
  NRT_OPTIMIZER_ADAMW = 2,
  NRT_OPTIMIZER_RMSPROP = 3
} nrt_optimizer_kind;

/*
 * One layer, 48 bytes: kind@0 units@4 activation@8 use_bias@12 alpha@16 l2@24 rate@32 threshold@40 reserved@44.
 * A dense layer's input size is the previous layer's units (or the model's input size); a dropout layer's
 * units must equal its input size.
 */
typedef struct nrt_layer_desc {
  int32_t kind;       /* nrt_layer_kind */
  int32_t units;      /* > 0 */
  int32_t activation; /* dense: nrt_activation */
  int32_t use_bias;   /* dense: 0 or 1 */
  double alpha;       /* dense, leakyRelu: slope for x < 0 */
  double l2;          /* dense: >= 0; loss += l2*sum(W^2), grad += 2*l2*W */
  double rate;        /* dropout: in [0, 1) */
  uint32_t threshold; /* dropout: keep when (rngU32 >> 8) >= threshold, threshold = round(rate * 2^24) */
  uint32_t reserved;  /* 0 */
} nrt_layer_desc;

/*
 * Optimizer and hyperparameters, 64 bytes: kind@0 nesterov@4 learning_rate@8 momentum@16 beta1@24 beta2@32
 * epsilon@40 weight_decay@48 rho@56. Fields an optimizer does not use are ignored.
 */
typedef struct nrt_optimizer_desc {
  int32_t kind;     /* nrt_optimizer_kind */
  int32_t nesterov; /* sgd: 0 or 1 */
  double learning_rate;
  double momentum; /* sgd, rmsprop */
  double beta1;    /* adam, adamw */
  double beta2;    /* adam, adamw */
  double epsilon;  /* adam, adamw, rmsprop */
  double weight_decay; /* adamw */
  double rho;          /* rmsprop */
} nrt_optimizer_desc;

/* Loss and accuracy of an epoch or an evaluation, 24 bytes: loss@0 accuracy@8 has_accuracy@16 reserved@20. */
typedef struct nrt_metrics {
  double loss;
  double accuracy;      /* valid when has_accuracy != 0 (not for meanSquaredError) */
  int32_t has_accuracy;
  int32_t reserved;
} nrt_metrics;

typedef struct nrt_model nrt_model;

/*
 * Called by train_epoch after a batch (0-based index `batch` of `batches`, with that batch's loss), from the
 * thread running the epoch. Return 0 to go on, nonzero to stop (train_epoch then returns NRT_ERR_ABORTED).
 * Every batch is reported; throttling is the binding's business.
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
/* Frees the model; NULL is a no-op. */
NRT_API void nrt_model_destroy(nrt_model* model);
/* Threads used by this model's kernels (1 .. 256); 0 restores the default (hardware threads). */
NRT_API nrt_status nrt_model_set_threads(nrt_model* model, int32_t threads);

/* ---- parameters: per dense layer, kernel [in, units] row-major then bias [units] if use_bias ---- */

NRT_API int32_t nrt_model_parameter_count(const nrt_model* model);
/* Number of floats of parameter `index`, or -1 if index is out of range. */
NRT_API int64_t nrt_model_parameter_size(const nrt_model* model, int32_t index);
NRT_API nrt_status nrt_model_get_parameter(const nrt_model* model, int32_t index, float* out, int64_t length);
/* Values must be finite. */
NRT_API nrt_status nrt_model_set_parameter(nrt_model* model, int32_t index, const float* values, int64_t length);

/* ---- training setup ---- */

/* Sets optimizer and loss; resets the optimizer state and the step counter. */
NRT_API nrt_status nrt_model_compile(nrt_model* model, const nrt_optimizer_desc* optimizer, int32_t loss);
NRT_API nrt_status nrt_model_set_learning_rate(nrt_model* model, double learning_rate);

/*
 * Optimizer state: slots listed per parameter in parameter order, each parameter's slots in the order
 * sgd [velocity] (momentum > 0 only), adam/adamw [m, v], rmsprop [v] or [v, mom] (momentum > 0).
 * Slot i has the size of its parameter. The step counts optimizer steps since compile.
 */
NRT_API int32_t nrt_model_optimizer_slot_count(const nrt_model* model);
NRT_API int64_t nrt_model_optimizer_slot_size(const nrt_model* model, int32_t slot);
NRT_API nrt_status nrt_model_get_optimizer_slot(const nrt_model* model, int32_t slot, float* out, int64_t length);
NRT_API nrt_status nrt_model_set_optimizer_slot(nrt_model* model, int32_t slot, const float* values, int64_t length);
/* Both need compile (NRT_ERR_STATE otherwise). */
NRT_API nrt_status nrt_model_get_step(const nrt_model* model, int64_t* out_step);
NRT_API nrt_status nrt_model_set_step(nrt_model* model, int64_t step);

/* ---- work ----
 * x is [count, input_size] row-major; y is [count, output_size], or [count] class indices for the sparse loss.
 * x and y must be finite (sparse labels integers in [0, output_size)); the core checks and names the first bad
 * value. Input arrays are only read.
 */

/* One optimizer step on one batch of `count` rows; *out_loss is the loss before the update. */
NRT_API nrt_status nrt_model_train_batch(nrt_model* model, const float* x, const float* y, int64_t count,
                                         double* out_loss);
/*
 * One step on the batch made of rows `rows[0..count)` of (x, y), which hold `total` rows. Lets a caller drive
 * an epoch itself (e.g. the WASM binding, yielding to its event loop between batches) with
 * nrt_permutation() order. out_correct and out_total receive the accuracy counts of the batch (may be NULL).
 */
NRT_API nrt_status nrt_model_train_rows(nrt_model* model, const float* x, const float* y, int64_t total,
                                        const uint32_t* rows, int64_t count, double* out_loss,
                                        double* out_correct, double* out_total);
/*
 * One epoch: order = shuffle ? permutation(count, rngKey(seed, 2, epoch)) : 0..count-1, consecutive batches of
 * batch_size (the last may be smaller). progress may be NULL; abort_flag (may be NULL) is read between batches.
 */
NRT_API nrt_status nrt_model_train_epoch(nrt_model* model, const float* x, const float* y, int64_t count,
                                         int64_t batch_size, int32_t shuffle, int64_t epoch,
                                         nrt_progress_fn progress, void* progress_user,
                                         const volatile int32_t* abort_flag, nrt_metrics* out_metrics);
/* Loss (including the l2 term) and accuracy at inference, in batches of batch_size. Needs compile (the loss). */
NRT_API nrt_status nrt_model_evaluate(nrt_model* model, const float* x, const float* y, int64_t count,
                                      int64_t batch_size, nrt_metrics* out_metrics);
/* out is [count, output_size]. Works without compile. */
NRT_API nrt_status nrt_model_predict(nrt_model* model, const float* x, int64_t count, float* out);

/* ---- the shared RNG (src/rng.ts), for bindings that drive epochs themselves and for tests ---- */
NRT_API uint32_t nrt_rng_key(uint32_t seed, uint32_t a, uint32_t b);
NRT_API uint32_t nrt_rng_u32(uint32_t key, uint32_t i);
/* out[0..n) = permutation(n, key) */
NRT_API void nrt_permutation(uint32_t n, uint32_t key, uint32_t* out);

#ifdef __cplusplus
}
#endif

#endif /* NEURITE_NEURITE_H */
