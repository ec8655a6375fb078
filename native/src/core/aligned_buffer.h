// A float array on 64-byte boundaries (a cache line; the widest vector load), grown rarely and reused:
// the engine allocates its work buffers once per batch size, never per step.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>

namespace nrt {

constexpr std::size_t kAlignment = 64;

inline void* aligned_alloc_bytes(std::size_t bytes) {
  if (bytes == 0) bytes = kAlignment;
  const std::size_t rounded = (bytes + kAlignment - 1) / kAlignment * kAlignment;
#if defined(_WIN32)
  return _aligned_malloc(rounded, kAlignment);
#else
  void* p = nullptr;
  if (posix_memalign(&p, kAlignment, rounded) != 0) return nullptr;
  return p;
#endif
}

inline void aligned_free_bytes(void* p) {
#if defined(_WIN32)
  _aligned_free(p);
#else
  std::free(p);
#endif
}

template <typename T>
class AlignedBuffer {
 public:
  AlignedBuffer() = default;
  AlignedBuffer(const AlignedBuffer&) = delete;
  AlignedBuffer& operator=(const AlignedBuffer&) = delete;
  AlignedBuffer(AlignedBuffer&& other) noexcept : data_(other.data_), size_(other.size_) {
    other.data_ = nullptr;
    other.size_ = 0;
  }
  AlignedBuffer& operator=(AlignedBuffer&& other) noexcept {
    if (this != &other) {
      aligned_free_bytes(data_);
      data_ = other.data_;
      size_ = other.size_;
      other.data_ = nullptr;
      other.size_ = 0;
    }
    return *this;
  }
  ~AlignedBuffer() { aligned_free_bytes(data_); }

  // Makes room for n elements; contents are not kept. Returns false when out of memory.
  bool reserve(std::size_t n) {
    if (n <= size_ && data_ != nullptr) return true;
    if (n > SIZE_MAX / sizeof(T)) return false;
    T* p = static_cast<T*>(aligned_alloc_bytes(n * sizeof(T)));
    if (p == nullptr) return false;
    aligned_free_bytes(data_);
    data_ = p;
    size_ = n;
    return true;
  }
  // Exactly n zeroed elements (used for parameters and optimizer slots).
  bool assign_zero(std::size_t n) {
    if (!reserve(n)) return false;
    std::memset(data_, 0, n * sizeof(T));
    return true;
  }
  void release() {
    aligned_free_bytes(data_);
    data_ = nullptr;
    size_ = 0;
  }

  T* data() { return data_; }
  const T* data() const { return data_; }
  std::size_t capacity() const { return size_; }

 private:
  T* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace nrt
