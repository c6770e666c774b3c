#include "sw/driver/event_queue.h"

#include "models/smmu/arch/events.h"
#include "models/smmu/arch/queue.h"
#include "models/smmu/arch/regs.h"

namespace smmusim::sw::driver {

using namespace smmu::arch;

namespace {
constexpr uint64_t kRecordBytes = 32;
constexpr uint32_t kOvf = queue_ptr::OVFLG::mask;
}  // namespace

EventQueue::EventQueue(hal::Bus& bus, hal::PageAllocator& mem, Observer& obs, uint64_t regs, unsigned log2)
    : bus_(bus), obs_(obs), regs_(regs), log2_(log2), base_(mem.alloc(kRecordBytes << log2)) {
    bus_.dma_memory(base_, kRecordBytes << log2);
    bus_.fill(base_, 0, kRecordBytes << log2);
}

uint64_t EventQueue::base_register() const {
    uint64_t v = put<queue_base::RA_WA>(0, 1);
    v = queue_base::ADDR::put_address(v, base_);
    return put<queue_base::LOG2SIZE>(v, log2_);
}

uint64_t EventQueue::drain() {
    const QueueIndex q(log2_);
    uint64_t n = 0;
    do {
        while (!q.empty(prod_, cons_)) {
            unsigned char bytes[kRecordBytes];
            bus_.read(base_ + q.index(cons_) * kRecordBytes, bytes, sizeof bytes);
            cons_ = (cons_ & kOvf) | q.next(cons_);
            bus_.write32(regs_ + reg::EVENTQ_CONS, cons_);
            EventRecord r;
            r.load(bytes);
            ++events_;
            ++n;
            obs_.event(r);
        }
        const uint32_t prod = bus_.read32(regs_ + reg::EVENTQ_PROD);
        if ((prod & kOvf) != (prod_ & kOvf)) {
            ++overflows_;
            obs_.warning("EVTQ overflow detected -- events lost");
        }
        prod_ = (prod & kOvf) | q.pos(prod);
    } while (!q.empty(prod_, cons_));
    if ((prod_ & kOvf) != (cons_ & kOvf)) {  // acknowledge the overflow
        cons_ = (prod_ & kOvf) | q.pos(cons_);
        bus_.write32(regs_ + reg::EVENTQ_CONS, cons_);
    }
    return n;
}

}  // namespace smmusim::sw::driver
