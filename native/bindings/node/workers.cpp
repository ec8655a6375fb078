#include "workers.h"

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "arguments.h"
#include "model_wrap.h"

namespace nrt_node {

namespace {

// What every run shares: the promise, references that keep the model wrapper and the caller's arrays alive
// while a worker thread reads them, and the core's status. Built and settled on the JS thread.
class Run {
 public:
  Run(Napi::Env env, ModelWrap* wrap, Napi::Object self, std::string method)
      : deferred_(Napi::Promise::Deferred::New(env)), wrap_(wrap), method_(std::move(method)) {
    self_ = Napi::Persistent(self);
  }
  void keep(Napi::Value v) { kept_.push_back(Napi::Persistent(v)); }
  Napi::Promise promise() const { return deferred_.Promise(); }
  nrt_model* model() const { return wrap_->handle(); }
  ModelWrap* wrap() const { return wrap_; }

  // Worker thread.
  void record(nrt_status status) {
    status_ = status;
    if (status != NRT_OK) message_ = nrt_last_error();
  }
  bool ok() const { return status_ == NRT_OK; }

  // JS thread: frees the model for new calls, then resolves with value() or rejects.
  template <typename MakeValue>
  void settle(Napi::Env env, MakeValue value) {
    wrap_->end_run();
    if (status_ != NRT_OK) {
      // The binding stops epochs through the progress callback; say what happened, not how.
      const std::string message = status_ == NRT_ERR_ABORTED ? "aborted" : message_;
      deferred_.Reject(status_error(env, method_, status_, message).Value());
      return;
    }
    deferred_.Resolve(value());
  }
  void reject(Napi::Value error) {
    wrap_->end_run();
    deferred_.Reject(error);
  }

 private:
  Napi::Promise::Deferred deferred_;
  ModelWrap* wrap_;
  std::string method_;
  Napi::ObjectReference self_;
  std::vector<Napi::Reference<Napi::Value>> kept_;
  nrt_status status_ = NRT_OK;
  std::string message_;
};

class TrainBatchWorker : public Napi::AsyncWorker {
 public:
  TrainBatchWorker(Napi::Env env, Run* run, const float* x, const float* y, int64_t count)
      : Napi::AsyncWorker(env, "neurite.trainBatch"), run_(run), x_(x), y_(y), count_(count) {}
  ~TrainBatchWorker() override { delete run_; }
  void Execute() override { run_->record(nrt_model_train_batch(run_->model(), x_, y_, count_, &loss_)); }
  void OnOK() override {
    run_->settle(Env(), [&] { return Napi::Number::New(Env(), loss_); });
  }

 private:
  Run* run_;
  const float* x_;
  const float* y_;
  int64_t count_;
  double loss_ = 0;
};

class EvaluateWorker : public Napi::AsyncWorker {
 public:
  EvaluateWorker(Napi::Env env, Run* run, const float* x, const float* y, int64_t count, int64_t batch_size)
      : Napi::AsyncWorker(env, "neurite.evaluate"), run_(run), x_(x), y_(y), count_(count), batch_size_(batch_size) {}
  ~EvaluateWorker() override { delete run_; }
  void Execute() override {
    run_->record(nrt_model_evaluate(run_->model(), x_, y_, count_, batch_size_, &metrics_));
  }
  void OnOK() override {
    run_->settle(Env(), [&] { return metrics_object(Env(), metrics_); });
  }

 private:
  Run* run_;
  const float* x_;
  const float* y_;
  int64_t count_, batch_size_;
  nrt_metrics metrics_{};
};

class PredictWorker : public Napi::AsyncWorker {
 public:
  PredictWorker(Napi::Env env, Run* run, const float* x, int64_t count, Napi::Float32Array out)
      : Napi::AsyncWorker(env, "neurite.predict"), run_(run), x_(x), count_(count), out_data_(out.Data()) {
    out_ = Napi::Persistent(out);
  }
  ~PredictWorker() override { delete run_; }
  void Execute() override { run_->record(nrt_model_predict(run_->model(), x_, count_, out_data_)); }
  void OnOK() override {
    run_->settle(Env(), [&] { return out_.Value(); });
  }

 private:
  Run* run_;
  const float* x_;
  int64_t count_;
  float* out_data_;
  Napi::Reference<Napi::Float32Array> out_;
};

struct Progress {
  int64_t batch = 0;
  int64_t batches = 0;
  double loss = 0;
};

// The epoch on a worker thread. Batch progress goes to the JS callback through AsyncProgressWorker (which keeps
// only the latest report if JS falls behind); the last batch is always reported. A callback that throws stops
// the epoch after the current batch and its error rejects the Promise.
class EpochWorker : public Napi::AsyncProgressWorker<Progress> {
 public:
  EpochWorker(Napi::Env env, Run* run, const float* x, const float* y, int64_t count, int64_t batch_size,
              bool shuffle, int64_t epoch, Napi::Value on_batch)
      : Napi::AsyncProgressWorker<Progress>(env, "neurite.trainEpoch"),
        run_(run),
        x_(x),
        y_(y),
        count_(count),
        batch_size_(batch_size),
        shuffle_(shuffle),
        epoch_(epoch) {
    if (on_batch.IsFunction()) on_batch_ = Napi::Persistent(on_batch.As<Napi::Function>());
    has_callback_ = !on_batch_.IsEmpty();
  }
  ~EpochWorker() override { delete run_; }

  void Execute(const ExecutionProgress& progress) override {
    progress_ = &progress;
    if (run_->wrap()->abort_requested()) {
      run_->record(NRT_ERR_ABORTED);
      return;
    }
    run_->record(nrt_model_train_epoch(run_->model(), x_, y_, count_, batch_size_, shuffle_ ? 1 : 0, epoch_,
                                       &EpochWorker::on_batch, this, nullptr, &metrics_));
  }

  void OnProgress(const Progress* data, size_t count) override {
    if (data == nullptr || count == 0 || !has_callback_ || !callback_error_.IsEmpty()) return;
    const Progress& p = data[count - 1];
    Napi::Env env = Env();
    try {
      on_batch_.Call({Napi::Number::New(env, static_cast<double>(p.batch)),
                      Napi::Number::New(env, static_cast<double>(p.batches)), Napi::Number::New(env, p.loss)});
    } catch (const Napi::Error& e) {
      callback_error_ = Napi::Reference<Napi::Value>::New(e.Value(), 1);
      run_->wrap()->request_abort();
    }
  }

  void OnOK() override {
    if (!callback_error_.IsEmpty()) {
      run_->reject(callback_error_.Value());
      return;
    }
    run_->settle(Env(), [&] { return metrics_object(Env(), metrics_); });
  }

 private:
  // Called by the core after each batch, on this worker's thread. Returns nonzero to stop the epoch.
  static int32_t on_batch(void* user, int64_t batch, int64_t batches, double loss) {
    auto* self = static_cast<EpochWorker*>(user);
    if (self->has_callback_) {
      const auto now = std::chrono::steady_clock::now();
      const bool last = batch + 1 == batches;
      if (last || now - self->last_report_ >= std::chrono::milliseconds(4)) {
        self->last_report_ = now;
        const Progress p{batch, batches, loss};
        self->progress_->Send(&p, 1);
      }
    }
    return self->run_->wrap()->abort_requested() ? 1 : 0;
  }

  Run* run_;
  const float* x_;
  const float* y_;
  int64_t count_, batch_size_;
  bool shuffle_;
  int64_t epoch_;
  Napi::FunctionReference on_batch_;
  bool has_callback_ = false;
  Napi::Reference<Napi::Value> callback_error_;
  const ExecutionProgress* progress_ = nullptr;
  std::chrono::steady_clock::time_point last_report_{};
  nrt_metrics metrics_{};
};

}  // namespace

Napi::Object metrics_object(Napi::Env env, const nrt_metrics& m) {
  Napi::Object out = Napi::Object::New(env);
  out.Set("loss", Napi::Number::New(env, m.loss));
  if (m.has_accuracy) out.Set("accuracy", Napi::Number::New(env, m.accuracy));
  return out;
}

Napi::Promise start_train_batch(Napi::Env env, ModelWrap* wrap, Napi::Object self, Napi::Value x_value,
                                const float* x, Napi::Value y_value, const float* y, int64_t count) {
  Run* run = new Run(env, wrap, self, "trainBatch");
  run->keep(x_value);
  run->keep(y_value);
  const Napi::Promise promise = run->promise();
  (new TrainBatchWorker(env, run, x, y, count))->Queue();
  return promise;
}

Napi::Promise start_train_epoch(Napi::Env env, ModelWrap* wrap, Napi::Object self, Napi::Value x_value,
                                const float* x, Napi::Value y_value, const float* y, int64_t count,
                                int64_t batch_size, bool shuffle, int64_t epoch, Napi::Value on_batch) {
  Run* run = new Run(env, wrap, self, "trainEpoch");
  run->keep(x_value);
  run->keep(y_value);
  const Napi::Promise promise = run->promise();
  (new EpochWorker(env, run, x, y, count, batch_size, shuffle, epoch, on_batch))->Queue();
  return promise;
}

Napi::Promise start_evaluate(Napi::Env env, ModelWrap* wrap, Napi::Object self, Napi::Value x_value, const float* x,
                             Napi::Value y_value, const float* y, int64_t count, int64_t batch_size) {
  Run* run = new Run(env, wrap, self, "evaluate");
  run->keep(x_value);
  run->keep(y_value);
  const Napi::Promise promise = run->promise();
  (new EvaluateWorker(env, run, x, y, count, batch_size))->Queue();
  return promise;
}

Napi::Promise start_predict(Napi::Env env, ModelWrap* wrap, Napi::Object self, Napi::Value x_value, const float* x,
                            int64_t count, Napi::Float32Array out) {
  Run* run = new Run(env, wrap, self, "predict");
  run->keep(x_value);
  const Napi::Promise promise = run->promise();
  (new PredictWorker(env, run, x, count, out))->Queue();
  return promise;
}

}  // namespace nrt_node
