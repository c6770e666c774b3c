#pragma once
// What software sees of the machine (DESIGN §4): register and memory accesses, CPU work
// between them, time, and interrupt lines. Two backends: TimedBus (every access a timed TLM
// transaction through models/cpu; the calling software thread waits for it) and DirectBus
// (plain memory, no time; unit tests of software that needs no device).

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace smmusim::sw::hal {

// Wired interrupt lines software can wait for, as bits of a mask.
enum Irq : uint32_t {
    IRQ_EVENTQ = 1u << 0,
    IRQ_GERROR = 1u << 1,
    IRQ_CMDQ_SYNC = 1u << 2,
};

// An access the machine answered with an error (decode error, bad register access): a
// software bug or an address the scenario got wrong, never something to carry on from.
class BusError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class Bus {
public:
    virtual ~Bus() = default;

    // Device registers: one aligned 32- or 64-bit access each.
    virtual uint32_t read32(uint64_t pa) = 0;
    virtual void write32(uint64_t pa, uint32_t value) = 0;
    virtual uint64_t read64(uint64_t pa) = 0;
    virtual void write64(uint64_t pa, uint64_t value) = 0;

    // Normal memory (tables, queues, buffers), any length.
    virtual void read(uint64_t pa, void* dst, size_t len) = 0;
    virtual void write(uint64_t pa, const void* src, size_t len) = 0;
    void fill(uint64_t pa, uint8_t byte, size_t len);
    uint64_t load64(uint64_t pa);
    void store64(uint64_t pa, uint64_t value);
    uint32_t load32(uint64_t pa);

    // Every earlier store has reached memory (DSB): before a device is told to look (register
    // writes do it themselves).
    virtual void barrier() {}

    // Boot-time setup outside the measured run (a hypervisor building its tables before the
    // host starts): while on, memory accesses take no simulated time and CPU work is not
    // charged; register accesses stay timed. Backends without time ignore it.
    virtual void set_untimed(bool) {}

    // CPU work between accesses, in CPU cycles.
    virtual void work(uint64_t cycles) = 0;
    // CPU cycles since the start of the run.
    virtual uint64_t now() const = 0;
    // Waits until one of the `lines` (a mask of Irq) has been raised since it was last
    // taken, or `timeout` cycles have passed; returns the lines taken (0 on timeout).
    virtual uint32_t wait_irq(uint32_t lines, uint64_t timeout) = 0;
};

}  // namespace smmusim::sw::hal
