#pragma once
// The event queue producer (reference §7.3, fact sheet walk_cmd_evt §8): records posted by
// translations are written in order by timed 32-byte writes; PROD advances after each write;
// the queue interrupt fires when the queue goes from empty to non-empty. A record that finds
// the queue full is discarded and raises the overflow flag; nothing is written while
// EVENTQEN=0 or while an EVENTQ_ABT_ERR is unacknowledged.

#include <cstdint>
#include <deque>

#include <systemc>

#include "models/core/txn_trace.h"
#include "models/core/blocking_port.h"
#include "models/core/stats.h"
#include "models/smmu/arch/events.h"
#include "models/smmu/features.h"
#include "models/smmu/tcu/event_sink.h"
#include "models/smmu/tcu/interrupts.h"
#include "models/smmu/tcu/registers.h"

namespace smmusim::smmu::tcu {

class EventQueue : public EventSink {
public:
    EventQueue(sc_core::sc_module& owner, RegState& regs, const Features& f, core::BlockingPort& mem,
               Interrupts& irq);

    void post(const arch::EventRecord& r) override;
    // SC_THREAD body: writes posted records.
    void run();
    // Blocks until every record posted so far is written or discarded: what a CMD_SYNC
    // waits for, so that the records of faults a device saw before it are visible (§4.7.3).
    void drain();

private:
    bool writable() const;
    void write(const arch::EventRecord& r);

    RegState& regs_;
    Features f_;
    core::BlockingPort& mem_;
    Interrupts& irq_;
    std::deque<arch::EventRecord> pending_;
    sc_core::sc_event posted_, handled_;
    uint64_t posted_count_ = 0, handled_count_ = 0;

    core::Counter written_, discarded_, overflows_, aborts_;
    core::TraceTrack trace_track_;  // `<tcu> eventq` in the transaction trace
};

}  // namespace smmusim::smmu::tcu
