#pragma once
// Where translations post event records (the event queue, or a test's recorder).

#include "models/smmu/arch/events.h"

namespace smmusim::smmu::tcu {

class EventSink {
public:
    virtual ~EventSink() = default;
    virtual void post(const arch::EventRecord& r) = 0;
};

}  // namespace smmusim::smmu::tcu
