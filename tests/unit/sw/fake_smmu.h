#pragma once
// A register-level stand-in for an SMMU behind a DirectBus, for software tests that need the
// exact order of the software's stores and commands: ID registers from parameters, CR0 /
// IRQ_CTRL acknowledged at once, GBPA updates complete at once, and every command consumed and
// completed the moment CMDQ_PROD is written (each one reported, in order, to `on_command`).

#include <cstdint>
#include <functional>

#include "models/smmu/arch/commands.h"
#include "models/smmu/arch/queue.h"
#include "models/smmu/arch/regs.h"
#include "sw/hal/direct_bus.h"

namespace smmusim::test {

class FakeSmmu {
public:
    static constexpr uint64_t kBase = 0x2B400000;

    struct Features {
        bool s1 = true, s2 = true, ril = true;
        unsigned bbml = 0;
        bool ats = false;  // IDR0.ATS
    };

    FakeSmmu() = default;
    // `base`: where its registers are (several instances on one bus: dispatch with access()).
    explicit FakeSmmu(Features f, uint64_t base = kBase) : f_(f), base_(base) {}

    // The MMIO handler to give the DirectBus; `bus` is that bus (for reading the queue).
    sw::hal::DirectBus::MmioHandler handler(sw::hal::DirectBus*& bus) {
        return [this, &bus](uint64_t pa, uint64_t value, bool write, unsigned) -> uint64_t {
            return access(*bus, pa, value, write);
        };
    }
    uint64_t base() const { return base_; }
    bool claims(uint64_t pa) const { return pa >= base_ && pa < base_ + 0x20000; }
    // A register access at `pa` (inside this SMMU's frame).
    uint64_t access(sw::hal::DirectBus& bus, uint64_t pa, uint64_t value, bool write) {
        if (!write && on_read) on_read(uint32_t(pa - base_));
        return access_reg(bus, uint32_t(pa - base_), value, write);
    }

    std::function<void(const smmu::arch::Command&)> on_command;
    std::function<void(uint32_t offset)> on_read;  // every register read
    uint64_t commands = 0;
    uint64_t prod_writes = 0;  // CMDQ_PROD writes (each publishes what is new in the queue)

private:
    uint64_t access_reg(sw::hal::DirectBus& bus, uint32_t off, uint64_t v, bool write) {
        using namespace smmu::arch;
        if (!write) {
            switch (off) {
            case reg::IDR0:
                return (f_.s2 ? 1u : 0u) | (f_.s1 ? 2u : 0u) | (2u << 2) | (1u << 4) | (1u << 12) | (1u << 18) |
                       (1u << 19) | (2u << 21) | (1u << 24) | (1u << 27) | (f_.ats ? 1u << 10 : 0u);
            case reg::IDR1: return 16u | (8u << 6) | (10u << 16) | (10u << 21);
            case reg::IDR3: return (f_.ril ? 1u << 10 : 0u) | (f_.bbml << 11);
            case reg::IDR5: return 5u | (7u << 4);
            case reg::CR0ACK: return cr0_;
            case reg::IRQ_CTRLACK: return irq_ctrl_;
            case reg::CMDQ_CONS: return cons_;
            default: return 0;
            }
        }
        switch (off) {
        case reg::CR0: cr0_ = uint32_t(v); break;
        case reg::IRQ_CTRL: irq_ctrl_ = uint32_t(v); break;
        case reg::CMDQ_BASE: cmdq_base_ = v; break;
        case reg::CMDQ_CONS: cons_ = uint32_t(v); break;
        case reg::CMDQ_PROD:
            ++prod_writes;
            consume(bus, uint32_t(v));
            break;
        default: break;
        }
        return 0;
    }

    void consume(sw::hal::DirectBus& bus, uint32_t prod) {
        using namespace smmu::arch;
        const QueueIndex q(unsigned(get<queue_base::LOG2SIZE>(cmdq_base_)));
        const uint64_t base = queue_base::ADDR::address(cmdq_base_);
        while (!q.empty(prod, cons_)) {
            unsigned char b[16];
            bus.read(base + q.index(cons_) * 16, b, sizeof b);
            Command c;
            c.load(b);
            ++commands;
            if (on_command) on_command(c);
            cons_ = q.next(cons_);
        }
    }

    Features f_;
    uint64_t base_ = kBase;
    uint32_t cr0_ = 0, irq_ctrl_ = 0, cons_ = 0;
    uint64_t cmdq_base_ = 0;
};

}  // namespace smmusim::test
