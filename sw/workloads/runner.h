#pragma once
// Runs a scenario (DESIGN §5) on the driver: domains, attachments, then the steps in order.
// What only running can find (a map over a mapping, an unmap of nothing, a device that does
// not exist) stops it with a ScenarioError naming the step.

#include <string>
#include <vector>

#include "sw/workloads/env.h"
#include "sw/workloads/scenario.h"

namespace smmusim::sw::workloads {

// Checks what needs the platform (device names) before anything runs.
void check_scenario(const Scenario& sc, const hal::DmaEngines& dma);

// What the hardware would absorb without a word (issue 19): a dma step to a StreamID no
// "attach" names (the SMMU aborts it: C_BAD_STREAMID or an invalid STE), unless `known_sids`
// lists it (a hypervisor attaches its host's devices itself); a map of a stage-1 or stage-2
// domain whose output range leaves DRAM [dram_base, dram_base + dram_size) (the DMA gets a
// bus error). One message per step, naming it; the caller warns or, under sw.strict, stops.
std::vector<std::string> scenario_warnings(const Scenario& sc, uint64_t dram_base, uint64_t dram_size,
                                           const std::vector<uint32_t>& known_sids);
void run_scenario(const Scenario& sc, Env& env);

}  // namespace smmusim::sw::workloads
