// Opt-in timing of the parts of a training step (cmake -DNEURITE_PROFILE=ON defines NRT_PROFILE; train-bench's
// `profile` case prints the table). Without NRT_PROFILE every macro here expands to nothing, so the shipped
// addon and WASM modules contain no profiling code.
//
// Only the thread that called profile::record(true) records: that is the thread running the step, and with
// several threads it is the one whose wall time the step takes (helpers' time shows up as the caller's time
// inside a parallel region, or as pool_wait when the caller finishes first). Scopes nest and record exclusive
// time: a GEMM's epilogue (bias + activation, or the optimizer on a kernel tile) is taken out of the GEMM.
#pragma once

#if defined(NRT_PROFILE)

#include <chrono>
#include <cstdint>

namespace nrt::profile {

// The parts of a step, in the order a step runs them.
enum Kind : int {
  gather,            // gather_rows: the batch's rows of x and y (epochs)
  gemm_forward,      // x·W, per layer
  act_forward,       // bias + activation on each tile of the forward GEMM (its epilogue), per layer
  loss,              // softmax cross-entropy and its gradient
  act_backward,      // dz = g ⊙ act'(·), per layer
  bias_grad,         // Σ_rows dz, per layer
  gemm_dx,           // dz·Wᵀ, per layer
  gemm_dw,           // xᵀ·dz, per layer
  optimizer,         // the update of W (dW epilogue) and b
  pool_wait,         // the caller waiting for pool helpers at the end of a parallel region
  kind_count
};
constexpr int kMaxLayers = 8;  // layers past the last share its slot

struct Totals {
  int64_t ns[kind_count][kMaxLayers];
  int64_t regions;       // parallel regions the recording thread ran with helpers wanted
  int64_t solo_regions;  // ... of which it ran every task itself: no helper had joined when it ran out of tasks
};

struct State {
  bool recording = false;
  int layer = 0;
  struct Scope* top = nullptr;
  Totals totals{};
};
inline thread_local State state;

inline int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Starts or stops recording on the calling thread; take() returns the totals since the last take() and clears them.
inline void record(bool on) { state.recording = on; }
inline Totals take() {
  const Totals t = state.totals;
  state.totals = Totals{};
  return t;
}

struct Scope {
  explicit Scope(Kind kind) : kind(kind) {
    if (!state.recording) return;
    active = true;
    layer = state.layer < kMaxLayers ? state.layer : kMaxLayers - 1;
    parent = state.top;
    state.top = this;
    start = now_ns();
  }
  ~Scope() {
    if (!active) return;
    const int64_t elapsed = now_ns() - start;
    state.totals.ns[kind][layer] += elapsed - children;
    if (parent) parent->children += elapsed;
    state.top = parent;
  }
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;

  Kind kind;
  bool active = false;
  int layer = 0;
  Scope* parent = nullptr;
  int64_t start = 0, children = 0;
};

// A parallel region closed by the recording thread; `helpers` is how many helpers had joined it.
inline void count_region(int helpers) {
  if (!state.recording) return;
  state.totals.regions++;
  if (helpers == 0) state.totals.solo_regions++;
}

// Sets the layer index that the scopes opened on this thread are attributed to, until the end of the block.
struct LayerScope {
  explicit LayerScope(int layer) : saved(state.layer) { state.layer = layer; }
  ~LayerScope() { state.layer = saved; }
  int saved;
};

}  // namespace nrt::profile

#define NRT_PROFILE_CONCAT2(a, b) a##b
#define NRT_PROFILE_CONCAT(a, b) NRT_PROFILE_CONCAT2(a, b)
#define NRT_PROFILE_SCOPE(kind) ::nrt::profile::Scope NRT_PROFILE_CONCAT(nrt_profile_scope_, __LINE__)(::nrt::profile::kind)
#define NRT_PROFILE_LAYER(l) ::nrt::profile::LayerScope NRT_PROFILE_CONCAT(nrt_profile_layer_, __LINE__)(static_cast<int>(l))
#define NRT_PROFILE_REGION(helpers) ::nrt::profile::count_region(helpers)

#else

#define NRT_PROFILE_SCOPE(kind) static_cast<void>(0)
#define NRT_PROFILE_LAYER(l) static_cast<void>(0)
#define NRT_PROFILE_REGION(helpers) static_cast<void>(0)

#endif
