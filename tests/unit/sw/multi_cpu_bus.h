#pragma once
// A test-only machine with several CPUs for the command-queue algorithm: one Bus shared by
// several SystemC threads, each thread a CPU with its own cpu() index; memory a byte array;
// every access takes `access_ns` (a yield, so CPUs interleave between their operations) and an
// atomic is one indivisible step; wait_for_change sleeps on an event every memory write
// notifies, wfe on SEV. A fake SMMU thread consumes the command queue: it reads CMDQ_PROD,
// executes commands in order (recording which), writes CMDQ_CONS and, for a CMD_SYNC, writes
// its MSI or sends SEV. Independent of the timed CPU cluster: only the algorithm is tested.

#include <cstdint>
#include <cstring>
#include <functional>
#include <map>
#include <stdexcept>
#include <vector>

#include <systemc>

#include "models/smmu/arch/commands.h"
#include "models/smmu/arch/queue.h"
#include "models/smmu/arch/regs.h"
#include "sw/hal/bus.h"

namespace smmusim::test {

class MultiCpuBus : public sw::hal::Bus {
public:
    struct Publish {
        unsigned cpu;
        uint32_t prod;
        uint64_t at;
    };
    struct Executed {
        smmu::arch::Command cmd;
        uint32_t pos;
        uint64_t at;
    };

    MultiCpuBus(uint64_t mem_base, size_t mem_size, uint64_t regs) : base_(mem_base), mem_(mem_size), regs_(regs) {}

    // Starts CPU `cpu`'s software thread.
    void start(unsigned cpu, std::function<void()> fn) {
        if (cpu + 1 > cpus_) cpus_ = cpu + 1;
        sc_core::sc_process_handle h = sc_core::sc_spawn([fn] { fn(); });
        cpu_of_[h.get_process_object()] = cpu;
    }
    // Starts the fake SMMU on a queue of 2^log2 entries at `queue_base`; `ns_per_command` per command.
    void start_smmu(uint64_t queue_base, unsigned log2, uint64_t ns_per_command) {
        log2_ = log2;
        sc_core::sc_spawn([=] { consume(queue_base, log2, ns_per_command); });
    }

    uint32_t read32(uint64_t pa) override {
        yield();
        if (pa == regs_ + smmu::arch::reg::CMDQ_CONS) return cons_;
        if (pa == regs_ + smmu::arch::reg::CMDQ_PROD) return prod_;
        return 0;
    }
    void write32(uint64_t pa, uint32_t v) override {
        yield();
        if (pa == regs_ + smmu::arch::reg::CMDQ_PROD) {
            // A PROD behind the one before (seen from CONS) would un-publish commands.
            const smmu::arch::QueueIndex q(log2_);
            if (q.used(v, cons_) < q.used(prod_, cons_)) ++prod_regressions;
            prod_ = v;
            publishes.push_back({cpu(), v, now()});
            prod_event_.notify(sc_core::SC_ZERO_TIME);
        } else if (pa == regs_ + smmu::arch::reg::CMDQ_CONS) {
            cons_ = v;
        }
    }
    uint64_t read64(uint64_t pa) override { return read32(pa); }
    void write64(uint64_t pa, uint64_t v) override { write32(pa, uint32_t(v)); }
    void read(uint64_t pa, void* dst, size_t len) override {
        yield();
        std::memcpy(dst, at(pa, len), len);
    }
    void write(uint64_t pa, const void* src, size_t len) override {
        yield();
        raw_write(pa, src, len);
    }
    // One step: the base version's read and write, with no yield between them.
    uint64_t atomic(uint64_t pa, unsigned size, AtomicOp op, uint64_t operand, uint64_t expected) override {
        yield();
        ++atomics;
        in_atomic_ = true;
        const uint64_t old = Bus::atomic(pa, size, op, operand, expected);
        in_atomic_ = false;
        return old;
    }
    uint64_t wait_for_change(uint64_t pa, unsigned size, uint64_t old, uint64_t timeout) override {
        yield();
        uint64_t v = 0;
        std::memcpy(&v, at(pa, size), size);
        if (v == old) {
            ++waits;
            if (timeout) sc_core::wait(sc_core::sc_time(double(timeout), sc_core::SC_NS), written_);
            else sc_core::wait(written_);
        }
        return v;
    }
    void wfe(uint64_t timeout) override {
        ++waits;
        if (timeout) sc_core::wait(sc_core::sc_time(double(timeout), sc_core::SC_NS), sev_);
        else sc_core::wait(sev_);
    }
    void sev() override { sev_.notify(sc_core::SC_ZERO_TIME); }
    unsigned cpu() const override {
        auto it = cpu_of_.find(sc_core::sc_get_current_process_handle().get_process_object());
        return it == cpu_of_.end() ? 0 : it->second;
    }
    unsigned cpus() const override { return cpus_; }
    void work(uint64_t cycles) override {
        if (cycles) sc_core::wait(sc_core::sc_time(double(cycles), sc_core::SC_NS));
    }
    uint64_t now() const override { return uint64_t(sc_core::sc_time_stamp() / sc_core::sc_time(1, sc_core::SC_NS)); }
    uint32_t wait_irq(uint32_t, uint64_t timeout) override {
        work(timeout);
        return 0;
    }

    uint32_t cons() const { return cons_; }
    uint64_t access_ns = 1;
    std::vector<Publish> publishes;
    std::vector<Executed> executed;
    uint64_t atomics = 0, waits = 0, prod_regressions = 0;

private:
    // Set-up before the simulation starts (the queue cleared) takes no time.
    void yield() {
        if (!in_atomic_ && in_thread()) sc_core::wait(sc_core::sc_time(double(access_ns), sc_core::SC_NS));
    }
    static bool in_thread() {
        sc_core::sc_process_handle h = sc_core::sc_get_current_process_handle();
        return h.valid() && h.proc_kind() == sc_core::SC_THREAD_PROC_;
    }
    unsigned char* at(uint64_t pa, size_t len) {
        if (pa < base_ || pa + len > base_ + mem_.size()) throw sw::hal::BusError("test bus: no memory there");
        return mem_.data() + (pa - base_);
    }
    void raw_write(uint64_t pa, const void* src, size_t len) {
        std::memcpy(at(pa, len), src, len);
        written_.notify(sc_core::SC_ZERO_TIME);
    }
    void consume(uint64_t queue_base, unsigned log2, uint64_t ns_per_command) {
        const smmu::arch::QueueIndex q(log2);
        for (;;) {
            while (q.pos(prod_) == q.pos(cons_)) sc_core::wait(prod_event_);
            const uint32_t pos = q.pos(cons_);
            smmu::arch::Command c;
            c.load(at(queue_base + q.index(pos) * 16, 16));
            sc_core::wait(sc_core::sc_time(double(ns_per_command), sc_core::SC_NS));
            executed.push_back({c, pos, now()});
            cons_ = q.next(cons_);
            if (c.opcode() == smmu::arch::op::CMD_SYNC) {
                const uint64_t cs = c.get<smmu::arch::Command::CS>();
                const uint64_t msi = c.address<smmu::arch::Command::MSIAddress>();
                if (cs == smmu::arch::sync_cs::SIG_IRQ && msi) {
                    const uint32_t data = uint32_t(c.get<smmu::arch::Command::MSIData>());
                    raw_write(msi, &data, 4);
                } else if (cs == smmu::arch::sync_cs::SIG_SEV) {
                    sev();
                }
            }
        }
    }

    uint64_t base_;
    std::vector<unsigned char> mem_;
    uint64_t regs_;
    uint32_t prod_ = 0, cons_ = 0;
    unsigned log2_ = 8;
    bool in_atomic_ = false;
    unsigned cpus_ = 1;
    std::map<const sc_core::sc_object*, unsigned> cpu_of_;
    sc_core::sc_event written_, sev_, prod_event_;
};

}  // namespace smmusim::test
