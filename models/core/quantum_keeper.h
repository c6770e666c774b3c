#pragma once
// tlm_utils::tlm_quantumkeeper, final (so calls on it are direct and inline, not virtual) and
// reading the time without libsystemc's out-of-line sc_time_stamp(): a loosely-timed master
// asks need_sync() per transaction. Same quantum (the TLM global quantum), same behaviour.

#include <tlm_utils/tlm_quantumkeeper.h>

#include "models/core/sim_time.h"

namespace smmusim::core {

class QuantumKeeper final : public tlm_utils::tlm_quantumkeeper {
public:
    bool need_sync() const override { return now() + m_local_time >= m_next_sync_point; }
};

}  // namespace smmusim::core
