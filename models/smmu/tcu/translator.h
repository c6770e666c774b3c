#pragma once
// One translation from start to finish (reference §9.5, §9.7): SMMUEN / GBPA, the stream's
// configuration, stage 1 and stage 2 walks, and what a fault does: an event record (when it
// is to be recorded) and the termination of the access, abort or RAZ/WI.

#include <cstdint>

#include "models/smmu/arch/events.h"
#include "models/smmu/dti/dti.h"
#include "models/smmu/features.h"
#include "models/smmu/tcu/config_fetch.h"
#include "models/smmu/tcu/event_sink.h"
#include "models/smmu/tcu/registers.h"
#include "models/smmu/tcu/walker.h"

namespace smmusim::smmu::tcu {

struct TranslatorCounters {
    uint64_t translations = 0, bypassed = 0, aborted = 0, razwi = 0, faults = 0, recorded = 0;
};

class Translator {
public:
    Translator(const RegState& regs, const Features& f, TableReader& mem, EventSink& events);

    // Blocking: every structure and descriptor read takes memory time.
    dti::TranslateResponse translate(Access a);

    const WalkCounters& walk_counters() const { return walk_counters_; }
    const TranslatorCounters& counters() const { return n_; }
    const ConfigFetch& config() const { return config_; }

private:
    dti::TranslateResponse fault(const Access& a, const Fault& f, dti::Outcome terminate);
    // A translation fault (F_TRANSLATION .. F_PERMISSION) of stage 1 or 2 (§9.7).
    dti::TranslateResponse walk_fault(const Access& a, Fault f, const StreamConfig& c);

    const RegState& regs_;
    Features f_;
    EventSink& events_;
    WalkCounters walk_counters_;
    Walker walker_;
    ConfigFetch config_;
    TranslatorCounters n_;
};

// The event record for a fault of access `a` (fact sheet walk_cmd_evt §5).
arch::EventRecord make_event(const Access& a, const Fault& f);

}  // namespace smmusim::smmu::tcu
