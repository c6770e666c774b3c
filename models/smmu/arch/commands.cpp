#include "models/smmu/arch/commands.h"

namespace smmusim::smmu::arch {

const char* opcode_name(uint8_t opcode) {
    switch (opcode) {
    case op::PREFETCH_CONFIG: return "PREFETCH_CONFIG";
    case op::PREFETCH_ADDR: return "PREFETCH_ADDR";
    case op::CFGI_STE: return "CFGI_STE";
    case op::CFGI_STE_RANGE: return "CFGI_STE_RANGE";
    case op::CFGI_CD: return "CFGI_CD";
    case op::CFGI_CD_ALL: return "CFGI_CD_ALL";
    case op::CFGI_VMS_PIDM: return "CFGI_VMS_PIDM";
    case op::TLBI_NH_ALL: return "TLBI_NH_ALL";
    case op::TLBI_NH_ASID: return "TLBI_NH_ASID";
    case op::TLBI_NH_VA: return "TLBI_NH_VA";
    case op::TLBI_NH_VAA: return "TLBI_NH_VAA";
    case op::TLBI_EL3_ALL: return "TLBI_EL3_ALL";
    case op::TLBI_EL3_VA: return "TLBI_EL3_VA";
    case op::TLBI_EL2_ALL: return "TLBI_EL2_ALL";
    case op::TLBI_EL2_ASID: return "TLBI_EL2_ASID";
    case op::TLBI_EL2_VA: return "TLBI_EL2_VA";
    case op::TLBI_EL2_VAA: return "TLBI_EL2_VAA";
    case op::TLBI_S12_VMALL: return "TLBI_S12_VMALL";
    case op::TLBI_S2_IPA: return "TLBI_S2_IPA";
    case op::TLBI_NSNH_ALL: return "TLBI_NSNH_ALL";
    case op::ATC_INV: return "ATC_INV";
    case op::PRI_RESP: return "PRI_RESP";
    case op::RESUME: return "RESUME";
    case op::STALL_TERM: return "STALL_TERM";
    case op::CMD_SYNC: return "CMD_SYNC";
    default: return nullptr;
    }
}

const char* cerror_name(uint32_t code) {
    switch (code) {
    case cerror::NONE: return "CERROR_NONE";
    case cerror::ILL: return "CERROR_ILL";
    case cerror::ABT: return "CERROR_ABT";
    case cerror::ATC_INV_SYNC: return "CERROR_ATC_INV_SYNC";
    default: return nullptr;
    }
}

}  // namespace smmusim::smmu::arch
