// Evaluation and prediction: the forward pass without dropout, in chunks through the reused buffers.
#include <algorithm>
#include <atomic>

#include "core/status.h"
#include "engine/model.h"

namespace nrt {

nrt_status Model::evaluate(Data d, int64_t count, int64_t batch_size, nrt_metrics* result) {
  NRT_RETURN_IF_ERROR(check_compiled());
  if (count < 1) return fail(NRT_ERR_INVALID_ARGUMENT, "count must be >= 1, got %lld", static_cast<long long>(count));
  if (batch_size < 1)
    return fail(NRT_ERR_INVALID_ARGUMENT, "batch_size must be >= 1, got %lld", static_cast<long long>(batch_size));
  NRT_RETURN_IF_ERROR(check_data(d, count, true));
  const int64_t batch = std::min(batch_size, count);
  NRT_RETURN_IF_ERROR(ensure_capacity(batch));
  const int64_t yw = y_width();
  Metrics counts;
  for (int64_t start = 0; start < count; start += batch) {
    const int64_t rows = std::min(batch, count - start);
    NRT_RETURN_IF_ERROR(forward(d.x + start * input_size_, rows, false, nullptr));
    NRT_RETURN_IF_ERROR(loss_and_gradient(d.y + start * yw, d.w ? d.w + start : nullptr, rows, false, &counts));
  }
  if (result) {
    result->loss = mean_loss(counts.loss_sum, count) + l2_total();
    result->has_accuracy = !regression_loss();
    result->accuracy = result->has_accuracy && counts.total > 0 ? counts.correct / counts.total : 0.0;
    result->reserved = 0;
  }
  return NRT_OK;
}

nrt_status Model::predict(const float* x, int64_t x_length, int64_t count, float* out, int64_t out_length) {
  NRT_RETURN_IF_ERROR(check_data(Data{x, x_length, nullptr, 0}, count, false));
  if (out_length != count * output_size())
    return fail(NRT_ERR_INVALID_ARGUMENT, "out has room for %lld values, %lld rows need %lld",
                static_cast<long long>(out_length), static_cast<long long>(count),
                static_cast<long long>(count * output_size()));
  if (count == 0) return NRT_OK;
  if (out == nullptr) return fail(NRT_ERR_INVALID_ARGUMENT, "out must not be null");
  // Chunks as large as the buffers already are (no new allocation after training), at least 1024 rows.
  const int64_t chunk = std::min(count, std::max<int64_t>(ws_.capacity, 1024));
  NRT_RETURN_IF_ERROR(ensure_capacity(chunk));
  const int64_t n = output_size();
  std::atomic<bool> non_finite{false};
  for (int64_t start = 0; start < count; start += chunk) {
    const int64_t rows = std::min(chunk, count - start);
    NRT_RETURN_IF_ERROR(forward(x + start * input_size_, rows, false, out + start * n, &non_finite));
    if (non_finite.load()) return fail(NRT_ERR_NON_FINITE, "x holds NaN or Infinity in rows [%lld, %lld)",
                                       static_cast<long long>(start), static_cast<long long>(start + rows));
  }
  return NRT_OK;
}

}  // namespace nrt
