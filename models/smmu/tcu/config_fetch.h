#pragma once
// Finding a stream's configuration (reference §2-3, fact sheet ste_cd §3-4, §7): the STE
// through a linear or 2-level stream table, then, for stage 1, the CD through a linear or
// 2-level CD table, with the SubstreamID rules of S1CDMax and S1DSS. With stage 2 enabled,
// the CD and L1CD addresses are IPAs translated by stage 2 (faults with CLASS=CD). Every
// structure is read by a timed access; failures become the architected config events.

#include <cstdint>

#include "models/smmu/features.h"
#include "models/smmu/tcu/config_decode.h"
#include "models/smmu/tcu/registers.h"
#include "models/smmu/tcu/walker.h"

namespace smmusim::smmu::tcu {

struct StreamConfig {
    enum class Kind {
        Abort,      // silent abort: STE.Config 0xx, or an invalid StreamID with RECINVSID = 0
        Bypass,     // STE.Config 100
        Translate,  // at least one stage enabled
    };
    Kind kind = Kind::Abort;
    bool s1 = false;  // stage 1 walks (false when disabled or bypassed by S1DSS)
    bool s2 = false;
    S1Decoded s1cfg;
    S2Context s2cfg;
    bool s2_record = false;  // STE.S2R
    uint8_t eats = 0;        // STE.EATS, with IDR0.ATS (else 0: ATS not enabled)
    // Tags of what this stream's translations are cached under.
    int32_t cd = -1;  // CD index used (-1: none)
    cache::World world = cache::World::NsEl1;
    bool vmid_tagged = false;
    uint16_t vmid = 0;
};

// A stream's configuration in the config cache, keyed by StreamID, SSV and SubstreamID.
struct ConfigEntry {
    uint64_t base = 0;
    uint8_t shift = 0;
    uint32_t sid = 0;
    int32_t cd = -1;
    StreamConfig cfg;
    uint64_t fill_epoch = 0;  // invalidations consumed when the fetch started (stale-entry check)
    static uint64_t key(uint32_t sid, bool ssv, uint32_t ssid) {
        return (uint64_t(sid) << 21) | (uint64_t(ssv) << 20) | (ssid & 0xFFFFF);
    }
};

class ConfigFetch {
public:
    ConfigFetch(TableReader& mem, Walker& walker, const Features& f) : mem_(mem), walker_(walker), f_(f) {}

    Outcome<StreamConfig> fetch(const RegState& regs, const Access& a, WalkState& st);

    uint64_t ste_fetches = 0, cd_fetches = 0;

private:
    Outcome<arch::Ste> find_ste(const RegState& regs, const Access& a, bool& silent);
    // Reads `len` bytes of a CD-table structure at `addr` (an IPA when the stream has stage 2).
    // The stream's own config, not a member: translation slots fetch configs concurrently.
    std::optional<Fault> read_cd_struct(uint64_t addr, void* dst, unsigned len, const StreamConfig& sc,
                                        const Access& a, WalkState& st);

    TableReader& mem_;
    Walker& walker_;
    Features f_;
};

}  // namespace smmusim::smmu::tcu
