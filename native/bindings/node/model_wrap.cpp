#include "model_wrap.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "arguments.h"
#include "workers.h"

namespace nrt_node {

namespace {

const char* const kActivations[] = {"linear", "relu", "leakyRelu", "sigmoid", "tanh", "softmax"};
const char* const kLosses[] = {"meanSquaredError", "binaryCrossentropy", "categoricalCrossentropy",
                               "sparseCategoricalCrossentropy"};
const char* const kOptimizers[] = {"sgd", "adam", "adamw", "rmsprop"};
const char* const kLayerKinds[] = {"dense", "dropout"};

constexpr int64_t kMaxWidth = int64_t{1} << 24;
constexpr int64_t kMaxCount = int64_t{1} << 40;
// Below this many multiply-adds a call runs on the JS thread: a worker's thread hop costs more (tens of µs).
constexpr double kInlineWork = 1 << 18;

std::string at(const std::string& name, uint32_t i) { return name + "[" + std::to_string(i) + "]"; }

}  // namespace

Napi::Function ModelWrap::Define(Napi::Env env) {
  return DefineClass(env, "NativeModel",
                     {
                         InstanceMethod<&ModelWrap::SetWeights>("setWeights"),
                         InstanceMethod<&ModelWrap::GetWeights>("getWeights"),
                         InstanceMethod<&ModelWrap::Compile>("compile"),
                         InstanceMethod<&ModelWrap::SetLearningRate>("setLearningRate"),
                         InstanceMethod<&ModelWrap::GetOptimizerState>("getOptimizerState"),
                         InstanceMethod<&ModelWrap::SetOptimizerState>("setOptimizerState"),
                         InstanceMethod<&ModelWrap::TrainBatch>("trainBatch"),
                         InstanceMethod<&ModelWrap::TrainEpoch>("trainEpoch"),
                         InstanceMethod<&ModelWrap::Evaluate>("evaluate"),
                         InstanceMethod<&ModelWrap::Predict>("predict"),
                         InstanceMethod<&ModelWrap::PredictSync>("predictSync"),
                         InstanceMethod<&ModelWrap::SetThreads>("setThreads"),
                         InstanceMethod<&ModelWrap::Abort>("abort"),
                         InstanceMethod<&ModelWrap::Dispose>("dispose"),
                         InstanceAccessor<&ModelWrap::IsBusy>("busy"),
                         InstanceAccessor<&ModelWrap::IsDisposed>("disposed"),
                     });
}

// new NativeModel({ inputSize, seed, layers: [{ kind: 'dense', inputSize?, units, activation, alpha, useBias,
//                   l2 } | { kind: 'dropout', units, rate, threshold }] }, threads = 0)
ModelWrap::ModelWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<ModelWrap>(info) {
  Napi::Env env = info.Env();
  const std::string method = "createModel";
  Napi::Object spec = object(env, method, "spec", info[0]);
  input_size_ = integer(env, method, "spec.inputSize", spec.Get("inputSize"), 1, kMaxWidth);
  const uint32_t seed =
      static_cast<uint32_t>(integer(env, method, "spec.seed", spec.Get("seed"), 0, int64_t{0xffffffff}));
  Napi::Value layers_value = spec.Get("layers");
  if (!layers_value.IsArray())
    throw_type_error(env, method, "spec.layers: expected an array, got " + describe(layers_value));
  Napi::Array layers = layers_value.As<Napi::Array>();
  if (layers.Length() > 4096) throw_range_error(env, method, "spec.layers: at most 4096 layers");
  std::vector<nrt_layer_desc> descs(layers.Length());
  int64_t width = input_size_;
  for (uint32_t i = 0; i < layers.Length(); i++) {
    const std::string name = at("spec.layers", i);
    Napi::Object layer = object(env, method, name, layers.Get(i));
    nrt_layer_desc& d = descs[i];
    d = nrt_layer_desc{};
    d.kind = one_of(env, method, name + ".kind", layer.Get("kind"), kLayerKinds, 2);
    d.units = static_cast<int32_t>(integer(env, method, name + ".units", layer.Get("units"), 1, kMaxWidth));
    if (d.kind == NRT_LAYER_DENSE) {
      Napi::Value in = layer.Get("inputSize");
      if (!in.IsUndefined() && integer(env, method, name + ".inputSize", in, 1, kMaxWidth) != width)
        throw_range_error(env, method, name + ".inputSize: expected " + std::to_string(width) +
                                           " (the width of what feeds it), got " + describe(in));
      d.activation = one_of(env, method, name + ".activation", layer.Get("activation"), kActivations, 6);
      d.alpha = number(env, method, name + ".alpha", layer.Get("alpha"), -1e300, 1e300);
      d.use_bias = boolean(env, method, name + ".useBias", layer.Get("useBias")) ? 1 : 0;
      d.l2 = number(env, method, name + ".l2", layer.Get("l2"), 0, 1e300);
      macs_per_row_ += width * d.units;
    } else {
      if (d.units != width)
        throw_range_error(env, method, name + ".units: a dropout layer keeps the width of its input (" +
                                           std::to_string(width) + "), got " + std::to_string(d.units));
      d.rate = number(env, method, name + ".rate", layer.Get("rate"), 0, 1, false);
      d.threshold = static_cast<uint32_t>(
          integer(env, method, name + ".threshold", layer.Get("threshold"), 0, int64_t{1} << 24));
    }
    width = d.units;
  }
  output_size_ = width;
  int32_t threads = 0;
  if (info.Length() > 1 && !info[1].IsUndefined())
    threads = static_cast<int32_t>(integer(env, method, "threads", info[1], 0, 256));
  nrt_model* model = nullptr;
  nrt_status status =
      nrt_model_create(static_cast<int32_t>(input_size_), descs.data(), static_cast<int32_t>(descs.size()), seed, &model);
  if (status != NRT_OK) throw status_error(env, method, status, nrt_last_error());
  status = nrt_model_set_threads(model, threads);
  if (status != NRT_OK) {
    nrt_model_destroy(model);
    throw status_error(env, method, status, nrt_last_error());
  }
  model_ = model;
  // Parameters and their gradients; optimizer state and work buffers come later and are not counted.
  for (int32_t i = 0; i < nrt_model_parameter_count(model); i++)
    external_bytes_ += 2 * nrt_model_parameter_size(model, i) * static_cast<int64_t>(sizeof(float));
  Napi::MemoryManagement::AdjustExternalMemory(env, external_bytes_);
}

ModelWrap::~ModelWrap() {
  // A worker still running here means the environment is being torn down: it may still be reading the model,
  // so the memory is left to the exiting process rather than freed under it.
  if (!busy_ && model_ != nullptr) {
    nrt_model_destroy(model_);
    model_ = nullptr;
    Napi::MemoryManagement::AdjustExternalMemory(Env(), -external_bytes_);
  }
}

void ModelWrap::destroy_model() {
  if (model_ == nullptr) return;
  nrt_model_destroy(model_);
  model_ = nullptr;
  Napi::MemoryManagement::AdjustExternalMemory(Env(), -external_bytes_);
  external_bytes_ = 0;
}

nrt_model* ModelWrap::live(Napi::Env env, const std::string& method) const {
  if (disposed_ || model_ == nullptr) throw Napi::Error::New(env, "native backend: " + method + ": the model was disposed");
  if (busy_)
    throw Napi::Error::New(env, "native backend: " + method + ": the model is busy with " + busy_with_ +
                                    "; await it before calling " + method);
  return model_;
}

void ModelWrap::begin_run(const std::string& method) {
  busy_ = true;
  busy_with_ = method;
  abort_.store(false);
}

void ModelWrap::end_run() {
  busy_ = false;
  busy_with_.clear();
  if (disposed_) destroy_model();
}

int64_t ModelWrap::count_arg(Napi::Env env, const std::string& method, Napi::Value v, int64_t min) const {
  // No Float32Array holds more than 2^33 values; 2^40 floats of the widest row is beyond any real input.
  const int64_t widest = std::max(input_size_, output_size_);
  return integer(env, method, "count", v, min, (int64_t{1} << 40) / widest);
}

void ModelWrap::check(Napi::Env env, const std::string& method, nrt_status status) const {
  if (status != NRT_OK) throw status_error(env, method, status, nrt_last_error());
}

Napi::Value ModelWrap::SetWeights(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::string method = "setWeights";
  nrt_model* m = live(env, method);
  const int32_t n = nrt_model_parameter_count(m);
  if (!info[0].IsArray()) throw_type_error(env, method, "weights: expected an array of Float32Array, got " + describe(info[0]));
  Napi::Array arrays = info[0].As<Napi::Array>();
  if (arrays.Length() != static_cast<uint32_t>(n))
    throw_range_error(env, method, "weights: expected " + std::to_string(n) + " arrays, got " +
                                       std::to_string(arrays.Length()));
  std::vector<Float32View> views;
  for (int32_t i = 0; i < n; i++)
    views.push_back(float32_array(env, method, at("weights", static_cast<uint32_t>(i)), arrays.Get(i),
                                  nrt_model_parameter_size(m, i), false));
  // All or nothing: keep the current values to restore if a later array is rejected (non-finite values).
  std::vector<std::vector<float>> previous(static_cast<size_t>(n));
  for (int32_t i = 0; i < n; i++) {
    previous[i].resize(static_cast<size_t>(nrt_model_parameter_size(m, i)));
    check(env, method, nrt_model_get_parameter(m, i, previous[i].data(), static_cast<int64_t>(previous[i].size())));
  }
  for (int32_t i = 0; i < n; i++) {
    const nrt_status status = nrt_model_set_parameter(m, i, views[i].data, views[i].length);
    if (status != NRT_OK) {
      const std::string message = nrt_last_error();
      for (int32_t j = 0; j < i; j++)
        nrt_model_set_parameter(m, j, previous[j].data(), static_cast<int64_t>(previous[j].size()));
      throw status_error(env, method, status, "weights[" + std::to_string(i) + "]: " + message);
    }
  }
  return env.Undefined();
}

Napi::Value ModelWrap::GetWeights(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  nrt_model* m = live(env, "getWeights");
  const int32_t n = nrt_model_parameter_count(m);
  Napi::Array out = Napi::Array::New(env, static_cast<size_t>(n));
  for (int32_t i = 0; i < n; i++) {
    const int64_t size = nrt_model_parameter_size(m, i);
    Napi::Float32Array a = Napi::Float32Array::New(env, static_cast<size_t>(size));
    check(env, "getWeights", nrt_model_get_parameter(m, i, size ? a.Data() : nullptr, size));
    out.Set(static_cast<uint32_t>(i), a);
  }
  return out;
}

// compile({ optimizer: { kind, learningRate, ... }, loss })
Napi::Value ModelWrap::Compile(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::string method = "compile";
  nrt_model* m = live(env, method);
  Napi::Object train = object(env, method, "train", info[0]);
  Napi::Object o = object(env, method, "train.optimizer", train.Get("optimizer"));
  const int32_t loss = one_of(env, method, "train.loss", train.Get("loss"), kLosses, 4);
  nrt_optimizer_desc d{};
  d.kind = one_of(env, method, "optimizer.kind", o.Get("kind"), kOptimizers, 4);
  d.learning_rate = number(env, method, "optimizer.learningRate", o.Get("learningRate"), 0, 1e300);
  switch (d.kind) {
    case NRT_OPTIMIZER_SGD:
      d.momentum = number(env, method, "optimizer.momentum", o.Get("momentum"), 0, 1e300);
      d.nesterov = boolean(env, method, "optimizer.nesterov", o.Get("nesterov")) ? 1 : 0;
      break;
    case NRT_OPTIMIZER_ADAMW:
      d.weight_decay = number(env, method, "optimizer.weightDecay", o.Get("weightDecay"), 0, 1e300);
      [[fallthrough]];
    case NRT_OPTIMIZER_ADAM:
      d.beta1 = number(env, method, "optimizer.beta1", o.Get("beta1"), 0, 1, false);
      d.beta2 = number(env, method, "optimizer.beta2", o.Get("beta2"), 0, 1, false);
      d.epsilon = number(env, method, "optimizer.epsilon", o.Get("epsilon"), 0, 1e300);
      break;
    case NRT_OPTIMIZER_RMSPROP:
      d.rho = number(env, method, "optimizer.rho", o.Get("rho"), 0, 1, false);
      d.momentum = number(env, method, "optimizer.momentum", o.Get("momentum"), 0, 1e300);
      d.epsilon = number(env, method, "optimizer.epsilon", o.Get("epsilon"), 0, 1e300);
      break;
  }
  check(env, method, nrt_model_compile(m, &d, loss));
  loss_ = loss;
  return env.Undefined();
}

Napi::Value ModelWrap::SetLearningRate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  nrt_model* m = live(env, "setLearningRate");
  check(env, "setLearningRate",
        nrt_model_set_learning_rate(m, number(env, "setLearningRate", "lr", info[0], 0, 1e300)));
  return env.Undefined();
}

Napi::Value ModelWrap::GetOptimizerState(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::string method = "getOptimizerState";
  nrt_model* m = live(env, method);
  int64_t step = 0;
  check(env, method, nrt_model_get_step(m, &step));
  const int32_t n = nrt_model_optimizer_slot_count(m);
  Napi::Array slots = Napi::Array::New(env, static_cast<size_t>(n));
  for (int32_t i = 0; i < n; i++) {
    const int64_t size = nrt_model_optimizer_slot_size(m, i);
    Napi::Float32Array a = Napi::Float32Array::New(env, static_cast<size_t>(size));
    check(env, method, nrt_model_get_optimizer_slot(m, i, size ? a.Data() : nullptr, size));
    slots.Set(static_cast<uint32_t>(i), a);
  }
  Napi::Object out = Napi::Object::New(env);
  out.Set("step", Napi::Number::New(env, static_cast<double>(step)));
  out.Set("slots", slots);
  return out;
}

Napi::Value ModelWrap::SetOptimizerState(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::string method = "setOptimizerState";
  nrt_model* m = live(env, method);
  Napi::Object state = object(env, method, "state", info[0]);
  const int64_t step = integer(env, method, "state.step", state.Get("step"), 0, int64_t{1} << 53);
  Napi::Value slots_value = state.Get("slots");
  if (!slots_value.IsArray())
    throw_type_error(env, method, "state.slots: expected an array of Float32Array, got " + describe(slots_value));
  int64_t current = 0;
  check(env, method, nrt_model_get_step(m, &current));  // throws when not compiled
  Napi::Array slots = slots_value.As<Napi::Array>();
  const int32_t n = nrt_model_optimizer_slot_count(m);
  if (slots.Length() != static_cast<uint32_t>(n))
    throw_range_error(env, method, "state.slots: expected " + std::to_string(n) + " arrays for this optimizer, got " +
                                       std::to_string(slots.Length()));
  std::vector<Float32View> views;
  for (int32_t i = 0; i < n; i++)
    views.push_back(float32_array(env, method, at("state.slots", static_cast<uint32_t>(i)), slots.Get(i),
                                  nrt_model_optimizer_slot_size(m, i), false));
  std::vector<std::vector<float>> previous(static_cast<size_t>(n));
  for (int32_t i = 0; i < n; i++) {
    previous[i].resize(static_cast<size_t>(nrt_model_optimizer_slot_size(m, i)));
    check(env, method, nrt_model_get_optimizer_slot(m, i, previous[i].data(), static_cast<int64_t>(previous[i].size())));
  }
  for (int32_t i = 0; i < n; i++) {
    const nrt_status status = nrt_model_set_optimizer_slot(m, i, views[i].data, views[i].length);
    if (status != NRT_OK) {
      const std::string message = nrt_last_error();
      for (int32_t j = 0; j < i; j++)
        nrt_model_set_optimizer_slot(m, j, previous[j].data(), static_cast<int64_t>(previous[j].size()));
      throw status_error(env, method, status, "state.slots[" + std::to_string(i) + "]: " + message);
    }
  }
  check(env, method, nrt_model_set_step(m, step));
  return env.Undefined();
}

// trainBatch(x, y, count) → Promise<number>
Napi::Value ModelWrap::TrainBatch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::string method = "trainBatch";
  nrt_model* m = live(env, method);
  if (loss_ < 0) throw Napi::Error::New(env, "native backend: trainBatch: compile() the model before training it");
  const int64_t count = count_arg(env, method, info[2], 1);
  const Float32View x = float32_array(env, method, "x", info[0], count * input_size_, true);
  const Float32View y = float32_array(env, method, "y", info[1], count * y_width(), true);
  if (work(count) * 3 <= kInlineWork) {
    double loss = 0;
    check(env, method, nrt_model_train_batch(m, x.data, y.data, count, &loss));
    Napi::Promise::Deferred done = Napi::Promise::Deferred::New(env);
    done.Resolve(Napi::Number::New(env, loss));
    return done.Promise();
  }
  begin_run(method);
  return start_train_batch(env, this, Value(), info[0], x.data, info[1], y.data, count);
}

// trainEpoch(x, y, count, batchSize, shuffle, epoch, onBatch?) → Promise<{ loss, accuracy? }>
Napi::Value ModelWrap::TrainEpoch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::string method = "trainEpoch";
  live(env, method);
  if (loss_ < 0) throw Napi::Error::New(env, "native backend: trainEpoch: compile() the model before training it");
  const int64_t count = count_arg(env, method, info[2], 1);
  const Float32View x = float32_array(env, method, "x", info[0], count * input_size_, true);
  const Float32View y = float32_array(env, method, "y", info[1], count * y_width(), true);
  const int64_t batch_size = integer(env, method, "batchSize", info[3], 1, kMaxCount);
  const bool shuffle = boolean(env, method, "shuffle", info[4]);
  if (shuffle && count > int64_t{0xffffffff})
    throw_range_error(env, method, "count: at most 2^32 - 1 samples can be shuffled");
  const int64_t epoch = integer(env, method, "epoch", info[5], 0, int64_t{1} << 53);
  Napi::Value on_batch = info[6];
  if (!on_batch.IsUndefined() && !on_batch.IsNull() && !on_batch.IsFunction())
    throw_type_error(env, method, "onBatch: expected a function or undefined, got " + describe(on_batch));
  begin_run(method);
  return start_train_epoch(env, this, Value(), info[0], x.data, info[1], y.data, count, batch_size, shuffle, epoch,
                           on_batch);
}

// evaluate(x, y, count, batchSize) → Promise<{ loss, accuracy? }>
Napi::Value ModelWrap::Evaluate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::string method = "evaluate";
  nrt_model* m = live(env, method);
  if (loss_ < 0) throw Napi::Error::New(env, "native backend: evaluate: compile() the model before evaluating it");
  const int64_t count = count_arg(env, method, info[2], 1);
  const Float32View x = float32_array(env, method, "x", info[0], count * input_size_, true);
  const Float32View y = float32_array(env, method, "y", info[1], count * y_width(), true);
  const int64_t batch_size = integer(env, method, "batchSize", info[3], 1, kMaxCount);
  if (work(count) <= kInlineWork) {
    nrt_metrics metrics{};
    check(env, method, nrt_model_evaluate(m, x.data, y.data, count, batch_size, &metrics));
    Napi::Promise::Deferred done = Napi::Promise::Deferred::New(env);
    done.Resolve(metrics_object(env, metrics));
    return done.Promise();
  }
  begin_run(method);
  return start_evaluate(env, this, Value(), info[0], x.data, info[1], y.data, count, batch_size);
}

// predict(x, count) → Promise<Float32Array>
Napi::Value ModelWrap::Predict(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::string method = "predict";
  nrt_model* m = live(env, method);
  const int64_t count = count_arg(env, method, info[1], 0);
  const Float32View x = float32_array(env, method, "x", info[0], count * input_size_, true);
  Napi::Float32Array out = Napi::Float32Array::New(env, static_cast<size_t>(count * output_size_));
  if (work(count) <= kInlineWork) {
    check(env, method, nrt_model_predict(m, x.data, count, count ? out.Data() : nullptr));
    Napi::Promise::Deferred done = Napi::Promise::Deferred::New(env);
    done.Resolve(out);
    return done.Promise();
  }
  begin_run(method);
  return start_predict(env, this, Value(), info[0], x.data, count, out);
}

// predictSync(x, count) → Float32Array
Napi::Value ModelWrap::PredictSync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::string method = "predictSync";
  nrt_model* m = live(env, method);
  const int64_t count = count_arg(env, method, info[1], 0);
  const Float32View x = float32_array(env, method, "x", info[0], count * input_size_, false);
  Napi::Float32Array out = Napi::Float32Array::New(env, static_cast<size_t>(count * output_size_));
  check(env, method, nrt_model_predict(m, x.data, count, count ? out.Data() : nullptr));
  return out;
}

Napi::Value ModelWrap::SetThreads(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  nrt_model* m = live(env, "setThreads");
  check(env, "setThreads",
        nrt_model_set_threads(m, static_cast<int32_t>(integer(env, "setThreads", "threads", info[0], 0, 256))));
  return env.Undefined();
}

// Asks the running trainEpoch to stop after its current batch; no-op when idle.
Napi::Value ModelWrap::Abort(const Napi::CallbackInfo& info) {
  if (busy_) request_abort();
  return info.Env().Undefined();
}

Napi::Value ModelWrap::Dispose(const Napi::CallbackInfo& info) {
  if (disposed_) return info.Env().Undefined();
  disposed_ = true;
  if (busy_)
    request_abort();  // freed by end_run() when the worker returns
  else
    destroy_model();
  return info.Env().Undefined();
}

Napi::Value ModelWrap::IsBusy(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), busy_); }

Napi::Value ModelWrap::IsDisposed(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), disposed_);
}

}  // namespace nrt_node
