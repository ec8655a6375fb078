// Model construction, parameters, compile and optimizer state. The passes are in train_step.cpp,
// train_epoch.cpp and inference.cpp.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <new>

#include "core/finite_check.h"
#include "core/status.h"
#include "core/thread_pool.h"
#include "engine/model.h"

namespace nrt {

namespace {

constexpr int64_t kMaxWidth = int64_t{1} << 24;       // units or inputs of one layer
constexpr int64_t kMaxParameter = int64_t{1} << 31;  // floats in one kernel

const char* activation_name(int32_t a) {
  static const char* names[] = {"linear", "relu", "leakyRelu", "sigmoid", "tanh", "softmax"};
  return a >= 0 && a <= 5 ? names[a] : "?";
}

const char* loss_name(int32_t l) {
  static const char* names[] = {"meanSquaredError", "binaryCrossentropy", "categoricalCrossentropy",
                                "sparseCategoricalCrossentropy"};
  return l >= 0 && l <= 3 ? names[l] : "?";
}

}  // namespace

nrt_status Model::create(int32_t input_size, const nrt_layer_desc* layers, int32_t layer_count, uint32_t seed,
                         Model** out) {
  if (out == nullptr) return fail(NRT_ERR_INVALID_ARGUMENT, "out_model must not be null");
  *out = nullptr;
  if (input_size < 1 || input_size > kMaxWidth)
    return fail(NRT_ERR_INVALID_ARGUMENT, "input_size must be an integer in [1, %lld], got %d",
                static_cast<long long>(kMaxWidth), input_size);
  if (layer_count < 0 || layer_count > 4096)
    return fail(NRT_ERR_INVALID_ARGUMENT, "layer_count must be in [0, 4096], got %d", layer_count);
  if (layer_count > 0 && layers == nullptr) return fail(NRT_ERR_INVALID_ARGUMENT, "layers must not be null");

  Model* m = new (std::nothrow) Model();
  if (m == nullptr) return fail(NRT_ERR_OUT_OF_MEMORY, "out of memory creating the model");
  m->input_size_ = input_size;
  m->seed_ = seed;
  m->threads_ = hardware_threads();
  m->widest_ = input_size;
  int64_t in = input_size;
  for (int32_t l = 0; l < layer_count; l++) {
    const nrt_layer_desc& d = layers[l];
    Layer layer{};
    layer.in = in;
    if (d.units < 1 || d.units > kMaxWidth) {
      delete m;
      return fail(NRT_ERR_INVALID_ARGUMENT, "layers[%d].units must be an integer in [1, %lld], got %d", l,
                  static_cast<long long>(kMaxWidth), d.units);
    }
    layer.units = d.units;
    if (d.kind == NRT_LAYER_DENSE) {
      layer.kind = NRT_LAYER_DENSE;
      if (d.activation < NRT_ACTIVATION_LINEAR || d.activation > NRT_ACTIVATION_SOFTMAX) {
        delete m;
        return fail(NRT_ERR_INVALID_ARGUMENT, "layers[%d].activation must be 0..5, got %d", l, d.activation);
      }
      if (d.use_bias != 0 && d.use_bias != 1) {
        delete m;
        return fail(NRT_ERR_INVALID_ARGUMENT, "layers[%d].use_bias must be 0 or 1, got %d", l, d.use_bias);
      }
      if (!std::isfinite(d.alpha)) {
        delete m;
        return fail(NRT_ERR_INVALID_ARGUMENT, "layers[%d].alpha must be finite", l);
      }
      if (!std::isfinite(d.l2) || d.l2 < 0) {
        delete m;
        return fail(NRT_ERR_INVALID_ARGUMENT, "layers[%d].l2 must be a finite number >= 0", l);
      }
      if (in * layer.units > kMaxParameter) {
        delete m;
        return fail(NRT_ERR_INVALID_ARGUMENT, "layers[%d]: a %lld x %d kernel is too large", l,
                    static_cast<long long>(in), d.units);
      }
      layer.activation = static_cast<nrt_activation>(d.activation);
      layer.alpha = d.alpha;
      layer.use_bias = d.use_bias == 1;
      layer.l2 = d.l2;
      layer.kernel_param = static_cast<int>(m->params_.size());
      m->params_.emplace_back();
      m->params_.back().size = in * layer.units;
      m->params_.back().l2x2 = 2.0 * d.l2;
      if (layer.use_bias) {
        layer.bias_param = static_cast<int>(m->params_.size());
        m->params_.emplace_back();
        m->params_.back().size = layer.units;
      }
    } else if (d.kind == NRT_LAYER_DROPOUT) {
      layer.kind = NRT_LAYER_DROPOUT;
      if (layer.units != in) {
        delete m;
        return fail(NRT_ERR_INVALID_ARGUMENT, "layers[%d] (dropout) has %d units but its input has %lld", l,
                    d.units, static_cast<long long>(in));
      }
      if (!(d.rate >= 0.0 && d.rate < 1.0)) {
        delete m;
        return fail(NRT_ERR_INVALID_ARGUMENT, "layers[%d].rate must be in [0, 1), got %g", l, d.rate);
      }
      if (d.threshold > (1u << 24)) {
        delete m;
        return fail(NRT_ERR_INVALID_ARGUMENT, "layers[%d].threshold must be in [0, 2^24], got %u", l, d.threshold);
      }
      layer.rate = d.rate;
      layer.threshold = d.threshold;
      layer.scale = static_cast<float>(1.0 / (1.0 - d.rate));
    } else {
      delete m;
      return fail(NRT_ERR_INVALID_ARGUMENT, "layers[%d].kind must be 0 (dense) or 1 (dropout), got %d", l, d.kind);
    }
    if (layer.units > m->widest_) m->widest_ = layer.units;
    in = layer.units;
    m->layers_.push_back(layer);
  }
  for (size_t i = 0; i < m->params_.size(); i++) {
    Parameter& p = m->params_[i];
    if (!p.value.assign_zero(static_cast<size_t>(p.size)) || !p.grad.assign_zero(static_cast<size_t>(p.size))) {
      delete m;
      return fail(NRT_ERR_OUT_OF_MEMORY, "out of memory allocating parameter %zu", i);
    }
  }
  m->ws_.out.resize(m->layers_.size());
  m->ws_.z.resize(m->layers_.size());
  m->ws_.mask.resize(m->layers_.size());
  m->ws_.layer_out.resize(m->layers_.size());
  *out = m;
  return NRT_OK;
}

nrt_status Model::set_threads(int32_t threads) {
  if (threads < 0 || threads > 256)
    return fail(NRT_ERR_INVALID_ARGUMENT, "threads must be an integer in [0, 256] (0 = default), got %d", threads);
  threads_ = threads == 0 ? hardware_threads() : threads;
  return NRT_OK;
}

int64_t Model::parameter_size(int32_t index) const {
  if (index < 0 || index >= parameter_count()) return -1;
  return params_[index].size;
}

nrt_status Model::get_parameter(int32_t index, float* out, int64_t length) const {
  if (index < 0 || index >= parameter_count())
    return fail(NRT_ERR_INVALID_ARGUMENT, "parameter index %d is out of range [0, %d)", index, parameter_count());
  const Parameter& p = params_[index];
  if (length != p.size)
    return fail(NRT_ERR_INVALID_ARGUMENT, "parameter %d has %lld values, the buffer has %lld", index,
                static_cast<long long>(p.size), static_cast<long long>(length));
  if (out == nullptr && length > 0) return fail(NRT_ERR_INVALID_ARGUMENT, "out must not be null");
  if (length > 0) std::memcpy(out, p.value.data(), static_cast<size_t>(length) * sizeof(float));
  return NRT_OK;
}

nrt_status Model::set_parameter(int32_t index, const float* values, int64_t length) {
  if (index < 0 || index >= parameter_count())
    return fail(NRT_ERR_INVALID_ARGUMENT, "parameter index %d is out of range [0, %d)", index, parameter_count());
  Parameter& p = params_[index];
  if (length != p.size)
    return fail(NRT_ERR_INVALID_ARGUMENT, "parameter %d needs %lld values, got %lld", index,
                static_cast<long long>(p.size), static_cast<long long>(length));
  if (values == nullptr && length > 0) return fail(NRT_ERR_INVALID_ARGUMENT, "values must not be null");
  const int64_t bad = first_non_finite(values, length);
  if (bad >= 0)
    return fail(NRT_ERR_INVALID_ARGUMENT, "parameter %d: value %lld is not finite (%g)", index,
                static_cast<long long>(bad), static_cast<double>(values[bad]));
  if (length > 0) std::memcpy(p.value.data(), values, static_cast<size_t>(length) * sizeof(float));
  return NRT_OK;
}

nrt_status Model::compile(const nrt_optimizer_desc& o, int32_t loss) {
  auto finite_at_least = [](double v, double lo) { return std::isfinite(v) && v >= lo; };
  if (o.kind < NRT_OPTIMIZER_SGD || o.kind > NRT_OPTIMIZER_RMSPROP)
    return fail(NRT_ERR_INVALID_ARGUMENT, "optimizer.kind must be 0..3, got %d", o.kind);
  if (!finite_at_least(o.learning_rate, 0.0))
    return fail(NRT_ERR_INVALID_ARGUMENT, "optimizer.learningRate must be a finite number >= 0, got %g",
                o.learning_rate);
  if (o.kind == NRT_OPTIMIZER_SGD || o.kind == NRT_OPTIMIZER_RMSPROP) {
    if (!finite_at_least(o.momentum, 0.0))
      return fail(NRT_ERR_INVALID_ARGUMENT, "optimizer.momentum must be a finite number >= 0, got %g", o.momentum);
  }
  if (o.kind == NRT_OPTIMIZER_SGD && o.nesterov != 0 && o.nesterov != 1)
    return fail(NRT_ERR_INVALID_ARGUMENT, "optimizer.nesterov must be 0 or 1, got %d", o.nesterov);
  if (o.kind == NRT_OPTIMIZER_ADAM || o.kind == NRT_OPTIMIZER_ADAMW) {
    if (!(o.beta1 >= 0.0 && o.beta1 < 1.0))
      return fail(NRT_ERR_INVALID_ARGUMENT, "optimizer.beta1 must be in [0, 1), got %g", o.beta1);
    if (!(o.beta2 >= 0.0 && o.beta2 < 1.0))
      return fail(NRT_ERR_INVALID_ARGUMENT, "optimizer.beta2 must be in [0, 1), got %g", o.beta2);
  }
  if (o.kind != NRT_OPTIMIZER_SGD && !finite_at_least(o.epsilon, 0.0))
    return fail(NRT_ERR_INVALID_ARGUMENT, "optimizer.epsilon must be a finite number >= 0, got %g", o.epsilon);
  if (o.kind == NRT_OPTIMIZER_ADAMW && !finite_at_least(o.weight_decay, 0.0))
    return fail(NRT_ERR_INVALID_ARGUMENT, "optimizer.weightDecay must be a finite number >= 0, got %g",
                o.weight_decay);
  if (o.kind == NRT_OPTIMIZER_RMSPROP && !(o.rho >= 0.0 && o.rho < 1.0))
    return fail(NRT_ERR_INVALID_ARGUMENT, "optimizer.rho must be in [0, 1), got %g", o.rho);
  if (loss < NRT_LOSS_MEAN_SQUARED_ERROR || loss > NRT_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY)
    return fail(NRT_ERR_INVALID_ARGUMENT, "loss must be 0..3, got %d", loss);
  if (loss == NRT_LOSS_MEAN_SQUARED_ERROR && layers_.empty())
    return fail(NRT_ERR_INVALID_ARGUMENT, "loss meanSquaredError needs at least one layer");
  if (loss != NRT_LOSS_MEAN_SQUARED_ERROR) {
    const nrt_activation wanted =
        loss == NRT_LOSS_BINARY_CROSSENTROPY ? NRT_ACTIVATION_SIGMOID : NRT_ACTIVATION_SOFTMAX;
    if (layers_.empty() || layers_.back().kind != NRT_LAYER_DENSE || layers_.back().activation != wanted)
      return fail(NRT_ERR_INVALID_ARGUMENT, "loss %s needs the last layer to be dense with a %s activation, got %s",
                  loss_name(loss), activation_name(wanted),
                  layers_.empty() || layers_.back().kind != NRT_LAYER_DENSE
                      ? "a model without one"
                      : activation_name(layers_.back().activation));
  }

  int per_param = 0;
  switch (o.kind) {
    case NRT_OPTIMIZER_SGD: per_param = o.momentum > 0.0 ? 1 : 0; break;
    case NRT_OPTIMIZER_ADAM:
    case NRT_OPTIMIZER_ADAMW: per_param = 2; break;
    case NRT_OPTIMIZER_RMSPROP: per_param = o.momentum > 0.0 ? 2 : 1; break;
  }
  std::vector<AlignedBuffer<float>> slots(params_.size() * static_cast<size_t>(per_param));
  for (size_t s = 0; s < slots.size(); s++)
    if (!slots[s].assign_zero(static_cast<size_t>(params_[s / per_param].size)))
      return fail(NRT_ERR_OUT_OF_MEMORY, "out of memory allocating optimizer state");
  optimizer_ = o;
  loss_ = static_cast<nrt_loss>(loss);
  slots_per_param_ = per_param;
  slots_ = std::move(slots);
  step_ = 0;
  compiled_ = true;
  return NRT_OK;
}

nrt_status Model::set_learning_rate(double learning_rate) {
  NRT_RETURN_IF_ERROR(check_compiled());
  if (!std::isfinite(learning_rate) || learning_rate < 0)
    return fail(NRT_ERR_INVALID_ARGUMENT, "learning_rate must be a finite number >= 0, got %g", learning_rate);
  optimizer_.learning_rate = learning_rate;
  return NRT_OK;
}

int Model::optimizer_slot_count() const { return compiled_ ? static_cast<int>(slots_.size()) : 0; }

int64_t Model::optimizer_slot_size(int32_t slot) const {
  if (slot < 0 || slot >= optimizer_slot_count()) return -1;
  return params_[slot / slots_per_param_].size;
}

nrt_status Model::get_optimizer_slot(int32_t slot, float* out, int64_t length) const {
  NRT_RETURN_IF_ERROR(check_compiled());
  if (slot < 0 || slot >= optimizer_slot_count())
    return fail(NRT_ERR_INVALID_ARGUMENT, "optimizer slot %d is out of range [0, %d)", slot, optimizer_slot_count());
  const int64_t size = optimizer_slot_size(slot);
  if (length != size)
    return fail(NRT_ERR_INVALID_ARGUMENT, "optimizer slot %d has %lld values, the buffer has %lld", slot,
                static_cast<long long>(size), static_cast<long long>(length));
  if (out == nullptr && length > 0) return fail(NRT_ERR_INVALID_ARGUMENT, "out must not be null");
  if (length > 0) std::memcpy(out, slots_[slot].data(), static_cast<size_t>(length) * sizeof(float));
  return NRT_OK;
}

nrt_status Model::set_optimizer_slot(int32_t slot, const float* values, int64_t length) {
  NRT_RETURN_IF_ERROR(check_compiled());
  if (slot < 0 || slot >= optimizer_slot_count())
    return fail(NRT_ERR_INVALID_ARGUMENT, "optimizer slot %d is out of range [0, %d)", slot, optimizer_slot_count());
  const int64_t size = optimizer_slot_size(slot);
  if (length != size)
    return fail(NRT_ERR_INVALID_ARGUMENT, "optimizer slot %d needs %lld values, got %lld", slot,
                static_cast<long long>(size), static_cast<long long>(length));
  if (values == nullptr && length > 0) return fail(NRT_ERR_INVALID_ARGUMENT, "values must not be null");
  const int64_t bad = first_non_finite(values, length);
  if (bad >= 0)
    return fail(NRT_ERR_INVALID_ARGUMENT, "optimizer slot %d: value %lld is not finite", slot,
                static_cast<long long>(bad));
  if (length > 0) std::memcpy(slots_[slot].data(), values, static_cast<size_t>(length) * sizeof(float));
  return NRT_OK;
}

nrt_status Model::get_step(int64_t* out) const {
  NRT_RETURN_IF_ERROR(check_compiled());
  *out = step_;
  return NRT_OK;
}

nrt_status Model::set_step(int64_t step) {
  NRT_RETURN_IF_ERROR(check_compiled());
  if (step < 0) return fail(NRT_ERR_INVALID_ARGUMENT, "step must be >= 0, got %lld", static_cast<long long>(step));
  step_ = step;
  return NRT_OK;
}

nrt_status Model::check_compiled() const {
  if (!compiled_) return fail(NRT_ERR_STATE, "the model is not compiled: call compile first");
  return NRT_OK;
}

bool Model::fused_output() const { return compiled_ && loss_ != NRT_LOSS_MEAN_SQUARED_ERROR; }

int64_t Model::y_width() const { return loss_ == NRT_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY ? 1 : output_size(); }

int64_t Model::first_non_finite_parallel(const float* x, int64_t n) const {
  // A whole dataset is checked once per epoch: a memory-speed scan, worth splitting when it is large.
  const int tasks = n >= (int64_t{1} << 20) ? threads_ : 1;
  if (tasks == 1) return first_non_finite(x, n);
  int64_t found[256];  // threads_ <= 256
  for (int t = 0; t < tasks; t++) found[t] = -1;
  parallel_for(tasks, tasks, [&](int t) {
    const int64_t i0 = n * t / tasks, i1 = n * (t + 1) / tasks;
    const int64_t bad = first_non_finite(x + i0, i1 - i0);
    if (bad >= 0) found[t] = i0 + bad;
  });
  for (int t = 0; t < tasks; t++)
    if (found[t] >= 0) return found[t];
  return -1;
}

nrt_status Model::check_inputs(const float* x, const float* y, int64_t count, bool need_y) const {
  if (count < 0) return fail(NRT_ERR_INVALID_ARGUMENT, "count must be >= 0, got %lld", static_cast<long long>(count));
  // Every array the call reads or writes stays below 2^40 floats, so no size product can overflow.
  const int64_t widest_row = std::max(std::max(input_size_, output_size()), y_width());
  if (count > (int64_t{1} << 40) / widest_row)
    return fail(NRT_ERR_INVALID_ARGUMENT, "count %lld is too large", static_cast<long long>(count));
  if (count == 0) return NRT_OK;
  if (x == nullptr) return fail(NRT_ERR_INVALID_ARGUMENT, "x must not be null");
  const int64_t bad_x = first_non_finite_parallel(x, count * input_size_);
  if (bad_x >= 0)
    return fail(NRT_ERR_INVALID_ARGUMENT, "x[%lld] (row %lld, column %lld) is not finite (%g)",
                static_cast<long long>(bad_x), static_cast<long long>(bad_x / input_size_),
                static_cast<long long>(bad_x % input_size_), static_cast<double>(x[bad_x]));
  if (!need_y) return NRT_OK;
  if (y == nullptr) return fail(NRT_ERR_INVALID_ARGUMENT, "y must not be null");
  const int64_t width = y_width();
  const int64_t bad_y = first_non_finite_parallel(y, count * width);
  if (bad_y >= 0)
    return fail(NRT_ERR_INVALID_ARGUMENT, "y[%lld] (row %lld, column %lld) is not finite (%g)",
                static_cast<long long>(bad_y), static_cast<long long>(bad_y / width),
                static_cast<long long>(bad_y % width), static_cast<double>(y[bad_y]));
  if (loss_ == NRT_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY) {
    const float classes = static_cast<float>(output_size());
    for (int64_t i = 0; i < count; i++) {
      const float label = y[i];
      if (!(label >= 0.0f && label < classes && label == std::floor(label)))
        return fail(NRT_ERR_INVALID_ARGUMENT, "y[%lld] = %g is not a class index in [0, %lld)",
                    static_cast<long long>(i), static_cast<double>(label),
                    static_cast<long long>(output_size()));
    }
  }
  return NRT_OK;
}

}  // namespace nrt
