// One training step: forward, fused loss + gradient, then the backward pass with the optimizer update fused
// into it. Also the forward pass that evaluation and prediction share.
#include <algorithm>
#include <cstring>

#include "core/finite_scan.h"
#include "core/profile.h"
#include "core/rng.h"
#include "core/status.h"
#include "core/thread_pool.h"
#include "engine/model.h"
#include "gemm/gemm.h"
#include "ops/activation.h"
#include "ops/dense.h"
#include "ops/dropout.h"
#include "ops/grad_clip.h"
#include "ops/losses.h"
#include "ops/lr_schedule.h"
#include "ops/normalization.h"
#include "ops/optimizer.h"

namespace nrt {

namespace {

nrt_status out_of_memory(const char* what) {
  return fail(NRT_ERR_OUT_OF_MEMORY, "out of memory allocating %s", what);
}

ops::DenseParams dense_params(const Layer& L, const std::vector<Parameter>& params) {
  return ops::DenseParams{L.in,
                          L.units,
                          params[L.kernel_param].value.data(),
                          L.use_bias ? params[L.bias_param].value.data() : nullptr,
                          L.activation,
                          L.alpha};
}

ops::NormParams norm_params(const Layer& L, const std::vector<Parameter>& params) {
  return ops::NormParams{L.units, L.gamma_param >= 0 ? params[L.gamma_param].value.data() : nullptr,
                         L.beta_param >= 0 ? params[L.beta_param].value.data() : nullptr, L.epsilon};
}

bool is_norm(const Layer& L) {
  return L.kind == NRT_LAYER_BATCH_NORMALIZATION || L.kind == NRT_LAYER_LAYER_NORMALIZATION;
}

}  // namespace

double Model::mean_loss(double sum, int64_t rows) const {
  const bool per_row =
      loss_ == NRT_LOSS_CATEGORICAL_CROSSENTROPY || loss_ == NRT_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY;
  return sum / static_cast<double>(per_row ? rows : rows * output_size());
}

nrt_status Model::ensure_capacity(int64_t rows) {
  if (rows <= ws_.capacity) return NRT_OK;
  const auto size = [rows](int64_t width) { return static_cast<size_t>(rows * width); };
  for (size_t l = 0; l < layers_.size(); l++) {
    const Layer& L = layers_[l];
    if (!ws_.out[l].reserve(size(L.units))) return out_of_memory("layer outputs");
    const bool last = l + 1 == layers_.size();
    if (L.kind == NRT_LAYER_DENSE && (last || ops::backward_needs_z(L.activation)))
      if (!ws_.z[l].reserve(size(L.units))) return out_of_memory("pre-activations");
    if (L.kind == NRT_LAYER_DROPOUT)
      if (!ws_.mask[l].reserve(size(L.units))) return out_of_memory("dropout masks");
    if (is_norm(L)) {
      const int64_t stats = L.kind == NRT_LAYER_BATCH_NORMALIZATION ? L.units : rows;
      if (!ws_.z[l].reserve(size(L.units)) || !ws_.inv_std[l].reserve(static_cast<size_t>(stats)))
        return out_of_memory("normalisation buffers");
    }
  }
  if (!ws_.norm_scratch.reserve(static_cast<size_t>(3 * widest_))) return out_of_memory("normalisation sums");
  if (!ws_.grad_a.reserve(size(widest_)) || !ws_.grad_b.reserve(size(widest_))) return out_of_memory("gradients");
  if (!ws_.x_batch.reserve(size(input_size_)) || !ws_.y_batch.reserve(size(output_size())) ||
      !ws_.w_batch.reserve(size(1)))
    return out_of_memory("batch buffers");
  ws_.capacity = rows;
  return NRT_OK;
}

nrt_status Model::forward(const float* x, int64_t rows, bool training, float* final_out,
                          std::atomic<bool>* x_non_finite) {
  const bool fused = fused_output() && final_out == nullptr;
  const float* in = x;
  // The check of x rides on the first dense layer that reads x itself (dropouts at inference pass x on); any
  // other first layer would transform x first, so then x is scanned on its own.
  if (x_non_finite) {
    size_t l = 0;
    while (l < layers_.size() && layers_[l].kind == NRT_LAYER_DROPOUT && !training) l++;
    if (l == layers_.size() || layers_[l].kind != NRT_LAYER_DENSE) {
      if (first_non_finite(x, rows * input_size_, threads_) >= 0) x_non_finite->store(true);
      x_non_finite = nullptr;
    }
  }
  for (size_t l = 0; l < layers_.size(); l++) {
    const Layer& L = layers_[l];
    const bool last = l + 1 == layers_.size();
    NRT_PROFILE_LAYER(l);
    if (L.kind == NRT_LAYER_DENSE) {
      float* out = last && final_out ? final_out : ws_.out[l].data();
      const bool loss_applies_activation = last && fused;
      const bool keep_z = loss_applies_activation || (training && ops::backward_needs_z(L.activation));
      ops::DenseParams p = dense_params(L, params_);
      if (!training) p.packed_kernel = &packed_kernels_[l];
      if (in == x) p.x_non_finite = x_non_finite;
      if (!ops::dense_forward(p, in, rows, out, keep_z ? ws_.z[l].data() : nullptr, !loss_applies_activation,
                              threads_))
        return out_of_memory("GEMM packing buffers");
      ws_.layer_out[l] = out;
      if (last) ws_.logits = keep_z ? ws_.z[l].data() : nullptr;
    } else if (L.kind == NRT_LAYER_ACTIVATION) {
      // A fused loss applies the output activation itself and reads this layer's input as the logits.
      float* out = last && final_out ? final_out : ws_.out[l].data();
      if (last) ws_.logits = in;
      if (!(last && fused)) {
        std::memcpy(out, in, static_cast<size_t>(rows * L.units) * sizeof(float));
        ops::activation_forward(L.activation, L.alpha, out, rows, L.units, L.units);
      }
      ws_.layer_out[l] = out;
    } else if (is_norm(L)) {
      float* out = last && final_out ? final_out : ws_.out[l].data();
      const ops::NormParams p = norm_params(L, params_);
      if (L.kind == NRT_LAYER_LAYER_NORMALIZATION) {
        ops::layer_norm_forward(p, in, rows, out, training ? ws_.z[l].data() : nullptr,
                                training ? ws_.inv_std[l].data() : nullptr);
      } else if (training) {
        ops::batch_norm_training_forward(p, in, rows, out, ws_.z[l].data(), ws_.inv_std[l].data(),
                                         params_[L.mean_param].value.data(), params_[L.variance_param].value.data(),
                                         L.momentum, ws_.norm_scratch.data());
      } else {
        ops::batch_norm_inference_forward(p, in, rows, out, params_[L.mean_param].value.data(),
                                          params_[L.variance_param].value.data(), ws_.norm_scratch.data());
      }
      ws_.layer_out[l] = out;
    } else if (training) {
      const uint32_t key = dropout_key(seed_, static_cast<uint32_t>(l), static_cast<uint32_t>(step_));
      ops::dropout_forward(in, ws_.out[l].data(), ws_.mask[l].data(), rows * L.units, key, L.threshold, L.scale);
      ws_.layer_out[l] = ws_.out[l].data();
    } else {
      ws_.layer_out[l] = in;  // identity at inference
      if (last && final_out) std::memcpy(final_out, in, static_cast<size_t>(rows * L.units) * sizeof(float));
    }
    in = ws_.layer_out[l];
  }
  if (layers_.empty() && final_out) std::memcpy(final_out, x, static_cast<size_t>(rows * input_size_) * sizeof(float));
  return NRT_OK;
}

nrt_status Model::loss_and_gradient(const float* y, const float* w, int64_t rows, bool with_gradient,
                                     Metrics* metrics) {
  NRT_PROFILE_SCOPE(loss);
  const int64_t n = output_size();
  float* grad = with_gradient ? ws_.grad_a.data() : nullptr;
  const size_t last = layers_.size() - 1;
  switch (loss_) {
    case NRT_LOSS_CATEGORICAL_CROSSENTROPY:
    case NRT_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY:
      metrics->loss_sum += ops::softmax_cross_entropy(
          ws_.logits, y, w, loss_ == NRT_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, rows, n,
          static_cast<double>(rows), ws_.out[last].data(), grad, &metrics->correct);
      metrics->total += static_cast<double>(rows);
      break;
    case NRT_LOSS_BINARY_CROSSENTROPY:
      metrics->loss_sum += ops::sigmoid_binary_cross_entropy(ws_.logits, y, w, rows, n,
                                                             static_cast<double>(rows * n),
                                                             ws_.out[last].data(), grad, &metrics->correct);
      metrics->total += static_cast<double>(rows * n);
      break;
    case NRT_LOSS_MEAN_SQUARED_ERROR:
    case NRT_LOSS_MEAN_ABSOLUTE_ERROR:
    case NRT_LOSS_HUBER: {
      const float* out = layers_.empty() ? nullptr : ws_.layer_out[last];
      if (out == nullptr) return fail(NRT_ERR_STATE, "%s on a model without layers has no output", nrt_loss_name(loss_));
      const double divisor = static_cast<double>(rows * n);
      if (loss_ == NRT_LOSS_MEAN_SQUARED_ERROR)
        metrics->loss_sum += ops::squared_error(out, y, w, rows, n, divisor, grad);
      else if (loss_ == NRT_LOSS_MEAN_ABSOLUTE_ERROR)
        metrics->loss_sum += ops::absolute_error(out, y, w, rows, n, divisor, grad);
      else
        metrics->loss_sum += ops::huber_error(out, y, w, rows, n, huber_delta_, divisor, grad);
      break;
    }
  }
  return NRT_OK;
}

namespace {

// The optimizer applied to one finished tile of a kernel gradient (GEMM epilogue): W and the state slots share
// the gradient's [in×units] layout, so the tile's rows are contiguous runs of all of them.
struct KernelUpdate {
  const nrt_optimizer_desc* optimizer;
  const ops::StepParams* step;
  float* w;
  float* s0;
  float* s1;
  int64_t ld;
  double l2x2;
};

void update_kernel_tile(const void* context, float* g, int64_t ldg, int64_t row0, int64_t col0, int64_t rows,
                        int64_t cols) {
  NRT_PROFILE_SCOPE(optimizer);
  const auto& u = *static_cast<const KernelUpdate*>(context);
  if (ldg == cols && u.ld == cols) {  // whole rows of W: one contiguous run, one call
    ops::optimizer_update(*u.optimizer, *u.step, u.w + row0 * u.ld, g, u.s0 ? u.s0 + row0 * u.ld : nullptr,
                          u.s1 ? u.s1 + row0 * u.ld : nullptr, rows * cols, u.l2x2);
    return;
  }
  for (int64_t i = 0; i < rows; i++) {
    const int64_t at = (row0 + i) * u.ld + col0;
    ops::optimizer_update(*u.optimizer, *u.step, u.w + at, g + i * ldg, u.s0 ? u.s0 + at : nullptr,
                          u.s1 ? u.s1 + at : nullptr, cols, u.l2x2);
  }
}

// Parameters are updated outside the GEMM epilogue (norm clips) in chunks spread over the model's threads, as
// the epilogue would have spread them.
constexpr int64_t kUpdateChunk = 16384;

int chunks(int64_t n, int64_t size) { return static_cast<int>((n + size - 1) / size); }

}  // namespace

double Model::gradient_sum_squares(int param) {
  const Parameter& P = params_[param];
  const int count = chunks(P.size, ops::kNormChunk);
  norm_partials_.resize(static_cast<size_t>(count));
  auto chunk = [&](int c) {
    const int64_t at = c * ops::kNormChunk, n = std::min(ops::kNormChunk, P.size - at);
    norm_partials_[static_cast<size_t>(c)] = ops::gradient_sum_squares(P.grad.data() + at, P.value.data() + at, n, P.l2x2);
  };
  parallel_for(count, threads_, chunk);
  double sum = 0.0;
  for (const double s : norm_partials_) sum += s;  // in chunk order, whatever thread summed each
  return sum;
}

double Model::nadam_u_product(int64_t t) {
  // Kept as Keras keeps it, multiplied on at each step; recomputed from scratch when the step counter jumps
  // (set_step, compile), so a restored optimizer state continues exactly.
  if (nadam_t_ + 1 == t) nadam_product_ *= ops::nadam_u(optimizer_.beta1, t);
  else if (nadam_t_ != t) nadam_product_ = ops::nadam_u_product(optimizer_.beta1, t);
  nadam_t_ = t;
  return nadam_product_;
}

void Model::update_parameter(int param, const ops::StepParams& p) {
  NRT_PROFILE_SCOPE(optimizer);
  Parameter& P = params_[param];
  const int pp = slots_per_param_;
  const size_t base = static_cast<size_t>(P.trained_index) * static_cast<size_t>(pp);
  float* s0 = pp > 0 ? slots_[base].data() : nullptr;
  float* s1 = pp > 1 ? slots_[base + 1].data() : nullptr;
  auto chunk = [&](int c) {
    const int64_t at = c * kUpdateChunk, n = std::min(kUpdateChunk, P.size - at);
    ops::optimizer_update(optimizer_, p, P.value.data() + at, P.grad.data() + at, s0 ? s0 + at : nullptr,
                          s1 ? s1 + at : nullptr, n, P.l2x2);
  };
  parallel_for(chunks(P.size, kUpdateChunk), threads_, chunk);
}

// Backward pass fused with the optimizer update. Without a norm clip, each layer's input gradient is computed
// from its weights before they change, then its kernel is updated tile by tile as the GEMM finishes its
// gradient (clipValue is applied there too, element by element), then its bias. clipNorm needs the norm of a
// whole parameter's gradient first: the kernel gradient is completed, its norm taken, then it is updated.
// globalClipNorm needs every gradient: the whole backward pass runs first, then one norm, then every update.
nrt_status Model::backward_and_update(const float* x, int64_t rows) {
  const int first_trainable = first_trainable_layer();
  if (first_trainable < 0) return NRT_OK;  // nothing to train
  forget_packed_kernels();  // the kernels change below
  const bool per_tensor = optimizer_.clip_norm > 0.0;
  const bool global = optimizer_.global_clip_norm > 0.0;
  ops::StepParams step;
  step.t = step_ + 1;
  step.learning_rate = ops::learning_rate_at(optimizer_, step_);
  step.clip_value = optimizer_.clip_value;
  if (optimizer_.kind == NRT_OPTIMIZER_NADAM) step.u_product = nadam_u_product(step.t);
  const int pp = slots_per_param_;
  auto slot = [&](int param, int s) {
    return pp > s ? slots_[static_cast<size_t>(params_[param].trained_index) * pp + s].data() : nullptr;
  };
  // clipNorm: each parameter by the norm of its own gradient
  auto update_clipped = [&](int param) {
    ops::StepParams p = step;
    p.grad_scale = ops::clip_scale(gradient_sum_squares(param), optimizer_.clip_norm);
    update_parameter(param, p);
  };
  // A parameter updated outside the GEMM epilogue (biases, γ, β): now, clipped by its own norm, or after the
  // whole pass when the global norm is needed.
  auto update_param = [&](int param) {
    if (param < 0 || global) return;
    if (per_tensor)
      update_clipped(param);
    else
      update_parameter(param, step);
  };
  float* g = ws_.grad_a.data();
  float* next = ws_.grad_b.data();
  for (int l = static_cast<int>(layers_.size()) - 1; l >= first_trainable; l--) {
    const Layer& L = layers_[l];
    const float* in = l == 0 ? x : ws_.layer_out[l - 1];
    const bool need_input_grad = l > first_trainable;
    const bool last = l + 1 == static_cast<int>(layers_.size());
    NRT_PROFILE_LAYER(l);
    if (L.kind == NRT_LAYER_DENSE) {
      Parameter& kernel = params_[L.kernel_param];
      const KernelUpdate update{&optimizer_, &step, kernel.value.data(), slot(L.kernel_param, 0),
                                slot(L.kernel_param, 1), L.units, kernel.l2x2};
      const gemm::Epilogue epilogue{update_kernel_tile, &update};
      const bool fused = !per_tensor && !global;
      float* bias_grad = L.use_bias ? params_[L.bias_param].grad.data() : nullptr;
      if (!ops::dense_backward(dense_params(L, params_), in, ws_.layer_out[l], ws_.z[l].data(), g, rows,
                               last && fused_output(), kernel.grad.data(), bias_grad,
                               need_input_grad ? next : nullptr, fused ? &epilogue : nullptr, threads_))
        return out_of_memory("GEMM packing buffers");
      if (per_tensor) update_clipped(L.kernel_param);
      if (L.use_bias) update_param(L.bias_param);
      std::swap(g, next);
    } else if (L.kind == NRT_LAYER_ACTIVATION) {
      // in place: g becomes dL/d(input), which a fused loss has written already
      if (!(last && fused_output())) ops::activation_backward(L.activation, L.alpha, ws_.layer_out[l], in, g, rows, L.units, nullptr);
    } else if (is_norm(L)) {
      // dγ, dβ and dx from the weights of the forward pass, then the update of γ and β
      const ops::NormParams p = norm_params(L, params_);
      float* gamma_grad = L.gamma_param >= 0 ? params_[L.gamma_param].grad.data() : nullptr;
      float* beta_grad = L.beta_param >= 0 ? params_[L.beta_param].grad.data() : nullptr;
      float* dx = need_input_grad ? next : nullptr;
      if (L.kind == NRT_LAYER_BATCH_NORMALIZATION)
        ops::batch_norm_backward(p, g, ws_.z[l].data(), ws_.inv_std[l].data(), rows, gamma_grad, beta_grad, dx,
                                 ws_.norm_scratch.data());
      else
        ops::layer_norm_backward(p, g, ws_.z[l].data(), ws_.inv_std[l].data(), rows, gamma_grad, beta_grad, dx,
                                 ws_.norm_scratch.data());
      update_param(L.gamma_param);
      update_param(L.beta_param);
      std::swap(g, next);
    } else {
      ops::dropout_backward(ws_.mask[l].data(), g, rows * L.units);
    }
    if (!need_input_grad) break;
  }
  if (global) {
    // Σ over the trainable parameters in getWeights order, as the TS reference adds them (batch normalisation's
    // moving statistics have no gradient).
    double sum = 0.0;
    for (int p = 0; p < parameter_count(); p++)
      if (params_[p].trained_index >= 0) sum += gradient_sum_squares(p);
    step.grad_scale = ops::clip_scale(sum, optimizer_.global_clip_norm);
    for (int p = 0; p < parameter_count(); p++)
      if (params_[p].trained_index >= 0) update_parameter(p, step);
  }
  return NRT_OK;
}

double Model::l2_total() const {
  double total = 0.0;
  for (const Layer& L : layers_)
    if (L.kind == NRT_LAYER_DENSE && L.l2 > 0.0) {
      const Parameter& k = params_[L.kernel_param];
      total += ops::l2_penalty(k.value.data(), k.size, L.l2);
    }
  return total;
}

const float* Model::final_outputs() const { return layers_.empty() ? nullptr : ws_.layer_out[layers_.size() - 1]; }

nrt_status Model::step_batch(const float* x, const float* y, const float* w, int64_t rows, double* loss,
                             Metrics* counts) {
  NRT_RETURN_IF_ERROR(ensure_capacity(rows));
  NRT_RETURN_IF_ERROR(forward(x, rows, true, nullptr));
  Metrics batch;
  NRT_RETURN_IF_ERROR(loss_and_gradient(y, w, rows, true, &batch));
  const double l2 = l2_total();  // on the weights the forward pass used
  NRT_RETURN_IF_ERROR(backward_and_update(x, rows));
  step_++;
  *loss = mean_loss(batch.loss_sum, rows) + l2;
  counts->loss_sum += batch.loss_sum;
  counts->correct += batch.correct;
  counts->total += batch.total;
  return NRT_OK;
}

nrt_status Model::train_batch(Data d, int64_t count, double* loss) {
  NRT_RETURN_IF_ERROR(check_compiled());
  if (count < 1) return fail(NRT_ERR_INVALID_ARGUMENT, "count must be >= 1, got %lld", static_cast<long long>(count));
  NRT_RETURN_IF_ERROR(check_data(d, count, true));
  Metrics counts;
  double batch_loss = 0.0;
  NRT_RETURN_IF_ERROR(step_batch(d.x, d.y, d.w, count, &batch_loss, &counts));
  if (loss) *loss = batch_loss;
  return NRT_OK;
}

}  // namespace nrt
