#pragma once
// Which commands this SMMU executes and which are CERROR_ILL (reference §4.2, fact sheet
// walk_cmd_evt §6). Out-of-range SIDs, SSIDs, ASIDs and VMIDs are not errors.

#include <cstdint>

#include "models/smmu/arch/commands.h"
#include "models/smmu/features.h"

namespace smmusim::smmu::tcu {

// arch::cerror::NONE or arch::cerror::ILL.
uint32_t check_command(const arch::Command& c, const Features& f);

}  // namespace smmusim::smmu::tcu
