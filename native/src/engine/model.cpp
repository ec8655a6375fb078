// Model construction, parameters, compile and optimizer state. The passes are in train_step.cpp,
// train_epoch.cpp and inference.cpp.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <new>

#include "core/status.h"
#include "core/thread_pool.h"
#include "engine/model.h"

namespace nrt {

namespace {

constexpr int64_t kMaxParameter = int64_t{1} << 31;  // floats in one kernel: sizes stay far from overflow

}  // namespace

// Only what memory safety needs is checked here (sizes, enum codes, a dropout layer's width): hyperparameters
// such as alpha, l2 and rate were validated by the Model API (src/backends/backend.ts states the contract).
nrt_status Model::create(int32_t input_size, const nrt_layer_desc* layers, int32_t layer_count, uint32_t seed,
                         Model** out) {
  if (out == nullptr) return fail(NRT_ERR_INVALID_ARGUMENT, "out_model must not be null");
  *out = nullptr;
  if (input_size < 1 || input_size > NRT_MAX_WIDTH)
    return fail(NRT_ERR_INVALID_ARGUMENT, "input_size must be in [1, %d], got %d", NRT_MAX_WIDTH, input_size);
  if (layer_count < 0 || layer_count > NRT_MAX_LAYERS)
    return fail(NRT_ERR_INVALID_ARGUMENT, "layer_count must be in [0, %d], got %d", NRT_MAX_LAYERS, layer_count);
  if (layer_count > 0 && layers == nullptr) return fail(NRT_ERR_INVALID_ARGUMENT, "layers must not be null");

  std::unique_ptr<Model> m(new (std::nothrow) Model());
  if (!m) return fail(NRT_ERR_OUT_OF_MEMORY, "out of memory creating the model");
  m->input_size_ = input_size;
  m->seed_ = seed;
  m->threads_ = hardware_threads();
  m->widest_ = input_size;
  int64_t in = input_size;
  for (int32_t l = 0; l < layer_count; l++) {
    const nrt_layer_desc& d = layers[l];
    if (d.units < 1 || d.units > NRT_MAX_WIDTH)
      return fail(NRT_ERR_INVALID_ARGUMENT, "layers[%d].units must be in [1, %d], got %d", l, NRT_MAX_WIDTH, d.units);
    Layer layer{};
    layer.in = in;
    layer.units = d.units;
    if (d.kind == NRT_LAYER_DENSE) {
      if (d.activation < 0 || d.activation >= NRT_ACTIVATION_COUNT)
        return fail(NRT_ERR_INVALID_ARGUMENT, "layers[%d].activation: no activation has code %d", l, d.activation);
      if (in * layer.units > kMaxParameter)
        return fail(NRT_ERR_INVALID_ARGUMENT, "layers[%d]: a %lld x %d kernel is too large", l,
                    static_cast<long long>(in), d.units);
      layer.kind = NRT_LAYER_DENSE;
      layer.activation = static_cast<nrt_activation>(d.activation);
      layer.alpha = d.alpha;
      layer.use_bias = d.use_bias != 0;
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
    } else if (d.kind == NRT_LAYER_DROPOUT || d.kind == NRT_LAYER_BATCH_NORMALIZATION ||
               d.kind == NRT_LAYER_LAYER_NORMALIZATION || d.kind == NRT_LAYER_ACTIVATION) {
      if (layer.units != in)  // their output buffers are sized by units, the input by in
        return fail(NRT_ERR_INVALID_ARGUMENT, "layers[%d] (%s) has %d units but its input has %lld", l,
                    nrt_layer_kind_name(d.kind), d.units, static_cast<long long>(in));
      layer.kind = static_cast<nrt_layer_kind>(d.kind);
      if (d.kind == NRT_LAYER_DROPOUT) {
        layer.rate = d.rate;
        layer.threshold = d.threshold;
        layer.scale = static_cast<float>(1.0 / (1.0 - d.rate));
      } else if (d.kind == NRT_LAYER_ACTIVATION) {
        if (d.activation < 0 || d.activation >= NRT_ACTIVATION_COUNT)
          return fail(NRT_ERR_INVALID_ARGUMENT, "layers[%d].activation: no activation has code %d", l, d.activation);
        layer.activation = static_cast<nrt_activation>(d.activation);
        layer.alpha = d.alpha;
      } else {
        layer.momentum = d.momentum;
        layer.epsilon = d.epsilon;
        // Keras's order: gamma, beta, then (batch only) the moving statistics, which are not trained
        auto add = [&](bool trainable) {
          m->params_.emplace_back();
          m->params_.back().size = layer.units;
          m->params_.back().trainable = trainable;
          return static_cast<int>(m->params_.size() - 1);
        };
        if (d.scale != 0) layer.gamma_param = add(true);
        if (d.center != 0) layer.beta_param = add(true);
        if (d.kind == NRT_LAYER_BATCH_NORMALIZATION) {
          layer.mean_param = add(false);
          layer.variance_param = add(false);
        }
      }
    } else {
      return fail(NRT_ERR_INVALID_ARGUMENT, "layers[%d].kind: no layer kind has code %d", l, d.kind);
    }
    if (layer.units > m->widest_) m->widest_ = layer.units;
    in = layer.units;
    m->layers_.push_back(layer);
  }
  for (size_t i = 0; i < m->params_.size(); i++) {
    Parameter& p = m->params_[i];
    if (p.trainable) {
      p.trained_index = static_cast<int>(m->trainable_.size());
      m->trainable_.push_back(static_cast<int>(i));
    }
    if (!p.value.assign_zero(static_cast<size_t>(p.size)) || !p.grad.assign_zero(static_cast<size_t>(p.size)))
      return fail(NRT_ERR_OUT_OF_MEMORY, "out of memory allocating parameter %zu", i);
  }
  m->ws_.out.resize(m->layers_.size());
  m->packed_kernels_.resize(m->layers_.size());
  m->ws_.z.resize(m->layers_.size());
  m->ws_.mask.resize(m->layers_.size());
  m->ws_.inv_std.resize(m->layers_.size());
  m->ws_.layer_out.resize(m->layers_.size());
  *out = m.release();
  return NRT_OK;
}

nrt_status Model::set_threads(int32_t threads) {
  if (threads < 0 || threads > NRT_MAX_THREADS)  // the thread pool's per-task arrays are sized by this limit
    return fail(NRT_ERR_INVALID_ARGUMENT, "threads must be in [0, %d] (0 = default), got %d", NRT_MAX_THREADS, threads);
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
  if (length > 0) std::memcpy(p.value.data(), values, static_cast<size_t>(length) * sizeof(float));
  forget_packed_kernels();
  return NRT_OK;
}

nrt_status Model::compile(const nrt_optimizer_desc& o, const nrt_loss_desc& loss_desc) {
  const int32_t loss = loss_desc.kind;
  // Hyperparameters were validated by the Model API; the codes select code paths and slot counts, so they are
  // checked here. The loss needs a layer to read its output from.
  if (o.kind < 0 || o.kind >= NRT_OPTIMIZER_KIND_COUNT)
    return fail(NRT_ERR_INVALID_ARGUMENT, "optimizer.kind: no optimizer has code %d", o.kind);
  if (loss < 0 || loss >= NRT_LOSS_COUNT) return fail(NRT_ERR_INVALID_ARGUMENT, "loss: no loss has code %d", loss);
  if (o.schedule < 0 || o.schedule >= NRT_LR_SCHEDULE_COUNT)
    return fail(NRT_ERR_INVALID_ARGUMENT, "optimizer.schedule: no schedule has code %d", o.schedule);
  // piecewiseConstant indexes its arrays up to boundary_count
  if (o.boundary_count < 0 || o.boundary_count > NRT_MAX_SCHEDULE_BOUNDARIES)
    return fail(NRT_ERR_INVALID_ARGUMENT, "optimizer.boundaryCount must be in [0, %d], got %d",
                NRT_MAX_SCHEDULE_BOUNDARIES, o.boundary_count);
  if (layers_.empty()) return fail(NRT_ERR_INVALID_ARGUMENT, "a model without layers cannot be compiled");
  // The cross-entropies read the last layer's pre-activation: a dense layer's z or an activation layer's input.
  const bool regression = loss == NRT_LOSS_MEAN_SQUARED_ERROR || loss == NRT_LOSS_MEAN_ABSOLUTE_ERROR ||
                          loss == NRT_LOSS_HUBER;
  if (!regression && layers_.back().kind != NRT_LAYER_DENSE && layers_.back().kind != NRT_LAYER_ACTIVATION)
    return fail(NRT_ERR_INVALID_ARGUMENT, "loss %s needs the last layer to be dense or an activation",
                nrt_loss_name(loss));

  int per_param = 0;
  switch (o.kind) {
    case NRT_OPTIMIZER_SGD: per_param = o.momentum > 0.0 ? 1 : 0; break;
    case NRT_OPTIMIZER_ADAM:
    case NRT_OPTIMIZER_ADAMW: per_param = 2; break;
    case NRT_OPTIMIZER_RMSPROP: per_param = o.momentum > 0.0 ? 2 : 1; break;
    case NRT_OPTIMIZER_NADAM: per_param = 2; break;
    case NRT_OPTIMIZER_ADAGRAD: per_param = 1; break;
  }
  std::vector<AlignedBuffer<float>> slots(trainable_.size() * static_cast<size_t>(per_param));
  for (size_t s = 0; s < slots.size(); s++)
    if (!slots[s].assign_zero(static_cast<size_t>(params_[trainable_[s / per_param]].size)))
      return fail(NRT_ERR_OUT_OF_MEMORY, "out of memory allocating optimizer state");
  if (o.kind == NRT_OPTIMIZER_ADAGRAD)  // Keras starts the accumulators at initial_accumulator_value
    for (size_t s = 0; s < slots.size(); s++)
      std::fill_n(slots[s].data(), params_[trainable_[s / per_param]].size,
                  static_cast<float>(o.initial_accumulator_value));
  optimizer_ = o;
  nadam_t_ = 0;
  nadam_product_ = 1.0;
  loss_ = static_cast<nrt_loss>(loss);
  huber_delta_ = loss_desc.delta;
  slots_per_param_ = per_param;
  slots_ = std::move(slots);
  step_ = 0;
  compiled_ = true;
  return NRT_OK;
}

nrt_status Model::set_learning_rate(double learning_rate) {
  NRT_RETURN_IF_ERROR(check_compiled());
  optimizer_.learning_rate = learning_rate;
  return NRT_OK;
}

int Model::optimizer_slot_count() const { return compiled_ ? static_cast<int>(slots_.size()) : 0; }

int64_t Model::optimizer_slot_size(int32_t slot) const {
  if (slot < 0 || slot >= optimizer_slot_count()) return -1;
  return slot_parameter(slot).size;
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

bool Model::regression_loss() const {
  return loss_ == NRT_LOSS_MEAN_SQUARED_ERROR || loss_ == NRT_LOSS_MEAN_ABSOLUTE_ERROR || loss_ == NRT_LOSS_HUBER;
}

bool Model::fused_output() const { return compiled_ && !regression_loss(); }

int Model::first_trainable_layer() const {
  for (size_t l = 0; l < layers_.size(); l++) {
    const Layer& L = layers_[l];
    if (L.kind == NRT_LAYER_DENSE || L.gamma_param >= 0 || L.beta_param >= 0) return static_cast<int>(l);
  }
  return -1;
}

int64_t Model::y_width() const { return loss_ == NRT_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY ? 1 : output_size(); }

nrt_status Model::check_data(Data d, int64_t count, bool need_y) const {
  NRT_RETURN_IF_ERROR(check_lengths(d, count, need_y));
  return need_y ? check_labels(d.y, nullptr, count) : NRT_OK;
}

nrt_status Model::check_lengths(Data d, int64_t count, bool need_y) const {
  if (count < 0) return fail(NRT_ERR_INVALID_ARGUMENT, "count must be >= 0, got %lld", static_cast<long long>(count));
  // Every array the call reads or writes stays below 2^40 floats, so no size product can overflow.
  const int64_t widest_row = std::max(std::max(input_size_, output_size()), y_width());
  if (count > (int64_t{1} << 40) / widest_row)
    return fail(NRT_ERR_INVALID_ARGUMENT, "count %lld is too large", static_cast<long long>(count));
  if (d.x_length != count * input_size_)
    return fail(NRT_ERR_INVALID_ARGUMENT, "x has %lld values, %lld rows of %lld need %lld",
                static_cast<long long>(d.x_length), static_cast<long long>(count),
                static_cast<long long>(input_size_), static_cast<long long>(count * input_size_));
  if (count > 0 && d.x == nullptr) return fail(NRT_ERR_INVALID_ARGUMENT, "x must not be null");
  if (!need_y) return NRT_OK;
  if (d.y_length != count * y_width())
    return fail(NRT_ERR_INVALID_ARGUMENT, "y has %lld values, %lld rows of %lld need %lld",
                static_cast<long long>(d.y_length), static_cast<long long>(count),
                static_cast<long long>(y_width()), static_cast<long long>(count * y_width()));
  if (count > 0 && d.y == nullptr) return fail(NRT_ERR_INVALID_ARGUMENT, "y must not be null");
  if (d.w != nullptr && d.w_length != count)
    return fail(NRT_ERR_INVALID_ARGUMENT, "sample weights have %lld values, %lld rows need %lld",
                static_cast<long long>(d.w_length), static_cast<long long>(count), static_cast<long long>(count));
  return NRT_OK;
}

nrt_status Model::check_labels(const float* y, const uint32_t* rows, int64_t count) const {
  if (loss_ != NRT_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY) return NRT_OK;
  const float classes = static_cast<float>(output_size());
  for (int64_t i = 0; i < count; i++) {
    const int64_t row = rows ? rows[i] : i;
    const float label = y[row];
    if (!(label >= 0.0f && label < classes && label == std::floor(label)))
      return fail(NRT_ERR_INVALID_ARGUMENT, "y[%lld] = %g is not a class index in [0, %lld)",
                  static_cast<long long>(row), static_cast<double>(label), static_cast<long long>(output_size()));
  }
  return NRT_OK;
}

nrt_status Model::check_outputs(Outputs o, int64_t count) const {
  if (o.data == nullptr) return NRT_OK;
  if (o.length != count * output_size())
    return fail(NRT_ERR_INVALID_ARGUMENT, "outputs have room for %lld values, %lld rows need %lld",
                static_cast<long long>(o.length), static_cast<long long>(count),
                static_cast<long long>(count * output_size()));
  return NRT_OK;
}

}  // namespace nrt
