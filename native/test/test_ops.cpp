// Activations, dense forward/backward, losses, dropout and optimizer updates against naive references.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "core/rng.h"
#include "harness.h"
#include "neurite/neurite.h"
#include "ops/activation.h"
#include "ops/reader_rows.h"
#include "ops/column_sum.h"
#include "ops/csv_numbers.h"
#include "ops/dense.h"
#include "ops/dropout.h"
#include "core/finite_scan.h"
#include "ops/grad_clip.h"
#include "ops/fast_math.h"
#include "ops/losses.h"
#include "ops/lr_schedule.h"
#include "ops/optimizer.h"
#include "reference.h"

using namespace nrt;

namespace {

// {300, 10}: softmax's exponentials in blocks of whole rows (102 rows of 10 per block); {3, 1500}: a row wider than
// that buffer, which goes 1024 columns at a time.
const int64_t kShapes[][2] = {{1, 1},    {1, 7},   {3, 13},   {7, 17},   {13, 64},
                              {17, 255}, {64, 256}, {2, 1000}, {300, 10}, {3, 1500}};
const nrt_activation kActivations[] = {NRT_ACTIVATION_LINEAR,   NRT_ACTIVATION_RELU,     NRT_ACTIVATION_LEAKY_RELU,
                                       NRT_ACTIVATION_SIGMOID,  NRT_ACTIVATION_TANH,     NRT_ACTIVATION_SOFTMAX,
                                       NRT_ACTIVATION_GELU,     NRT_ACTIVATION_SWISH,    NRT_ACTIVATION_ELU,
                                       NRT_ACTIVATION_SELU,     NRT_ACTIVATION_SOFTPLUS, NRT_ACTIVATION_SOFTSIGN,
                                       NRT_ACTIVATION_MISH};

// The f32-approximated activations (activation.cpp) against these double libm references: 1e-6 relative to
// max(1, |value|), where the f64-exact ones are held to 2e-7.
bool approximated(nrt_activation act) { return act >= NRT_ACTIVATION_GELU; }

constexpr double kSeluLambda = 1.0507009873554804934193349852946;
constexpr double kSeluAlpha = 1.6732632423543772848170429916717;

double ref_softplus(double z) { return std::max(z, 0.0) + std::log1p(std::exp(-std::fabs(z))); }
double ref_sigmoid(double z) { return 1 / (1 + std::exp(-z)); }

double ref_act(nrt_activation act, double alpha, double z) {
  switch (act) {
    case NRT_ACTIVATION_RELU: return z > 0 ? z : 0;
    case NRT_ACTIVATION_LEAKY_RELU: return z > 0 ? z : alpha * z;
    case NRT_ACTIVATION_SIGMOID: return 1 / (1 + std::exp(-z));
    case NRT_ACTIVATION_TANH: return std::tanh(z);
    case NRT_ACTIVATION_GELU: return 0.5 * z * std::erfc(-z / std::sqrt(2.0));
    case NRT_ACTIVATION_SWISH: return z * ref_sigmoid(z);
    case NRT_ACTIVATION_ELU: return z > 0 ? z : std::expm1(z);
    case NRT_ACTIVATION_SELU: return kSeluLambda * (z > 0 ? z : kSeluAlpha * std::expm1(z));
    case NRT_ACTIVATION_SOFTPLUS: return ref_softplus(z);
    case NRT_ACTIVATION_SOFTSIGN: return z / (1 + std::fabs(z));
    case NRT_ACTIVATION_MISH: return z * std::tanh(ref_softplus(z));
    default: return z;
  }
}

// The derivative at z, from z alone (the kernels read a where they can; this checks that they agree).
double ref_derivative(nrt_activation act, double z) {
  switch (act) {
    case NRT_ACTIVATION_GELU:
      return 0.5 * std::erfc(-z / std::sqrt(2.0)) + z * std::exp(-0.5 * z * z) / std::sqrt(2 * M_PI);
    case NRT_ACTIVATION_SWISH: return ref_sigmoid(z) * (1 + z * (1 - ref_sigmoid(z)));
    case NRT_ACTIVATION_ELU: return z > 0 ? 1 : std::exp(z);
    case NRT_ACTIVATION_SELU: return z > 0 ? kSeluLambda : kSeluLambda * kSeluAlpha * std::exp(z);
    case NRT_ACTIVATION_SOFTPLUS: return ref_sigmoid(z);
    case NRT_ACTIVATION_SOFTSIGN: return 1 / ((1 + std::fabs(z)) * (1 + std::fabs(z)));
    case NRT_ACTIVATION_MISH: {
      const double t = std::tanh(ref_softplus(z));
      return t + z * (1 - t * t) * ref_sigmoid(z);
    }
    default: return 1;
  }
}

// Forward of rows × cols (softmax row-wise) in double.
std::vector<double> ref_forward(nrt_activation act, double alpha, const std::vector<float>& z, int64_t rows,
                                int64_t cols) {
  std::vector<double> a(z.size());
  for (int64_t i = 0; i < rows; i++) {
    if (act == NRT_ACTIVATION_SOFTMAX) {
      double mx = z[i * cols];
      for (int64_t j = 1; j < cols; j++) mx = std::max<double>(mx, z[i * cols + j]);
      double sum = 0;
      for (int64_t j = 0; j < cols; j++) sum += std::exp(z[i * cols + j] - mx);
      for (int64_t j = 0; j < cols; j++) a[i * cols + j] = std::exp(z[i * cols + j] - mx) / sum;
    } else {
      for (int64_t j = 0; j < cols; j++) a[i * cols + j] = ref_act(act, alpha, z[i * cols + j]);
    }
  }
  return a;
}

// dL/dz from dL/da through the full Jacobian (softmax) or the derivative at z.
std::vector<double> ref_backward(nrt_activation act, double alpha, const std::vector<float>& z,
                                 const std::vector<float>& g, int64_t rows, int64_t cols) {
  std::vector<double> a = ref_forward(act, alpha, z, rows, cols);
  std::vector<double> dz(z.size());
  for (int64_t i = 0; i < rows; i++)
    for (int64_t j = 0; j < cols; j++) {
      const int64_t e = i * cols + j;
      double d = 1;
      switch (act) {
        case NRT_ACTIVATION_RELU: d = z[e] > 0 ? 1 : 0; break;
        case NRT_ACTIVATION_LEAKY_RELU: d = z[e] > 0 ? 1 : alpha; break;
        case NRT_ACTIVATION_SIGMOID: d = a[e] * (1 - a[e]); break;
        case NRT_ACTIVATION_TANH: d = 1 - a[e] * a[e]; break;
        case NRT_ACTIVATION_GELU:
        case NRT_ACTIVATION_SWISH:
        case NRT_ACTIVATION_ELU:
        case NRT_ACTIVATION_SELU:
        case NRT_ACTIVATION_SOFTPLUS:
        case NRT_ACTIVATION_SOFTSIGN:
        case NRT_ACTIVATION_MISH: d = ref_derivative(act, z[e]); break;
        case NRT_ACTIVATION_SOFTMAX: {
          double s = 0;
          for (int64_t q = 0; q < cols; q++) s += g[i * cols + q] * ((q == j ? 1 : 0) - a[i * cols + j]) * a[i * cols + q];
          dz[e] = s;
          continue;
        }
        default: break;
      }
      dz[e] = g[e] * d;
    }
  return dz;
}

}  // namespace

TEST(activation_forward_matches_reference) {
  for (nrt_activation act : kActivations)
    for (const auto& s : kShapes)
      for (double alpha : {0.2, 1.0}) {
        const int64_t rows = s[0], cols = s[1];
        std::vector<float> z = ref::random_floats(static_cast<size_t>(rows * cols), 11, -4, 4);
        if (z.size() > 2) z[1] = 0.0f;  // the kink
        std::vector<float> a = z;
        ops::activation_forward(act, alpha, a.data(), rows, cols, cols);
        const std::vector<double> want = ref_forward(act, alpha, z, rows, cols);
        const double tol = approximated(act) ? 1e-6 : 2e-7;
        for (size_t e = 0; e < a.size(); e++) CHECK_CLOSE(a[e], want[e], tol);
      }
}

TEST(approximated_activations_hold_over_the_whole_float_range) {
  // Far tails, exp's clamps (±87, ±88), mish's cap (20), the kinks and the extremes: finite values within 1e-6
  // of the reference (relative to max(1, |value|)), forward and backward (forward reads z, backward a or z).
  std::vector<float> z = {-3.0e38f, -1e6f, -100.0f, -88.5f, -87.4f, -87.0f, -40.0f, -20.5f, -9.0f, -5.0f, -1e-3f,
                          -1e-7f,   -1e-30f, 0.0f,  1e-30f,  1e-7f,   1e-3f,   0.4999f, 0.5001f, 5.0f,  19.9f,
                          20.1f,    40.0f,   87.0f, 88.5f,   100.0f,  1e6f,    3.0e38f};
  for (float v = -12.0f; v <= 12.0f; v += 0.01f) z.push_back(v);
  const int64_t n = static_cast<int64_t>(z.size());
  for (nrt_activation act : kActivations) {
    if (!approximated(act)) continue;
    std::vector<float> a = z;
    ops::activation_forward(act, 0.0, a.data(), 1, n, n);
    std::vector<float> g(z.size(), 1.0f);
    ops::activation_backward(act, 0.0, a.data(), z.data(), g.data(), 1, n, nullptr);
    for (int64_t e = 0; e < n; e++) {
      CHECK(std::isfinite(a[e]) && std::isfinite(g[e]));
      CHECK_CLOSE(a[e], ref_act(act, 0.0, z[e]), 1e-6);
      // a derivative read from a float32 output carries that output's rounding: 1e-6 of its size, plus for
      // softsign 1 − |a| loses digits as |a| → 1 (the value is below 1e-6 there anyway)
      CHECK_CLOSE(g[e], ref_derivative(act, z[e]), 2e-6);
    }
  }
}

TEST(fast_math_matches_libm) {
  double worst_exp = 0, worst_expm1 = 0, worst_log1p = 0, worst_erf = 0;
  for (double x = -86.5; x <= 88.0; x += 0.00731) {
    const float f = static_cast<float>(x);
    worst_exp = std::max(worst_exp, std::fabs(ops::fast::exp(f) - std::exp(double(f))) / std::exp(double(f)));
    const double m = std::expm1(double(f));
    if (m != 0) worst_expm1 = std::max(worst_expm1, std::fabs(ops::fast::expm1(f) - m) / std::fabs(m));
  }
  for (double u = 1e-30; u <= 1.0; u *= 1.001) {
    const float f = static_cast<float>(u);
    worst_log1p = std::max(worst_log1p, std::fabs(ops::fast::log1p_unit(f) - std::log1p(double(f))) / std::log1p(double(f)));
  }
  for (double x = -7.0; x <= 7.0; x += 0.00037) {
    const float f = static_cast<float>(x);
    worst_erf = std::max(worst_erf, std::fabs(ops::fast::erf(f) - std::erf(double(f))));
  }
  CHECK(worst_exp < 2e-7);
  CHECK(worst_expm1 < 2e-7);
  CHECK(worst_log1p < 3e-7);
  CHECK(worst_erf < 5e-7);
}

// exp_f64 within 2 ulp of libm over the whole range it computes, 0 below it, NaN through; and exp_f64_in_place
// (the vectorised loop: on an AVX2 CPU its clone, whose Horner steps are fused multiply-adds) within 2 ulp of libm
// element by element, on odd and round widths.
TEST(exp_f64_matches_libm) {
  double worst = 0;
  for (double x = -708.0; x <= 709.0; x += 0.000913) {
    const double want = std::exp(x);
    worst = std::max(worst, std::fabs(ops::fast::exp_f64(x) - want) / want);
  }
  for (double x : {0.0, -0.0, 1e-300, -1e-300, 1e-17, -1e-17, 0.5 * std::log(2.0), -0.5 * std::log(2.0), 1.0, -1.0}) {
    const double want = std::exp(x);
    worst = std::max(worst, std::fabs(ops::fast::exp_f64(x) - want) / want);
  }
  CHECK(worst <= 2 * std::numeric_limits<double>::epsilon());
  CHECK(ops::fast::exp_f64(-708.5) == 0.0);
  CHECK(ops::fast::exp_f64(-1e10) == 0.0);
  CHECK(ops::fast::exp_f64(-HUGE_VAL) == 0.0);
  CHECK(std::isnan(ops::fast::exp_f64(std::nan(""))));
  CHECK(std::isfinite(ops::fast::exp_f64(1e10)));
  for (const int64_t n : {1, 7, 13, 255, 256, 1000}) {
    std::vector<float> z = ref::random_floats(static_cast<size_t>(n), 5, -200, 20);
    std::vector<double> out(static_cast<size_t>(n));
    for (int64_t j = 0; j < n; j++) out[j] = static_cast<double>(z[j]) - 3.25;
    ops::exp_f64_in_place(out.data(), n);
    for (int64_t j = 0; j < n; j++) {
      const double want = std::exp(static_cast<double>(z[j]) - 3.25);
      CHECK(std::fabs(out[j] - want) <= 2 * std::numeric_limits<double>::epsilon() * want);
    }
  }
}

TEST(activation_forward_on_strided_tiles) {
  // The GEMM epilogue passes sub-tiles with a row stride; the padding must stay untouched.
  std::vector<float> x = ref::random_floats(7 * 20, 3, -2, 2);
  const std::vector<float> before = x;
  ops::activation_forward(NRT_ACTIVATION_TANH, 0.0f, x.data() + 2, 7, 13, 20);
  // Inside the tile: tanh within the 1e-6 every activation is held to (the WASM build, without FMA, lands 2e-7
  // from it). Outside: untouched, bit for bit.
  for (int64_t i = 0; i < 7; i++)
    for (int64_t j = 0; j < 20; j++) {
      if (j >= 2 && j < 15)
        CHECK_CLOSE(x[i * 20 + j], std::tanh(static_cast<double>(before[i * 20 + j])), 1e-6);
      else
        CHECK_EQ(x[i * 20 + j], before[i * 20 + j]);
    }
}

TEST(activation_backward_matches_reference_with_bias_sum) {
  for (nrt_activation act : kActivations)
    for (const auto& s : kShapes)
      for (double alpha : {0.3, 1.0, 0.0}) {
        const int64_t rows = s[0], cols = s[1];
        std::vector<float> z = ref::random_floats(static_cast<size_t>(rows * cols), 5, -3, 3);
        if (z.size() > 3) z[2] = 0.0f;  // relu'(0) = 0, leakyRelu'(0) = alpha
        std::vector<float> a = z;
        ops::activation_forward(act, alpha, a.data(), rows, cols, cols);
        std::vector<float> g = ref::random_floats(z.size(), 6);
        const std::vector<double> want = ref_backward(act, alpha, z, g, rows, cols);
        std::vector<float> bias(static_cast<size_t>(cols), -1.0f);
        ops::activation_backward(act, alpha, a.data(), z.data(), g.data(), rows, cols, bias.data());
        const double tol = approximated(act) ? 2e-6 : 1e-6;
        for (size_t e = 0; e < g.size(); e++) CHECK_CLOSE(g[e], want[e], tol);
        for (int64_t j = 0; j < cols; j++) {
          double sum = 0;
          for (int64_t i = 0; i < rows; i++) sum += want[i * cols + j];
          CHECK_CLOSE(bias[j], sum, 1e-5);
        }
        // The sums taken inside the backward pass are column_sum's of its output, bit for bit.
        std::vector<float> sums(static_cast<size_t>(cols));
        ops::column_sum(g.data(), rows, cols, sums.data());
        for (int64_t j = 0; j < cols; j++) CHECK(bias[j] == sums[j]);
      }
}

TEST(column_sum_matches_reference) {
  for (const auto& s : kShapes) {
    std::vector<float> x = ref::random_floats(static_cast<size_t>(s[0] * s[1]), 9);
    std::vector<float> out(static_cast<size_t>(s[1]));
    ops::column_sum(x.data(), s[0], s[1], out.data());
    for (int64_t j = 0; j < s[1]; j++) {
      double sum = 0;
      for (int64_t i = 0; i < s[0]; i++) sum += x[i * s[1] + j];
      // Exactly: column_sum adds each column's rows first to last in double, on every target.
      CHECK(out[j] == static_cast<float>(sum));
    }
  }
}

TEST(first_non_finite_matches_reference) {
  const float bad[] = {std::numeric_limits<float>::quiet_NaN(), -std::numeric_limits<float>::quiet_NaN(),
                       std::numeric_limits<float>::signaling_NaN(), std::numeric_limits<float>::infinity(),
                       -std::numeric_limits<float>::infinity()};
  const float fine[] = {std::numeric_limits<float>::max(), -std::numeric_limits<float>::max(),
                        std::numeric_limits<float>::denorm_min(), -0.0f};
  // (1 << 23) + 5: large enough to be split over threads (finite_scan.cpp's kMinPerThread)
  for (int64_t n : {int64_t{1}, int64_t{7}, int64_t{13}, int64_t{255}, int64_t{4096}, int64_t{4097}, int64_t{300000},
                    int64_t{1} << 20, (int64_t{1} << 23) + 5}) {
    std::vector<float> x = ref::random_floats(static_cast<size_t>(n), 4);
    for (size_t i = 0; i < 4 && static_cast<int64_t>(i) < n; i++) x[static_cast<size_t>(n) - 1 - i] = fine[i];
    for (int threads : {1, 2, 3}) CHECK(first_non_finite(x.data(), n, threads) == -1);
    // the first of two bad values, wherever they fall (both in one block, in two, in two threads' parts)
    for (int64_t at : {int64_t{0}, n / 3, n / 2, n - 1}) {
      for (float b : bad) {
        std::vector<float> y = x;
        y[static_cast<size_t>(at)] = b;
        if (at + 5000 < n) y[static_cast<size_t>(at + 5000)] = bad[0];
        for (int threads : {1, 2, 3}) CHECK(first_non_finite(y.data(), n, threads) == at);
      }
    }
  }
}

TEST(bytes_to_floats_matches_reference) {
  // Every byte value against the reference's double division rounded once to float (JavaScript's
  // Math.fround(b / d)), in lengths that end inside and on vector widths, at offsets that break alignment.
  for (float divisor : {255.0f, 1.0f}) {
    for (int64_t n : {1, 7, 13, 255, 256, 4096, 100352}) {
      for (int64_t offset : {0, 1, 3}) {
        std::vector<uint8_t> bytes(static_cast<size_t>(n + offset));
        for (size_t i = 0; i < bytes.size(); i++) bytes[i] = static_cast<uint8_t>((i * 151 + 7) % 256);
        std::vector<float> out(static_cast<size_t>(n + offset + 1), -1.0f);
        ops::bytes_to_floats(bytes.data() + offset, n, divisor, out.data() + offset);
        for (int64_t i = 0; i < n; i++) {
          const uint8_t b = bytes[static_cast<size_t>(offset + i)];
          CHECK(out[static_cast<size_t>(offset + i)] == static_cast<float>(static_cast<double>(b) / divisor));
        }
        CHECK(out[static_cast<size_t>(offset + n)] == -1.0f);  // nothing written past n
      }
    }
  }
}

TEST(exchange_byte_rows_matches_reference) {
  // Against the exchanges done one by one, as the TypeScript reference does them: slots repeat (a row put in
  // by one exchange leaves in a later one), and the source is the store itself (draining).
  for (int64_t width : {1, 7, 13, 255, 784}) {
    for (bool drain : {false, true}) {
      const int64_t store_rows = 37, source_rows = drain ? store_rows : 50, count = drain ? store_rows : 50;
      std::vector<uint8_t> store(static_cast<size_t>(store_rows * width)), source;
      for (size_t i = 0; i < store.size(); i++) store[i] = static_cast<uint8_t>((i * 31 + 5) % 256);
      if (!drain) {
        source.resize(static_cast<size_t>(source_rows * width));
        for (size_t i = 0; i < source.size(); i++) source[i] = static_cast<uint8_t>((i * 17 + 3) % 256);
      }
      std::vector<uint32_t> slots(static_cast<size_t>(count)), sources(static_cast<size_t>(count));
      for (int64_t i = 0; i < count; i++) {
        // draining picks a random held row and moves the last held one into its place
        const int64_t held = store_rows - i;
        slots[static_cast<size_t>(i)] = static_cast<uint32_t>(drain ? rng_u32(9, static_cast<uint32_t>(i)) % held : rng_u32(7, static_cast<uint32_t>(i)) % store_rows);
        sources[static_cast<size_t>(i)] = static_cast<uint32_t>(drain ? held - 1 : i);
      }
      std::vector<uint8_t> want_store = store;
      std::vector<float> want(static_cast<size_t>(count * width));
      for (int64_t i = 0; i < count; i++) {
        const int64_t j = slots[static_cast<size_t>(i)], s = sources[static_cast<size_t>(i)];
        for (int64_t b = 0; b < width; b++) want[static_cast<size_t>(i * width + b)] = static_cast<float>(want_store[static_cast<size_t>(j * width + b)] / 255.0);
        const std::vector<uint8_t> row(drain ? want_store.begin() + s * width : source.begin() + s * width,
                                       drain ? want_store.begin() + (s + 1) * width : source.begin() + (s + 1) * width);
        std::copy(row.begin(), row.end(), want_store.begin() + j * width);
      }
      // the float rows hold the same values as floats, and leave as they are
      std::vector<float> fstore(store.begin(), store.end()), fsource(source.begin(), source.end());
      std::vector<float> out(static_cast<size_t>(count * width)), fout(out.size());
      CHECK(nrt_exchange_byte_rows(store.data(), store_rows, drain ? store.data() : source.data(), source_rows,
                                   slots.data(), sources.data(), count, width, 255.0f, out.data(),
                                   static_cast<int64_t>(out.size())) == NRT_OK);
      CHECK(nrt_exchange_float_rows(fstore.data(), store_rows, drain ? fstore.data() : fsource.data(), source_rows,
                                    slots.data(), sources.data(), count, width, fout.data(),
                                    static_cast<int64_t>(fout.size())) == NRT_OK);
      CHECK(out == want);
      CHECK(store == want_store);
      for (size_t e = 0; e < fout.size(); e++) CHECK(static_cast<float>(fout[e] / 255.0) == want[e]);
      CHECK(std::vector<float>(want_store.begin(), want_store.end()) == fstore);
    }
  }
  // Out-of-range indices and a short out are refused before anything is written.
  std::vector<uint8_t> store(8 * 4, 1), source(8 * 4, 2);
  std::vector<float> out(8 * 4, -1.0f);
  const uint32_t ok[] = {0, 7}, bad[] = {0, 8};
  CHECK(nrt_exchange_byte_rows(store.data(), 8, source.data(), 8, bad, ok, 2, 4, 255.0f, out.data(), 32) == NRT_ERR_INVALID_ARGUMENT);
  CHECK(nrt_exchange_byte_rows(store.data(), 8, source.data(), 8, ok, bad, 2, 4, 255.0f, out.data(), 32) == NRT_ERR_INVALID_ARGUMENT);
  CHECK(nrt_exchange_byte_rows(store.data(), 8, source.data(), 8, ok, ok, 2, 4, 255.0f, out.data(), 7) == NRT_ERR_INVALID_ARGUMENT);
  CHECK(store == std::vector<uint8_t>(8 * 4, 1) && out == std::vector<float>(8 * 4, -1.0f));
}

TEST(csv_numeric_lines_read_plain_lines_and_stop_before_others) {
  // The values and stops readNumericLine gives (test/native-csv-lines.test.ts holds the two readers together on
  // thousands of generated lines); here, under the sanitizers, every field end lands within 8 bytes of the
  // buffer's end in turn, where the 8-byte digit reads must not go.
  const int32_t slots[] = {0, ops::kCsvNumericTarget, 1};
  for (const std::string& text : {std::string("12,-3.5,7\r\n0,1e3,255\n"), std::string("1,2,3"), std::string("1234567,+0.25, 42\r"),
                                   std::string("1,2,3\n\n4,5,6\n"), std::string("1,\"2\",3\n")}) {
    for (size_t cut = 1; cut <= text.size(); cut++) {
      const std::vector<uint8_t> bytes(text.begin(), text.begin() + static_cast<int64_t>(cut));
      std::vector<float> x(8), t(4);
      std::vector<int32_t> spans(8), starts(4);
      const ops::CsvLines lines{bytes.data(), static_cast<int64_t>(bytes.size()), ',', slots, 3, 2,
                                x.data(), t.data(), spans.data(), starts.data()};
      int64_t next = -1;
      const int64_t rows = ops::read_numeric_lines(lines, 0, 4, &next);
      CHECK(rows >= 0 && rows <= 2 && next >= 0 && next <= static_cast<int64_t>(bytes.size()));
      if (cut == text.size() && text == "12,-3.5,7\r\n0,1e3,255\n") {
        CHECK(rows == 2 && next == static_cast<int64_t>(cut));
        CHECK(x[0] == 12 && x[1] == 7 && t[0] == -3.5f && x[2] == 0 && x[3] == 255 && t[1] == 1000 && starts[1] == 11);
      }
      if (cut == text.size() && text == "1,2,3\n\n4,5,6\n") CHECK(rows == 1 && next == 6);  // stops at the blank line
      if (cut == text.size() && text == "1,\"2\",3\n") CHECK(rows == 0 && next == 0);      // and before a quote
    }
  }
}

TEST(dense_forward_backward_match_reference) {
  const int64_t shapes[][3] = {{1, 7, 3}, {3, 13, 17}, {7, 64, 10}, {13, 255, 256}, {64, 17, 1}, {128, 100, 33}};
  for (nrt_activation act : kActivations)
    for (const auto& s : shapes)
      for (bool bias : {true, false}) {
        const int64_t rows = s[0], in = s[1], units = s[2];
        const double alpha = 0.25;
        std::vector<float> x = ref::random_floats(static_cast<size_t>(rows * in), 1);
        std::vector<float> w = ref::random_floats(static_cast<size_t>(in * units), 2, -0.3f, 0.3f);
        std::vector<float> b = ref::random_floats(static_cast<size_t>(units), 3);
        const ops::DenseParams p{in, units, w.data(), bias ? b.data() : nullptr, act, alpha};
        std::vector<float> out(static_cast<size_t>(rows * units)), z(out.size());
        CHECK(ops::dense_forward(p, x.data(), rows, out.data(), z.data(), true, 2));
        std::vector<float> zref(out.size());
        for (int64_t i = 0; i < rows; i++)
          for (int64_t j = 0; j < units; j++) {
            double sum = bias ? b[j] : 0.0;
            for (int64_t q = 0; q < in; q++) sum += static_cast<double>(x[i * in + q]) * w[q * units + j];
            zref[i * units + j] = static_cast<float>(sum);
            CHECK_CLOSE(z[i * units + j], sum, 1e-5);
          }
        const std::vector<double> aref = ref_forward(act, alpha, zref, rows, units);
        for (size_t e = 0; e < out.size(); e++) CHECK_CLOSE(out[e], aref[e], 2e-5);

        // Backward from an arbitrary upstream gradient.
        std::vector<float> g = ref::random_floats(out.size(), 4);
        const std::vector<double> dz = ref_backward(act, alpha, z, g, rows, units);
        std::vector<float> dw(w.size()), db(b.size()), dx(x.size());
        CHECK(ops::dense_backward(p, x.data(), out.data(), z.data(), g.data(), rows, false, dw.data(),
                                  bias ? db.data() : nullptr, dx.data(), nullptr, 2));
        for (int64_t q = 0; q < in; q++)
          for (int64_t j = 0; j < units; j++) {
            double sum = 0, mag = 0;
            for (int64_t i = 0; i < rows; i++) {
              sum += x[i * in + q] * dz[i * units + j];
              mag += std::fabs(x[i * in + q] * dz[i * units + j]);
            }
            CHECK(std::fabs(dw[q * units + j] - sum) <= 1e-5 * (mag + 1));
          }
        if (bias)
          for (int64_t j = 0; j < units; j++) {
            double sum = 0;
            for (int64_t i = 0; i < rows; i++) sum += dz[i * units + j];
            CHECK_CLOSE(db[j], sum, 1e-5);
          }
        for (int64_t i = 0; i < rows; i++)
          for (int64_t q = 0; q < in; q++) {
            double sum = 0;
            for (int64_t j = 0; j < units; j++) sum += dz[i * units + j] * w[q * units + j];
            CHECK_CLOSE(dx[i * in + q], sum, 1e-5);
          }
      }
}

TEST(softmax_cross_entropy_matches_reference) {
  for (const auto& s : kShapes)
    for (bool sparse : {false, true}) {
      const int64_t rows = s[0], n = s[1];
      std::vector<float> z = ref::random_floats(static_cast<size_t>(rows * n), 21, -30, 30);
      std::vector<float> y(static_cast<size_t>(sparse ? rows : rows * n), 0.0f);
      for (int64_t i = 0; i < rows; i++) {
        const int64_t label = (i * 7 + 3) % n;
        if (sparse) y[i] = static_cast<float>(label);
        else y[i * n + label] = 1.0f;
      }
      if (rows > 1 && !sparse) {  // a soft-label row: the contract's form logsumexp − Σ y·z
        for (int64_t j = 0; j < n; j++) y[n + j] = 1.0f / static_cast<float>(n);
      }
      std::vector<float> a(z.size()), grad(z.size());
      double correct = 0;
      const double scale = 1.0 / rows;
      const double loss = ops::softmax_cross_entropy(z.data(), y.data(), nullptr, sparse, rows, n, rows, a.data(),
                                                     grad.data(), &correct);
      double want = 0, want_correct = 0;
      const std::vector<double> p = ref_forward(NRT_ACTIVATION_SOFTMAX, 0, z, rows, n);
      for (int64_t i = 0; i < rows; i++) {
        double mx = -1e300;
        for (int64_t j = 0; j < n; j++) mx = std::max<double>(mx, z[i * n + j]);
        double sum = 0;
        for (int64_t j = 0; j < n; j++) sum += std::exp(z[i * n + j] - mx);
        const double lse = mx + std::log(sum);
        double yz = 0;
        int64_t best = 0, truth = 0;
        for (int64_t j = 0; j < n; j++) {
          const double yj = sparse ? (j == static_cast<int64_t>(y[i]) ? 1 : 0) : y[i * n + j];
          yz += yj * z[i * n + j];
          CHECK_CLOSE(grad[i * n + j], (p[i * n + j] - yj) * scale, 1e-6);
          CHECK_CLOSE(a[i * n + j], p[i * n + j], 1e-6);
          if (a[i * n + j] > a[i * n + best]) best = j;
          const double yt = sparse ? 0 : y[i * n + truth];
          if (!sparse && yj > yt) truth = j;
        }
        if (sparse) truth = static_cast<int64_t>(y[i]);
        want += lse - yz;
        if (best == truth) want_correct++;
      }
      CHECK_CLOSE(loss, want, 1e-9);
      CHECK_EQ(correct, want_correct);
    }
}

TEST(sigmoid_binary_cross_entropy_matches_reference) {
  for (const auto& s : kShapes) {
    const int64_t rows = s[0], n = s[1];
    std::vector<float> z = ref::random_floats(static_cast<size_t>(rows * n), 31, -40, 40);
    std::vector<float> y = ref::random_floats(z.size(), 32, 0, 1);
    for (size_t e = 0; e < y.size(); e += 2) y[e] = y[e] > 0.5f ? 1.0f : 0.0f;
    std::vector<float> a(z.size()), grad(z.size());
    double correct = 0;
    const double scale = 1.0 / static_cast<double>(rows * n);
    const double loss =
        ops::sigmoid_binary_cross_entropy(z.data(), y.data(), nullptr, rows, n, rows * n, a.data(), grad.data(), &correct);
    double want = 0, want_correct = 0;
    for (size_t e = 0; e < z.size(); e++) {
      const double ze = z[e];
      const double sig = 1 / (1 + std::exp(-ze));
      // −y log σ − (1−y) log(1−σ), in a form that stays finite for large |z|
      want += std::max(ze, 0.0) - ze * y[e] + std::log(1 + std::exp(-std::fabs(ze)));
      CHECK_CLOSE(a[e], sig, 1e-7);
      CHECK_CLOSE(grad[e], (sig - y[e]) * scale, 1e-7);
      if ((static_cast<float>(sig) > 0.5f) == (y[e] > 0.5f)) want_correct++;
    }
    CHECK_CLOSE(loss, want, 1e-9);
    CHECK_EQ(correct, want_correct);
  }
}

TEST(squared_error_matches_reference) {
  for (const auto& s : kShapes) {
    const int64_t rows = s[0], n = s[1];
    std::vector<float> a = ref::random_floats(static_cast<size_t>(rows * n), 41);
    std::vector<float> y = ref::random_floats(a.size(), 42);
    std::vector<float> grad(a.size());
    const double scale = 1.0 / static_cast<double>(rows * n);
    const double loss = ops::squared_error(a.data(), y.data(), nullptr, rows, n, rows * n, grad.data());
    double want = 0;
    for (size_t e = 0; e < a.size(); e++) {
      const double d = static_cast<double>(a[e]) - y[e];
      want += d * d;
      CHECK_CLOSE(grad[e], 2 * d * scale, 1e-7);
    }
    CHECK_CLOSE(loss, want, 1e-12);
  }
}

// MAE and Huber against their textbook definitions, and every loss's row weights against scaling by hand:
// weighted Σ = Σ_i w_i·(row i's unweighted Σ), weighted gradient row i = w_i·(unweighted gradient row i).
TEST(absolute_and_huber_error_match_reference) {
  for (const auto& s : kShapes)
    for (double delta : {1.0, 0.35}) {
      const int64_t rows = s[0], n = s[1];
      std::vector<float> a = ref::random_floats(static_cast<size_t>(rows * n), 43, -2, 2);
      std::vector<float> y = ref::random_floats(a.size(), 44, -2, 2);
      if (a.size() > 2) y[1] = a[1];  // d = 0 exactly: the subgradient is 0
      std::vector<float> ga(a.size()), gh(a.size());
      const double scale = 1.0 / static_cast<double>(rows * n);
      const double mae = ops::absolute_error(a.data(), y.data(), nullptr, rows, n, rows * n, ga.data());
      const double hub = ops::huber_error(a.data(), y.data(), nullptr, rows, n, delta, rows * n, gh.data());
      double want_mae = 0, want_hub = 0;
      for (size_t e = 0; e < a.size(); e++) {
        const double d = static_cast<double>(a[e]) - y[e];
        want_mae += std::fabs(d);
        want_hub += std::fabs(d) <= delta ? 0.5 * d * d : delta * std::fabs(d) - 0.5 * delta * delta;
        CHECK_CLOSE(ga[e], (d > 0 ? 1 : d < 0 ? -1 : 0) * scale, 1e-7);
        CHECK_CLOSE(gh[e], std::max(-delta, std::min(delta, d)) * scale, 1e-7);
      }
      CHECK_CLOSE(mae, want_mae, 1e-9);
      CHECK_CLOSE(hub, want_hub, 1e-9);
    }
}

TEST(row_weights_scale_each_rows_loss_and_gradient) {
  for (const auto& s : kShapes) {
    const int64_t rows = s[0], n = std::max<int64_t>(s[1], 2);
    std::vector<float> z = ref::random_floats(static_cast<size_t>(rows * n), 61, -3, 3);
    std::vector<float> y = ref::random_floats(z.size(), 62, 0, 1);
    std::vector<float> labels(static_cast<size_t>(rows));
    for (int64_t i = 0; i < rows; i++) labels[i] = static_cast<float>(i % n);
    std::vector<float> w = ref::random_floats(static_cast<size_t>(rows), 63, 0, 3);
    w[0] = 0.0f;
    for (int kind = 0; kind < 5; kind++) {
      std::vector<float> a1(z.size()), a2(z.size()), g1(z.size()), g2(z.size());
      auto run = [&](const float* weights, float* a, float* g) -> double {
        switch (kind) {
          case 0: return ops::softmax_cross_entropy(z.data(), labels.data(), weights, true, rows, n, rows, a, g, nullptr);
          case 1: return ops::sigmoid_binary_cross_entropy(z.data(), y.data(), weights, rows, n, rows * n, a, g, nullptr);
          case 2: return ops::squared_error(z.data(), y.data(), weights, rows, n, rows * n, g);
          case 3: return ops::absolute_error(z.data(), y.data(), weights, rows, n, rows * n, g);
          default: return ops::huber_error(z.data(), y.data(), weights, rows, n, 0.5, rows * n, g);
        }
      };
      const double plain = run(nullptr, a1.data(), g1.data());
      const double weighted = run(w.data(), a2.data(), g2.data());
      (void)plain;
      double want = 0;
      for (int64_t i = 0; i < rows; i++) {
        // the row's own unweighted Σ, from a one-row call
        std::vector<float> ar(static_cast<size_t>(n)), gr(static_cast<size_t>(n));
        const int64_t at = i * n;
        double row = 0;
        switch (kind) {
          case 0: row = ops::softmax_cross_entropy(z.data() + at, labels.data() + i, nullptr, true, 1, n, 1, ar.data(), gr.data(), nullptr); break;
          case 1: row = ops::sigmoid_binary_cross_entropy(z.data() + at, y.data() + at, nullptr, 1, n, 1, ar.data(), gr.data(), nullptr); break;
          case 2: row = ops::squared_error(z.data() + at, y.data() + at, nullptr, 1, n, 1, gr.data()); break;
          case 3: row = ops::absolute_error(z.data() + at, y.data() + at, nullptr, 1, n, 1, gr.data()); break;
          default: row = ops::huber_error(z.data() + at, y.data() + at, nullptr, 1, n, 0.5, 1, gr.data()); break;
        }
        want += w[i] * row;
        for (int64_t j = 0; j < n; j++) CHECK_CLOSE(g2[at + j], w[i] * g1[at + j], 1e-6);
      }
      CHECK_CLOSE(weighted, want, 1e-9);
    }
  }
}

TEST(dropout_masks_follow_the_shared_rng) {
  const int64_t n = 1000;
  std::vector<float> in = ref::random_floats(n, 51);
  std::vector<float> out(n), mask(n);
  const uint32_t key = dropout_key(7, 2, 3);
  const uint32_t threshold = 8388608;  // rate 0.5
  const float scale = static_cast<float>(1.0 / (1.0 - 0.5));
  ops::dropout_forward(in.data(), out.data(), mask.data(), n, key, threshold, scale);
  int kept = 0;
  for (int64_t e = 0; e < n; e++) {
    const bool keep = (rng_u32(key, static_cast<uint32_t>(e)) >> 8) >= threshold;
    kept += keep;
    CHECK_EQ(out[e], keep ? in[e] * scale : 0.0f);
  }
  CHECK(kept > 400 && kept < 600);
  std::vector<float> g(n, 1.0f);
  ops::dropout_backward(mask.data(), g.data(), n);
  for (int64_t e = 0; e < n; e++) {
    const bool keep = (rng_u32(key, static_cast<uint32_t>(e)) >> 8) >= threshold;
    CHECK_EQ(g[e], keep ? scale : 0.0f);
  }
}

TEST(optimizer_updates_match_reference_over_steps) {
  const int64_t n = 37;
  for (int kind = 0; kind < 7; kind++) {
    std::vector<float> w = ref::random_floats(n, 61), s0(n, 0.0f), s1(n, 0.0f);
    std::vector<double> rw(w.begin(), w.end()), r0(n, 0.0), r1(n, 0.0);
    const double lr = 0.01, l2x2 = kind % 2 ? 0.02 : 0.0;
    for (int t = 1; t <= 5; t++) {
      std::vector<float> g = ref::random_floats(n, 100 + t);
      switch (kind) {
        case 0: ops::sgd_update(w.data(), g.data(), nullptr, n, lr, 0.0, false, l2x2); break;
        case 1: ops::sgd_update(w.data(), g.data(), s0.data(), n, lr, 0.9, false, l2x2); break;
        case 2: ops::sgd_update(w.data(), g.data(), s0.data(), n, lr, 0.9, true, l2x2); break;
        case 3: ops::adam_update(w.data(), g.data(), s0.data(), s1.data(), n, lr, 0.9, 0.999, 1e-7, 0.0, t, l2x2); break;
        case 4: ops::adam_update(w.data(), g.data(), s0.data(), s1.data(), n, lr, 0.9, 0.999, 1e-7, 0.1, t, l2x2); break;
        case 5: ops::rmsprop_update(w.data(), g.data(), s0.data(), nullptr, n, lr, 0.9, 0.0, 1e-7, l2x2); break;
        case 6: ops::rmsprop_update(w.data(), g.data(), s0.data(), s1.data(), n, lr, 0.9, 0.5, 1e-7, l2x2); break;
      }
      for (int64_t i = 0; i < n; i++) {
        const double gi = g[i] + l2x2 * rw[i];
        switch (kind) {
          case 0: rw[i] -= lr * gi; break;
          case 1: r0[i] = 0.9 * r0[i] - lr * gi; rw[i] += r0[i]; break;
          case 2: r0[i] = 0.9 * r0[i] - lr * gi; rw[i] += 0.9 * r0[i] - lr * gi; break;
          case 3:
          case 4: {
            if (kind == 4) rw[i] -= lr * 0.1 * rw[i];
            r0[i] = 0.9 * r0[i] + 0.1 * gi;
            r1[i] = 0.999 * r1[i] + 0.001 * gi * gi;
            const double mh = r0[i] / (1 - std::pow(0.9, t)), vh = r1[i] / (1 - std::pow(0.999, t));
            rw[i] -= lr * mh / (std::sqrt(vh) + 1e-7);
            break;
          }
          case 5: r0[i] = 0.9 * r0[i] + 0.1 * gi * gi; rw[i] -= lr * gi / (std::sqrt(r0[i]) + 1e-7); break;
          case 6:
            r0[i] = 0.9 * r0[i] + 0.1 * gi * gi;
            r1[i] = 0.5 * r1[i] + lr * gi / (std::sqrt(r0[i]) + 1e-7);
            rw[i] -= r1[i];
            break;
        }
      }
    }
    for (int64_t i = 0; i < n; i++) CHECK_MSG(std::fabs(w[i] - rw[i]) <= 1e-6, "optimizer %d w[%lld]: %.9g vs %.9g", kind, (long long)i, w[i], rw[i]);
  }
}


// Keras's Nadam and Adagrad (keras/src/optimizers/*.py) written out plainly in double, steps 1..6, with and
// without an L2 term, on odd and round sizes.
TEST(nadam_and_adagrad_match_keras_reference) {
  for (const int64_t n : {1, 7, 13, 255}) {
    for (int kind = 0; kind < 4; kind++) {
      const bool nadam = kind < 2;
      const double l2x2 = kind % 2 ? 0.02 : 0.0;
      const double lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-7, initial = 0.1;
      std::vector<float> w = ref::random_floats(n, 71), s0(n, nadam ? 0.0f : static_cast<float>(initial)), s1(n, 0.0f);
      std::vector<double> rw(w.begin(), w.end()), r0(n, nadam ? 0.0 : initial), r1(n, 0.0);
      double u_product = 1.0;
      for (int t = 1; t <= 6; t++) {
        std::vector<float> g = ref::random_floats(n, 200 + t);
        const double u_t = b1 * (1 - 0.5 * std::pow(0.96, t)), u_next = b1 * (1 - 0.5 * std::pow(0.96, t + 1));
        u_product *= u_t;
        CHECK_CLOSE(ops::nadam_u_product(b1, t), u_product, 1e-15);
        if (nadam) ops::nadam_update(w.data(), g.data(), s0.data(), s1.data(), n, lr, b1, b2, eps, t, u_product, l2x2);
        else ops::adagrad_update(w.data(), g.data(), s0.data(), n, lr, eps, l2x2);
        for (int64_t i = 0; i < n; i++) {
          const double gi = g[i] + l2x2 * rw[i];
          if (nadam) {
            r0[i] += (gi - r0[i]) * (1 - b1);
            r1[i] += (gi * gi - r1[i]) * (1 - b2);
            const double m_hat = u_next * r0[i] / (1 - u_product * u_next) + (1 - u_t) * gi / (1 - u_product);
            rw[i] -= m_hat * lr / (std::sqrt(r1[i] / (1 - std::pow(b2, t))) + eps);
          } else {
            r0[i] += gi * gi;
            rw[i] -= lr * gi / std::sqrt(r0[i] + eps);
          }
        }
      }
      for (int64_t i = 0; i < n; i++)
        CHECK_MSG(std::fabs(w[i] - rw[i]) <= 1e-6, "%s n=%lld w[%lld]: %.9g vs %.9g", nadam ? "nadam" : "adagrad",
                  (long long)n, (long long)i, w[i], rw[i]);
    }
  }
}

// Norms and the norm clip against a plain double loop; the clip acts on f32(g + l2x2·w).
TEST(gradient_clipping_matches_reference) {
  for (const int64_t n : {1, 7, 13, 255, 256, 1000}) {
    for (const double l2x2 : {0.0, 0.02}) {
      const std::vector<float> g0 = ref::random_floats(n, 81, -2, 2), w = ref::random_floats(n, 82);
      double want = 0.0;
      for (int64_t i = 0; i < n; i++) {
        const double gi = static_cast<float>(g0[i] + l2x2 * w[i]);
        want += gi * gi;
      }
      const double sum = ops::gradient_sum_squares(g0.data(), w.data(), n, l2x2);
      CHECK_CLOSE(sum, want, 1e-12);
      const double c = 0.5 * std::sqrt(want);  // half the norm: the clip bites
      const float scale = ops::clip_scale(sum, c);
      CHECK_EQ(scale, static_cast<float>(c / std::sqrt(sum)));  // rounded to f32 once
      CHECK_CLOSE(scale, 0.5, 1e-7);
      CHECK_EQ(ops::clip_scale(sum, 2 * std::sqrt(want)), 1.0f);  // within the bound: untouched
      // through the update: plain sgd with lr 1 moves w by exactly the clipped gradient (up to f32 rounding)
      nrt_optimizer_desc o{};
      o.kind = NRT_OPTIMIZER_SGD;
      ops::StepParams p;
      p.learning_rate = 1.0;
      p.grad_scale = scale;
      std::vector<float> moved = w;
      ops::optimizer_update(o, p, moved.data(), g0.data(), nullptr, nullptr, n, l2x2);
      double clipped = 0.0;
      for (int64_t i = 0; i < n; i++) {
        const double gi = static_cast<float>(g0[i] + l2x2 * w[i]) * scale;  // the product in f32
        CHECK_EQ(moved[i], static_cast<float>(w[i] - gi));
        clipped += gi * gi;
      }
      CHECK_CLOSE(std::sqrt(clipped), c, 1e-6);
    }
  }
}

// optimizer_update with a clip clips first, then updates on the clipped gradient (the L2 term inside the clip).
TEST(optimizer_update_clips_before_the_update) {
  const int64_t n = 13;
  nrt_optimizer_desc o{};
  o.kind = NRT_OPTIMIZER_SGD;
  ops::StepParams p;
  p.learning_rate = 0.1;
  p.clip_value = 0.05;
  std::vector<float> w = ref::random_floats(n, 91), g = ref::random_floats(n, 92);
  const std::vector<float> w0 = w, g0 = g;
  ops::optimizer_update(o, p, w.data(), g.data(), nullptr, nullptr, n, 0.02);
  for (int64_t i = 0; i < n; i++) {
    const double gi = std::min(std::max(static_cast<double>(static_cast<float>(g0[i] + 0.02 * w0[i])), -0.05), 0.05);
    CHECK_EQ(w[i], static_cast<float>(w0[i] - 0.1 * static_cast<float>(gi)));
  }
}

// Keras's schedule formulas at each step, against the same written out in the test.
TEST(learning_rate_schedules_match_keras_formulas) {
  const double pi = 3.14159265358979323846;
  nrt_optimizer_desc o{};
  o.learning_rate = 0.1;
  for (int64_t s = 0; s < 40; s++) CHECK_EQ(ops::learning_rate_at(o, s), 0.1);
  o.schedule = NRT_LR_SCHEDULE_COSINE_DECAY;
  o.decay_steps = 10;
  o.alpha = 0.2;
  for (int64_t s = 0; s < 40; s++) {
    const double f = std::min<double>(s, 10) / 10;
    CHECK_CLOSE(ops::learning_rate_at(o, s), 0.1 * ((1 - 0.2) * 0.5 * (1 + std::cos(pi * f)) + 0.2), 1e-15);
  }
  o.has_warmup_target = 1;
  o.warmup_steps = 4;
  o.warmup_target = 1.0;
  for (int64_t s = 0; s < 40; s++) {
    const double at = std::min<double>(s, 14);
    const double want = at < 4 ? 0.1 + (1.0 - 0.1) * at / 4
                               : 1.0 * ((1 - 0.2) * 0.5 * (1 + std::cos(pi * (at - 4) / 10)) + 0.2);
    CHECK_CLOSE(ops::learning_rate_at(o, s), want, 1e-15);
  }
  o.schedule = NRT_LR_SCHEDULE_EXPONENTIAL_DECAY;
  o.decay_steps = 3;
  o.decay_rate = 0.5;
  for (const int staircase : {0, 1}) {
    o.staircase = staircase;
    for (int64_t s = 0; s < 40; s++) {
      const double p = staircase ? std::floor(s / 3.0) : s / 3.0;
      CHECK_CLOSE(ops::learning_rate_at(o, s), 0.1 * std::pow(0.5, p), 1e-15);
    }
  }
  o.schedule = NRT_LR_SCHEDULE_PIECEWISE_CONSTANT;
  o.boundary_count = 2;
  o.boundaries[0] = 2;
  o.boundaries[1] = 5;
  o.values[0] = 0.3;
  o.values[1] = 0.2;
  o.values[2] = 0.1;
  const double want[] = {0.3, 0.3, 0.3, 0.2, 0.2, 0.2, 0.1, 0.1};
  for (int64_t s = 0; s < 8; s++) CHECK_EQ(ops::learning_rate_at(o, s), want[s]);
}
