#include "models/smmu/event_log.h"

#include "models/core/json_log.h"
#include "models/smmu/arch/events_json.h"

namespace smmusim::smmu {

bool event_log_enabled() { return core::JsonLog::get(core::LogId::Event) != nullptr; }

void log_event_record(const arch::EventRecord& r) {
    if (core::JsonLog* log = core::JsonLog::get(core::LogId::Event))
        log->line().time_ns("t_ns", sc_core::sc_time_stamp()).members([&](std::string& out) {
            arch::append_event_json(out, r);
        });
}

}  // namespace smmusim::smmu
