// The epoch loop: shuffle with the shared permutation, gather each batch into a reused buffer, step, report.
#include <algorithm>
#include <cstring>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "core/flush_denormals.h"
#include "core/profile.h"
#include "core/rng.h"
#include "core/status.h"
#include "core/thread_pool.h"
#include "engine/model.h"

namespace nrt {

namespace {

inline void prefetch(const void* p) {
#if defined(__GNUC__) || defined(__clang__)
  __builtin_prefetch(p);
#else
  (void)p;
#endif
}

// dst[r] = src[rows[r]]: random rows of a dataset that does not fit in cache, so latency-bound; split across
// the model's threads when there is enough of it. The hardware prefetcher cannot guess the next row: the start of
// every row is requested up front (their misses overlap instead of queueing one after the other), and the whole
// row kAhead ahead while this one is copied.
void gather_rows(const float* src, int64_t width, const uint32_t* rows, int64_t count, float* dst, int threads) {
  NRT_PROFILE_SCOPE(gather);
  constexpr int64_t kAhead = 2, kLine = 64;
  const int64_t bytes = width * static_cast<int64_t>(sizeof(float));
  const int tasks = count * width >= (int64_t{1} << 16) ? threads : 1;
  parallel_for(tasks, tasks, [&](int t) {
    const int64_t r0 = count * t / tasks, r1 = count * (t + 1) / tasks;
    for (int64_t r = r0 + kAhead; r < r1; r++)
      prefetch(reinterpret_cast<const char*>(src + static_cast<int64_t>(rows[r]) * width));
    for (int64_t r = r0; r < r1; r++) {
      if (r + kAhead < r1) {
        const char* next = reinterpret_cast<const char*>(src + static_cast<int64_t>(rows[r + kAhead]) * width);
        for (int64_t at = 0; at < bytes; at += kLine) prefetch(next + at);
      }
      std::memcpy(dst + r * width, src + static_cast<int64_t>(rows[r]) * width, static_cast<size_t>(bytes));
    }
  });
}

// outputs[rows[r]] = the batch's output row r: the epoch's outputs land in the data's row order.
void scatter_rows(const float* src, int64_t width, const uint32_t* rows, int64_t count, float* dst) {
  for (int64_t r = 0; r < count; r++)
    std::memcpy(dst + static_cast<int64_t>(rows[r]) * width, src + r * width,
                static_cast<size_t>(width) * sizeof(float));
}

}  // namespace

nrt_status Model::train_rows(Data d, int64_t total, const uint32_t* rows, int64_t count, double* loss,
                             double* correct, double* counted, Outputs outputs) {
  NRT_RETURN_IF_ERROR(check_compiled());
  if (count < 1) return fail(NRT_ERR_INVALID_ARGUMENT, "count must be >= 1, got %lld", static_cast<long long>(count));
  if (total < 1) return fail(NRT_ERR_INVALID_ARGUMENT, "total must be >= 1, got %lld", static_cast<long long>(total));
  NRT_RETURN_IF_ERROR(check_lengths(d, total, true));
  NRT_RETURN_IF_ERROR(check_outputs(outputs, total));
  if (rows == nullptr) return fail(NRT_ERR_INVALID_ARGUMENT, "rows must not be null");
  for (int64_t r = 0; r < count; r++)
    if (rows[r] >= total)
      return fail(NRT_ERR_INVALID_ARGUMENT, "rows[%lld] = %u is out of range [0, %lld)", static_cast<long long>(r),
                  rows[r], static_cast<long long>(total));
  NRT_RETURN_IF_ERROR(check_labels(d.y, rows, count));
  NRT_RETURN_IF_ERROR(ensure_capacity(count));
  gather_rows(d.x, input_size_, rows, count, ws_.x_batch.data(), threads_);
  gather_rows(d.y, y_width(), rows, count, ws_.y_batch.data(), threads_);
  if (d.w) gather_rows(d.w, 1, rows, count, ws_.w_batch.data(), 1);
  Metrics counts;
  double batch_loss = 0.0;
  NRT_RETURN_IF_ERROR(step_batch(ws_.x_batch.data(), ws_.y_batch.data(), d.w ? ws_.w_batch.data() : nullptr, count,
                                 &batch_loss, &counts));
  if (outputs.data) scatter_rows(final_outputs(), output_size(), rows, count, outputs.data);
  if (loss) *loss = batch_loss;
  if (correct) *correct = counts.correct;
  if (counted) *counted = counts.total;
  return NRT_OK;
}

// Holds the model's lock for the set-up and for each batch, and lets other callers (predict, evaluate,
// getWeights from the JavaScript thread) in between batches: they see the weights of a whole number of steps.
nrt_status Model::train_epoch(Data d, int64_t count, int64_t batch_size, bool shuffle, int64_t epoch,
                              nrt_progress_fn progress, void* user, const volatile int32_t* abort_flag,
                              nrt_metrics* result, Outputs outputs) {
  std::unique_lock<std::mutex> lock(mutex_);
  NRT_RETURN_IF_ERROR(check_compiled());
  if (count < 1) return fail(NRT_ERR_INVALID_ARGUMENT, "count must be >= 1, got %lld", static_cast<long long>(count));
  if (batch_size < 1)
    return fail(NRT_ERR_INVALID_ARGUMENT, "batch_size must be >= 1, got %lld", static_cast<long long>(batch_size));
  if (shuffle && count > static_cast<int64_t>(UINT32_MAX))
    return fail(NRT_ERR_INVALID_ARGUMENT, "count %lld is too large to shuffle", static_cast<long long>(count));
  NRT_RETURN_IF_ERROR(check_data(d, count, true));
  NRT_RETURN_IF_ERROR(check_outputs(outputs, count));
  const int64_t batch = std::min(batch_size, count);
  // The epoch's own order: predict/evaluate between batches use ws_ buffers, never this one.
  std::vector<uint32_t> order;
  if (shuffle) {
    order.resize(static_cast<size_t>(count));
    permutation(static_cast<uint32_t>(count), rng_key(seed_, stream::shuffle, static_cast<uint32_t>(epoch)),
                order.data());
  }

  const int64_t yw = y_width();
  const int64_t batches = (count + batch - 1) / batch;
  Metrics counts;
  double weighted_loss = 0.0;
  for (int64_t b = 0; b < batches; b++) {
    if (abort_flag && *abort_flag) return fail(NRT_ERR_ABORTED, "training was aborted");
    // The batch computes with subnormals flushed; the progress callback runs in the caller's own setting.
    std::optional<FlushDenormals> flush;
    flush.emplace();
    // Buffers may have been regrown by a caller that ran between batches: ask for them (and their address) anew.
    NRT_RETURN_IF_ERROR(ensure_capacity(batch));
    const int64_t start = b * batch;
    const int64_t rows = std::min(batch, count - start);
    const float* xb = d.x + start * input_size_;
    const float* yb = d.y + start * yw;
    const float* wb = d.w ? d.w + start : nullptr;
    if (shuffle) {
      gather_rows(d.x, input_size_, order.data() + start, rows, ws_.x_batch.data(), threads_);
      gather_rows(d.y, yw, order.data() + start, rows, ws_.y_batch.data(), threads_);
      if (d.w) gather_rows(d.w, 1, order.data() + start, rows, ws_.w_batch.data(), 1);
      xb = ws_.x_batch.data();
      yb = ws_.y_batch.data();
      wb = d.w ? ws_.w_batch.data() : nullptr;
    }
    double loss = 0.0;
    NRT_RETURN_IF_ERROR(step_batch(xb, yb, wb, rows, &loss, &counts));
    if (outputs.data) {
      const int64_t n = output_size();
      if (shuffle)
        scatter_rows(final_outputs(), n, order.data() + start, rows, outputs.data);
      else
        std::memcpy(outputs.data + start * n, final_outputs(), static_cast<size_t>(rows * n) * sizeof(float));
    }
    weighted_loss += loss * static_cast<double>(rows);
    lock.unlock();
    flush.reset();
    if (progress && progress(user, b, batches, loss) != 0)
      return fail(NRT_ERR_ABORTED, "training was stopped by the progress callback");
    while (waiters_.load() > 0) std::this_thread::yield();  // a caller is queued on the lock: let it run first
    lock.lock();
  }
  if (result) {
    result->loss = weighted_loss / static_cast<double>(count);
    result->has_accuracy = !regression_loss();
    result->accuracy = result->has_accuracy && counts.total > 0 ? counts.correct / counts.total : 0.0;
    result->reserved = 0;
  }
  return NRT_OK;
}

}  // namespace nrt
