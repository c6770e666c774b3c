#pragma once
// Per-transaction trace in Chrome trace-event JSON (opens in Perfetto / chrome://tracing), or
// as a Perfetto protobuf trace when the file name ends in .pftrace or .perfetto-trace (the
// same tracks, lanes, spans and flows: models/core/perfetto_trace.h).
// Process 1 holds the devices: one complete ("X") event per transaction, named by master and
// operation ("dma0 write"). Process 2 holds the SMMU: spans on a track per unit and activity
// (`smmu.tbu0 lookup`, `smmu.tbu0 dti`, `smmu.tcu walk`, `smmu.tcu cmdq`, ...), with flow
// arrows from a device transaction's translation to the walk it caused. Timestamps are whole
// nanoseconds (written as microseconds with three decimals; displayTimeUnit is ns), and every
// event has a `cat`. Spans of one track that overlap go to separate lanes (threads), so no
// two events of a lane overlap.
// Off, it costs callers one test of enabled(): they build no arguments unless it is true.

#include <cstdint>
#include <cstdio>
#include <deque>
#include <memory>
#include <unordered_map>
#include <string>
#include <vector>

#include <systemc>

#include "models/core/out_buffer.h"
#include "models/core/perfetto_trace.h"
#include "models/core/trace_args.h"

namespace smmusim::core {

class TxnTraceWriter {
public:
    // Inline: the hot paths ask instance().enabled() per transaction.
    static TxnTraceWriter& instance() {
        static TxnTraceWriter w;
        return w;
    }

    void open(const std::string& path);
    void close();
    bool enabled() const { return file_ != nullptr; }

    // The id of track `name` (made on first use; ids stay valid for the process): what the
    // span and complete calls take, so that a traced transaction builds no track name.
    unsigned track(const std::string& name);

    // A device transaction of master `track` on its own lane, named by the master and `label`
    // (a string literal); `extra` follows the master, addr, size and latency_ns arguments.
    void complete(unsigned track, unsigned lane, const sc_core::sc_time& start, const sc_core::sc_time& end,
                  const char* label, uint64_t addr, unsigned size, const TraceArgs& extra = TraceArgs());

    // A span inside the SMMU on `track` (process 2), on the first lane free at `start`. The
    // name, the category and the arguments' strings follow TraceArgs' rule (they outlive the
    // trace). A non-zero `flow_out` starts a flow arrow at the span, a non-zero `flow_in` ends
    // one there.
    void span(unsigned track, const char* name, const char* cat, const sc_core::sc_time& start,
              const sc_core::sc_time& end, const TraceArgs& args = TraceArgs(), uint64_t flow_out = 0,
              uint64_t flow_in = 0);
    // A fresh flow id (never 0).
    uint64_t new_flow() { return ++flows_; }

private:
    struct Track {
        std::string name;
        unsigned index;
        std::vector<uint64_t> lane_end_ns;  // SMMU tracks: when each lane is free again
        std::vector<uint8_t> named;         // lanes (mod kLanesPerTrack) whose thread is named
        // Device tracks: "<name> <label>" per label. The Perfetto trace interns names by
        // address (trace_args.h), so they live in a deque: adding one never moves another.
        std::deque<std::pair<const char*, std::string>> labels;
    };
    // The tid of lane `lane` of `t` (its thread named on first use).
    unsigned thread_id(Track& t, unsigned pid, unsigned lane) {
        const unsigned slot = lane % kLanesPerTrack;
        if (slot < t.named.size() && t.named[slot]) return t.index * kLanesPerTrack + slot;
        return name_thread(t, pid, lane);
    }
    unsigned name_thread(Track& t, unsigned pid, unsigned lane);
    static constexpr unsigned kLanesPerTrack = 1000;
    const char* device_name(Track& t, const char* label);

    std::FILE* file_ = nullptr;
    OutBuffer out_;  // the events, in front of file_
    std::unique_ptr<PerfettoTrace> perfetto_;  // set when the file is a Perfetto trace
    std::deque<Track> tracks_;  // a deque: a new track moves no other's name (interned by address)
    std::unordered_map<std::string, unsigned> by_name_;
    uint64_t flows_ = 0;
};

// A module's track, its id found on first use (the writer interns the name once).
class TraceTrack {
public:
    // `owner`'s name followed by `suffix` (" lookup"), or `suffix` alone without an owner.
    TraceTrack(const sc_core::sc_object* owner, std::string suffix) : owner_(owner), suffix_(std::move(suffix)) {}
    unsigned id() {
        if (id_ == kNone)
            id_ = TxnTraceWriter::instance().track(owner_ ? std::string(owner_->name()) + suffix_ : suffix_);
        return id_;
    }

private:
    static constexpr unsigned kNone = ~0u;
    const sc_core::sc_object* owner_;
    std::string suffix_;
    unsigned id_ = kNone;
};

// Smallest free lane number, so that lanes are reused and stay few: a bitmap of the free
// ones (no allocation per transaction once it has grown to the most lanes in use).
class LaneSet {
public:
    unsigned acquire();
    void release(unsigned lane);

private:
    std::vector<uint64_t> free_;  // bit i of word w: lane 64 * w + i is free
    unsigned next_ = 0;
};

}  // namespace smmusim::core
