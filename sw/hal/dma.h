#pragma once
// The devices software programs to move data (DMA masters behind the SMMU). Software gives a
// device a job - `count` transactions of `size` bytes at iova, iova + stride, ... with a
// StreamID and optional SubstreamID - and may wait for it; the device's transactions go
// through the SMMU like any DMA. Starting a job costs the CPU what programming a device's
// descriptor and doorbell costs (the platform's choice); the data moves in the device.

#include <cstdint>
#include <optional>
#include <string>

namespace smmusim::sw::hal {

struct DmaRequest {
    std::string dev;  // a device name ("dma0"); empty: the default device
    uint32_t sid = 0;
    std::optional<uint32_t> ssid;
    uint64_t iova = 0;
    uint32_t size = 64;
    bool write = false;
    uint64_t count = 1;
    uint64_t stride = 0;
    uint64_t random_region = 0;  // non-zero: random size-aligned addresses in [iova, iova + random_region)
};

struct DmaResult {
    uint64_t ok = 0, errors = 0;
    uint64_t start = 0, end = 0;  // CPU cycles: first issue, last completion
};

class DmaEngines {
public:
    virtual ~DmaEngines() = default;
    virtual bool has_device(const std::string& dev) const = 0;
    virtual std::string default_device() const = 0;
    // Starts a job and returns its handle. Throws std::invalid_argument for a request the
    // device cannot carry out (size not a power of two up to 4 KiB, misaligned address).
    virtual uint64_t start(const DmaRequest& r) = 0;
    // Waits until job `h` is complete or `timeout` cycles have passed (0: no timeout);
    // returns its result once complete.
    virtual std::optional<DmaResult> wait(uint64_t h, uint64_t timeout) = 0;
    // Jobs started and not yet waited for.
    virtual uint64_t pending() const = 0;
};

}  // namespace smmusim::sw::hal
