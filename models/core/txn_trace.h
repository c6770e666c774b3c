#pragma once
// Per-transaction trace in Chrome trace-event JSON (opens in Perfetto / chrome://tracing):
// one complete ("X") event per transaction. Concurrent transactions of one master go to
// separate lanes (threads) so that no two events on a lane overlap.

#include <cstdint>
#include <cstdio>
#include <map>
#include <set>
#include <string>

#include <systemc>

namespace smmusim::core {

class TxnTraceWriter {
public:
    static TxnTraceWriter& instance();

    void open(const std::string& path);
    void close();
    bool enabled() const { return file_ != nullptr; }

    // `track` is the master's name; `args_json` is extra members for "args" (may be empty).
    void complete(const std::string& track, unsigned lane, const sc_core::sc_time& start,
                  const sc_core::sc_time& end, const char* label, uint64_t addr, unsigned size,
                  const std::string& args_json = {});

private:
    unsigned thread_id(const std::string& track, unsigned lane);

    std::FILE* file_ = nullptr;
    bool first_ = true;
    std::map<std::string, unsigned> tracks_;
    std::set<unsigned> named_threads_;
};

// Smallest free lane number, so that lanes are reused and stay few.
class LaneSet {
public:
    unsigned acquire();
    void release(unsigned lane);

private:
    std::set<unsigned> free_;
    unsigned next_ = 0;
};

}  // namespace smmusim::core
