#pragma once
// A Bus shared by several SystemC threads, one per simulated CPU (the thread that calls it is
// the CPU: Bus::cpu), over plain memory: every access takes `latency`, an atomic is
// indivisible (as LSE), wait_for_change sleeps until any store to memory (a coarse monitor:
// it may wake early, as WFE may) or its timeout. For per-CPU software under real
// interleaving, without the timed cluster.

#include <systemc>

#include <map>

#include "sw/hal/direct_bus.h"

namespace smmusim::test {

class ThreadedBus : public sw::hal::DirectBus {
public:
    ThreadedBus(unsigned cpus, sc_core::sc_time latency) : cpus_(cpus), latency_(latency) {}

    // Starts `body` as CPU `cpu`'s software thread.
    template <typename F>
    void start(unsigned cpu, F body) {
        sc_core::sc_spawn([this, cpu, body] {
            ids_[current()] = cpu;
            body();
        });
    }

    unsigned cpu() const override {
        auto it = ids_.find(current());
        return it == ids_.end() ? 0 : it->second;
    }
    unsigned cpus() const override { return cpus_; }
    void read(uint64_t pa, void* dst, size_t len) override {
        if (timed()) sc_core::wait(latency_);
        DirectBus::read(pa, dst, len);
    }
    void write(uint64_t pa, const void* src, size_t len) override {
        DirectBus::write(pa, src, len);
        stored_.notify(sc_core::SC_ZERO_TIME);
        if (timed()) sc_core::wait(latency_);
    }
    // The base operation's read and write with no wait between them: indivisible (as LSE);
    // then the access's time.
    uint64_t atomic(uint64_t pa, unsigned size, AtomicOp op, uint64_t operand, uint64_t expected) override {
        indivisible_ = true;
        const uint64_t old = Bus::atomic(pa, size, op, operand, expected);
        indivisible_ = false;
        if (timed()) sc_core::wait(latency_);
        return old;
    }
    uint64_t wait_for_change(uint64_t pa, unsigned size, uint64_t old, uint64_t timeout) override {
        uint64_t v = 0;
        DirectBus::read(pa, &v, size);
        if (v == old) {
            ++waits;
            if (timeout) sc_core::wait(cycle_ * double(timeout), stored_);
            else sc_core::wait(stored_);
        }
        return v;
    }
    void work(uint64_t cycles) override {
        if (cycles) sc_core::wait(cycle_ * double(cycles));
    }
    uint64_t now() const override { return uint64_t(sc_core::sc_time_stamp() / cycle_); }

    uint64_t waits = 0;

private:
    static const sc_core::sc_object* current() {
        const sc_core::sc_process_handle h = sc_core::sc_get_current_process_handle();
        return h.valid() ? h.get_process_object() : nullptr;
    }
    // Accesses take time in the CPUs' threads; the test's checks after the run do not.
    bool timed() const { return !indivisible_ && ids_.count(current()); }
    bool indivisible_ = false;
    unsigned cpus_;
    sc_core::sc_time latency_, cycle_{0.5, sc_core::SC_NS};
    sc_core::sc_event stored_;
    std::map<const sc_core::sc_object*, unsigned> ids_;
};

}  // namespace smmusim::test
