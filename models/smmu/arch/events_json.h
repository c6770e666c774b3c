#pragma once
// An event record as the members of one event-log line (DESIGN §5 "Log lines"). A pure
// function of the record, in arch so that the software's driver glue and the model's tests
// format records the same way without depending on model internals.
//
// Members, in order, only those the record's type has (reference §6):
//   "type"  event_name(), "UNKNOWN" for an undefined type     "code"  the type number
//   "sid"   StreamID
//   "ssid"  SubstreamID, null when SSV = 0; C_BAD_SUBSTREAMID always gives the number (its
//           record carries the SubstreamID without SSV)
//   "fetch_addr"  F_STE_FETCH, F_CD_FETCH, F_VMS_FETCH, F_WALK_EABT: the address read ("0x..")
//   "addr"  the input address (F_UUT, F_BAD_ATS_TREQ, F_TRANSL_FORBIDDEN, F_WALK_EABT, the
//           translation faults F_TRANSLATION..F_PERMISSION, F_TLB_CONFLICT)
//   "rnw", "ind", "pnu"   access attributes of those records (booleans)
//   "s2", "class"  F_WALK_EABT, translation faults, F_TLB_CONFLICT: stage 2 (boolean) and
//           CLASS ("CD", "TT", "IN")
//   "ipa"   translation faults and F_TLB_CONFLICT: the IPA ("0x..") when S2 = 1, else null
// Hex values are "0x" and lower-case digits.

#include <string>

#include "models/smmu/arch/events.h"

namespace smmusim::smmu::arch {

// Appends the members to `out` (a comma first unless `out` ends with '{').
void append_event_json(std::string& out, const EventRecord& r);
// The record as one JSON object: {"type":...}.
std::string event_json(const EventRecord& r);

}  // namespace smmusim::smmu::arch
