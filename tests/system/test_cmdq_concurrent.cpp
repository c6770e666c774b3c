// Linux's command queue driven by several software threads at once through the real SMMU
// model (TCU, TBUs, interconnect, DRAM): every thread's TLBIs are consumed exactly once and in
// its order, every CMD_SYNC completes, and contending threads' commands merge under shared
// CMDQ_PROD writes. The threads share one core today (they interleave at every timed access,
// which the lock-free algorithm must survive just as it must on several cores). Today's
// TimedBus makes an atomic a plain read then write, atomic only for one thread: the test's
// bus makes each atomic indivisible against the other threads' atomics and stores (as LSE
// atomics are), its accesses still the timed ones.

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/core/json_log.h"
#include "models/core/param_registry.h"
#include "models/smmu/arch/command_builders.h"
#include "platforms/soc.h"
#include "sw/driver/smmu_driver.h"
#include "sw/hal/page_alloc.h"
#include "sw/hal/timed_bus.h"
#include "tests/common/test_util.h"

using namespace smmusim;
using namespace smmusim::smmu::arch;
using platforms::Soc;

namespace {

Command tlbi(unsigned thread, uint64_t page) {
    Command c = cmd::tlbi_by_address(op::TLBI_NH_VA, uint16_t(thread + 1), 0);
    cmd::set_range(c, page << 12, true, 0, 0, 0, 0);
    return c;
}

class AtomicBus : public sw::hal::Bus {
public:
    explicit AtomicBus(sw::hal::Bus& b) : b_(b) {}
    uint32_t read32(uint64_t pa) override { return b_.read32(pa); }
    void write32(uint64_t pa, uint32_t v) override { b_.write32(pa, v); }
    uint64_t read64(uint64_t pa) override { return b_.read64(pa); }
    void write64(uint64_t pa, uint64_t v) override { b_.write64(pa, v); }
    void read(uint64_t pa, void* dst, size_t len) override { b_.read(pa, dst, len); }
    void write(uint64_t pa, const void* src, size_t len) override {
        if (holder_ == sc_core::sc_get_current_process_handle()) return b_.write(pa, src, len);  // the atomic's
        lock_.lock();
        b_.write(pa, src, len);
        lock_.unlock();
    }
    uint64_t atomic(uint64_t pa, unsigned size, AtomicOp op, uint64_t operand, uint64_t expected) override {
        lock_.lock();
        holder_ = sc_core::sc_get_current_process_handle();
        const uint64_t old = Bus::atomic(pa, size, op, operand, expected);  // read, then write()
        holder_ = sc_core::sc_process_handle();
        lock_.unlock();
        return old;
    }
    void barrier() override { b_.barrier(); }
    void dmb() override { b_.dmb(); }
    void set_untimed(bool on) override { b_.set_untimed(on); }
    void work(uint64_t cycles) override { b_.work(cycles); }
    uint64_t now() const override { return b_.now(); }
    uint32_t wait_irq(uint32_t lines, uint64_t timeout) override { return b_.wait_irq(lines, timeout); }

private:
    sw::hal::Bus& b_;
    sc_core::sc_mutex lock_;
    sc_core::sc_process_handle holder_;
};

struct Publishes : sw::driver::Observer {
    std::vector<uint64_t> sizes;
    uint64_t calls = 0;
    void prod_published(uint64_t n) override { sizes.push_back(n); }
    void cmdq_issued(unsigned, const sw::driver::CmdqCpuTimes&) override { ++calls; }
    std::vector<std::string> warnings;
    void warning(const std::string& w) override { warnings.push_back(w); }
};

}  // namespace

TEST(CmdqConcurrent, ThreadsInvalidatingAtOnceThroughTheRealSmmu) {
    constexpr unsigned kThreads = 4, kCalls = 25;
    core::ParamRegistry::instance().apply_set("cpu_traffic.enable=false");
    const std::string log = test::temp_file("", ".cmd");
    core::JsonLog::open(core::LogId::Cmd, log, "cmd");
    Soc soc(false);
    sw::hal::TimedBus timed(soc.cpu);
    AtomicBus bus(timed);
    sw::hal::PageAllocator mem(Soc::kDramBase + Soc::kDmaWindow, uint64_t(64) << 20);
    sw::driver::DriverConfig cfg;
    cfg.regs = Soc::kSmmuBase;
    Publishes obs;
    sw::driver::SmmuDriver drv(bus, mem, cfg, obs);
    sc_core::sc_event ready;
    bool reset_done = false;
    unsigned failed = 0;
    for (unsigned t = 0; t < kThreads; ++t) {
        soc.cpu.start("t" + std::to_string(t), [&, t] {
            if (t == 0) {
                drv.probe_and_reset(true);
                reset_done = true;
                ready.notify(sc_core::SC_ZERO_TIME);
            } else if (!reset_done) {
                sc_core::wait(ready);
            }
            for (unsigned i = 0; i < kCalls; ++i) {
                const Command c[2] = {tlbi(t, 2 * i), tlbi(t, 2 * i + 1)};
                if (!drv.cmdq().issue(c, 2, true)) ++failed;
            }
        });
    }
    const uint64_t reset_calls = 3;  // CFGI_ALL, TLBI_EL2_ALL, TLBI_NSNH_ALL, each with a sync
    sc_core::sc_start();
    core::JsonLog::close_all();
    ASSERT_TRUE(soc.cpu.failure().empty()) << soc.cpu.failure();
    EXPECT_EQ(failed, 0u);
    EXPECT_TRUE(obs.warnings.empty()) << obs.warnings.front();
    std::map<uint64_t, std::vector<uint64_t>> seen;  // asid -> page numbers, in consumption order
    uint64_t syncs = 0;
    std::ifstream in(log);
    for (std::string line; std::getline(in, line);) {
        const nlohmann::json j = nlohmann::json::parse(line);
        if (j["op"] == "TLBI_NH_VA") seen[j["asid"]].push_back(std::stoull(j["addr"].get<std::string>(), nullptr, 16) >> 12);
        if (j["op"] == "CMD_SYNC") ++syncs;
    }
    std::remove(log.c_str());
    ASSERT_EQ(seen.size(), kThreads);
    for (const auto& [asid, pages] : seen) {
        ASSERT_EQ(pages.size(), 2u * kCalls) << "asid " << asid;
        for (uint64_t i = 0; i < pages.size(); ++i) ASSERT_EQ(pages[i], i) << "asid " << asid;
    }
    EXPECT_EQ(syncs, kThreads * kCalls + reset_calls);
    EXPECT_EQ(obs.calls, kThreads * kCalls + reset_calls);
    EXPECT_LT(obs.sizes.size(), obs.calls) << "no CMDQ_PROD write published several threads' commands";
    uint64_t total = 0;
    for (uint64_t n : obs.sizes) total += n;
    EXPECT_EQ(total, kThreads * kCalls * 3 + reset_calls * 2);
}
