#pragma once
// A traffic generator: issues reads and writes over a region with a pattern (sequential,
// strided, uniform random, hot set) or replays a trace file, with a read/write mix, a
// transaction size, a limit on outstanding transactions and an issue interval. DmaMaster and
// CpuTraffic specialise it; the knobs are the same.

#include <cstdint>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>

#include "models/core/at_initiator_port.h"
#include "models/core/clock.h"
#include "models/core/params.h"
#include "models/core/payload_pool.h"
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
    bool finished() const { return finished_; }
    uint64_t transactions() const { return transactions_.value(); }
    uint64_t bytes() const { return bytes_.value(); }
    uint64_t errors() const { return errors_.value(); }

protected:
    struct Op {
        uint64_t addr;
        unsigned size;
        bool write;
        const TraceRecord* record;  // trace replay: the line being replayed
    };
    // Adds what a kind of master puts on its transactions (a DMA master's StreamID).
    virtual void decorate(tlm::tlm_generic_payload& gp, const Op& op) = 0;

private:
    void validate();
    void run();
    Op next_op();
    void issue(const Op& op);
    void at_response(tlm::tlm_generic_payload& gp, unsigned) override;
    void set_outstanding(uint32_t n);

    core::Rng rng_;
    AddressPattern addresses_;
    std::vector<TraceRecord> records_;
    core::PayloadPool pool_{kMaxTransactionSize};
    core::LaneSet lanes_;
    sc_core::sc_event slot_free_;
    uint32_t outstanding_ = 0;
    uint64_t issued_ = 0;
    uint64_t write_seq_ = 0;
    bool finished_ = false;
    bool started_ = false;
    sc_core::sc_time last_issue_ = sc_core::SC_ZERO_TIME;  // trace gaps count from here
    sc_core::sc_time next_issue_ = sc_core::SC_ZERO_TIME;
    sc_core::sc_time first_issue_ = sc_core::SC_ZERO_TIME;
    sc_core::sc_time last_done_ = sc_core::SC_ZERO_TIME;

    core::Counter transactions_{this, "transactions", "transactions completed"};
    core::Counter reads_{this, "reads", "read transactions completed"};
    core::Counter writes_{this, "writes", "write transactions completed"};
    core::Counter bytes_{this, "bytes", "bytes moved by completed transactions", "bytes"};
    core::Counter errors_{this, "errors", "transactions completed with an error response"};
    core::TimeHistogram latency_{this, "latency", "issue to response, per transaction"};
    core::Level outstanding_level_{this, "outstanding", "transactions issued and not yet completed"};
    core::Formula bandwidth_;
    core::TraceSignal outstanding_sig_{this, "outstanding", 16};
    core::TraceSignal bytes_sig_{this, "bytes", 64};
};

}  // namespace smmusim::traffic
