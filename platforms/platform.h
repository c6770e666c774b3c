#pragma once
// A platform wires models together (and, later, the software that runs on them). Platforms
// are plain objects, not sc_modules, so their models keep top-level names (`dma0`, `noc`).

#include <exception>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "models/traffic/traffic_gen.h"
#include "sw/workloads/scenario.h"

namespace smmusim::platforms {

class Platform {
public:
    virtual ~Platform() = default;
    virtual void print_address_map(std::ostream& os) const = 0;
    // Every traffic source, for run bounds and the summary.
    virtual std::vector<const traffic::TrafficGen*> generators() const = 0;
    // True when the platform's software ends the run (it stops background traffic when its
    // workload is over), so unbounded background generators need no --duration.
    virtual bool ends_itself() const { return false; }
    // What made the software stop early (rethrown by the caller after the simulation).
    virtual std::exception_ptr failure() const { return nullptr; }
    // The software has a workload that has not finished (it is blocked, when the run was not
    // bounded by time or transactions).
    virtual bool software_unfinished() const { return false; }
};

// What the command line gives a platform beyond parameters.
struct PlatformOptions {
    std::shared_ptr<const sw::workloads::Scenario> scenario;  // --scenario, or null
};

struct PlatformInfo {
    std::string name;
    std::string description;
    std::function<std::unique_ptr<Platform>(const PlatformOptions&)> make;
};

// The built-in platforms: the topology files platforms/topologies/*.json, embedded.
const std::vector<PlatformInfo>& platform_list();
// A built-in platform by name, or a topology file by path (a name with '/' or ending in
// .json; TopologyError naming the file and key when it is not valid); null when unknown.
const PlatformInfo* find_platform(const std::string& name);

}  // namespace smmusim::platforms
