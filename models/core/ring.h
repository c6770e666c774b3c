#pragma once
// A FIFO in one circular buffer that keeps its storage: std::deque frees and allocates a block
// every few dozen entries as the queue moves on, so a queue on a per-transaction path would
// allocate; this one allocates only when it holds more than ever before (it doubles).

#include <cstddef>
#include <utility>
#include <vector>

namespace smmusim::core {

template <class T>
class Ring {
public:
    bool empty() const { return size_ == 0; }
    size_t size() const { return size_; }
    T& front() { return buf_[head_]; }
    const T& front() const { return buf_[head_]; }
    // The i-th entry from the front.
    T& operator[](size_t i) { return buf_[(head_ + i) & (buf_.size() - 1)]; }

    void push_back(T v) {
        if (size_ == buf_.size()) grow();
        buf_[(head_ + size_) & (buf_.size() - 1)] = std::move(v);
        ++size_;
    }
    void pop_front() {
        head_ = (head_ + 1) & (buf_.size() - 1);
        --size_;
    }
    void clear() { head_ = size_ = 0; }

private:
    void grow() {
        std::vector<T> bigger(buf_.empty() ? 16 : buf_.size() * 2);  // a power of two: index by mask
        for (size_t i = 0; i < size_; ++i) bigger[i] = std::move((*this)[i]);
        buf_.swap(bigger);
        head_ = 0;
    }

    std::vector<T> buf_;
    size_t head_ = 0, size_ = 0;
};

}  // namespace smmusim::core
