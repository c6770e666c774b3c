#pragma once
// The event log (--event-log, DESIGN §5): one line per event record the software driver read
// from the event queue. The driver lives in sw/ and sees only registers and memory, so it
// cannot write this log itself: the glue that runs it on the CPU model calls
// log_event_record() for each record the driver consumed, at the simulated time it read it.
// Line: {"t_ns":<that time>, <arch::append_event_json members>}, e.g.
//   {"t_ns":1234,"type":"F_TRANSLATION","code":16,"sid":1,"ssid":null,"addr":"0x10000000",
//    "rnw":true,"ind":false,"pnu":false,"s2":false,"class":"IN","ipa":null}

#include "models/smmu/arch/events.h"

namespace smmusim::smmu {

// Whether --event-log is on (the glue may skip collecting records otherwise).
bool event_log_enabled();
// Writes one line for `r` at the current simulated time; does nothing while the log is off.
void log_event_record(const arch::EventRecord& r);

}  // namespace smmusim::smmu
