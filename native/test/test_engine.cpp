// The engine through the C ABI: gradients against finite differences for every activation and loss, dropout
// masks, epochs against hand-driven batches, optimizer state round trips, thread-count invariance, predict
// against a double-precision reference, and the error paths.
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "core/rng.h"
#include "harness.h"
#include "neurite/neurite.h"
#include "reference.h"

namespace {

// Length of a test vector in floats, as the ABI takes it.
template <typename V>
int64_t len(const V& v) {
  return static_cast<int64_t>(v.size());
}

// A loss descriptor for nrt_model_compile, alive until the end of the full expression that calls it.
struct LossArg {
  nrt_loss_desc d;
  operator const nrt_loss_desc*() const { return &d; }
};
LossArg loss_arg(int32_t kind, double delta = 1.0) {
  LossArg a{};
  a.d.kind = kind;
  a.d.delta = delta;
  return a;
}

nrt_layer_desc dense(int units, nrt_activation act, bool bias = true, double l2 = 0.0, double alpha = 0.3) {
  nrt_layer_desc d{};
  d.kind = NRT_LAYER_DENSE;
  d.units = units;
  d.activation = act;
  d.use_bias = bias ? 1 : 0;
  d.alpha = alpha;
  d.l2 = l2;
  return d;
}

nrt_layer_desc dropout(int units, double rate) {
  nrt_layer_desc d{};
  d.kind = NRT_LAYER_DROPOUT;
  d.units = units;
  d.rate = rate;
  d.threshold = static_cast<uint32_t>(std::lround(rate * 16777216.0));
  return d;
}

nrt_optimizer_desc sgd(double lr, double momentum = 0.0, bool nesterov = false) {
  nrt_optimizer_desc o{};
  o.kind = NRT_OPTIMIZER_SGD;
  o.learning_rate = lr;
  o.momentum = momentum;
  o.nesterov = nesterov;
  return o;
}

nrt_optimizer_desc adam(double lr, int kind = NRT_OPTIMIZER_ADAM) {
  nrt_optimizer_desc o{};
  o.kind = kind;
  o.learning_rate = lr;
  o.beta1 = 0.9;
  o.beta2 = 0.999;
  o.epsilon = 1e-7;
  o.weight_decay = 0.01;
  o.rho = 0.9;
  o.momentum = 0.5;
  return o;
}

struct Net {
  nrt_model* m = nullptr;
  Net(int input, const std::vector<nrt_layer_desc>& layers, uint32_t seed = 7) {
    const nrt_status s = nrt_model_create(input, layers.data(), static_cast<int32_t>(layers.size()), seed, &m);
    CHECK_MSG(s == NRT_OK, "create failed: %s", nrt_last_error());
  }
  ~Net() { nrt_model_destroy(m); }
  Net(const Net&) = delete;
  Net& operator=(const Net&) = delete;

  void randomize(uint32_t seed, float scale = 0.5f) {
    for (int i = 0; i < nrt_model_parameter_count(m); i++) {
      std::vector<float> v = ref::random_floats(static_cast<size_t>(nrt_model_parameter_size(m, i)), seed + i,
                                                -scale, scale);
      CHECK(nrt_model_set_parameter(m, i, v.data(), static_cast<int64_t>(v.size())) == NRT_OK);
    }
  }
  std::vector<float> param(int i) const {
    std::vector<float> v(static_cast<size_t>(nrt_model_parameter_size(m, i)));
    CHECK(nrt_model_get_parameter(m, i, v.data(), static_cast<int64_t>(v.size())) == NRT_OK);
    return v;
  }
  void set_param(int i, const std::vector<float>& v) {
    CHECK(nrt_model_set_parameter(m, i, v.data(), static_cast<int64_t>(v.size())) == NRT_OK);
  }
  double loss(const std::vector<float>& x, const std::vector<float>& y, int64_t count) {
    nrt_metrics r{};
    CHECK(nrt_model_evaluate(m, x.data(), len(x), y.data(), len(y), nullptr, 0, count, count, &r) == NRT_OK);
    return r.loss;
  }
};

std::vector<float> one_hot_targets(int64_t rows, int n, uint32_t seed) {
  std::vector<float> y(static_cast<size_t>(rows * n), 0.0f);
  for (int64_t i = 0; i < rows; i++) y[i * n + (nrt::hash32(seed ^ static_cast<uint32_t>(i)) % n)] = 1.0f;
  return y;
}

std::vector<float> labels_of(const std::vector<float>& one_hot, int64_t rows, int n) {
  std::vector<float> labels(static_cast<size_t>(rows));
  for (int64_t i = 0; i < rows; i++)
    for (int j = 0; j < n; j++)
      if (one_hot[i * n + j] == 1.0f) labels[i] = static_cast<float>(j);
  return labels;
}

bool same_params(const Net& a, const Net& b) {
  for (int i = 0; i < nrt_model_parameter_count(a.m); i++)
    if (a.param(i) != b.param(i)) return false;
  return true;
}

}  // namespace

// The gradient the engine applies (SGD, lr 1: Δw = −g) against central differences of the evaluated loss.
TEST(engine_gradients_match_finite_differences) {
  struct Case {
    nrt_activation hidden, output;
    int loss;
    double l2;
  };
  const Case cases[] = {
      {NRT_ACTIVATION_TANH, NRT_ACTIVATION_SOFTMAX, NRT_LOSS_CATEGORICAL_CROSSENTROPY, 0.0},
      {NRT_ACTIVATION_SIGMOID, NRT_ACTIVATION_SOFTMAX, NRT_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, 0.01},
      {NRT_ACTIVATION_RELU, NRT_ACTIVATION_SIGMOID, NRT_LOSS_BINARY_CROSSENTROPY, 0.0},
      {NRT_ACTIVATION_LEAKY_RELU, NRT_ACTIVATION_LINEAR, NRT_LOSS_MEAN_SQUARED_ERROR, 0.05},
      {NRT_ACTIVATION_LINEAR, NRT_ACTIVATION_TANH, NRT_LOSS_MEAN_SQUARED_ERROR, 0.0},
      {NRT_ACTIVATION_TANH, NRT_ACTIVATION_SOFTMAX, NRT_LOSS_MEAN_SQUARED_ERROR, 0.0},
      {NRT_ACTIVATION_TANH, NRT_ACTIVATION_SIGMOID, NRT_LOSS_MEAN_SQUARED_ERROR, 0.0},
  };
  for (const Case& c : cases)
    for (double alpha : {0.3, 0.0, 1.0}) {
      const int in = 5, hidden = 6, out = 3;
      const int64_t rows = 9;
      Net net(in, {dense(hidden, c.hidden, true, c.l2, alpha), dense(out, c.output, true, c.l2)});
      net.randomize(3);
      std::vector<float> x = ref::random_floats(static_cast<size_t>(rows * in), 4, -2, 2);
      std::vector<float> y;
      if (c.loss == NRT_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY) {
        for (int64_t i = 0; i < rows; i++) y.push_back(static_cast<float>(i % out));
      } else if (c.loss == NRT_LOSS_CATEGORICAL_CROSSENTROPY) {
        y.assign(static_cast<size_t>(rows * out), 0.0f);
        for (int64_t i = 0; i < rows; i++) y[i * out + (i * 2) % out] = 1.0f;
      } else {
        y = ref::random_floats(static_cast<size_t>(rows * out), 5, 0, 1);
      }
      const nrt_optimizer_desc o = sgd(1.0);
      CHECK(nrt_model_compile(net.m, &o, loss_arg(c.loss)) == NRT_OK);
      std::vector<std::vector<float>> before;
      for (int i = 0; i < 4; i++) before.push_back(net.param(i));
      const double loss0 = net.loss(x, y, rows);
      double reported = 0;
      CHECK(nrt_model_train_batch(net.m, x.data(), len(x), y.data(), len(y), nullptr, 0, rows, &reported) == NRT_OK);
      CHECK_CLOSE(reported, loss0, 1e-6);  // trainBatch reports the loss before the update
      std::vector<std::vector<float>> grads;
      for (int i = 0; i < 4; i++) {
        std::vector<float> after = net.param(i);
        std::vector<float> g(after.size());
        for (size_t e = 0; e < g.size(); e++) g[e] = before[i][e] - after[e];
        grads.push_back(g);
        net.set_param(i, before[i]);
      }
      for (int i = 0; i < 4; i++)
        for (size_t e = 0; e < before[i].size(); e += 2) {
          // Piecewise-linear activations need a step small enough not to cross a kink.
          const bool kinked = c.hidden == NRT_ACTIVATION_RELU || c.hidden == NRT_ACTIVATION_LEAKY_RELU;
          const float h = kinked ? 1e-3f : 1e-2f;
          std::vector<float> w = before[i];
          w[e] = before[i][e] + h;
          net.set_param(i, w);
          const double up = net.loss(x, y, rows);
          w[e] = before[i][e] - h;
          net.set_param(i, w);
          const double down = net.loss(x, y, rows);
          net.set_param(i, before[i]);
          const double numeric = (up - down) / (2.0 * h);
          CHECK_MSG(std::fabs(numeric - grads[i][e]) <= 2e-3 * std::fmax(1.0, std::fabs(numeric)),
                    "hidden %d output %d loss %d alpha %g: dL/dparam%d[%zu] = %.6g, numeric %.6g", c.hidden,
                    c.output, c.loss, alpha, i, e, grads[i][e], numeric);
        }
    }
}

// Dropout (layer index 0, step 0 then 1) in front of an identity dense layer: the reported MSE equals the one
// computed with the masks of core/rng.h, and a new step draws a new mask.
TEST(engine_dropout_uses_layer_index_and_step) {
  const int n = 16;
  const int64_t rows = 8;
  Net net(n, {dropout(n, 0.5), dense(n, NRT_ACTIVATION_LINEAR, false)}, 1234);
  std::vector<float> eye(static_cast<size_t>(n * n), 0.0f);
  for (int i = 0; i < n; i++) eye[i * n + i] = 1.0f;
  net.set_param(0, eye);
  const nrt_optimizer_desc o = sgd(0.0);
  CHECK(nrt_model_compile(net.m, &o, loss_arg(NRT_LOSS_MEAN_SQUARED_ERROR)) == NRT_OK);
  std::vector<float> x = ref::random_floats(static_cast<size_t>(rows * n), 8, 0.5f, 1.5f);
  std::vector<float> y(x.size(), 0.0f);
  for (uint32_t step = 0; step < 2; step++) {
    double loss = 0;
    CHECK(nrt_model_train_batch(net.m, x.data(), len(x), y.data(), len(y), nullptr, 0, rows, &loss) == NRT_OK);
    const uint32_t key = nrt::dropout_key(1234, 0, step);
    double want = 0;
    for (int64_t e = 0; e < rows * n; e++) {
      const bool keep = (nrt::rng_u32(key, static_cast<uint32_t>(e)) >> 8) >= 8388608u;
      const double v = keep ? static_cast<double>(x[e] * 2.0f) : 0.0;
      want += v * v;
    }
    CHECK_CLOSE(loss, want / static_cast<double>(rows * n), 1e-6);
  }
  // Identity at inference.
  std::vector<float> out(x.size());
  CHECK(nrt_model_predict(net.m, x.data(), len(x), rows, out.data(), len(out)) == NRT_OK);
  CHECK(out == x);
}

// A shuffled epoch is exactly the batches of permutation(count, rngKey(seed, 2, epoch)) trained in order.
TEST(engine_epoch_equals_hand_driven_batches) {
  const int in = 6, out = 4;
  const int64_t count = 23, batch = 5;
  std::vector<float> x = ref::random_floats(static_cast<size_t>(count * in), 9);
  std::vector<float> y = one_hot_targets(count, out, 3);
  for (int shuffle = 0; shuffle < 2; shuffle++) {
    const std::vector<nrt_layer_desc> layers = {dense(7, NRT_ACTIVATION_RELU), dropout(7, 0.25),
                                                dense(out, NRT_ACTIVATION_SOFTMAX)};
    Net a(in, layers, 99), b(in, layers, 99);
    a.randomize(1);
    b.randomize(1);
    const nrt_optimizer_desc o = adam(0.01);
    CHECK(nrt_model_compile(a.m, &o, loss_arg(NRT_LOSS_CATEGORICAL_CROSSENTROPY)) == NRT_OK);
    CHECK(nrt_model_compile(b.m, &o, loss_arg(NRT_LOSS_CATEGORICAL_CROSSENTROPY)) == NRT_OK);
    nrt_metrics r{};
    CHECK(nrt_model_train_epoch(a.m, x.data(), len(x), y.data(), len(y), nullptr, 0, count, batch, shuffle, 3, nullptr, nullptr, nullptr, &r, nullptr, 0) ==
          NRT_OK);
    std::vector<uint32_t> order(count);
    for (uint32_t i = 0; i < count; i++) order[i] = i;
    if (shuffle) nrt_permutation(count, nrt_rng_key(99, 2, 3), order.data());
    double weighted = 0, correct = 0, total = 0;
    for (int64_t start = 0; start < count; start += batch) {
      const int64_t rows = std::min(batch, count - start);
      double loss = 0, c = 0, t = 0;
      CHECK(nrt_model_train_rows(b.m, x.data(), len(x), y.data(), len(y), nullptr, 0, count, order.data() + start, rows, &loss, &c, &t, nullptr, 0) ==
            NRT_OK);
      weighted += loss * rows;
      correct += c;
      total += t;
    }
    CHECK(same_params(a, b));
    CHECK_CLOSE(r.loss, weighted / count, 1e-12);
    CHECK(r.has_accuracy == 1);
    CHECK_CLOSE(r.accuracy, correct / total, 1e-12);
    int64_t step = 0;
    CHECK(nrt_model_get_step(a.m, &step) == NRT_OK);
    CHECK_EQ(step, 5);
  }
}

// Sparse labels train exactly like their one-hot rows.
TEST(engine_sparse_equals_one_hot) {
  const int in = 4, out = 5;
  const int64_t count = 17;
  std::vector<float> x = ref::random_floats(static_cast<size_t>(count * in), 12);
  std::vector<float> y = one_hot_targets(count, out, 13);
  std::vector<float> labels = labels_of(y, count, out);
  const std::vector<nrt_layer_desc> layers = {dense(8, NRT_ACTIVATION_TANH), dense(out, NRT_ACTIVATION_SOFTMAX)};
  Net a(in, layers), b(in, layers);
  a.randomize(2);
  b.randomize(2);
  const nrt_optimizer_desc o = sgd(0.1, 0.9, true);
  CHECK(nrt_model_compile(a.m, &o, loss_arg(NRT_LOSS_CATEGORICAL_CROSSENTROPY)) == NRT_OK);
  CHECK(nrt_model_compile(b.m, &o, loss_arg(NRT_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY)) == NRT_OK);
  nrt_metrics ra{}, rb{};
  CHECK(nrt_model_train_epoch(a.m, x.data(), len(x), y.data(), len(y), nullptr, 0, count, 4, 1, 0, nullptr, nullptr, nullptr, &ra, nullptr, 0) == NRT_OK);
  CHECK(nrt_model_train_epoch(b.m, x.data(), len(x), labels.data(), len(labels), nullptr, 0, count, 4, 1, 0, nullptr, nullptr, nullptr, &rb, nullptr, 0) ==
        NRT_OK);
  CHECK(same_params(a, b));
  CHECK_EQ(ra.loss, rb.loss);
  CHECK_EQ(ra.accuracy, rb.accuracy);
}

// Saving and restoring optimizer state (slots + step) continues training exactly.
TEST(engine_optimizer_state_round_trip) {
  const int kinds[] = {NRT_OPTIMIZER_SGD, NRT_OPTIMIZER_ADAM, NRT_OPTIMIZER_ADAMW, NRT_OPTIMIZER_RMSPROP};
  const int expected_slots[] = {4, 8, 8, 8};  // 4 parameters; sgd momentum 0.9 → 1 slot; rmsprop momentum → 2
  for (int k = 0; k < 4; k++) {
    const std::vector<nrt_layer_desc> layers = {dense(5, NRT_ACTIVATION_SIGMOID, true, 0.01),
                                                dense(2, NRT_ACTIVATION_SIGMOID)};
    Net a(3, layers), b(3, layers);
    a.randomize(4);
    nrt_optimizer_desc o = kinds[k] == NRT_OPTIMIZER_SGD ? sgd(0.1, 0.9) : adam(0.01, kinds[k]);
    CHECK(nrt_model_compile(a.m, &o, loss_arg(NRT_LOSS_BINARY_CROSSENTROPY)) == NRT_OK);
    CHECK(nrt_model_compile(b.m, &o, loss_arg(NRT_LOSS_BINARY_CROSSENTROPY)) == NRT_OK);
    CHECK_EQ(nrt_model_optimizer_slot_count(a.m), expected_slots[k]);
    std::vector<float> x = ref::random_floats(30, 5), y = ref::random_floats(20, 6, 0, 1);
    for (int s = 0; s < 3; s++) CHECK(nrt_model_train_batch(a.m, x.data(), len(x), y.data(), len(y), nullptr, 0, 10, nullptr) == NRT_OK);
    for (int i = 0; i < 4; i++) b.set_param(i, a.param(i));
    for (int s = 0; s < nrt_model_optimizer_slot_count(a.m); s++) {
      std::vector<float> v(static_cast<size_t>(nrt_model_optimizer_slot_size(a.m, s)));
      CHECK(nrt_model_get_optimizer_slot(a.m, s, v.data(), static_cast<int64_t>(v.size())) == NRT_OK);
      CHECK(nrt_model_set_optimizer_slot(b.m, s, v.data(), static_cast<int64_t>(v.size())) == NRT_OK);
    }
    int64_t step = 0;
    CHECK(nrt_model_get_step(a.m, &step) == NRT_OK);
    CHECK_EQ(step, 3);
    CHECK(nrt_model_set_step(b.m, step) == NRT_OK);
    CHECK(nrt_model_train_batch(a.m, x.data(), len(x), y.data(), len(y), nullptr, 0, 10, nullptr) == NRT_OK);
    CHECK(nrt_model_train_batch(b.m, x.data(), len(x), y.data(), len(y), nullptr, 0, 10, nullptr) == NRT_OK);
    CHECK(same_params(a, b));
    // compile resets state and step
    CHECK(nrt_model_compile(a.m, &o, loss_arg(NRT_LOSS_BINARY_CROSSENTROPY)) == NRT_OK);
    CHECK(nrt_model_get_step(a.m, &step) == NRT_OK);
    CHECK_EQ(step, 0);
  }
}

// The GEMM splits rows or columns across threads, never the depth: results are bitwise identical.
TEST(engine_thread_count_does_not_change_results) {
  const int in = 300;
  const int64_t count = 260;
  std::vector<float> x = ref::random_floats(static_cast<size_t>(count * in), 14);
  std::vector<float> y = one_hot_targets(count, 10, 15);
  const std::vector<nrt_layer_desc> layers = {dense(256, NRT_ACTIVATION_RELU), dense(128, NRT_ACTIVATION_TANH),
                                              dense(10, NRT_ACTIVATION_SOFTMAX)};
  Net a(in, layers), b(in, layers);
  a.randomize(5, 0.1f);
  b.randomize(5, 0.1f);
  CHECK(nrt_model_set_threads(a.m, 1) == NRT_OK);
  CHECK(nrt_model_set_threads(b.m, 2) == NRT_OK);
  const nrt_optimizer_desc o = adam(0.001);
  CHECK(nrt_model_compile(a.m, &o, loss_arg(NRT_LOSS_CATEGORICAL_CROSSENTROPY)) == NRT_OK);
  CHECK(nrt_model_compile(b.m, &o, loss_arg(NRT_LOSS_CATEGORICAL_CROSSENTROPY)) == NRT_OK);
  nrt_metrics ra{}, rb{};
  CHECK(nrt_model_train_epoch(a.m, x.data(), len(x), y.data(), len(y), nullptr, 0, count, 64, 1, 0, nullptr, nullptr, nullptr, &ra, nullptr, 0) == NRT_OK);
  CHECK(nrt_model_train_epoch(b.m, x.data(), len(x), y.data(), len(y), nullptr, 0, count, 64, 1, 0, nullptr, nullptr, nullptr, &rb, nullptr, 0) == NRT_OK);
  CHECK(same_params(a, b));
  CHECK_EQ(ra.loss, rb.loss);
}

// predict against a double-precision forward pass, including single rows (the unpacked small-batch GEMM).
// Prediction packs each kernel once for the GEMM and keeps it until a weight changes: after set_parameter and
// after a training step it must predict from the new weights, never from the packed copy of the old ones.
TEST(engine_predict_matches_reference_forward) {
  const int in = 13;
  const std::vector<nrt_layer_desc> layers = {dense(17, NRT_ACTIVATION_LEAKY_RELU, true, 0, 0.2),
                                              dropout(17, 0.5), dense(7, NRT_ACTIVATION_SIGMOID, false),
                                              dense(5, NRT_ACTIVATION_SOFTMAX)};
  Net net(in, layers);
  net.randomize(6);
  auto check_predict = [&](int64_t count) {
    std::vector<float> x = ref::random_floats(static_cast<size_t>(count * in), 16);
    std::vector<float> out(static_cast<size_t>(count * 5));
    CHECK(nrt_model_predict(net.m, x.data(), len(x), count, out.data(), len(out)) == NRT_OK);
    const std::vector<float> w0 = net.param(0), b0 = net.param(1), w1 = net.param(2), w2 = net.param(3),
                             b2 = net.param(4);
    for (int64_t r = 0; r < count; r++) {
      std::vector<double> h1(17), h2(7), z(5);
      for (int j = 0; j < 17; j++) {
        double s = b0[j];
        for (int q = 0; q < in; q++) s += static_cast<double>(x[r * in + q]) * w0[q * 17 + j];
        h1[j] = s > 0 ? s : 0.2 * s;
      }
      for (int j = 0; j < 7; j++) {
        double s = 0;
        for (int q = 0; q < 17; q++) s += h1[q] * w1[q * 7 + j];
        h2[j] = 1 / (1 + std::exp(-s));
      }
      double mx = -1e300, sum = 0;
      for (int j = 0; j < 5; j++) {
        double s = b2[j];
        for (int q = 0; q < 7; q++) s += h2[q] * w2[q * 5 + j];
        z[j] = s;
        mx = std::fmax(mx, s);
      }
      for (int j = 0; j < 5; j++) sum += std::exp(z[j] - mx);
      for (int j = 0; j < 5; j++) CHECK_CLOSE(out[r * 5 + j], std::exp(z[j] - mx) / sum, 1e-5);
    }
  };
  for (int64_t count : {1, 2, 3, 5, 255, 1100}) check_predict(count);
  net.randomize(60);  // new weights through set_parameter
  for (int64_t count : {5, 255}) check_predict(count);
  std::vector<float> w2 = net.param(3);
  w2[7] += 3.0f;  // one weight of one kernel
  net.set_param(3, w2);
  check_predict(255);
  const nrt_optimizer_desc o = sgd(0.5);
  nrt_loss_desc loss{};
  loss.kind = NRT_LOSS_CATEGORICAL_CROSSENTROPY;
  CHECK(nrt_model_compile(net.m, &o, &loss) == NRT_OK);
  const std::vector<float> x = ref::random_floats(static_cast<size_t>(32 * in), 17);
  const std::vector<float> y = one_hot_targets(32, 5, 18);
  double batch_loss = 0;
  CHECK(nrt_model_train_batch(net.m, x.data(), len(x), y.data(), len(y), nullptr, 0, 32, &batch_loss) == NRT_OK);
  check_predict(255);  // after the optimizer changed every kernel
}

// predict is the one call that checks its data: x with NaN or ±Infinity anywhere gives NRT_ERR_NON_FINITE, whether
// the first dense GEMM checks x while packing it (dense first, or after dropouts), the few-row GEMM reads it
// (1..4 rows), or another first layer makes the engine scan x on its own; and a finite x still predicts.
TEST(engine_predict_rejects_non_finite_x) {
  const int in = 13;
  nrt_layer_desc norm{};
  norm.kind = NRT_LAYER_BATCH_NORMALIZATION;
  norm.units = in;
  norm.epsilon = 1e-3;
  norm.momentum = 0.99;
  nrt_layer_desc act{};
  act.kind = NRT_LAYER_ACTIVATION;
  act.units = in;
  act.activation = NRT_ACTIVATION_RELU;  // relu(NaN) may come out finite: the scan must not rely on the output
  const std::vector<std::vector<nrt_layer_desc>> models = {
      {dense(17, NRT_ACTIVATION_RELU), dense(5, NRT_ACTIVATION_SOFTMAX)},
      {dropout(in, 0.5), dense(5, NRT_ACTIVATION_RELU)},
      {norm, dense(5, NRT_ACTIVATION_LINEAR)},
      {act, dense(3, NRT_ACTIVATION_RELU)}};
  const float inf = std::numeric_limits<float>::infinity();
  for (size_t mi = 0; mi < models.size(); mi++) {
    const int outputs = models[mi].back().units;
    for (int threads : {1, 2}) {
      Net net(in, models[mi]);
      net.randomize(3);
      nrt_model_set_threads(net.m, threads);
      for (int64_t count : {1, 4, 7, 255, 2100}) {  // 2100: three chunks of at least 1024 rows
        std::vector<float> x = ref::random_floats(static_cast<size_t>(count * in), 21);
        std::vector<float> out(static_cast<size_t>(count * outputs));
        CHECK(nrt_model_predict(net.m, x.data(), len(x), count, out.data(), len(out)) == NRT_OK);
        for (int64_t at : {int64_t{0}, count * in / 2 + 3 % in, count * in - 1}) {
          for (float bad : {std::numeric_limits<float>::quiet_NaN(), inf, -inf}) {
            std::vector<float> y = x;
            y[static_cast<size_t>(at)] = bad;
            const nrt_status s = nrt_model_predict(net.m, y.data(), len(y), count, out.data(), len(out));
            CHECK_MSG(s == NRT_ERR_NON_FINITE, "model %zu, %d threads, %lld rows, %g at %lld: status %d", mi,
                      threads, static_cast<long long>(count), static_cast<double>(bad), static_cast<long long>(at),
                      s);
            if (s != NRT_ERR_NON_FINITE) return;
          }
        }
      }
    }
  }
}

TEST(engine_abort_flag_and_progress_callback_stop_an_epoch) {
  const std::vector<nrt_layer_desc> layers = {dense(3, NRT_ACTIVATION_RELU), dense(2, NRT_ACTIVATION_LINEAR)};
  Net net(4, layers);
  net.randomize(1);
  const nrt_optimizer_desc o = sgd(0.01);
  CHECK(nrt_model_compile(net.m, &o, loss_arg(NRT_LOSS_MEAN_SQUARED_ERROR)) == NRT_OK);
  std::vector<float> x = ref::random_floats(40, 1), y = ref::random_floats(20, 2);
  volatile int32_t abort_flag = 1;
  nrt_metrics r{};
  CHECK(nrt_model_train_epoch(net.m, x.data(), len(x), y.data(), len(y), nullptr, 0, 10, 2, 1, 0, nullptr, nullptr, &abort_flag, &r, nullptr, 0) ==
        NRT_ERR_ABORTED);
  int64_t step = -1;
  CHECK(nrt_model_get_step(net.m, &step) == NRT_OK);
  CHECK_EQ(step, 0);
  struct Seen {
    std::vector<int64_t> batches;
    int64_t total = 0;
  } seen;
  auto stop_after_two = [](void* user, int64_t batch, int64_t batches, double loss) -> int32_t {
    auto* s = static_cast<Seen*>(user);
    s->batches.push_back(batch);
    s->total = batches;
    return std::isfinite(loss) && batch == 1 ? 1 : 0;
  };
  abort_flag = 0;
  CHECK(nrt_model_train_epoch(net.m, x.data(), len(x), y.data(), len(y), nullptr, 0, 10, 3, 1, 0, stop_after_two, &seen, &abort_flag, &r, nullptr, 0) ==
        NRT_ERR_ABORTED);
  CHECK(std::string(nrt_last_error()).find("progress callback") != std::string::npos);
  CHECK(seen.batches == std::vector<int64_t>({0, 1}));
  CHECK_EQ(seen.total, 4);
  CHECK(nrt_model_get_step(net.m, &step) == NRT_OK);
  CHECK_EQ(step, 2);
}

TEST(engine_rejects_bad_input_with_named_errors) {
  auto error_has = [](nrt_status s, nrt_status want, const char* text) {
    const std::string msg = nrt_last_error();
    CHECK_MSG(s == want && msg.find(text) != std::string::npos, "status %d (want %d), message '%s' lacks '%s'",
              s, want, msg.c_str(), text);
  };
  nrt_model* m = nullptr;
  nrt_layer_desc bad = dense(0, NRT_ACTIVATION_RELU);
  error_has(nrt_model_create(4, &bad, 1, 0, &m), NRT_ERR_INVALID_ARGUMENT, "layers[0].units");
  CHECK(m == nullptr);
  bad = dense(3, static_cast<nrt_activation>(99));
  error_has(nrt_model_create(4, &bad, 1, 0, &m), NRT_ERR_INVALID_ARGUMENT, "activation");
  nrt_layer_desc drop = dropout(5, 0.5);
  error_has(nrt_model_create(4, &drop, 1, 0, &m), NRT_ERR_INVALID_ARGUMENT, "dropout");
  // the new layer kinds: their width must be their input's, an activation layer's code must exist
  nrt_layer_desc norm{};
  norm.kind = NRT_LAYER_BATCH_NORMALIZATION;
  norm.units = 5;
  norm.epsilon = 1e-3;
  error_has(nrt_model_create(4, &norm, 1, 0, &m), NRT_ERR_INVALID_ARGUMENT, "batchNormalization");
  norm.kind = NRT_LAYER_LAYER_NORMALIZATION;
  error_has(nrt_model_create(4, &norm, 1, 0, &m), NRT_ERR_INVALID_ARGUMENT, "layerNormalization");
  norm.kind = NRT_LAYER_ACTIVATION;
  norm.units = 4;
  norm.activation = 42;
  error_has(nrt_model_create(4, &norm, 1, 0, &m), NRT_ERR_INVALID_ARGUMENT, "layers[0].activation");
  norm.kind = 99;
  error_has(nrt_model_create(4, &norm, 1, 0, &m), NRT_ERR_INVALID_ARGUMENT, "layers[0].kind");
  CHECK(m == nullptr);
  error_has(nrt_model_create(0, nullptr, 0, 0, &m), NRT_ERR_INVALID_ARGUMENT, "input_size");
  error_has(nrt_model_train_batch(nullptr, nullptr, 0, nullptr, 0, nullptr, 0, 1, nullptr), NRT_ERR_INVALID_ARGUMENT, "model");

  Net net(3, {dense(4, NRT_ACTIVATION_RELU), dense(3, NRT_ACTIVATION_SOFTMAX)});
  std::vector<float> x = {1, 2, 3, 4, 5, 6}, y = {0, 2};
  error_has(nrt_model_train_batch(net.m, x.data(), len(x), y.data(), len(y), nullptr, 0, 2, nullptr), NRT_ERR_STATE, "compile");
  nrt_optimizer_desc o = sgd(0.1);
  o.kind = 7;
  error_has(nrt_model_compile(net.m, &o, loss_arg(NRT_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY)), NRT_ERR_INVALID_ARGUMENT,
            "optimizer.kind");
  o = sgd(0.1);
  error_has(nrt_model_compile(net.m, &o, loss_arg(9)), NRT_ERR_INVALID_ARGUMENT, "loss");
  CHECK(nrt_model_compile(net.m, &o, loss_arg(NRT_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY)) == NRT_OK);
  CHECK(nrt_model_train_batch(net.m, x.data(), len(x), y.data(), len(y), nullptr, 0, 2, nullptr) == NRT_OK);
  // Lengths are checked against what `count` rows need, in both directions.
  error_has(nrt_model_train_batch(net.m, x.data(), 5, y.data(), len(y), nullptr, 0, 2, nullptr), NRT_ERR_INVALID_ARGUMENT,
            "x has 5 values");
  error_has(nrt_model_train_batch(net.m, x.data(), len(x), y.data(), len(y), nullptr, 0, 1, nullptr), NRT_ERR_INVALID_ARGUMENT,
            "x has 6 values");
  error_has(nrt_model_train_batch(net.m, x.data(), len(x), y.data(), 1, nullptr, 0, 2, nullptr), NRT_ERR_INVALID_ARGUMENT,
            "y has 1 values");
  std::vector<float> out(6);
  error_has(nrt_model_predict(net.m, x.data(), len(x), 2, out.data(), 5), NRT_ERR_INVALID_ARGUMENT, "out has room");
  // Sample weights and the epoch's output buffer are held to the rows too.
  std::vector<float> sw = {1, 2, 3};
  error_has(nrt_model_train_batch(net.m, x.data(), len(x), y.data(), len(y), sw.data(), 3, 2, nullptr),
            NRT_ERR_INVALID_ARGUMENT, "sample weights have 3 values");
  nrt_metrics r{};
  error_has(nrt_model_evaluate(net.m, x.data(), len(x), y.data(), len(y), sw.data(), 1, 2, 2, &r),
            NRT_ERR_INVALID_ARGUMENT, "sample weights have 1 values");
  error_has(nrt_model_train_epoch(net.m, x.data(), len(x), y.data(), len(y), sw.data(), 2, 2, 1, 1, 0, nullptr, nullptr,
                                  nullptr, &r, out.data(), 5),
            NRT_ERR_INVALID_ARGUMENT, "outputs have room for 5 values");
  const uint32_t one_row[] = {1};
  error_has(nrt_model_train_rows(net.m, x.data(), len(x), y.data(), len(y), sw.data(), 2, 2, one_row, 1, nullptr, nullptr,
                                 nullptr, out.data(), 3),
            NRT_ERR_INVALID_ARGUMENT, "outputs have room for 3 values");
  CHECK(nrt_model_train_epoch(net.m, x.data(), len(x), y.data(), len(y), sw.data(), 2, 2, 1, 1, 0, nullptr, nullptr,
                              nullptr, &r, out.data(), 6) == NRT_OK);
  y[1] = 3;
  error_has(nrt_model_train_batch(net.m, x.data(), len(x), y.data(), len(y), nullptr, 0, 2, nullptr), NRT_ERR_INVALID_ARGUMENT, "class index");
  y[1] = 1.5f;
  error_has(nrt_model_train_batch(net.m, x.data(), len(x), y.data(), len(y), nullptr, 0, 2, nullptr), NRT_ERR_INVALID_ARGUMENT, "class index");
  y[1] = 1;
  error_has(nrt_model_train_batch(net.m, x.data(), len(x), y.data(), len(y), nullptr, 0, -1, nullptr), NRT_ERR_INVALID_ARGUMENT, "count");
  error_has(nrt_model_train_epoch(net.m, x.data(), len(x), y.data(), len(y), nullptr, 0, 2, 0, 0, 0, nullptr, nullptr, nullptr, nullptr, nullptr, 0),
            NRT_ERR_INVALID_ARGUMENT, "batch_size");
  std::vector<float> w(12, 0.0f);
  error_has(nrt_model_set_parameter(net.m, 0, w.data(), 11), NRT_ERR_INVALID_ARGUMENT, "needs 12 values");
  error_has(nrt_model_set_parameter(net.m, 9, w.data(), 12), NRT_ERR_INVALID_ARGUMENT, "out of range");
  error_has(nrt_model_set_threads(net.m, -1), NRT_ERR_INVALID_ARGUMENT, "threads");
  uint32_t rows[] = {0, 7};
  error_has(nrt_model_train_rows(net.m, x.data(), len(x), y.data(), len(y), nullptr, 0, 2, rows, 2, nullptr, nullptr, nullptr, nullptr, 0),
            NRT_ERR_INVALID_ARGUMENT, "rows[1]");
  // train_rows reads the labels of its rows only, and checks exactly those, naming the data set's row.
  y[0] = 9;
  CHECK(nrt_model_train_rows(net.m, x.data(), len(x), y.data(), len(y), nullptr, 0, 2, one_row, 1, nullptr, nullptr,
                             nullptr, nullptr, 0) == NRT_OK);
  const uint32_t row_zero[] = {1, 0};
  error_has(nrt_model_train_rows(net.m, x.data(), len(x), y.data(), len(y), nullptr, 0, 2, row_zero, 2, nullptr, nullptr,
                                 nullptr, nullptr, 0),
            NRT_ERR_INVALID_ARGUMENT, "y[0] = 9 is not a class index");
  y[0] = 0;
  // Still usable after every rejected call.
  CHECK(nrt_model_train_batch(net.m, x.data(), len(x), y.data(), len(y), nullptr, 0, 2, nullptr) == NRT_OK);
}

TEST(engine_evaluate_reports_loss_with_l2_and_accuracy) {
  Net net(2, {dense(3, NRT_ACTIVATION_SOFTMAX, true, 0.5)});
  std::vector<float> w = {1, 0, 0, 0, 1, 0}, b = {0, 0, 0};
  net.set_param(0, w);
  net.set_param(1, b);
  const nrt_optimizer_desc o = sgd(0.1);
  CHECK(nrt_model_compile(net.m, &o, loss_arg(NRT_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY)) == NRT_OK);
  // rows: x = (2, 0) → logits (2, 0, 0), label 0 (correct); x = (0, 1) → (0, 1, 0), label 2 (wrong)
  std::vector<float> x = {2, 0, 0, 1}, y = {0, 2};
  nrt_metrics r{};
  CHECK(nrt_model_evaluate(net.m, x.data(), len(x), y.data(), len(y), nullptr, 0, 2, 1, &r) == NRT_OK);
  const double l0 = std::log(std::exp(2.0) + 2.0) - 2.0, l1 = std::log(std::exp(1.0) + 2.0) - 0.0;
  CHECK_CLOSE(r.loss, (l0 + l1) / 2 + 0.5 * 2.0, 1e-6);
  CHECK_EQ(r.accuracy, 0.5);
  CHECK_EQ(r.has_accuracy, 1);
}

#ifndef __EMSCRIPTEN__
// Calls from another thread during an epoch run between two batches (the epoch holds the model's lock per batch
// and gives way to a waiting caller), so they neither wait for the whole epoch nor see a step half applied.
TEST(engine_calls_from_another_thread_run_between_batches) {
  Net net(8, {dense(16, NRT_ACTIVATION_TANH), dense(3, NRT_ACTIVATION_SOFTMAX)});
  net.randomize(3);
  const nrt_optimizer_desc o = sgd(0.05);
  CHECK(nrt_model_compile(net.m, &o, loss_arg(NRT_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY)) == NRT_OK);
  const int64_t count = 400;
  std::vector<float> x = ref::random_floats(static_cast<size_t>(count * 8), 5, -1.0f, 1.0f), y(count);
  for (int64_t i = 0; i < count; i++) y[static_cast<size_t>(i)] = static_cast<float>(i % 3);
  struct Seen {
    std::atomic<int64_t> batch{-1};
  } seen;
  auto slow = [](void* user, int64_t batch, int64_t, double) -> int32_t {
    static_cast<Seen*>(user)->batch.store(batch);
    std::this_thread::sleep_for(std::chrono::microseconds(200));
    return 0;
  };
  nrt_metrics r{};
  nrt_status epoch_status = NRT_ERR_INTERNAL;
  std::thread trainer([&] {
    epoch_status = nrt_model_train_epoch(net.m, x.data(), len(x), y.data(), len(y), nullptr, 0, count, 1, 1, 0, slow, &seen,
                                         nullptr, &r, nullptr, 0);
  });
  int mid_epoch = 0;
  std::vector<float> out(3);
  while (seen.batch.load() < count - 1) {
    const int64_t before = seen.batch.load();
    CHECK(nrt_model_predict(net.m, x.data(), 8, 1, out.data(), len(out)) == NRT_OK);
    int64_t step = -1;
    CHECK(nrt_model_get_step(net.m, &step) == NRT_OK);
    if (before >= 0 && seen.batch.load() < count - 1) {
      mid_epoch++;
      CHECK_MSG(step >= before + 1 && step <= count, "step %lld after batch %lld", static_cast<long long>(step),
                static_cast<long long>(before));
    }
  }
  trainer.join();
  CHECK(epoch_status == NRT_OK);
  CHECK_MSG(mid_epoch > 10, "only %d calls ran while the epoch was under way", mid_epoch);
  int64_t step = 0;
  CHECK(nrt_model_get_step(net.m, &step) == NRT_OK);
  CHECK_EQ(step, count);
}
#endif

// The engine computes with subnormals flushed to zero (core/flush_denormals.h) and gives the caller its own
// floating-point environment back. A linear unit with w = 1e-20 on x = 1e-20 would give 1e-40, a subnormal:
// predict returns 0, while the same product on the caller's thread stays 1e-40 before and after the call.
TEST(engine_flushes_subnormals_and_restores_the_callers_setting) {
#if (defined(__SSE2__) || defined(__aarch64__)) && !defined(__EMSCRIPTEN__)
  Net net(1, {dense(1, NRT_ACTIVATION_LINEAR, false)});
  const float w = 1e-20f;
  CHECK(nrt_model_set_parameter(net.m, 0, &w, 1) == NRT_OK);
  volatile float x = 1e-20f;  // volatile: the products below happen at run time, in this thread's setting
  CHECK(x * w > 0.0f);        // IEEE here: 1e-40 is representable as a subnormal
  float out = -1.0f;
  const float in = x;
  CHECK(nrt_model_predict(net.m, &in, 1, 1, &out, 1) == NRT_OK);
  CHECK_EQ(out, 0.0f);
  CHECK(x * w > 0.0f);  // restored after the call
  // the same through an epoch, whose progress callback runs in the caller's setting
  const nrt_optimizer_desc o = sgd(0.1);
  CHECK(nrt_model_compile(net.m, &o, loss_arg(NRT_LOSS_MEAN_SQUARED_ERROR)) == NRT_OK);
  const float y = 0.0f;
  struct Seen {
    volatile float x;
    bool subnormal_in_callback = false;
  } seen{1e-20f};
  auto progress = [](void* user, int64_t, int64_t, double) -> int32_t {
    auto* s = static_cast<Seen*>(user);
    s->subnormal_in_callback = s->x * 1e-20f > 0.0f;
    return 0;
  };
  nrt_metrics r{};
  CHECK(nrt_model_train_epoch(net.m, &in, 1, &y, 1, nullptr, 0, 1, 1, 0, 0, progress, &seen, nullptr, &r, nullptr, 0) ==
        NRT_OK);
  CHECK(seen.subnormal_in_callback);
  CHECK(x * w > 0.0f);
#endif
}
