// The asynchronous side of NativeModel: each function takes the already-validated arguments on the JS thread,
// keeps the caller's arrays alive with references (their data is read in place, never copied), runs the core
// on a libuv worker thread and settles the returned Promise on the JS thread.
#pragma once

#include <napi.h>

#include <cstdint>

#include "neurite/neurite.h"

namespace nrt_node {

class ModelWrap;

Napi::Promise start_train_batch(Napi::Env env, ModelWrap* wrap, Napi::Object self, Napi::Value x_value,
                                const float* x, Napi::Value y_value, const float* y, int64_t count);

// on_batch may be empty. Progress is reported at most every few milliseconds, and always for the last batch.
Napi::Promise start_train_epoch(Napi::Env env, ModelWrap* wrap, Napi::Object self, Napi::Value x_value,
                                const float* x, Napi::Value y_value, const float* y, int64_t count,
                                int64_t batch_size, bool shuffle, int64_t epoch, Napi::Value on_batch);

Napi::Promise start_evaluate(Napi::Env env, ModelWrap* wrap, Napi::Object self, Napi::Value x_value, const float* x,
                             Napi::Value y_value, const float* y, int64_t count, int64_t batch_size);

// out is a fresh Float32Array of count·outputs floats, created on the JS thread.
Napi::Promise start_predict(Napi::Env env, ModelWrap* wrap, Napi::Object self, Napi::Value x_value, const float* x,
                            int64_t count, Napi::Float32Array out);

// {loss, accuracy?} as the backend interface returns it.
Napi::Object metrics_object(Napi::Env env, const nrt_metrics& m);

}  // namespace nrt_node
