#pragma once
// A traffic generator: issues reads and writes over a region with a pattern (sequential,
// strided, uniform random, hot set) or replays a trace file, with a read/write mix, a
// transaction size, a limit on outstanding transactions and an issue interval. DmaMaster and
// CpuTraffic specialise it; the knobs are the same.

#include <cstdint>
#include <deque>
#include <functional>
#include <list>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>

#include "models/core/at_initiator_port.h"
#include "models/core/clock.h"
#include "models/core/params.h"
#include "models/core/payload_pool.h"
#include "models/core/quantum_keeper.h"
#include "models/core/ring.h"
#include "models/core/rng.h"
#include "models/core/stats.h"
#include "models/core/txn_trace.h"
#include "models/core/vcd.h"
#include "models/traffic/address_pattern.h"
#include "models/traffic/trace_reader.h"

namespace smmusim::traffic {

struct TrafficDefaults {
    bool enable = true;
    Pattern pattern = Pattern::Sequential;
    uint64_t base = 0x80000000;
    uint64_t region = uint64_t(1) << 20;
    uint32_t size = 64;
    uint64_t stride = 4096;
    uint64_t hot_size = uint64_t(64) << 10;
    double hot_fraction = 0.9;
    double read_fraction = 0.5;
    uint32_t max_outstanding = 8;
    uint32_t interval = 1;
    uint64_t count = 10000;
    sc_core::sc_time start = sc_core::SC_ZERO_TIME;
};

// A burst of transactions software asks a master for (a DMA descriptor): `count` transactions
// of `size` bytes at addr, addr + stride, ..., with this StreamID / SubstreamID. Jobs are
// served in submission order, beside the pattern traffic, within the same outstanding limit
// and issue interval.
struct DmaJob {
    uint32_t sid = 0;
    bool ssid_valid = false;
    uint32_t ssid = 0;
    uint64_t addr = 0;
    uint32_t size = 64;
    bool write = false;
    uint64_t count = 1;
    uint64_t stride = 0;
    // Non-zero: addresses uniformly at random (size-aligned) in [addr, addr + random_region)
    // instead of strided.
    uint64_t random_region = 0;
};
struct DmaJobResult {
    uint64_t ok = 0, errors = 0;
    sc_core::sc_time start, end;  // first issue, last response
};

class TrafficGen : public sc_core::sc_module, private core::AtInitiatorHandler {
public:
    SC_HAS_PROCESS(TrafficGen);
    TrafficGen(sc_core::sc_module_name name, const TrafficDefaults& d);
    ~TrafficGen() override;

    core::ClockParam clock{this};
    core::Param<bool> enable;
    core::EnumParam<Pattern> pattern;
    core::Param<uint64_t> base;
    core::Param<uint64_t> region;
    core::Param<uint32_t> size;
    core::Param<uint64_t> stride;
    core::Param<uint64_t> hot_size;
    core::Param<double> hot_fraction;
    core::Param<double> read_fraction;
    core::Param<uint32_t> max_outstanding;
    core::Param<uint32_t> interval;
    core::Param<uint64_t> count;
    core::Param<sc_core::sc_time> start;
    core::Param<std::string> trace;

    core::AtInitiatorPort port;  // socket: <name>.socket

    // Issues forever (count 0, pattern mode): the run needs another bound.
    bool unbounded() const { return enable && count == 0 && pattern != Pattern::Trace; }
    bool finished() const { return finished_ && jobs_.empty(); }
    // Issues no more pattern or trace traffic (what is in flight completes); jobs still run.
    void stop() {
        stopped_ = true;
        slot_free_.notify(sc_core::SC_ZERO_TIME);
    }

    // Queues a job; `done` runs (in a SystemC process) when its last response arrives.
    // Throws std::invalid_argument for a size that is not a power of two up to 4 KiB, an
    // address not aligned to it, or a count of 0.
    void submit(const DmaJob& job, std::function<void(const DmaJobResult&)> done);
    uint64_t transactions() const { return transactions_.value(); }
    uint64_t bytes() const { return bytes_.value(); }
    uint64_t errors() const { return errors_.value(); }

protected:
    struct ActiveJob {
        DmaJob job;
        std::function<void(const DmaJobResult&)> done;
        DmaJobResult result;
        uint64_t issued = 0;
    };
    struct Op {
        uint64_t addr;
        unsigned size;
        bool write;
        const TraceRecord* record;  // trace replay: the line being replayed
        const DmaJob* job;          // a software job
        ActiveJob* active = nullptr;
    };
    // Adds what a kind of master puts on its transactions (a DMA master's StreamID).
    virtual void decorate(tlm::tlm_generic_payload& gp, const Op& op) = 0;
    // A device (DMA master): its transactions count against the run's --max-transactions.
    virtual bool device() const = 0;

private:
    void validate();
    void run();
    void run_jobs();
    Op next_op();
    // The payload for `op`, issued at `at`: command, address, data, StreamAttr.
    tlm::tlm_generic_payload& prepare(const Op& op, const sc_core::sc_time& at);
    void issue(const Op& op);
    void at_response(tlm::tlm_generic_payload& gp, unsigned) override;
    // The stats of a transaction issued at `issued` that completed at `done`.
    void record(const tlm::tlm_generic_payload& gp, const sc_core::sc_time& issued, const sc_core::sc_time& done);
    // Counts a completed transaction of job `j`: true if it was the job's last.
    bool job_progress(ActiveJob& j, bool ok, const sc_core::sc_time& done);
    void job_done(ActiveJob& j);
    void set_outstanding(uint32_t n);
    // sim.mode=lt (traffic_gen_lt.cpp): one thread issues the pattern and the jobs with
    // b_transport, each at its own issue time (interval, start, trace time, and one of
    // max_outstanding slots: the earliest completion in flight frees one), kept as the quantum
    // keeper's local time.
    void run_lt();
    void issue_lt(const Op& op, const sc_core::sc_time& at);
    bool pattern_next(sc_core::sc_time& at);  // false: the pattern is over

    std::list<ActiveJob> jobs_;               // issuing or waiting for responses
    std::deque<ActiveJob*> to_issue_;         // submission order
    sc_core::sc_event job_event_;
    sc_core::sc_time next_job_issue_ = sc_core::SC_ZERO_TIME;

    core::Rng rng_;
    AddressPattern addresses_;
    std::vector<TraceRecord> records_;
    core::PayloadPool pool_{kMaxTransactionSize};
    core::LaneSet lanes_;
    core::TraceTrack trace_track_{this, ""};  // this master's track in the transaction trace
    sc_core::sc_event slot_free_;
    bool slot_waiters_ = false;  // run() or run_jobs() waits for slot_free_
    void wait_for_slot() {
        slot_waiters_ = true;
        next_trigger(slot_free_);
    }
    uint32_t outstanding_ = 0;
    uint64_t issued_ = 0;
    uint64_t pattern_issued_ = 0;  // of the pattern or trace (`count`, the trace line); jobs aside
    uint64_t write_seq_ = 0;
    bool finished_ = false;
    bool stopped_ = false;
    bool started_ = false;
    sc_core::sc_time last_issue_ = sc_core::SC_ZERO_TIME;  // trace gaps count from here
    sc_core::sc_time next_issue_ = sc_core::SC_ZERO_TIME;
    sc_core::sc_time first_issue_ = sc_core::SC_ZERO_TIME;
    sc_core::sc_time last_done_ = sc_core::SC_ZERO_TIME;
    // sim.mode=lt
    core::QuantumKeeper qk_;
    // When each of max_outstanding slots frees, ascending (front: the first to free). Kept sorted
    // by insertion from the back: completions mostly come in order, so that is one compare
    // where a heap took a pop and a push.
    core::Ring<sc_core::sc_time> lt_slots_;

    core::Counter transactions_{this, "transactions", "transactions completed"};
    core::Counter reads_{this, "reads", "read transactions completed"};
    core::Counter writes_{this, "writes", "write transactions completed"};
    core::Counter bytes_{this, "bytes", "bytes moved by completed transactions", "bytes"};
    core::Counter errors_{this, "errors", "transactions completed with an error response"};
    core::TimeHistogram latency_{this, "latency", "issue to response, per transaction"};
    core::Level outstanding_level_{this, "outstanding", "transactions issued and not yet completed"};
    core::Formula bandwidth_;
    core::TraceSignal outstanding_sig_{this, "outstanding", 16};
    core::TraceSignal bytes_sig_{this, "bytes", 64, core::SignalKind::counter};
};

}  // namespace smmusim::traffic
