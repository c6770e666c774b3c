#pragma once
// What this SMMU implements, as software sees it in the ID registers (reference §1.3-1.4).
// Built from the `smmu.*` parameters; everything else in the model reads it from here.

#include <cstdint>

#include <systemc>

#include "models/core/params.h"

namespace smmusim::smmu {

struct Features {
    bool s1p = true, s2p = true;
    bool coherent = true;  // IDR0.COHACC
    bool hyp = true;
    bool asid16 = true, vmid16 = true;
    bool msi = true;
    bool sev = false;
    bool two_level_st = true;  // IDR0.ST_LEVEL = 01
    bool cd2l = true;
    bool term_model_abort_only = false;  // IDR0.TERM_MODEL
    bool ril = true;
    bool stt = false;
    bool ats = false;  // IDR0.ATS: PCIe ATS, CMD_ATC_INV, STE.EATS
    bool btm = false;  // IDR0.BTM: broadcast TLB maintenance (DVM), CR2.PTM
    unsigned bbml = 2;
    bool gran4k = true, gran16k = true, gran64k = true;
    unsigned sidsize = 16, ssidsize = 20;
    unsigned cmdqs = 19, eventqs = 19;
    unsigned oas = 5;  // IDR5.OAS encoding: 5 = 48 bits
    // Enhanced command queues (IDR1.ECMDQ, IDR6): 0 = none, else a power of two <= 256, all in
    // one Command queue control page.
    unsigned ecmdqs = 0;

    unsigned oas_bits() const;
    bool granule_supported(unsigned shift) const {
        return (shift == 12 && gran4k) || (shift == 14 && gran16k) || (shift == 16 && gran64k);
    }
    uint32_t idr0() const;
    uint32_t idr1() const;
    uint32_t idr3() const;
    uint32_t idr5() const;
    uint32_t idr6() const;
    // The register frame: pages 0 and 1, and the ECMDQ control page when there is one.
    uint32_t region_size() const;
    uint32_t iidr() const;
    uint32_t aidr() const;
};

// The parameters behind Features: `smmu.s1p`, `smmu.oas`, ...
class FeatureParams {
public:
    explicit FeatureParams(const sc_core::sc_object* smmu);
    Features features() const;

private:
    core::Param<bool> s1p, s2p, coherent, hyp, asid16, vmid16, msi, sev, two_level_st, cd2l,
        term_model_abort_only, ril, stt, ats, btm, gran4k, gran16k, gran64k;
    core::Param<uint32_t> bbml, sidsize, ssidsize, cmdqs, eventqs, oas, ecmdqs;
};

}  // namespace smmusim::smmu
