// The model in native memory: layers, parameters with their gradients, optimizer state, and the work buffers
// of a pass. Buffers are sized for the largest batch seen and reused, never allocated per step.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <vector>

#include "core/aligned_buffer.h"
#include "gemm/gemm.h"
#include "neurite/neurite.h"
#include "ops/optimizer.h"

namespace nrt {

struct Layer {
  nrt_layer_kind kind;
  int64_t in, units;
  // dense
  nrt_activation activation = NRT_ACTIVATION_LINEAR;
  double alpha = 0.0;
  bool use_bias = false;
  double l2 = 0.0;
  int kernel_param = -1;
  int bias_param = -1;
  // dropout
  double rate = 0.0;
  uint32_t threshold = 0;
  float scale = 1.0f;
  // batch and layer normalisation (parameters -1 when the layer has none)
  double momentum = 0.0;
  double epsilon = 0.0;
  int gamma_param = -1;
  int beta_param = -1;
  int mean_param = -1;
  int variance_param = -1;
};

struct Parameter {
  AlignedBuffer<float> value;
  AlignedBuffer<float> grad;
  int64_t size = 0;
  double l2x2 = 0.0;  // 2·l2 for a regularised kernel, else 0
  bool trainable = true;  // false for batch normalisation's moving statistics: no optimizer slots, no update
  int trained_index = -1;  // position among the trainable parameters: its slots start at trained_index·slots
};

// Per-pass buffers, each [capacity rows × width].
struct Workspace {
  int64_t capacity = 0;
  std::vector<AlignedBuffer<float>> out;   // per layer: its output (dense a, dropout masked values)
  std::vector<AlignedBuffer<float>> z;     // per dense layer whose backward or loss needs the pre-activation;
                                           // per normalisation layer: x̂ of the training forward
  std::vector<AlignedBuffer<double>> inv_std;  // per normalisation layer: 1/√(σ²+ε) per feature (batch) or row (layer)
  AlignedBuffer<double> norm_scratch;      // per-feature sums of the normalisation kernels [3 × widest layer]
  const float* logits = nullptr;           // this pass: what a fused loss reads (the last layer's pre-activation)
  std::vector<AlignedBuffer<float>> mask;  // per dropout layer
  std::vector<const float*> layer_out;     // this pass: where each layer's output is (dropout at inference: input)
  AlignedBuffer<float> grad_a, grad_b;     // ping-pong gradients [capacity × widest layer]
  AlignedBuffer<float> x_batch, y_batch;   // a gathered (shuffled) batch
  AlignedBuffer<float> w_batch;            // its sample weights, when the call has them
};

struct Metrics {
  double loss_sum = 0.0;  // Σ over rows (cross-entropy) or elements (BCE, MSE)
  double correct = 0.0;
  double total = 0.0;  // rows or elements the accuracy counts
};

class Model {
 public:
  // Builds from descriptors; checks what memory safety needs (enum codes, sizes). Weights start at zero (the
  // Model API sets them).
  static nrt_status create(int32_t input_size, const nrt_layer_desc* layers, int32_t layer_count, uint32_t seed,
                           Model** out);

  nrt_status set_threads(int32_t threads);
  int parameter_count() const { return static_cast<int>(params_.size()); }
  int64_t parameter_size(int32_t index) const;
  nrt_status get_parameter(int32_t index, float* out, int64_t length) const;
  nrt_status set_parameter(int32_t index, const float* values, int64_t length);

  nrt_status compile(const nrt_optimizer_desc& optimizer, const nrt_loss_desc& loss);
  nrt_status set_learning_rate(double learning_rate);
  int optimizer_slot_count() const;
  int64_t optimizer_slot_size(int32_t slot) const;
  nrt_status get_optimizer_slot(int32_t slot, float* out, int64_t length) const;
  nrt_status set_optimizer_slot(int32_t slot, const float* values, int64_t length);
  nrt_status get_step(int64_t* out) const;
  nrt_status set_step(int64_t step);

  // The passes. Arrays come with their lengths in floats (Data), checked against what `count` rows need.
  // w (one weight per row) may be null: every row weighs 1.
  struct Data {
    const float* x;
    int64_t x_length;
    const float* y;
    int64_t y_length;
    const float* w = nullptr;
    int64_t w_length = 0;
  };
  // Where a training call writes the outputs of the rows it trained (row r of the data at out[r·outputs]), for
  // metrics computed over the whole epoch in JavaScript; null = not wanted (no copy).
  struct Outputs {
    float* data = nullptr;
    int64_t length = 0;
  };
  nrt_status train_batch(Data d, int64_t count, double* loss);
  nrt_status train_rows(Data d, int64_t total, const uint32_t* rows, int64_t count, double* loss, double* correct,
                        double* counted, Outputs outputs);
  // Takes the model's lock itself, one batch at a time (every other entry point is called with it held).
  nrt_status train_epoch(Data d, int64_t count, int64_t batch_size, bool shuffle, int64_t epoch,
                         nrt_progress_fn progress, void* user, const volatile int32_t* abort_flag,
                         nrt_metrics* result, Outputs outputs);
  nrt_status evaluate(Data d, int64_t count, int64_t batch_size, nrt_metrics* result);
  nrt_status predict(const float* x, int64_t x_length, int64_t count, float* out, int64_t out_length);

  // Serialises calls from several threads (see neurite.h, Threading). Lock() lets a waiting caller in between
  // two batches of a running epoch: the epoch gives way while waiters_ > 0.
  class Lock {
   public:
    explicit Lock(const Model& m) : m_(m) {
      m_.waiters_.fetch_add(1);
      m_.mutex_.lock();
      m_.waiters_.fetch_sub(1);
    }
    ~Lock() { m_.mutex_.unlock(); }
    Lock(const Lock&) = delete;
    Lock& operator=(const Lock&) = delete;

   private:
    const Model& m_;
  };

  int64_t input_size() const { return input_size_; }
  int64_t output_size() const { return layers_.empty() ? input_size_ : layers_.back().units; }

 private:
  Model() = default;

  // The memory-safety checks shared by every entry point that reads x and y: lengths, and sparse labels (used
  // as indices). Values are not scanned for NaN: the Model API did that once. check_data is both; an entry point
  // that reads only some rows (train_rows: one batch of an epoch) checks the lengths, then those rows' labels:
  // scanning all of y for every batch made a WASM epoch's slices quadratic in the data set (3 % of a W1 step at
  // 60,000 rows).
  nrt_status check_data(Data d, int64_t count, bool need_y) const;
  nrt_status check_lengths(Data d, int64_t count, bool need_y) const;
  // y[rows[i]] (y[i] when rows is null) for i < count is a class index, when the loss reads labels as indices.
  nrt_status check_labels(const float* y, const uint32_t* rows, int64_t count) const;
  nrt_status check_outputs(Outputs o, int64_t count) const;
  // The last layer's outputs of the pass that just ran (after the loss, which writes the fused activation).
  const float* final_outputs() const;
  nrt_status check_compiled() const;
  int64_t y_width() const;  // floats of y per row
  nrt_status ensure_capacity(int64_t rows);
  bool fused_output() const;  // the loss applies the output activation (cross-entropies)
  bool regression_loss() const;  // MSE, MAE, Huber: the loss reads the outputs, and there is no accuracy
  int first_trainable_layer() const;  // -1 when no layer has trainable parameters
  // The parameter an optimizer slot belongs to: slots exist for trainable parameters only.
  const Parameter& slot_parameter(int32_t slot) const { return params_[trainable_[slot / slots_per_param_]]; }

  // One pass over `rows` rows already in memory. x_non_finite, if not null, is set when x holds NaN or ±Infinity.
  nrt_status forward(const float* x, int64_t rows, bool training, float* final_out,
                     std::atomic<bool>* x_non_finite = nullptr);
  nrt_status loss_and_gradient(const float* y, const float* w, int64_t rows, bool with_gradient, Metrics* metrics);
  // Backward pass with the optimizer step fused in (see train_step.cpp); the caller advances step_.
  nrt_status backward_and_update(const float* x, int64_t rows);
  // One parameter's whole update from its completed gradient (clipNorm, globalClipNorm), and Σg² of that
  // gradient with its L2 term (grad_clip.h), both on the model's threads.
  void update_parameter(int param, const ops::StepParams& p);
  double gradient_sum_squares(int param);
  // nadam: Π_{i ≤ t} u_i, carried from step to step.
  double nadam_u_product(int64_t t);
  double l2_total() const;
  // Forward, loss, backward and update of one batch: *loss is its mean loss + L2 terms; counts accumulate.
  nrt_status step_batch(const float* x, const float* y, const float* w, int64_t rows, double* loss, Metrics* counts);
  // Σ of per-row or per-element losses over `rows` rows → the mean the user sees (without L2).
  double mean_loss(double sum, int64_t rows) const;

  int64_t input_size_ = 0;
  uint32_t seed_ = 0;
  int threads_ = 1;
  std::vector<Layer> layers_;
  std::vector<Parameter> params_;
  std::vector<int> trainable_;  // indices into params_ of the parameters the optimizer updates
  int64_t widest_ = 0;

  bool compiled_ = false;
  nrt_optimizer_desc optimizer_{};
  nrt_loss loss_ = NRT_LOSS_MEAN_SQUARED_ERROR;
  double huber_delta_ = 1.0;
  int slots_per_param_ = 0;
  std::vector<AlignedBuffer<float>> slots_;
  int64_t step_ = 0;
  int64_t nadam_t_ = 0;         // the step nadam_product_ belongs to
  double nadam_product_ = 1.0;  // Π_{i ≤ nadam_t_} u_i
  std::vector<double> norm_partials_;  // per chunk of a gradient: its Σg² (kept to not allocate per step)
  // Inference: each dense layer's kernel as the GEMM packed it (per layer; unused for other kinds), reused until
  // a weight changes. Every write to a kernel (set_parameter, the optimizer in backward_and_update) forgets them;
  // the next GEMMs at inference pack again.
  std::vector<gemm::PackedB> packed_kernels_;
  void forget_packed_kernels() {
    for (gemm::PackedB& packed : packed_kernels_) packed.clear();
  }

  Workspace ws_;

  mutable std::mutex mutex_;
  mutable std::atomic<int> waiters_{0};
};

}  // namespace nrt
