#include "models/smmu/tcu/command_check.h"

#include "models/smmu/arch/tlbi_range.h"

namespace smmusim::smmu::tcu {

using namespace arch;

namespace {

// Range fields of address-based TLBIs (reference §5.1).
bool range_ok(const Command& c, const Features& f) { return decode_tlbi_range(c, f.ril).has_value(); }

}  // namespace

uint32_t check_command(const Command& c, const Features& f) {
    const bool ssec = c.get<Command::SSec>();
    bool ok;
    switch (c.opcode()) {
    case op::PREFETCH_CONFIG:
    case op::PREFETCH_ADDR:
    case op::CFGI_STE:
    case op::CFGI_STE_RANGE:
        ok = !ssec;
        break;
    case op::CFGI_CD:
    case op::CFGI_CD_ALL:
        ok = !ssec && f.s1p;
        break;
    case op::TLBI_NH_ALL:
    case op::TLBI_NH_ASID:
        ok = f.s1p;
        break;
    case op::TLBI_NH_VA:
    case op::TLBI_NH_VAA:
        ok = f.s1p && range_ok(c, f);
        break;
    case op::TLBI_EL2_ALL:
    case op::TLBI_EL2_ASID:
        ok = f.hyp && f.s1p;
        break;
    case op::TLBI_EL2_VA:
    case op::TLBI_EL2_VAA:
        ok = f.hyp && f.s1p && range_ok(c, f);
        break;
    case op::TLBI_S12_VMALL:
        ok = f.s2p;
        break;
    case op::TLBI_S2_IPA:
        ok = f.s2p && range_ok(c, f);
        break;
    case op::TLBI_NSNH_ALL:
        ok = true;
        break;
    case op::ATC_INV:
        // Legal only with IDR0.ATS (else CERROR_ILL); SSec is RES0 on the Non-secure queue.
        ok = f.ats && !ssec;
        break;
    case op::CMD_SYNC:
        ok = c.get<Command::CS>() != 3;
        break;
    // PRI and stalls are not implemented (IDR0.PRI = 0, STALL_MODEL = terminate
    // only), so their commands are illegal; so are Secure/EL3 and reserved opcodes.
    default:
        ok = false;
        break;
    }
    return ok ? cerror::NONE : cerror::ILL;
}

}  // namespace smmusim::smmu::tcu
