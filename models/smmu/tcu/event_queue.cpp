#include "models/smmu/tcu/event_queue.h"

#include <cstdio>

#include "models/core/txn_trace.h"

#include <algorithm>

#include "models/smmu/arch/queue.h"
#include "models/smmu/arch/regs.h"

namespace smmusim::smmu::tcu {

using namespace arch;

EventQueue::EventQueue(sc_core::sc_module& owner, RegState& regs, const Features& f,
                       core::BlockingPort& mem, Interrupts& irq)
    : regs_(regs),
      f_(f),
      mem_(mem),
      irq_(irq),
      written_(&owner, "eventq.written", "event records written to the event queue"),
      discarded_(&owner, "eventq.discarded",
                 "event records discarded: queue disabled, full or after a write abort"),
      overflows_(&owner, "eventq.overflows", "times the overflow flag was raised"),
      aborts_(&owner, "eventq.write_aborts", "event record writes that got an error response"),
      trace_track_(&owner, " eventq") {}

void EventQueue::post(const EventRecord& r) {
    pending_.push_back(r);
    ++posted_count_;
    posted_.notify(sc_core::SC_ZERO_TIME);
}

void EventQueue::drain() {
    const uint64_t target = posted_count_;
    while (handled_count_ < target) sc_core::wait(handled_);
}

bool EventQueue::writable() const {
    return regs_.eventqen() && !regs_.gerror_active(gerror::EVENTQ_ABT_ERR);
}

void EventQueue::run() {
    for (;;) {
        while (pending_.empty()) sc_core::wait(posted_);
        EventRecord r = pending_.front();
        pending_.pop_front();
        if (writable()) write(r);
        else ++discarded_;
        ++handled_count_;
        handled_.notify(sc_core::SC_ZERO_TIME);
    }
}

void EventQueue::write(const EventRecord& r) {
    const unsigned log2size =
        std::min<unsigned>(unsigned(get<queue_base::LOG2SIZE>(regs_.eventq_base)), f_.eventqs);
    const QueueIndex q(log2size);
    const uint32_t prod = regs_.eventq_prod, cons = regs_.eventq_cons;
    if (q.full(prod, cons)) {
        ++discarded_;
        // One overflow indication until software acknowledges it (OVACKFLG = OVFLG).
        if (get<queue_ptr::OVFLG>(prod) == get<queue_ptr::OVFLG>(cons)) {
            regs_.eventq_prod ^= 1u << 31;
            ++overflows_;
        }
        return;
    }
    const uint64_t bytes = uint64_t(EventRecord::kBytes) << log2size;
    const uint64_t base = queue_base::ADDR::address(regs_.eventq_base) & ~(bytes - 1);
    unsigned char data[EventRecord::kBytes];
    r.store(data);
    const sc_core::sc_time write_start = sc_core::sc_time_stamp();
    const bool ok = mem_.write(base + uint64_t(q.index(prod)) * EventRecord::kBytes, data, sizeof data) ==
                    tlm::TLM_OK_RESPONSE;
    if (core::TxnTraceWriter::instance().enabled()) {
        core::TxnTraceWriter::instance().span(trace_track_.id(), event_name(uint8_t(r.get<EventRecord::Type>())),
                                              "tcu.event", write_start, sc_core::sc_time_stamp(),
                                              core::TraceArgs().u("sid", r.get<EventRecord::StreamID>()).flag("ok", ok));
    }
    if (!ok) {
        ++aborts_;
        ++discarded_;
        irq_.gerror(gerror::EVENTQ_ABT_ERR);  // PROD does not advance past the failed entry
        return;
    }
    ++written_;
    const bool was_empty = q.empty(regs_.eventq_prod, regs_.eventq_cons);
    regs_.eventq_prod = (regs_.eventq_prod & (1u << 31)) | q.next(regs_.eventq_prod);
    if (was_empty) irq_.eventq();
}

}  // namespace smmusim::smmu::tcu
