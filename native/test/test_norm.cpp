// Batch and layer normalisation kernels against naive double references: forward from the definitions, backward
// from the Jacobian written out element by element (O(n²) per column or row), so the closed forms the kernels use
// are checked, not repeated. Odd and round shapes, with and without gamma and beta.
#include <cmath>
#include <vector>

#include "harness.h"
#include "ops/normalization.h"
#include "reference.h"

using namespace nrt;

namespace {

const int64_t kShapes[][2] = {{2, 1}, {2, 7}, {3, 13}, {7, 255}, {13, 17}, {255, 3}, {64, 64}};

struct Group {  // one normalised group: a column (batch) or a row (layer) as index lists into [rows × units]
  std::vector<int64_t> at;
};

std::vector<Group> groups(bool batch, int64_t rows, int64_t units) {
  std::vector<Group> out;
  if (batch) {
    for (int64_t j = 0; j < units; j++) {
      Group g;
      for (int64_t r = 0; r < rows; r++) g.at.push_back(r * units + j);
      out.push_back(g);
    }
  } else {
    for (int64_t r = 0; r < rows; r++) {
      Group g;
      for (int64_t j = 0; j < units; j++) g.at.push_back(r * units + j);
      out.push_back(g);
    }
  }
  return out;
}

// y = γ·x̂ + β and dx through the Jacobian ∂x̂_k/∂x_i = s·(δ_ik − 1/n − x̂_i·x̂_k/n); feature j of element e is e % units.
void reference(bool batch, const std::vector<float>& x, const std::vector<float>& dy, const float* gamma,
               const float* beta, double eps, int64_t rows, int64_t units, std::vector<double>& y,
               std::vector<double>& dx, std::vector<double>& dgamma, std::vector<double>& dbeta) {
  y.assign(x.size(), 0);
  dx.assign(x.size(), 0);
  dgamma.assign(static_cast<size_t>(units), 0);
  dbeta.assign(static_cast<size_t>(units), 0);
  for (const Group& g : groups(batch, rows, units)) {
    const double n = static_cast<double>(g.at.size());
    double mean = 0, var = 0;
    for (int64_t e : g.at) mean += x[e] / n;
    for (int64_t e : g.at) var += (x[e] - mean) * (x[e] - mean) / n;
    const double s = 1 / std::sqrt(var + eps);
    std::vector<double> h;
    for (int64_t e : g.at) h.push_back((x[e] - mean) * s);
    for (size_t a = 0; a < g.at.size(); a++) {
      const int64_t e = g.at[a], j = e % units;
      y[e] = (gamma ? gamma[j] : 1.0) * h[a] + (beta ? beta[j] : 0.0);
      dgamma[j] += dy[e] * h[a];
      dbeta[j] += dy[e];
      double sum = 0;
      for (size_t k = 0; k < g.at.size(); k++) {
        const int64_t ek = g.at[k], jk = ek % units;
        const double jac = s * ((a == k ? 1.0 : 0.0) - 1 / n - h[a] * h[k] / n);
        sum += dy[ek] * (gamma ? gamma[jk] : 1.0) * jac;
      }
      dx[e] = sum;
    }
  }
}

void check(bool batch, bool with_gamma, bool with_beta) {
  for (const auto& shape : kShapes) {
    const int64_t rows = shape[0], units = shape[1];
    const size_t size = static_cast<size_t>(rows * units);
    std::vector<float> x = ref::random_floats(size, 3, -2.0f, 3.0f);
    std::vector<float> dy = ref::random_floats(size, 4);
    std::vector<float> gamma = ref::random_floats(static_cast<size_t>(units), 5, 0.5f, 1.5f);
    std::vector<float> beta = ref::random_floats(static_cast<size_t>(units), 6);
    const ops::NormParams p{units, with_gamma ? gamma.data() : nullptr, with_beta ? beta.data() : nullptr, 1e-3};
    std::vector<float> y(size), xhat(size), dx(size), dg(static_cast<size_t>(units)), db(static_cast<size_t>(units));
    std::vector<double> inv_std(static_cast<size_t>(batch ? units : rows)), scratch(static_cast<size_t>(3 * units));
    std::vector<float> mm(static_cast<size_t>(units), 0.25f), mv(static_cast<size_t>(units), 2.0f);
    if (batch) {
      ops::batch_norm_training_forward(p, x.data(), rows, y.data(), xhat.data(), inv_std.data(), mm.data(), mv.data(),
                                       0.9, scratch.data());
      ops::batch_norm_backward(p, dy.data(), xhat.data(), inv_std.data(), rows, dg.data(), db.data(), dx.data(),
                               scratch.data());
    } else {
      ops::layer_norm_forward(p, x.data(), rows, y.data(), xhat.data(), inv_std.data());
      ops::layer_norm_backward(p, dy.data(), xhat.data(), inv_std.data(), rows, dg.data(), db.data(), dx.data(),
                               scratch.data());
    }
    std::vector<double> ry, rdx, rdg, rdb;
    reference(batch, x, dy, p.gamma, p.beta, p.epsilon, rows, units, ry, rdx, rdg, rdb);
    for (size_t e = 0; e < size; e++) {
      CHECK_CLOSE(y[e], ry[e], 1e-5);
      CHECK_CLOSE(dx[e], rdx[e], 1e-4);
    }
    for (int64_t j = 0; j < units; j++) {
      CHECK_CLOSE(dg[j], rdg[j], 1e-4);
      CHECK_CLOSE(db[j], rdb[j], 1e-5);
    }
    if (batch) {
      // moving = moving·0.9 + batch·0.1 with the biased variance
      for (int64_t j = 0; j < units; j++) {
        double mean = 0, var = 0;
        for (int64_t r = 0; r < rows; r++) mean += x[r * units + j] / static_cast<double>(rows);
        for (int64_t r = 0; r < rows; r++) var += std::pow(x[r * units + j] - mean, 2) / static_cast<double>(rows);
        CHECK_CLOSE(mm[j], 0.25 * 0.9 + mean * 0.1, 1e-6);
        CHECK_CLOSE(mv[j], 2.0 * 0.9 + var * 0.1, 1e-6);
      }
      // inference with those moving statistics
      std::vector<float> yi(size);
      ops::batch_norm_inference_forward(p, x.data(), rows, yi.data(), mm.data(), mv.data(), scratch.data());
      for (size_t e = 0; e < size; e++) {
        const int64_t j = static_cast<int64_t>(e) % units;
        const double h = (x[e] - static_cast<double>(mm[j])) / std::sqrt(static_cast<double>(mv[j]) + 1e-3);
        CHECK_CLOSE(yi[e], (with_gamma ? gamma[j] : 1.0) * h + (with_beta ? beta[j] : 0.0), 1e-5);
      }
    }
  }
}

}  // namespace

TEST(batch_norm_matches_reference) {
  check(true, true, true);
  check(true, false, true);
  check(true, true, false);
  check(true, false, false);
}

TEST(layer_norm_matches_reference) {
  check(false, true, true);
  check(false, false, true);
  check(false, true, false);
}
