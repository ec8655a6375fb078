// NativeModel: the JavaScript class wrapping one core model (nrt_model). Synchronous methods run on the JS
// thread; trainEpoch, and trainBatch/evaluate/predict when they are more than a few microseconds of work, run in
// a worker (workers.h) and return a Promise. While a worker runs, every other call on the model is refused
// with a "busy" error instead of racing it. dispose() frees the native memory now (or when the running worker
// ends); a finalizer frees it if the caller forgets.
#pragma once

#include <napi.h>

#include <atomic>
#include <string>

#include "neurite/neurite.h"

namespace nrt_node {

class ModelWrap : public Napi::ObjectWrap<ModelWrap> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit ModelWrap(const Napi::CallbackInfo& info);
  ~ModelWrap() override;

  // For the workers (JS thread unless noted).
  nrt_model* handle() const { return model_; }
  void end_run();
  bool abort_requested() const { return abort_.load(std::memory_order_relaxed); }  // any thread
  void request_abort() { abort_.store(true, std::memory_order_relaxed); }          // any thread

 private:
  Napi::Value SetWeights(const Napi::CallbackInfo& info);
  Napi::Value GetWeights(const Napi::CallbackInfo& info);
  Napi::Value Compile(const Napi::CallbackInfo& info);
  Napi::Value SetLearningRate(const Napi::CallbackInfo& info);
  Napi::Value GetOptimizerState(const Napi::CallbackInfo& info);
  Napi::Value SetOptimizerState(const Napi::CallbackInfo& info);
  Napi::Value TrainBatch(const Napi::CallbackInfo& info);
  Napi::Value TrainEpoch(const Napi::CallbackInfo& info);
  Napi::Value Evaluate(const Napi::CallbackInfo& info);
  Napi::Value Predict(const Napi::CallbackInfo& info);
  Napi::Value PredictSync(const Napi::CallbackInfo& info);
  Napi::Value SetThreads(const Napi::CallbackInfo& info);
  Napi::Value Abort(const Napi::CallbackInfo& info);
  Napi::Value Dispose(const Napi::CallbackInfo& info);
  Napi::Value IsBusy(const Napi::CallbackInfo& info);
  Napi::Value IsDisposed(const Napi::CallbackInfo& info);

  // The model, or a thrown Error if it was disposed or a worker is running on it.
  nrt_model* live(Napi::Env env, const std::string& method) const;
  void begin_run(const std::string& method);
  void check(Napi::Env env, const std::string& method, nrt_status status) const;
  // count as an integer in [min, ...] small enough that count × the widest row stays far from overflow.
  int64_t count_arg(Napi::Env env, const std::string& method, Napi::Value v, int64_t min) const;
  int64_t y_width() const { return loss_ == NRT_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY ? 1 : output_size_; }
  // Multiply-adds of a forward pass over `rows` rows: decides between the calling thread and a worker.
  double work(int64_t rows) const { return static_cast<double>(rows) * static_cast<double>(macs_per_row_); }

  // Frees the model and tells V8 its external memory is gone.
  void destroy_model();

  nrt_model* model_ = nullptr;
  int64_t external_bytes_ = 0;  // reported to V8 so it collects forgotten models in time
  int64_t input_size_ = 0;
  int64_t output_size_ = 0;
  int64_t macs_per_row_ = 0;
  int32_t loss_ = -1;  // set by compile
  bool busy_ = false;
  std::string busy_with_;
  bool disposed_ = false;
  std::atomic<bool> abort_{false};
};

}  // namespace nrt_node
