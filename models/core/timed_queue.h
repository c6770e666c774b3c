#pragma once
// A payload event queue with the interface and the behaviour of tlm_utils::peq_with_get
// (notify(obj, delay); get_next_transaction() until it returns nullptr, from a process
// sensitive to get_event()), without its allocation: peq_with_get keeps a std::multimap, one
// heap node per notify, on the per-transaction path. This one is a binary heap in a vector
// whose storage is kept, so once it has held its largest number of entries it allocates no
// more. Same order as the multimap: by time, then by notify order (the sequence number), and
// the same event notifications, so a model moved onto it keeps its results exactly.

#include <algorithm>
#include <cstdint>
#include <vector>

#include <systemc>

#include "models/core/sim_time.h"

namespace smmusim::core {

template <class T>
class TimedQueue {
public:
    TimedQueue() = default;
    TimedQueue(const TimedQueue&) = delete;
    TimedQueue& operator=(const TimedQueue&) = delete;

    // `obj` is due `delay` from now; the event fires then (or earlier, if already due earlier).
    void notify(T& obj, const sc_core::sc_time& delay) {
        heap_.push_back(Entry{now() + delay, seq_++, &obj});
        std::push_heap(heap_.begin(), heap_.end(), later);
        event_.notify(delay);
    }

    // The next object due by now, or nullptr; then the event is notified for the next one due.
    T* get_next_transaction() {
        if (heap_.empty()) return nullptr;
        const sc_core::sc_time& t = now();
        if (heap_.front().due <= t) {
            T* obj = heap_.front().obj;
            std::pop_heap(heap_.begin(), heap_.end(), later);
            heap_.pop_back();
            return obj;
        }
        event_.notify(heap_.front().due - t);
        return nullptr;
    }

    sc_core::sc_event& get_event() { return event_; }
    bool empty() const { return heap_.empty(); }

private:
    struct Entry {
        sc_core::sc_time due;
        uint64_t seq;
        T* obj;
    };
    // std::push_heap keeps the greatest on top: "greater" is the later entry.
    static bool later(const Entry& a, const Entry& b) { return a.due != b.due ? a.due > b.due : a.seq > b.seq; }

    std::vector<Entry> heap_;
    uint64_t seq_ = 0;
    sc_core::sc_event event_;
};

}  // namespace smmusim::core
