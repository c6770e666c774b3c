#pragma once
// The host's STEs under trap-and-emulate: the host driver writes its stream table in host
// memory and asks for CFGI_STE; the hypervisor reads the host's STE and installs its own in
// the real table (the series' STE shadowing), so that every host device stays behind the
// shadow stage 2 whatever the host wrote:
//   host abort                 abort
//   host bypass (or host SMMUEN=0, GBPA bypass)   stage 2 only: the shadow (IOVA == PA)
//   host stage 1               nested: the host's stage-1 words over the shadow stage 2
//                              (S1ContextPtr and the CDs are then IPAs, reached through it)
//   invalid, or a stage-2 / nested config the host's SMMU (no S2P) does not have
//                              V=0, so the SMMU reports C_BAD_STE as the host's would
// Stage-2 words are always the hypervisor's; EATS is cleared (the model has no ATS) and
// STRW forced to NS-EL1. StreamIDs that are not the host's devices are never touched.

#include <cstdint>
#include <vector>

#include "sw/driver/smmu_driver.h"
#include "sw/hal/bus.h"
#include "sw/hyp/shadow_s2.h"

namespace smmusim::sw::hyp {

class SteShadow {
public:
    SteShadow(hal::Bus& bus, driver::SmmuDriver& drv, const std::vector<uint32_t>& host_sids)
        : bus_(bus), drv_(drv), sids_(host_sids) {}

    void attach_shadow(ShadowS2& s) { shadow_ = &s; }
    // The host's STRTAB_BASE and STRTAB_BASE_CFG.
    void set_base(uint64_t base) { base_ = base; }
    void set_cfg(uint32_t cfg) { cfg_ = cfg; }
    uint64_t base() const { return base_; }
    uint32_t cfg() const { return cfg_; }
    // The host's SMMUEN: off, its devices are in (GBPA) bypass: the shadow alone.
    void set_enabled(bool on);

    void sync(uint32_t sid);                        // CFGI_STE
    void sync_range(uint32_t first, uint64_t count);  // CFGI_STE_RANGE, CFGI_ALL
    uint64_t installed() const { return installed_; }

private:
    bool host_sid(uint32_t sid) const;
    driver::Entry read_host_ste(uint32_t sid);
    driver::Entry compose(const driver::Entry& host);

    hal::Bus& bus_;
    driver::SmmuDriver& drv_;
    std::vector<uint32_t> sids_;
    ShadowS2* shadow_ = nullptr;
    uint64_t base_ = 0;
    uint32_t cfg_ = 0;
    bool enabled_ = false;
    uint64_t installed_ = 0;
};

}  // namespace smmusim::sw::hyp
