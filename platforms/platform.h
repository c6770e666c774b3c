#pragma once
// A platform wires models together (and, later, the software that runs on them). Platforms
// are plain objects, not sc_modules, so their models keep top-level names (`dma0`, `noc`).

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "models/traffic/traffic_gen.h"

namespace smmusim::platforms {

class Platform {
public:
    virtual ~Platform() = default;
    virtual void print_address_map(std::ostream& os) const = 0;
    // Every traffic source, for run bounds and the summary.
    virtual std::vector<const traffic::TrafficGen*> generators() const = 0;
};

struct PlatformInfo {
    std::string name;
    std::string description;
    std::unique_ptr<Platform> (*make)();
};

const std::vector<PlatformInfo>& platform_list();
const PlatformInfo* find_platform(const std::string& name);

// Defined by each platform file.
std::unique_ptr<Platform> make_base_platform();

}  // namespace smmusim::platforms
