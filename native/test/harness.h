// A test harness small enough to read in a minute: TEST(name) registers a function, CHECK* record failures
// with file:line and keep going, main() runs every test (or those whose name contains argv[1]).
#pragma once

#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <string>
#include <vector>

namespace harness {

struct TestCase {
  const char* name;
  void (*fn)();
};

std::vector<TestCase>& registry();
void record_failure(const char* file, int line, const std::string& message);
int failures_in_current_test();

struct Registrar {
  Registrar(const char* name, void (*fn)()) { registry().push_back({name, fn}); }
};

inline std::string format(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
inline std::string format(const char* fmt, ...) {
  char buf[1024];
  va_list args;
  va_start(args, fmt);
  std::vsnprintf(buf, sizeof buf, fmt, args);
  va_end(args);
  return buf;
}

}  // namespace harness

#define TEST(name)                                                   \
  static void name();                                                \
  static harness::Registrar name##_registrar(#name, name);           \
  static void name()

#define CHECK(cond)                                                              \
  do {                                                                           \
    if (!(cond)) harness::record_failure(__FILE__, __LINE__, "CHECK(" #cond ")"); \
  } while (0)

#define CHECK_MSG(cond, ...)                                                        \
  do {                                                                              \
    if (!(cond)) harness::record_failure(__FILE__, __LINE__, harness::format(__VA_ARGS__)); \
  } while (0)

#define CHECK_EQ(a, b)                                                                              \
  do {                                                                                              \
    const auto va_ = (a);                                                                           \
    const auto vb_ = (b);                                                                           \
    if (!(va_ == vb_))                                                                              \
      harness::record_failure(__FILE__, __LINE__,                                                   \
                              harness::format("CHECK_EQ(%s, %s): %.9g != %.9g", #a, #b,             \
                                              static_cast<double>(va_), static_cast<double>(vb_))); \
  } while (0)

// |a - b| <= tol·max(1, |b|)
#define CHECK_CLOSE(a, b, tol)                                                                          \
  do {                                                                                                  \
    const double va_ = static_cast<double>(a), vb_ = static_cast<double>(b);                            \
    if (!(std::fabs(va_ - vb_) <= (tol) * std::fmax(1.0, std::fabs(vb_))))                              \
      harness::record_failure(__FILE__, __LINE__,                                                       \
                              harness::format("CHECK_CLOSE(%s, %s): %.9g vs %.9g (tol %g)", #a, #b, va_, \
                                              vb_, static_cast<double>(tol)));                          \
  } while (0)
