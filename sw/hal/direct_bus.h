#pragma once
// A Bus without a machine behind it: memory is a sparse byte store owned by the bus, register
// accesses go to an optional handler, time advances only by work(), and no interrupt ever
// arrives. For unit tests of software (page-table builder, command encoding) in isolation.

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <unordered_map>

#include "sw/hal/bus.h"

namespace smmusim::sw::hal {

class DirectBus : public Bus {
public:
    // A register access: (address, value for writes, is_write, size in bytes) -> value read.
    using MmioHandler = std::function<uint64_t(uint64_t pa, uint64_t value, bool write, unsigned size)>;

    DirectBus() = default;
    explicit DirectBus(MmioHandler mmio) : mmio_(std::move(mmio)) {}

    uint32_t read32(uint64_t pa) override { return uint32_t(mmio(pa, 0, false, 4)); }
    void write32(uint64_t pa, uint32_t value) override { mmio(pa, value, true, 4); }
    uint64_t read64(uint64_t pa) override { return mmio(pa, 0, false, 8); }
    void write64(uint64_t pa, uint64_t value) override { mmio(pa, value, true, 8); }

    void read(uint64_t pa, void* dst, size_t len) override;
    void write(uint64_t pa, const void* src, size_t len) override;

    void work(uint64_t cycles) override { now_ += cycles; }
    uint64_t now() const override { return now_; }
    uint32_t wait_irq(uint32_t, uint64_t timeout) override {
        now_ += timeout;
        return 0;
    }

    // Told of every memory write (tests that watch the order of stores).
    std::function<void(uint64_t pa, const void* src, size_t len)> on_write;

    uint64_t reads() const { return reads_; }
    uint64_t writes() const { return writes_; }
    uint64_t pages_touched() const { return pages_.size(); }

private:
    static constexpr uint64_t kPage = 4096;
    using Page = std::array<uint8_t, kPage>;
    uint64_t mmio(uint64_t pa, uint64_t value, bool write, unsigned size);
    Page* page(uint64_t pa, bool create);

    MmioHandler mmio_;
    std::unordered_map<uint64_t, std::unique_ptr<Page>> pages_;
    uint64_t now_ = 0;
    uint64_t reads_ = 0, writes_ = 0;
};

}  // namespace smmusim::sw::hal
