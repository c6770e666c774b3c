#pragma once
// One translation from start to finish (reference §9.5, §9.7): SMMUEN / GBPA, the stream's
// configuration (config cache, else STE and CD reads), the optional TCU TLB, stage 1 and
// stage 2 walks (walk caches, IPA cache), and what a fault does: an event record when it is
// to be recorded, and the termination of the access, abort or RAZ/WI. A translation that
// succeeds returns a TLB entry with every tag invalidation needs.

#include <cstdint>

#include "models/smmu/arch/events.h"
#include "models/smmu/cache/set_assoc_cache.h"
#include "models/smmu/dti/dti.h"
#include "models/smmu/features.h"
#include "models/smmu/tcu/config_fetch.h"
#include "models/smmu/tcu/event_sink.h"
#include "models/smmu/tcu/registers.h"
#include "models/smmu/tcu/walker.h"

namespace smmusim::smmu::tcu {

using ConfigCache = cache::SetAssocCache<ConfigEntry>;
using TlbCache = cache::SetAssocCache<cache::TlbEntry>;

struct TranslatorCounters {
    uint64_t translations = 0, bypassed = 0, aborted = 0, razwi = 0, faults = 0, recorded = 0;
};

class Translator {
public:
    struct Caches {
        ConfigCache* config;
        TlbCache* tlb;
        bool contiguous;  // an entry may span a contiguous-hint run
    };
    // Without an environment: no caches, no timing beyond memory reads (tests).
    Translator(const RegState& regs, const Features& f, TableReader& mem, EventSink& events)
        : Translator(regs, f, mem, events, nullptr, Caches{nullptr, nullptr, false}) {}
    Translator(const RegState& regs, const Features& f, TableReader& mem, EventSink& events, WalkEnv* env,
               Caches caches);

    // Blocking: structure and descriptor reads and cache lookups take time.
    dti::TranslateResponse translate(Access a, WalkState& st);
    dti::TranslateResponse translate(Access a) {
        WalkState st;
        return translate(a, st);
    }

    const WalkCounters& walk_counters() const { return walk_counters_; }
    const TranslatorCounters& counters() const { return n_; }
    const ConfigFetch& config() const { return config_; }

private:
    Outcome<StreamConfig> configuration(const Access& a, WalkState& st);
    dti::TranslateResponse fault(const Access& a, const Fault& f, dti::Outcome terminate);
    // A translation fault (F_TRANSLATION .. F_PERMISSION) of stage 1 or 2 (§9.7).
    dti::TranslateResponse walk_fault(const Access& a, Fault f, const StreamConfig& c);
    dti::TranslateResponse translated(const cache::TlbEntry& e, uint64_t addr, uint64_t epoch);
    void wait_lookup(cache::CacheObject& c, unsigned sizes);

    const RegState& regs_;
    Features f_;
    EventSink& events_;
    WalkEnv* env_;
    Caches caches_;
    WalkCounters walk_counters_;
    Walker walker_;
    ConfigFetch config_;
    TranslatorCounters n_;
};

// The event record for a fault of access `a` (fact sheet walk_cmd_evt §5).
arch::EventRecord make_event(const Access& a, const Fault& f);

}  // namespace smmusim::smmu::tcu
