#include "workers.h"

#include <chrono>
#include <cstring>
#include <string>
#include <atomic>
#include <memory>
#include <utility>
#include <vector>

#include "model_wrap.h"

namespace nrt_node {

namespace {

// What every run shares: the promise, references that keep the model wrapper and the caller's arrays alive
// while a worker thread reads them, and the core's status. Built and settled on the JS thread.
class Run {
 public:
  Run(Napi::Env env, ModelWrap* wrap, Napi::Object self) : deferred_(Napi::Promise::Deferred::New(env)), wrap_(wrap) {
    self_ = Napi::Persistent(self);
    wrap_->begin_run();
  }
  Floats keep(Napi::Value v) {
    kept_.push_back(Napi::Persistent(v));
    return floats(v);
  }
  Floats keep_optional(Napi::Value v) {
    if (v.IsNull() || v.IsUndefined()) return Floats{nullptr, 0};
    return keep(v);
  }
  Napi::Promise promise() const { return deferred_.Promise(); }
  nrt_model* model() const { return wrap_->handle(); }
  ModelWrap* wrap() const { return wrap_; }

  // Worker thread: the message is per thread, so it is taken here.
  void record(nrt_status status) {
    status_ = status;
    if (status != NRT_OK) message_ = nrt_last_error();
  }

  // JS thread: frees the model for disposal, then resolves with value() or rejects.
  template <typename MakeValue>
  void settle(Napi::Env env, MakeValue value) {
    wrap_->end_run();
    if (status_ != NRT_OK)
      deferred_.Reject(status_error(env, status_, message_).Value());
    else
      deferred_.Resolve(value());
  }
  void reject(Napi::Value error) {
    wrap_->end_run();
    deferred_.Reject(error);
  }

 private:
  Napi::Promise::Deferred deferred_;
  ModelWrap* wrap_;
  Napi::ObjectReference self_;
  std::vector<Napi::Reference<Napi::Value>> kept_;
  nrt_status status_ = NRT_OK;
  std::string message_;
};

Napi::Uint8Array metrics_bytes(Napi::Env env, const nrt_metrics& m) {
  Napi::Uint8Array out = Napi::Uint8Array::New(env, sizeof(nrt_metrics));
  std::memcpy(out.Data(), &m, sizeof(nrt_metrics));
  return out;
}

// A worker whose whole job is one core call: `call` runs on the worker thread and returns its status; `result`
// makes the resolved value on the JS thread.
template <typename Call, typename Result>
class CallWorker : public Napi::AsyncWorker {
 public:
  CallWorker(Napi::Env env, const char* name, Run* run, Call call, Result result)
      : Napi::AsyncWorker(env, name), run_(run), call_(std::move(call)), result_(std::move(result)) {}
  ~CallWorker() override { delete run_; }
  void Execute() override { run_->record(call_(run_->model())); }
  void OnOK() override {
    run_->settle(Env(), [&] { return result_(Env()); });
  }

 private:
  Run* run_;
  Call call_;
  Result result_;
};

template <typename Call, typename Result>
Napi::Promise queue(Napi::Env env, const char* name, Run* run, Call call, Result result) {
  const Napi::Promise promise = run->promise();
  (new CallWorker<Call, Result>(env, name, run, std::move(call), std::move(result)))->Queue();
  return promise;
}

struct Progress {
  int64_t batch = 0;
  int64_t batches = 0;
  double loss = 0;
};

// The epoch on a worker thread. Batch progress goes to the JS callback through AsyncProgressQueueWorker, which
// queues every report: onBatchEnd sees every batch, in order, as on the ts and wasm backends (only asked for
// when a callback exists, so a fit without one pays nothing). A callback that throws stops the epoch after the
// current batch and its error rejects the Promise.
class EpochWorker : public Napi::AsyncProgressQueueWorker<Progress> {
 public:
  EpochWorker(Napi::Env env, Run* run, Floats x, Floats y, Floats w, int64_t count, int64_t batch_size, bool shuffle,
              int64_t epoch, Napi::Value on_batch, Floats outputs)
      : Napi::AsyncProgressQueueWorker<Progress>(env, "neurite.trainEpoch"),
        run_(run), x_(x), y_(y), w_(w), outputs_(outputs), count_(count), batch_size_(batch_size), shuffle_(shuffle),
        epoch_(epoch) {
    if (on_batch.IsFunction()) on_batch_ = Napi::Persistent(on_batch.As<Napi::Function>());
    has_callback_ = !on_batch_.IsEmpty();
  }
  ~EpochWorker() override { delete run_; }

  void Execute(const ExecutionProgress& progress) override {
    progress_ = &progress;
    run_->record(nrt_model_train_epoch(run_->model(), x_.data, x_.length, y_.data, y_.length, w_.data, w_.length,
                                       count_, batch_size_, shuffle_ ? 1 : 0, epoch_, &EpochWorker::on_batch, this,
                                       nullptr, &metrics_, outputs_.data, outputs_.length));
  }

  void OnProgress(const Progress* data, size_t count) override {
    if (data == nullptr || !has_callback_) return;
    Napi::Env env = Env();
    for (size_t i = 0; i < count && callback_error_.IsEmpty(); i++) {
      const Progress& p = data[i];
      try {
        on_batch_.Call({Napi::Number::New(env, static_cast<double>(p.batch)),
                        Napi::Number::New(env, static_cast<double>(p.batches)), Napi::Number::New(env, p.loss)});
      } catch (const Napi::Error& e) {
        callback_error_ = Napi::Reference<Napi::Value>::New(e.Value(), 1);
        stop_ = true;
      }
    }
  }

  void OnOK() override {
    if (!callback_error_.IsEmpty()) return run_->reject(callback_error_.Value());
    run_->settle(Env(), [&] { return metrics_bytes(Env(), metrics_); });
  }

 private:
  // Called by the core after each batch, on this worker's thread. Returns nonzero to stop the epoch.
  static int32_t on_batch(void* user, int64_t batch, int64_t batches, double loss) {
    auto* self = static_cast<EpochWorker*>(user);
    if (self->has_callback_) {
      const Progress p{batch, batches, loss};
      self->progress_->Send(&p, 1);
    }
    return self->stop_ || self->run_->wrap()->abort_requested() ? 1 : 0;
  }

  Run* run_;
  Floats x_, y_, w_, outputs_;
  int64_t count_, batch_size_;
  bool shuffle_;
  int64_t epoch_;
  Napi::FunctionReference on_batch_;
  bool has_callback_ = false;
  std::atomic<bool> stop_{false};
  Napi::Reference<Napi::Value> callback_error_;
  const ExecutionProgress* progress_ = nullptr;
  nrt_metrics metrics_{};
};

}  // namespace

Napi::Promise start_train_batch(Napi::Env env, ModelWrap* wrap, Napi::Object self, Napi::Value x, Napi::Value y,
                                Napi::Value w, int64_t count) {
  Run* run = new Run(env, wrap, self);
  const Floats xs = run->keep(x), ys = run->keep(y), ws = run->keep_optional(w);
  auto loss = std::make_shared<double>(0.0);
  return queue(
      env, "neurite.trainBatch", run,
      [=](nrt_model* m) {
        return nrt_model_train_batch(m, xs.data, xs.length, ys.data, ys.length, ws.data, ws.length, count, loss.get());
      },
      [=](Napi::Env e) { return Napi::Number::New(e, *loss); });
}

Napi::Promise start_train_epoch(Napi::Env env, ModelWrap* wrap, Napi::Object self, Napi::Value x, Napi::Value y,
                                Napi::Value w, int64_t count, int64_t batch_size, bool shuffle, int64_t epoch,
                                Napi::Value on_batch, Napi::Value outputs) {
  Run* run = new Run(env, wrap, self);
  const Floats xs = run->keep(x), ys = run->keep(y), ws = run->keep_optional(w), os = run->keep_optional(outputs);
  const Napi::Promise promise = run->promise();
  (new EpochWorker(env, run, xs, ys, ws, count, batch_size, shuffle, epoch, on_batch, os))->Queue();
  return promise;
}

Napi::Promise start_evaluate(Napi::Env env, ModelWrap* wrap, Napi::Object self, Napi::Value x, Napi::Value y,
                             Napi::Value w, int64_t count, int64_t batch_size) {
  Run* run = new Run(env, wrap, self);
  const Floats xs = run->keep(x), ys = run->keep(y), ws = run->keep_optional(w);
  auto metrics = std::make_shared<nrt_metrics>();
  return queue(
      env, "neurite.evaluate", run,
      [=](nrt_model* m) {
        return nrt_model_evaluate(m, xs.data, xs.length, ys.data, ys.length, ws.data, ws.length, count, batch_size,
                                  metrics.get());
      },
      [=](Napi::Env e) { return metrics_bytes(e, *metrics); });
}

Napi::Promise start_predict(Napi::Env env, ModelWrap* wrap, Napi::Object self, Napi::Value x, int64_t count,
                            Napi::Value out) {
  Run* run = new Run(env, wrap, self);
  const Floats xs = run->keep(x), os = run->keep(out);
  return queue(
      env, "neurite.predict", run,
      [=](nrt_model* m) { return nrt_model_predict(m, xs.data, xs.length, count, os.data, os.length); },
      [](Napi::Env e) { return e.Undefined(); });
}

}  // namespace nrt_node
