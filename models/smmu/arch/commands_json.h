#pragma once
// A command queue entry as the members of one command-log line (DESIGN §5 "Log lines"): a pure
// function of the 16 bytes, in arch so that the model and the software decode commands alike.
//
// Members, in order:
//   "op"   opcode_name(), or "UNKNOWN" plus "opcode": N for an opcode the architecture lacks
//   "raw"  the two 64-bit words, ["0x<dw0>","0x<dw1>"], 16 lower-case hex digits each
// then the fields that opcode has (reference §4), named after the architecture's:
//   PREFETCH_CONFIG   ssec ssv sid ssid          PREFETCH_ADDR  + addr size
//   CFGI_STE          ssec sid leaf              CFGI_STE_RANGE  ssec sid range (31: all)
//   CFGI_CD           ssec sid ssid leaf         CFGI_CD_ALL     ssec sid
//   CFGI_VMS_PIDM     ssec vmid
//   TLBI_NH_ALL, TLBI_S12_VMALL  vmid            TLBI_NH_ASID  vmid asid    TLBI_EL2_ASID  asid
//   TLBI_NH_VA   vmid asid + range fields        TLBI_NH_VAA  vmid + range fields
//   TLBI_EL2_VA  asid + range fields             TLBI_EL2_VAA, TLBI_EL3_VA  range fields
//   TLBI_S2_IPA  vmid + range fields (addr is the IPA)
//     range fields: addr leaf tg ttl num scale
//   TLBI_EL2_ALL, TLBI_EL3_ALL, TLBI_NSNH_ALL, undefined opcodes: nothing more
//   ATC_INV      ssv sid ssid global addr size   PRI_RESP  ssv sid ssid prgindex resp
//   RESUME       ssec sid ac ab stag             STALL_TERM  ssec sid
//   CMD_SYNC     cs msh msiattr msi_addr msi_data
// Single-bit flags (ssec, ssv, leaf, global, ac, ab) are booleans; "ssid" is null when the
// command has SSV and it is 0; addresses (addr, msi_addr) are "0x..." strings with the
// field's position kept (addr[11:0] = 0); every other field is a number.

#include <string>

#include "models/smmu/arch/commands.h"

namespace smmusim::smmu::arch {

// Appends the members to `out` (a comma first unless `out` ends with '{').
void append_command_json(std::string& out, const Command& c);
// The command as one JSON object: {"op":...}.
std::string command_json(const Command& c);

}  // namespace smmusim::smmu::arch
