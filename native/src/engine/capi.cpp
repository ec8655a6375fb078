// The C ABI (include/neurite/neurite.h) over nrt::Model: each call takes the model's lock (train_epoch takes it
// per batch, itself), clears the thread's last error, and nothing unwinds across the boundary. The descriptor
// layouts are held to native/abi/abi.json by the static_asserts in the generated neurite/abi.h.
#include <atomic>
#include <cstddef>
#include <new>

#include "core/finite_scan.h"
#include "core/flush_denormals.h"
#include "core/rng.h"
#include "core/status.h"
#include "core/thread_pool.h"
#include "engine/model.h"
#include "gemm/gemm_kernel.h"
#include "neurite/neurite.h"
#include "ops/csv_numbers.h"
#include "ops/reader_rows.h"

struct nrt_model {
  nrt::Model* impl;
};

namespace {

#if defined(__cpp_exceptions)
#define NRT_GUARD_BEGIN try {
#define NRT_GUARD_END                                                                 \
  }                                                                                   \
  catch (const std::bad_alloc&) {                                                     \
    return nrt::fail(NRT_ERR_OUT_OF_MEMORY, "out of memory");                         \
  }                                                                                   \
  catch (...) {                                                                       \
    return nrt::fail(NRT_ERR_INTERNAL, "internal error (unexpected C++ exception)"); \
  }
#else
#define NRT_GUARD_BEGIN
#define NRT_GUARD_END
#endif

nrt_status null_model() { return nrt::fail(NRT_ERR_INVALID_ARGUMENT, "model must not be null"); }

std::atomic<int64_t> live_models{0};

}  // namespace

// Every call computes with subnormals flushed (core/flush_denormals.h) and restores the caller's setting.
#define NRT_MODEL_CALL(model, expr)              \
  do {                                           \
    if ((model) == nullptr) return null_model(); \
    nrt::clear_error();                          \
    NRT_GUARD_BEGIN                              \
    nrt::FlushDenormals flush;                   \
    nrt::Model::Lock lock(*(model)->impl);       \
    nrt::ThreadPool::EngineCall engine_call;     \
    return (model)->impl->expr;                  \
    NRT_GUARD_END                                \
  } while (0)

// The same for the getters that return a count or size rather than a status.
#define NRT_MODEL_READ(model, fallback, expr) \
  do {                                        \
    if ((model) == nullptr) return fallback;  \
    nrt::Model::Lock lock(*(model)->impl);    \
    return (model)->impl->expr;               \
  } while (0)

extern "C" {

const char* nrt_last_error(void) { return nrt::last_error(); }
int32_t nrt_abi_version(void) { return NRT_ABI_VERSION; }
const char* nrt_gemm_kernel_name(void) { return nrt::gemm::best_kernel().name; }
int32_t nrt_hardware_threads(void) { return nrt::hardware_threads(); }
int64_t nrt_live_models(void) { return live_models.load(); }

nrt_status nrt_model_create(int32_t input_size, const nrt_layer_desc* layers, int32_t layer_count, uint32_t seed,
                            nrt_model** out_model) {
  nrt::clear_error();
  if (out_model == nullptr) return nrt::fail(NRT_ERR_INVALID_ARGUMENT, "out_model must not be null");
  *out_model = nullptr;
  NRT_GUARD_BEGIN
  nrt::Model* impl = nullptr;
  NRT_RETURN_IF_ERROR(nrt::Model::create(input_size, layers, layer_count, seed, &impl));
  nrt_model* handle = new (std::nothrow) nrt_model{impl};
  if (handle == nullptr) {
    delete impl;
    return nrt::fail(NRT_ERR_OUT_OF_MEMORY, "out of memory creating the model");
  }
  *out_model = handle;
  live_models.fetch_add(1);
  return NRT_OK;
  NRT_GUARD_END
}

void nrt_model_destroy(nrt_model* model) {
  if (model == nullptr) return;
  delete model->impl;
  delete model;
  live_models.fetch_sub(1);
}

nrt_status nrt_model_set_threads(nrt_model* model, int32_t threads) { NRT_MODEL_CALL(model, set_threads(threads)); }

int32_t nrt_model_parameter_count(const nrt_model* model) { NRT_MODEL_READ(model, 0, parameter_count()); }

int64_t nrt_model_parameter_size(const nrt_model* model, int32_t index) {
  NRT_MODEL_READ(model, -1, parameter_size(index));
}

nrt_status nrt_model_get_parameter(nrt_model* model, int32_t index, float* out, int64_t length) {
  NRT_MODEL_CALL(model, get_parameter(index, out, length));
}

nrt_status nrt_model_set_parameter(nrt_model* model, int32_t index, const float* values, int64_t length) {
  NRT_MODEL_CALL(model, set_parameter(index, values, length));
}

nrt_status nrt_model_compile(nrt_model* model, const nrt_optimizer_desc* optimizer, const nrt_loss_desc* loss) {
  if (optimizer == nullptr) return nrt::fail(NRT_ERR_INVALID_ARGUMENT, "optimizer must not be null");
  if (loss == nullptr) return nrt::fail(NRT_ERR_INVALID_ARGUMENT, "loss must not be null");
  NRT_MODEL_CALL(model, compile(*optimizer, *loss));
}

nrt_status nrt_model_set_learning_rate(nrt_model* model, double learning_rate) {
  NRT_MODEL_CALL(model, set_learning_rate(learning_rate));
}

int32_t nrt_model_optimizer_slot_count(const nrt_model* model) { NRT_MODEL_READ(model, 0, optimizer_slot_count()); }

int64_t nrt_model_optimizer_slot_size(const nrt_model* model, int32_t slot) {
  NRT_MODEL_READ(model, -1, optimizer_slot_size(slot));
}

nrt_status nrt_model_get_optimizer_slot(nrt_model* model, int32_t slot, float* out, int64_t length) {
  NRT_MODEL_CALL(model, get_optimizer_slot(slot, out, length));
}

nrt_status nrt_model_set_optimizer_slot(nrt_model* model, int32_t slot, const float* values, int64_t length) {
  NRT_MODEL_CALL(model, set_optimizer_slot(slot, values, length));
}

nrt_status nrt_model_get_step(nrt_model* model, int64_t* out_step) {
  if (out_step == nullptr) return nrt::fail(NRT_ERR_INVALID_ARGUMENT, "out_step must not be null");
  NRT_MODEL_CALL(model, get_step(out_step));
}

nrt_status nrt_model_set_step(nrt_model* model, int64_t step) { NRT_MODEL_CALL(model, set_step(step)); }

nrt_status nrt_model_train_batch(nrt_model* model, const float* x, int64_t x_length, const float* y,
                                 int64_t y_length, const float* w, int64_t w_length, int64_t count, double* out_loss) {
  NRT_MODEL_CALL(model, train_batch({x, x_length, y, y_length, w, w_length}, count, out_loss));
}

nrt_status nrt_model_train_rows(nrt_model* model, const float* x, int64_t x_length, const float* y, int64_t y_length,
                                const float* w, int64_t w_length, int64_t total, const uint32_t* rows, int64_t count,
                                double* out_loss, double* out_correct, double* out_total, float* out_outputs,
                                int64_t out_outputs_length) {
  NRT_MODEL_CALL(model, train_rows({x, x_length, y, y_length, w, w_length}, total, rows, count, out_loss, out_correct,
                                   out_total, {out_outputs, out_outputs_length}));
}

nrt_status nrt_model_train_epoch(nrt_model* model, const float* x, int64_t x_length, const float* y,
                                 int64_t y_length, const float* w, int64_t w_length, int64_t count, int64_t batch_size,
                                 int32_t shuffle, int64_t epoch, nrt_progress_fn progress, void* progress_user,
                                 const volatile int32_t* abort_flag, nrt_metrics* out_metrics, float* out_outputs,
                                 int64_t out_outputs_length) {
  if (model == nullptr) return null_model();
  nrt::clear_error();
  NRT_GUARD_BEGIN
  // No lock here: the epoch takes it per batch so that other callers can run in between.
  nrt::ThreadPool::EngineCall engine_call;
  return model->impl->train_epoch({x, x_length, y, y_length, w, w_length}, count, batch_size, shuffle != 0, epoch,
                                  progress, progress_user, abort_flag, out_metrics, {out_outputs, out_outputs_length});
  NRT_GUARD_END
}

nrt_status nrt_model_evaluate(nrt_model* model, const float* x, int64_t x_length, const float* y, int64_t y_length,
                              const float* w, int64_t w_length, int64_t count, int64_t batch_size,
                              nrt_metrics* out_metrics) {
  NRT_MODEL_CALL(model, evaluate({x, x_length, y, y_length, w, w_length}, count, batch_size, out_metrics));
}

nrt_status nrt_model_predict(nrt_model* model, const float* x, int64_t x_length, int64_t count, float* out,
                             int64_t out_length) {
  NRT_MODEL_CALL(model, predict(x, x_length, count, out, out_length));
}

int64_t nrt_first_non_finite(const float* data, int64_t length, int32_t threads) {
  if (data == nullptr || length <= 0) return -1;
  return nrt::first_non_finite(data, length, threads <= 0 ? nrt::hardware_threads() : threads);
}

void nrt_bytes_to_floats(const uint8_t* bytes, int64_t length, float divisor, float* out) {
  if (bytes == nullptr || out == nullptr || length <= 0) return;
  nrt::ops::bytes_to_floats(bytes, length, divisor, out);
}

namespace {

// What nrt_exchange_*_rows check before any row moves: every index in range, out long enough. No exchanges
// (count 0) need nothing, not even arrays.
nrt_status check_exchange(const void* store, int64_t store_rows, const void* source, int64_t source_rows,
                          const uint32_t* slots, const uint32_t* sources, int64_t count, int64_t width,
                          const float* out, int64_t out_length) {
  if (count == 0) return NRT_OK;
  if (count < 0 || width <= 0) return nrt::fail(NRT_ERR_INVALID_ARGUMENT, "count must be >= 0 and width > 0");
  if (store == nullptr || source == nullptr || slots == nullptr || sources == nullptr || out == nullptr) {
    return nrt::fail(NRT_ERR_INVALID_ARGUMENT, "arrays must not be null");
  }
  if (count > out_length / width) return nrt::fail(NRT_ERR_INVALID_ARGUMENT, "out holds fewer than count rows");
  for (int64_t i = 0; i < count; i++) {
    if (slots[i] >= store_rows || sources[i] >= source_rows) {
      return nrt::fail(NRT_ERR_INVALID_ARGUMENT, "a slot or source row is out of range");
    }
  }
  return NRT_OK;
}

}  // namespace

nrt_status nrt_exchange_byte_rows(uint8_t* store, int64_t store_rows, const uint8_t* source, int64_t source_rows,
                                  const uint32_t* slots, const uint32_t* sources, int64_t count, int64_t width,
                                  float divisor, float* out, int64_t out_length) {
  const nrt_status s =
      check_exchange(store, store_rows, source, source_rows, slots, sources, count, width, out, out_length);
  if (s == NRT_OK) nrt::ops::exchange_byte_rows(store, source, slots, sources, count, width, divisor, out);
  return s;
}

nrt_status nrt_exchange_float_rows(float* store, int64_t store_rows, const float* source, int64_t source_rows,
                                   const uint32_t* slots, const uint32_t* sources, int64_t count, int64_t width,
                                   float* out, int64_t out_length) {
  const nrt_status s =
      check_exchange(store, store_rows, source, source_rows, slots, sources, count, width, out, out_length);
  if (s == NRT_OK) nrt::ops::exchange_float_rows(store, source, slots, sources, count, width, out);
  return s;
}

int64_t nrt_csv_numeric_lines(const uint8_t* text, int64_t length, int64_t* cursor, uint8_t delimiter,
                              const int32_t* slots, int32_t columns, int32_t features, float* x, float* targets,
                              int32_t* spans, int32_t* starts, int64_t max_rows) {
  if (text == nullptr || cursor == nullptr || slots == nullptr || x == nullptr || targets == nullptr ||
      spans == nullptr || starts == nullptr || length < 0 || length >= (int64_t{1} << 31) || columns <= 0 ||
      features <= 0 || max_rows < 0 || *cursor < 0 || *cursor > length || delimiter >= 128 || delimiter == ' ' ||
      delimiter == '\t' || delimiter == '"' || delimiter == '\n' || delimiter == '\r') {
    return -1;
  }
  for (int32_t c = 0; c < columns; c++) {
    if (slots[c] < nrt::ops::kCsvTextTarget || slots[c] >= features) return -1;
  }
  const nrt::ops::CsvLines lines{text, length, delimiter, slots, columns, features, x, targets, spans, starts};
  return nrt::ops::read_numeric_lines(lines, *cursor, max_rows, cursor);
}

uint32_t nrt_rng_key(uint32_t seed, uint32_t a, uint32_t b) { return nrt::rng_key(seed, a, b); }
uint32_t nrt_rng_u32(uint32_t key, uint32_t i) { return nrt::rng_u32(key, i); }
void nrt_permutation(uint32_t n, uint32_t key, uint32_t* out) {
  if (out != nullptr) nrt::permutation(n, key, out);
}

}  // extern "C"
