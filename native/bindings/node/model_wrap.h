// NativeModel: the JavaScript class around one core model (nrt_model). It only translates: typed arrays become
// pointer + length, encoded descriptors (src/backends/abi.ts) become the core's structs, a failed nrt_* call
// becomes a thrown Error carrying the core's message and `status`. It checks no ranges: the Model API validated
// the arguments, and the core checks what memory safety needs. src/backends/native.ts is its only caller.
//
// Work that takes more than a few microseconds runs on a libuv worker (workers.h) and returns a Promise. Calls
// may overlap: the core serialises them per model, and a running epoch lets predict/evaluate in between
// batches. dispose() frees the model once no worker uses it any more; a finalizer frees it if JS forgets.
#pragma once

#include <napi.h>

#include <atomic>
#include <cstdint>

#include "neurite/neurite.h"

namespace nrt_node {

// A Float32Array argument as the core takes it.
struct Floats {
  float* data;
  int64_t length;
};
Floats floats(const Napi::Value& v);
// The same for an optional array: null or undefined give {nullptr, 0} (the core's "none").
Floats optional_floats(const Napi::Value& v);

// The Error for a failed nrt_* call: message from the core, `status` the nrt_status code.
Napi::Error status_error(Napi::Env env, nrt_status status, const std::string& message);
// Throws status_error with nrt_last_error() unless status is NRT_OK.
void check(Napi::Env env, nrt_status status);

class ModelWrap : public Napi::ObjectWrap<ModelWrap> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit ModelWrap(const Napi::CallbackInfo& info);
  ~ModelWrap() override;

  // For the workers.
  nrt_model* handle() const { return model_; }
  void begin_run() { running_++; }
  void end_run();  // JS thread
  bool abort_requested() const { return abort_.load(std::memory_order_relaxed); }  // any thread

 private:
  Napi::Value ParameterCount(const Napi::CallbackInfo& info);
  Napi::Value GetParameter(const Napi::CallbackInfo& info);
  Napi::Value SetParameter(const Napi::CallbackInfo& info);
  Napi::Value Compile(const Napi::CallbackInfo& info);
  Napi::Value SetLearningRate(const Napi::CallbackInfo& info);
  Napi::Value OptimizerSlotCount(const Napi::CallbackInfo& info);
  Napi::Value GetOptimizerSlot(const Napi::CallbackInfo& info);
  Napi::Value SetOptimizerSlot(const Napi::CallbackInfo& info);
  Napi::Value GetStep(const Napi::CallbackInfo& info);
  Napi::Value SetStep(const Napi::CallbackInfo& info);
  Napi::Value TrainBatch(const Napi::CallbackInfo& info);
  Napi::Value TrainEpoch(const Napi::CallbackInfo& info);
  Napi::Value Evaluate(const Napi::CallbackInfo& info);
  Napi::Value Predict(const Napi::CallbackInfo& info);
  Napi::Value PredictSync(const Napi::CallbackInfo& info);
  Napi::Value SetThreads(const Napi::CallbackInfo& info);
  Napi::Value Abort(const Napi::CallbackInfo& info);
  Napi::Value Dispose(const Napi::CallbackInfo& info);

  // The model, or a thrown Error once disposed.
  nrt_model* live(Napi::Env env) const;
  // Whether a call over `rows` rows runs on the JS thread: its multiply-adds (a forward pass's, times `factor`)
  // are fewer than a worker's thread hop costs in time (NRT_OFF_THREAD_MACS), and no worker holds the model.
  bool inline_work(int64_t rows, double factor = 1.0) const;
  void destroy_model();

  nrt_model* model_ = nullptr;
  int64_t external_bytes_ = 0;  // reported to V8 so it collects forgotten models in time
  double macs_per_row_ = 0;
  int running_ = 0;  // workers using model_
  bool disposed_ = false;
  std::atomic<bool> abort_{false};
};

}  // namespace nrt_node
