#include "model_wrap.h"

#include <cstring>
#include <string>
#include <vector>

#include "workers.h"

namespace nrt_node {

namespace {

// Below NRT_OFF_THREAD_MACS multiply-adds (abi.json; the wasm backend leaves for its runner thread at the same
// work) an awaited call runs on the JS thread and returns a settled Promise. Handing work to a worker and back costs
// two thread wake-ups: on a 2-vCPU VM (Intel Xeon, AVX-512) 40-50 us a call, more than the work itself up to about
// 4M multiply-adds, which take 30-70 us there (and ~2x that on an AVX2 core). Awaited W1 predict(), 1 thread, with
// 2^18 against 2^22 (medians of 3 alternated runs): 2 rows 52 -> 11 us, 8 rows 78 -> 37 us, 16 rows 105 -> 66 us;
// 32 rows (7.5M, still a worker) 140 us either way.

int32_t i32(const Napi::Value& v) { return v.As<Napi::Number>().Int32Value(); }
int64_t i64(const Napi::Value& v) { return v.As<Napi::Number>().Int64Value(); }

Napi::Promise resolved(Napi::Env env, Napi::Value value) {
  Napi::Promise::Deferred d = Napi::Promise::Deferred::New(env);
  d.Resolve(value);
  return d.Promise();
}

}  // namespace

Floats floats(const Napi::Value& v) {
  Napi::Float32Array a = v.As<Napi::Float32Array>();
  const int64_t length = static_cast<int64_t>(a.ElementLength());
  return Floats{length > 0 ? a.Data() : nullptr, length};
}

Floats optional_floats(const Napi::Value& v) {
  if (v.IsNull() || v.IsUndefined()) return Floats{nullptr, 0};
  return floats(v);
}

Napi::Error status_error(Napi::Env env, nrt_status status, const std::string& message) {
  Napi::Error error = Napi::Error::New(env, message.empty() ? nrt_status_name(status) : message);
  error.Set("status", Napi::Number::New(env, status));
  return error;
}

void check(Napi::Env env, nrt_status status) {
  if (status != NRT_OK) throw status_error(env, status, nrt_last_error());
}

Napi::Function ModelWrap::Define(Napi::Env env) {
  return DefineClass(env, "NativeModel",
                     {
                         InstanceMethod<&ModelWrap::ParameterCount>("parameterCount"),
                         InstanceMethod<&ModelWrap::GetParameter>("getParameter"),
                         InstanceMethod<&ModelWrap::SetParameter>("setParameter"),
                         InstanceMethod<&ModelWrap::Compile>("compile"),
                         InstanceMethod<&ModelWrap::SetLearningRate>("setLearningRate"),
                         InstanceMethod<&ModelWrap::OptimizerSlotCount>("optimizerSlotCount"),
                         InstanceMethod<&ModelWrap::GetOptimizerSlot>("getOptimizerSlot"),
                         InstanceMethod<&ModelWrap::SetOptimizerSlot>("setOptimizerSlot"),
                         InstanceMethod<&ModelWrap::GetStep>("getStep"),
                         InstanceMethod<&ModelWrap::SetStep>("setStep"),
                         InstanceMethod<&ModelWrap::TrainBatch>("trainBatch"),
                         InstanceMethod<&ModelWrap::TrainEpoch>("trainEpoch"),
                         InstanceMethod<&ModelWrap::Evaluate>("evaluate"),
                         InstanceMethod<&ModelWrap::Predict>("predict"),
                         InstanceMethod<&ModelWrap::PredictSync>("predictSync"),
                         InstanceMethod<&ModelWrap::SetThreads>("setThreads"),
                         InstanceMethod<&ModelWrap::Abort>("abort"),
                         InstanceMethod<&ModelWrap::Dispose>("dispose"),
                     });
}

// new NativeModel(layers: Uint8Array of nrt_layer_desc, inputSize, seed, threads, macsPerRow)
ModelWrap::ModelWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<ModelWrap>(info) {
  Napi::Env env = info.Env();
  Napi::Uint8Array layers = info[0].As<Napi::Uint8Array>();
  if (layers.ByteLength() % sizeof(nrt_layer_desc) != 0)  // a layout mismatch, not a user error
    throw status_error(env, NRT_ERR_INVALID_ARGUMENT, "layers: not a whole number of nrt_layer_desc");
  // Copied: a Uint8Array's bytes need not be aligned for the struct.
  std::vector<nrt_layer_desc> descs(layers.ByteLength() / sizeof(nrt_layer_desc));
  if (!descs.empty()) std::memcpy(descs.data(), layers.Data(), layers.ByteLength());
  nrt_model* model = nullptr;
  check(env, nrt_model_create(i32(info[1]), descs.data(), static_cast<int32_t>(descs.size()),
                              info[2].As<Napi::Number>().Uint32Value(), &model));
  const nrt_status status = nrt_model_set_threads(model, i32(info[3]));
  if (status != NRT_OK) {
    const std::string message = nrt_last_error();
    nrt_model_destroy(model);
    throw status_error(env, status, message);
  }
  model_ = model;
  macs_per_row_ = info[4].As<Napi::Number>().DoubleValue();
  // Parameters and their gradients; optimizer state and work buffers come later and are not counted.
  for (int32_t i = 0; i < nrt_model_parameter_count(model); i++)
    external_bytes_ += 2 * nrt_model_parameter_size(model, i) * static_cast<int64_t>(sizeof(float));
  Napi::MemoryManagement::AdjustExternalMemory(env, external_bytes_);
}

ModelWrap::~ModelWrap() {
  // A worker still running here means the environment is being torn down: it may still be reading the model,
  // so the memory is left to the exiting process rather than freed under it.
  if (running_ == 0) destroy_model();
}

void ModelWrap::destroy_model() {
  if (model_ == nullptr) return;
  nrt_model_destroy(model_);
  model_ = nullptr;
  Napi::MemoryManagement::AdjustExternalMemory(Env(), -external_bytes_);
  external_bytes_ = 0;
}

void ModelWrap::end_run() {
  running_--;
  if (disposed_ && running_ == 0) destroy_model();
}

nrt_model* ModelWrap::live(Napi::Env env) const {
  if (disposed_ || model_ == nullptr) throw Napi::Error::New(env, "the model was disposed");
  return model_;
}

bool ModelWrap::inline_work(int64_t rows, double factor) const {
  // While a worker uses the model (a fit's epoch), an inline call would wait for the model's lock on the JS
  // thread until the epoch's current batch ends: it goes to a worker too, and the event loop stays free.
  return running_ == 0 && static_cast<double>(rows) * macs_per_row_ * factor < NRT_OFF_THREAD_MACS;
}

Napi::Value ModelWrap::ParameterCount(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), nrt_model_parameter_count(live(info.Env())));
}

// getParameter(index) → Float32Array
Napi::Value ModelWrap::GetParameter(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  nrt_model* m = live(env);
  const int32_t index = i32(info[0]);
  const int64_t size = nrt_model_parameter_size(m, index);
  Napi::Float32Array out = Napi::Float32Array::New(env, static_cast<size_t>(size < 0 ? 0 : size));
  check(env, nrt_model_get_parameter(m, index, size > 0 ? out.Data() : nullptr, size));
  return out;
}

// setParameter(index, Float32Array)
Napi::Value ModelWrap::SetParameter(const Napi::CallbackInfo& info) {
  const Floats v = floats(info[1]);
  check(info.Env(), nrt_model_set_parameter(live(info.Env()), i32(info[0]), v.data, v.length));
  return info.Env().Undefined();
}

// compile(optimizer: Uint8Array of nrt_optimizer_desc, loss: Uint8Array of nrt_loss_desc)
Napi::Value ModelWrap::Compile(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Uint8Array bytes = info[0].As<Napi::Uint8Array>();
  if (bytes.ByteLength() != sizeof(nrt_optimizer_desc))
    throw status_error(env, NRT_ERR_INVALID_ARGUMENT, "optimizer: not one nrt_optimizer_desc");
  nrt_optimizer_desc d;
  std::memcpy(&d, bytes.Data(), sizeof d);
  Napi::Uint8Array loss_bytes = info[1].As<Napi::Uint8Array>();
  if (loss_bytes.ByteLength() != sizeof(nrt_loss_desc))
    throw status_error(env, NRT_ERR_INVALID_ARGUMENT, "loss: not one nrt_loss_desc");
  nrt_loss_desc loss;
  std::memcpy(&loss, loss_bytes.Data(), sizeof loss);
  check(env, nrt_model_compile(live(env), &d, &loss));
  return env.Undefined();
}

Napi::Value ModelWrap::SetLearningRate(const Napi::CallbackInfo& info) {
  check(info.Env(), nrt_model_set_learning_rate(live(info.Env()), info[0].As<Napi::Number>().DoubleValue()));
  return info.Env().Undefined();
}

Napi::Value ModelWrap::OptimizerSlotCount(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), nrt_model_optimizer_slot_count(live(info.Env())));
}

// getOptimizerSlot(index) → Float32Array
Napi::Value ModelWrap::GetOptimizerSlot(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  nrt_model* m = live(env);
  const int32_t slot = i32(info[0]);
  const int64_t size = nrt_model_optimizer_slot_size(m, slot);
  Napi::Float32Array out = Napi::Float32Array::New(env, static_cast<size_t>(size < 0 ? 0 : size));
  check(env, nrt_model_get_optimizer_slot(m, slot, size > 0 ? out.Data() : nullptr, size));
  return out;
}

Napi::Value ModelWrap::SetOptimizerSlot(const Napi::CallbackInfo& info) {
  const Floats v = floats(info[1]);
  check(info.Env(), nrt_model_set_optimizer_slot(live(info.Env()), i32(info[0]), v.data, v.length));
  return info.Env().Undefined();
}

Napi::Value ModelWrap::GetStep(const Napi::CallbackInfo& info) {
  int64_t step = 0;
  check(info.Env(), nrt_model_get_step(live(info.Env()), &step));
  return Napi::Number::New(info.Env(), static_cast<double>(step));
}

Napi::Value ModelWrap::SetStep(const Napi::CallbackInfo& info) {
  check(info.Env(), nrt_model_set_step(live(info.Env()), i64(info[0])));
  return info.Env().Undefined();
}

// trainBatch(x, y, w | null, count) → Promise<number> (the loss before the update)
Napi::Value ModelWrap::TrainBatch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  nrt_model* m = live(env);
  const Floats x = floats(info[0]), y = floats(info[1]), w = optional_floats(info[2]);
  const int64_t count = i64(info[3]);
  if (inline_work(count, 3)) {
    double loss = 0;
    check(env, nrt_model_train_batch(m, x.data, x.length, y.data, y.length, w.data, w.length, count, &loss));
    return resolved(env, Napi::Number::New(env, loss));
  }
  return start_train_batch(env, this, Value(), info[0], info[1], info[2], count);
}

// trainEpoch(x, y, w | null, count, batchSize, shuffle, epoch, onBatch?, outputs | null)
//   → Promise<Uint8Array of nrt_metrics>
Napi::Value ModelWrap::TrainEpoch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  live(env);
  abort_.store(false);
  return start_train_epoch(env, this, Value(), info[0], info[1], info[2], i64(info[3]), i64(info[4]),
                           info[5].As<Napi::Boolean>().Value(), i64(info[6]), info[7], info[8]);
}

// evaluate(x, y, w | null, count, batchSize) → Promise<Uint8Array of nrt_metrics>
Napi::Value ModelWrap::Evaluate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  nrt_model* m = live(env);
  const Floats x = floats(info[0]), y = floats(info[1]), w = optional_floats(info[2]);
  const int64_t count = i64(info[3]), batch_size = i64(info[4]);
  if (inline_work(count)) {
    nrt_metrics metrics{};
    check(env, nrt_model_evaluate(m, x.data, x.length, y.data, y.length, w.data, w.length, count, batch_size,
                                  &metrics));
    Napi::Uint8Array bytes = Napi::Uint8Array::New(env, sizeof(nrt_metrics));
    std::memcpy(bytes.Data(), &metrics, sizeof metrics);
    return resolved(env, bytes);
  }
  return start_evaluate(env, this, Value(), info[0], info[1], info[2], count, batch_size);
}

// predict(x, count, out) → Promise<void>; out is the caller's Float32Array [count × outputs]
Napi::Value ModelWrap::Predict(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  nrt_model* m = live(env);
  const Floats x = floats(info[0]), out = floats(info[2]);
  const int64_t count = i64(info[1]);
  if (inline_work(count)) {
    check(env, nrt_model_predict(m, x.data, x.length, count, out.data, out.length));
    return resolved(env, env.Undefined());
  }
  return start_predict(env, this, Value(), info[0], count, info[2]);
}

// predictSync(x, count, out)
Napi::Value ModelWrap::PredictSync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const Floats x = floats(info[0]), out = floats(info[2]);
  check(env, nrt_model_predict(live(env), x.data, x.length, i64(info[1]), out.data, out.length));
  return env.Undefined();
}

Napi::Value ModelWrap::SetThreads(const Napi::CallbackInfo& info) {
  check(info.Env(), nrt_model_set_threads(live(info.Env()), i32(info[0])));
  return info.Env().Undefined();
}

// Asks a running trainEpoch to stop after its current batch; no-op when none runs.
Napi::Value ModelWrap::Abort(const Napi::CallbackInfo& info) {
  abort_.store(true);
  return info.Env().Undefined();
}

Napi::Value ModelWrap::Dispose(const Napi::CallbackInfo& info) {
  if (disposed_) return info.Env().Undefined();
  disposed_ = true;
  abort_.store(true);
  if (running_ == 0) destroy_model();  // else end_run() frees it when the last worker returns
  return info.Env().Undefined();
}

}  // namespace nrt_node
