// The reference workloads measured on the core directly (no Node), per step, reporting the fastest and the
// median step: on a shared machine the fastest step is what the code does, the median what it got.
//   W1  784-256-128-10 relu, softmax CE (sparse), SGD lr 0.1, batch 128     1 and 2 threads
//   W2  784-1024-1024-10, same, batch 256                                   1 and 2 threads
//   W3  W1 forward: batch 1 latency, batch 1024 throughput                  1 and 2 threads
//   acts  W1 with each hidden activation against relu, alternated            1 thread
//   profile  where a W1 step of a shuffled epoch spends its time, as markdown  1 and 2 threads, alternated
//            (needs a build with -DNEURITE_PROFILE=ON; bench/native/profile.sh writes PROFILE.md from it)
//   profile-w2  the same for a W2 step: GEMMs 8 to 40 times W1's, and serial parts between them (the bias
//            gradients' column sums, 85-140 us) longer than the pool helpers' spin window, which W1's are not
// Usage: train-bench [seconds-per-case]
//                    [case: w1 | w1x2 | w1e | w1ex2 | w2 | w2x2 | w3 | w3x2 | acts | profile | profile-w2]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "neurite/neurite.h"
#if defined(NRT_PROFILE)
#include "core/profile.h"
#endif

namespace {

using Clock = std::chrono::steady_clock;

nrt_model* make(const std::vector<int>& widths, int threads, nrt_activation hidden = NRT_ACTIVATION_RELU) {
  std::vector<nrt_layer_desc> layers;
  for (size_t i = 1; i < widths.size(); i++) {
    nrt_layer_desc d{};
    d.kind = NRT_LAYER_DENSE;
    d.units = widths[i];
    d.activation = i + 1 == widths.size() ? NRT_ACTIVATION_SOFTMAX : hidden;
    d.use_bias = 1;
    layers.push_back(d);
  }
  nrt_model* m = nullptr;
  if (nrt_model_create(widths[0], layers.data(), static_cast<int32_t>(layers.size()), 1, &m) != NRT_OK) std::abort();
  nrt_model_set_threads(m, threads);
  for (int p = 0; p < nrt_model_parameter_count(m); p++) {
    std::vector<float> w(static_cast<size_t>(nrt_model_parameter_size(m, p)));
    for (size_t i = 0; i < w.size(); i++) w[i] = 0.05f * std::sin(static_cast<float>(p * 7919 + i));
    nrt_model_set_parameter(m, p, w.data(), static_cast<int64_t>(w.size()));
  }
  nrt_optimizer_desc o{};
  o.kind = NRT_OPTIMIZER_SGD;
  o.learning_rate = 0.1;
  nrt_loss_desc loss{};
  loss.kind = NRT_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY;
  if (nrt_model_compile(m, &o, &loss) != NRT_OK) std::abort();
  return m;
}

struct Timing {
  double best, median;  // seconds per call
};

template <typename F>
Timing time_calls(double seconds, F&& call) {
  call();
  std::vector<double> t;
  const auto start = Clock::now();
  while (std::chrono::duration<double>(Clock::now() - start).count() < seconds) {
    const auto t0 = Clock::now();
    call();
    t.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
  }
  std::sort(t.begin(), t.end());
  return {t.front(), t[t.size() / 2]};
}

void train(const char* name, const std::vector<int>& widths, int64_t batch, int threads, double seconds) {
  nrt_model* m = make(widths, threads);
  // Several distinct batches, as in an epoch (the first layer's input does not stay in cache).
  const int64_t batches = 16;
  std::vector<float> x(static_cast<size_t>(batches * batch * widths[0])), y(static_cast<size_t>(batches * batch));
  for (size_t i = 0; i < x.size(); i++) x[i] = static_cast<float>((i * 2654435761u) >> 24) / 255.0f;
  for (size_t i = 0; i < y.size(); i++) y[i] = static_cast<float>(i % 10);
  int64_t b = 0;
  const Timing t = time_calls(seconds, [&] {
    double loss;
    const int64_t at = (b++ % batches) * batch;
    if (nrt_model_train_batch(m, x.data() + at * widths[0], batch * widths[0], y.data() + at, batch, nullptr, 0, batch, &loss) != NRT_OK)
      std::abort();
  });
  std::printf("%s, %d thread(s): %8.0f samples/s (fastest step), %8.0f (median step)\n", name, threads,
              batch / t.best, batch / t.median);
  nrt_model_destroy(m);
}

// Whole shuffled epochs through nrt_model_train_epoch (gather and all), fastest epoch.
void epochs(const char* name, const std::vector<int>& widths, int64_t batch, int threads, double seconds) {
  nrt_model* m = make(widths, threads);
  const int64_t rows = 16384;
  std::vector<float> x(static_cast<size_t>(rows * widths[0])), y(static_cast<size_t>(rows));
  for (size_t i = 0; i < x.size(); i++) x[i] = static_cast<float>((i * 2654435761u) >> 24) / 255.0f;
  for (size_t i = 0; i < y.size(); i++) y[i] = static_cast<float>(i % 10);
  int64_t epoch = 0;
  const Timing t = time_calls(seconds, [&] {
    nrt_metrics r;
    if (nrt_model_train_epoch(m, x.data(), rows * widths[0], y.data(), rows, nullptr, 0, rows, batch, 1, epoch++,
                              nullptr, nullptr, nullptr, &r, nullptr, 0) != NRT_OK)
      std::abort();
  });
  std::printf("%s, %d thread(s), shuffled epochs: %8.0f samples/s (fastest epoch), %8.0f (median epoch)\n", name,
              threads, rows / t.best, rows / t.median);
  nrt_model_destroy(m);
}

void forward(int threads, double seconds) {
  const std::vector<int> widths = {784, 256, 128, 10};
  nrt_model* m = make(widths, threads);
  std::vector<float> x(1024 * 784), out(1024 * 10);
  for (size_t i = 0; i < x.size(); i++) x[i] = static_cast<float>((i * 2654435761u) >> 24) / 255.0f;
  const Timing one = time_calls(seconds / 2, [&] { nrt_model_predict(m, x.data(), 784, 1, out.data(), 10); });
  const Timing many = time_calls(seconds / 2, [&] { nrt_model_predict(m, x.data(), 1024 * 784, 1024, out.data(), 1024 * 10); });
  std::printf("W3 forward, %d thread(s): batch 1 %.2f us (fastest), %.2f us (median); batch 1024 %8.0f samples/s "
              "(fastest), %8.0f (median)\n",
              threads, one.best * 1e6, one.median * 1e6, 1024 / many.best, 1024 / many.median);
  nrt_model_destroy(m);
}

// What a hidden activation costs: W1 training steps (forward with the activation in the GEMM epilogue, backward
// through its derivative) with each activation against relu. The cases take turns in short slices, so a loaded
// machine slows them alike; the ratio of the fastest steps is the activation's own cost.
void activation_cost(double seconds) {
  const std::vector<int> widths = {784, 256, 128, 10};
  const int64_t batch = 128, batches = 16;
  struct Case {
    const char* name;
    nrt_activation act;
    nrt_model* m = nullptr;
    std::vector<double> steps;
  };
  std::vector<Case> cases = {{"relu", NRT_ACTIVATION_RELU},         {"gelu", NRT_ACTIVATION_GELU},
                             {"swish", NRT_ACTIVATION_SWISH},       {"elu", NRT_ACTIVATION_ELU},
                             {"selu", NRT_ACTIVATION_SELU},         {"softplus", NRT_ACTIVATION_SOFTPLUS},
                             {"softsign", NRT_ACTIVATION_SOFTSIGN}, {"mish", NRT_ACTIVATION_MISH},
                             {"tanh", NRT_ACTIVATION_TANH},         {"sigmoid", NRT_ACTIVATION_SIGMOID}};
  std::vector<float> x(static_cast<size_t>(batches * batch * widths[0])), y(static_cast<size_t>(batches * batch));
  for (size_t i = 0; i < x.size(); i++) x[i] = static_cast<float>((i * 2654435761u) >> 24) / 255.0f;
  for (size_t i = 0; i < y.size(); i++) y[i] = static_cast<float>(i % 10);
  for (Case& c : cases) c.m = make(widths, 1, c.act);
  const int rounds = 20;
  const double slice = seconds / rounds;
  for (int r = 0; r < rounds; r++)
    for (Case& c : cases) {
      int64_t b = 0;
      const auto start = Clock::now();
      while (std::chrono::duration<double>(Clock::now() - start).count() < slice) {
        double loss;
        const int64_t at = (b++ % batches) * batch;
        const auto t0 = Clock::now();
        if (nrt_model_train_batch(c.m, x.data() + at * widths[0], batch * widths[0], y.data() + at, batch, nullptr,
                                  0, batch, &loss) != NRT_OK)
          std::abort();
        c.steps.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
      }
    }
  for (Case& c : cases) std::sort(c.steps.begin(), c.steps.end());
  const double relu_best = cases[0].steps.front(), relu_median = cases[0].steps[cases[0].steps.size() / 2];
  std::printf("activation cost, W1 784-256-128-10 batch 128 training step, 1 thread, against relu:\n");
  for (Case& c : cases) {
    const double best = c.steps.front(), median = c.steps[c.steps.size() / 2];
    std::printf("  %-9s %8.1f us fastest (x%.3f), %8.1f us median (x%.3f), %zu steps\n", c.name, best * 1e6,
                best / relu_best, median * 1e6, median / relu_median, c.steps.size());
    nrt_model_destroy(c.m);
  }
}

#if defined(NRT_PROFILE)
// A W1 or W2 step of a shuffled epoch (nrt_model_train_epoch: gather, forward, loss, backward with the update),
// timed part by part on the step's thread (core/profile.h). Steps are delimited by the epoch's progress callback,
// so a step is everything between two callbacks. The 1- and 2-thread models take turns epoch by epoch, so a
// loaded machine slows both alike; each part is reported as the median over the steps of its time and of its
// share of its step.
struct StepRecord {
  double step_ns;
  nrt::profile::Totals parts;
};

struct Recorder {
  std::vector<StepRecord> steps;
  Clock::time_point last;
};

int record_step(void* user, int64_t, int64_t, double) {
  auto& r = *static_cast<Recorder*>(user);
  const auto now = Clock::now();
  r.steps.push_back({std::chrono::duration<double, std::nano>(now - r.last).count(), nrt::profile::take()});
  r.last = Clock::now();  // the bookkeeping above is not part of the next step
  return 0;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0.0 : v[v.size() / 2];
}

double percentile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0.0 : v[static_cast<size_t>(q * static_cast<double>(v.size() - 1))];
}

void print_profile(const std::vector<int>& widths, int64_t batch, int threads, const std::vector<StepRecord>& steps) {
  using namespace nrt::profile;
  struct Row {
    std::string name;
    std::vector<std::pair<Kind, int>> parts;  // layer -1: every layer
    bool gemm;
  };
  auto shape = [&](int64_t m, int64_t k, int64_t n) {
    return "[" + std::to_string(m) + "×" + std::to_string(k) + "]·[" + std::to_string(k) + "×" + std::to_string(n) + "]";
  };
  const int layers = static_cast<int>(widths.size()) - 1;
  std::vector<Row> rows;
  rows.push_back({"batch gathering (gather_rows, x and y)", {{gather, -1}}, false});
  for (int l = 0; l < layers; l++) {
    const std::string L = "L" + std::to_string(l + 1);
    rows.push_back({"GEMM forward " + L + " x·W " + shape(batch, widths[l], widths[l + 1]), {{gemm_forward, l}}, true});
    rows.push_back({"bias + activation forward " + L + " (forward GEMM epilogue)", {{act_forward, l}}, false});
  }
  rows.push_back({"loss: softmax CE + gradient", {{loss, -1}}, false});
  for (int l = layers - 1; l >= 0; l--) {
    const std::string L = "L" + std::to_string(l + 1);
    rows.push_back({"activation backward " + L + " (relu mask)", {{act_backward, l}}, false});
    rows.push_back({"bias gradient " + L + " (column sum of dz)", {{bias_grad, l}}, false});
    rows.push_back({"GEMM backward dX " + L + " dz·Wᵀ " + shape(batch, widths[l + 1], widths[l]), {{gemm_dx, l}}, true});
    rows.push_back({"GEMM backward dW " + L + " xᵀ·dz " + shape(widths[l], batch, widths[l + 1]), {{gemm_dw, l}}, true});
  }
  rows.push_back({"optimizer update (SGD: W in the dW GEMM epilogue, b after)", {{optimizer, -1}}, false});
  rows.push_back({"waiting for pool helpers (end of each parallel region)", {{pool_wait, -1}}, false});

  auto part_ns = [](const Totals& t, const Row& r) {
    int64_t ns = 0;
    for (auto [kind, layer] : r.parts)
      for (int l = 0; l < kMaxLayers; l++)
        if (layer < 0 || layer == l) ns += t.ns[kind][l];
    return static_cast<double>(ns);
  };
  std::vector<double> step_us, gemm_us, non_gemm_us, other_us, gemm_share, non_gemm_share, other_share;
  for (const StepRecord& s : steps) {
    double gemm = 0.0, all = 0.0;
    for (const Row& r : rows) {
      const double ns = part_ns(s.parts, r);
      all += ns;
      if (r.gemm) gemm += ns;
    }
    const double other = s.step_ns - all;
    step_us.push_back(s.step_ns / 1e3);
    gemm_us.push_back(gemm / 1e3);
    non_gemm_us.push_back((s.step_ns - gemm) / 1e3);
    other_us.push_back(other / 1e3);
    gemm_share.push_back(100.0 * gemm / s.step_ns);
    non_gemm_share.push_back(100.0 * (s.step_ns - gemm) / s.step_ns);
    other_share.push_back(100.0 * other / s.step_ns);
  }
  // multiply-adds × 2 of the step's GEMMs: forward and dW on every layer, dX on all but the first
  double flops = 0.0;
  for (int l = 0; l < layers; l++) flops += 2.0 * batch * widths[l] * widths[l + 1] * (l == 0 ? 2 : 3);
  const double step_med = median(step_us), gemm_med = median(gemm_us);
  int64_t regions = 0, solo = 0;
  for (const StepRecord& s : steps) {
    regions += s.parts.regions;
    solo += s.parts.solo_regions;
  }
  std::printf("\n### %d thread%s\n\n", threads, threads == 1 ? "" : "s");
  std::printf("%zu steps; median step %.1f us (%.0f samples/s; middle half of steps %.1f-%.1f us); GEMMs %.1f GFLOP/s "
              "over the whole step, %.1f GFLOP/s over their own time.\n\n",
              steps.size(), step_med, batch / (step_med * 1e-6), percentile(step_us, 0.25), percentile(step_us, 0.75),
              flops / (step_med * 1e3), flops / (gemm_med * 1e3));
  if (regions > 0)
    std::printf("%.1f parallel regions per step; in %.1f%% of them no helper had joined by the time the caller ran out "
                "of tasks (the caller ran them alone).\n\n",
                static_cast<double>(regions) / static_cast<double>(steps.size()),
                100.0 * static_cast<double>(solo) / static_cast<double>(regions));
  std::printf("| part of the step | median us | median %% of step |\n|---|---:|---:|\n");
  for (const Row& r : rows) {
    std::vector<double> us, share;
    bool seen = false;
    for (const StepRecord& s : steps) {
      const double ns = part_ns(s.parts, r);
      seen = seen || ns > 0.0;
      us.push_back(ns / 1e3);
      share.push_back(100.0 * ns / s.step_ns);
    }
    if (seen) std::printf("| %s | %.1f | %.1f |\n", r.name.c_str(), median(us), median(share));
  }
  std::printf("| other (API entry, checks, buffers, loop, timer overhead) | %.1f | %.1f |\n", median(other_us),
              median(other_share));
  std::printf("| **all GEMMs** | **%.1f** | **%.1f** |\n", gemm_med, median(gemm_share));
  std::printf("| **everything else** | **%.1f** | **%.1f** |\n", median(non_gemm_us), median(non_gemm_share));
  std::printf("| **step** | **%.1f** | 100 |\n", step_med);
}

// Jiffies of CPU time stolen by the hypervisor and in total, from /proc/stat (0, 0 elsewhere).
std::pair<double, double> cpu_steal() {
  double steal = 0.0, total = 0.0;
  if (FILE* f = std::fopen("/proc/stat", "r")) {
    double v[8] = {};
    if (std::fscanf(f, "cpu %lf %lf %lf %lf %lf %lf %lf %lf", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) == 8) {
      steal = v[7];
      for (double x : v) total += x;
    }
    std::fclose(f);
  }
  return {steal, total};
}

void profile(const char* name, const std::vector<int>& widths, int64_t batch, double seconds) {
  const int64_t rows = 16384;
  std::vector<float> x(static_cast<size_t>(rows * widths[0])), y(static_cast<size_t>(rows));
  for (size_t i = 0; i < x.size(); i++) x[i] = static_cast<float>((i * 2654435761u) >> 24) / 255.0f;
  for (size_t i = 0; i < y.size(); i++) y[i] = static_cast<float>(i % 10);
  const int thread_counts[] = {1, 2};
  nrt_model* models[2];
  Recorder recorders[2];
  for (int i = 0; i < 2; i++) models[i] = make(widths, thread_counts[i]);
  nrt::profile::record(true);
  const auto steal0 = cpu_steal();
  const auto start = Clock::now();
  for (int64_t epoch = 0; epoch == 0 || std::chrono::duration<double>(Clock::now() - start).count() < seconds; epoch++)
    for (int i = 0; i < 2; i++) {
      Recorder& r = recorders[i];
      const size_t before = r.steps.size();
      nrt::profile::take();
      r.last = Clock::now();
      nrt_metrics m;
      if (nrt_model_train_epoch(models[i], x.data(), rows * widths[0], y.data(), rows, nullptr, 0, rows, batch, 1,
                                epoch, record_step, &r, nullptr, &m, nullptr, 0) != NRT_OK)
        std::abort();
      // The first step of an epoch also shuffles the epoch's order: not a step like the others.
      if (r.steps.size() > before) r.steps.erase(r.steps.begin() + static_cast<std::ptrdiff_t>(before));
    }
  nrt::profile::record(false);
  const auto steal1 = cpu_steal();
  std::printf("%s relu, softmax CE (sparse), SGD lr 0.1, batch %lld; shuffled epochs of %lld rows "
              "(train_epoch), the 1- and 2-thread models alternated epoch by epoch.\n",
              name, static_cast<long long>(batch), static_cast<long long>(rows));
  if (steal1.second > steal0.second)
    std::printf("CPU time stolen by the hypervisor during the run: %.1f%%.\n",
                100.0 * (steal1.first - steal0.first) / (steal1.second - steal0.second));
  for (int i = 0; i < 2; i++) {
    print_profile(widths, batch, thread_counts[i], recorders[i].steps);
    nrt_model_destroy(models[i]);
  }
}
#endif

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 2.0;
  const std::string only = argc > 2 ? argv[2] : "";
  auto run = [&](const char* name) { return only.empty() || only == name; };
  std::printf("kernel %s, %d hardware threads\n", nrt_gemm_kernel_name(), nrt_hardware_threads());
  if (run("w1")) train("W1 784-256-128-10 batch 128", {784, 256, 128, 10}, 128, 1, seconds);
  if (run("w1x2")) train("W1 784-256-128-10 batch 128", {784, 256, 128, 10}, 128, 2, seconds);
  if (run("w1e")) epochs("W1 784-256-128-10 batch 128", {784, 256, 128, 10}, 128, 1, seconds);
  if (run("w1ex2")) epochs("W1 784-256-128-10 batch 128", {784, 256, 128, 10}, 128, 2, seconds);
  if (run("w2")) train("W2 784-1024-1024-10 batch 256", {784, 1024, 1024, 10}, 256, 1, seconds);
  if (run("w2x2")) train("W2 784-1024-1024-10 batch 256", {784, 1024, 1024, 10}, 256, 2, seconds);
  if (run("w3")) forward(1, seconds);
  if (run("w3x2")) forward(2, seconds);
  if (run("acts")) activation_cost(seconds);
  if (only == "profile" || only == "profile-w2") {
#if defined(NRT_PROFILE)
    if (only == "profile")
      profile("W1 784-256-128-10", {784, 256, 128, 10}, 128, seconds);
    else
      profile("W2 784-1024-1024-10", {784, 1024, 1024, 10}, 256, seconds);
#else
    std::fprintf(stderr, "profile: this train-bench was built without -DNEURITE_PROFILE=ON\n");
    return 1;
#endif
  }
  return 0;
}
