#pragma once
// Runs a scenario (DESIGN §5) on the driver: domains, attachments, then the steps in order.
// What only running can find (a map over a mapping, an unmap of nothing, a device that does
// not exist) stops it with a ScenarioError naming the step.

#include "sw/workloads/env.h"
#include "sw/workloads/scenario.h"

namespace smmusim::sw::workloads {

// Checks what needs the platform (device names) before anything runs.
void check_scenario(const Scenario& sc, const hal::DmaEngines& dma);
void run_scenario(const Scenario& sc, Env& env);

}  // namespace smmusim::sw::workloads
