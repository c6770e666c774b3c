#include "models/smmu/arch/events.h"

namespace smmusim::smmu::arch {

const char* event_name(uint8_t type) {
    switch (type) {
    case evt::F_UUT: return "F_UUT";
    case evt::C_BAD_STREAMID: return "C_BAD_STREAMID";
    case evt::F_STE_FETCH: return "F_STE_FETCH";
    case evt::C_BAD_STE: return "C_BAD_STE";
    case evt::F_BAD_ATS_TREQ: return "F_BAD_ATS_TREQ";
    case evt::F_STREAM_DISABLED: return "F_STREAM_DISABLED";
    case evt::F_TRANSL_FORBIDDEN: return "F_TRANSL_FORBIDDEN";
    case evt::C_BAD_SUBSTREAMID: return "C_BAD_SUBSTREAMID";
    case evt::F_CD_FETCH: return "F_CD_FETCH";
    case evt::C_BAD_CD: return "C_BAD_CD";
    case evt::F_WALK_EABT: return "F_WALK_EABT";
    case evt::F_TRANSLATION: return "F_TRANSLATION";
    case evt::F_ADDR_SIZE: return "F_ADDR_SIZE";
    case evt::F_ACCESS: return "F_ACCESS";
    case evt::F_PERMISSION: return "F_PERMISSION";
    case evt::F_TLB_CONFLICT: return "F_TLB_CONFLICT";
    case evt::F_CFG_CONFLICT: return "F_CFG_CONFLICT";
    case evt::E_PAGE_REQUEST: return "E_PAGE_REQUEST";
    case evt::F_VMS_FETCH: return "F_VMS_FETCH";
    default: return "UNKNOWN";
    }
}

}  // namespace smmusim::smmu::arch
