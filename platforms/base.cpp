// The `base` platform: the shared hardware (platforms/soc.h) with Linux-like software on the
// CPU: the SMMU driver and a built-in workload or a scenario. The DMA masters are driven by the
// software (their own pattern traffic is off unless enabled); the run ends when the
// software's workload is over.
//
// Memory-map contract for scenarios: [0x8000_0000, 0x8000_0000 + 2 GiB) is free for DMA
// buffers; software tables and queues are allocated above it.

#include <memory>
#include <ostream>

#include "platforms/soc_platform.h"

namespace smmusim::platforms {
namespace {

constexpr uint64_t kSoftwareMemory = uint64_t(1) << 30;  // tables and queues, above the DMA window

class BasePlatform : public SocPlatform {
public:
    explicit BasePlatform(const PlatformOptions& opts) : SocPlatform(false) {
        SoftwareSetup sw = software_setup(opts);
        sw.memory_base = Soc::kDramBase + Soc::kDmaWindow;
        sw.memory_size = kSoftwareMemory;
        start_software(std::move(sw));
    }

    void print_address_map(std::ostream& os) const override {
        soc.print_wiring(os);
        os << "  DMA buffers: [0x80000000, 0x" << std::hex << Soc::kDramBase + Soc::kDmaWindow << std::dec
           << "); software tables and queues above\n";
    }
};

}  // namespace

std::unique_ptr<Platform> make_base_platform(const PlatformOptions& opts) {
    return std::make_unique<BasePlatform>(opts);
}

}  // namespace smmusim::platforms
