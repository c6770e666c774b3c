#pragma once
// The host's command queue under trap-and-emulate (the posted pKVM SMMUv3 series): the host
// driver's queue is in host memory and the SMMU never reads it. A host write to CMDQ_PROD
// traps; the hypervisor reads each new command from the host's queue, filters it, copies what
// it allows into its own hardware queue, and returns only once the hardware queue has drained
// past a CMD_SYNC of its own: the host's CONS then shows everything consumed.
//
// Filter (the host's view is an SMMU with stage 1 only, see SmmuEmulation):
//   CMD_SYNC                      completed by the hypervisor's own CMD_SYNC (CS=SEV, polled):
//                                 an MSI the host asked for is not written
//   CFGI_STE, CFGI_STE_RANGE, CFGI_ALL   the host's STEs are shadowed (SteShadow)
//   CFGI_CD, CFGI_CD_ALL, PREFETCH_*     copied for the host's StreamIDs
//   TLBI_NH_ASID/VA/VAA/ALL       copied with the host VMID (the shadow's)
//   TLBI_NSNH_ALL                 becomes TLBI_NH_ALL of the host VMID
//   anything else (stage-2 and EL2 TLBIs, ATC_INV, PRI_RESP, RESUME, STALL_TERM, reserved
//   opcodes) is refused: `skip` drops it and goes on; `cerror_ill` stops the host's queue at
//   it with CMDQ_CONS.ERR = CERROR_ILL and GERROR.CMDQ_ERR, as an SMMU does for an illegal
//   command, until the host acknowledges the error (GERRORN).

#include <cstdint>
#include <functional>
#include <vector>

#include "models/smmu/arch/commands.h"
#include "sw/driver/smmu_driver.h"
#include "sw/hal/bus.h"
#include "sw/hyp/shadow_s2.h"
#include "sw/hyp/ste_shadow.h"

namespace smmusim::sw::hyp {

enum class Refused { Skip, CerrorIll };

struct EmulationConfig {
    uint64_t cmd_cycles = 40;  // reading, checking and copying one host command
    Refused refused = Refused::CerrorIll;
};

class CmdqEmulation {
public:
    CmdqEmulation(hal::Bus& bus, driver::SmmuDriver& drv, SteShadow& stes, const std::vector<uint32_t>& host_sids,
                  const EmulationConfig& cfg)
        : bus_(bus), drv_(drv), stes_(stes), sids_(host_sids), cfg_(cfg) {}

    void attach_shadow(ShadowS2& s) { shadow_ = &s; }
    // Raised when a refused command stops the queue (GERROR.CMDQ_ERR for the host).
    std::function<void()> on_error;

    void set_base(uint64_t v) { base_ = v; }
    uint64_t base() const { return base_; }
    void set_enabled(bool on);
    void write_prod(uint32_t prod);
    void write_cons(uint32_t cons) { cons_ = cons & kPtrMask; }
    uint32_t prod() const { return prod_; }
    uint32_t cons() const;  // with ERR
    // The host acknowledged CMDQ_ERR: go on from CONS (the command the host put there).
    void resume();

    uint64_t emulated() const { return emulated_; }
    uint64_t refused() const { return refused_; }
    uint64_t forwarded() const { return forwarded_; }

private:
    static constexpr uint32_t kPtrMask = 0xFFFFF;
    enum class Verdict { Forward, Handled, Sync, Refuse };
    Verdict filter(smmu::arch::Command& c);
    bool host_sid(uint32_t sid) const;
    void run();
    void submit(bool sync);

    hal::Bus& bus_;
    driver::SmmuDriver& drv_;
    SteShadow& stes_;
    std::vector<uint32_t> sids_;
    EmulationConfig cfg_;
    ShadowS2* shadow_ = nullptr;
    uint64_t base_ = 0;
    uint32_t prod_ = 0, cons_ = 0, err_ = 0;
    bool enabled_ = false;
    std::vector<smmu::arch::Command> out_;
    uint64_t emulated_ = 0, refused_ = 0, forwarded_ = 0;
};

}  // namespace smmusim::sw::hyp
