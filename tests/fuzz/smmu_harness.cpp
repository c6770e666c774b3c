#include "tests/fuzz/smmu_harness.h"

#include <exception>
#include <string>

#include "models/smmu/arch/queue.h"

namespace smmusim::fuzz {

using namespace smmu::arch;

namespace {
// Simulated time an input may take: a few hundred register accesses and commands, each at
// most a poll of the bench (100k cycles), fit many times over.
const sc_core::sc_time kBudget(50, sc_core::SC_MS);
}  // namespace

SmmuHarness::SmmuHarness(const std::vector<std::string>& sets, Execute execute)
    : bench(sets, 2, false), execute_(std::move(execute)) {
    sc_core::sc_spawn_options opts;
    sc_core::sc_spawn([this] { loop(); }, "fuzz_input", &opts);
}

void SmmuHarness::loop() {
    test::BenchSetup s;
    s.cmdq_log2 = kCmdqLog2;
    bench.enable(s);
    for (;;) {
        while (!pending_) sc_core::wait(go_);
        pending_ = false;
        reprogram();
        Bytes b(data_, size_);
        try {
            execute_(*this, b);
        } catch (const std::exception& e) {
            finding((std::string("exception from the model: ") + e.what()).c_str());
        }
        done_ = true;
    }
}

void SmmuHarness::run(const uint8_t* data, size_t size) {
    data_ = data;
    size_ = size;
    done_ = false;
    pending_ = true;
    go_.notify(sc_core::SC_ZERO_TIME);
    try {
        const sc_core::sc_time end = sc_core::sc_time_stamp() + kBudget;
        while (!done_ && sc_core::sc_time_stamp() < end)
            sc_core::sc_start(end - sc_core::sc_time_stamp(), sc_core::SC_EXIT_ON_STARVATION);
        if (!done_) finding("hang: the input did not finish within its simulated-time budget");
        // Let what the input started (walks, event writes) finish; it must go idle.
        const sc_core::sc_time idle_by = sc_core::sc_time_stamp() + kBudget;
        while (sc_core::sc_pending_activity() && sc_core::sc_time_stamp() < idle_by)
            sc_core::sc_start(idle_by - sc_core::sc_time_stamp(), sc_core::SC_EXIT_ON_STARVATION);
        if (sc_core::sc_pending_activity()) finding("livelock: the simulation never went idle after the input");
    } catch (const std::exception& e) {
        finding((std::string("exception out of sc_start: ") + e.what()).c_str());
    }
}

void SmmuHarness::reprogram() {
    using test::SmmuBench;
    write_ack(reg::CR0, reg::CR0ACK, 0);
    acknowledge();
    bench.wr32(reg::GBPA, 1u << 31);  // UPDATE, no abort: the reset value
    bench.wr64(reg::STRTAB_BASE, bench.strtab());
    bench.wr32(reg::STRTAB_BASE_CFG, 8);
    bench.wr64(reg::CMDQ_BASE, bench.cmdq_base() | kCmdqLog2);
    bench.wr32(reg::CMDQ_PROD, 0);
    bench.wr32(reg::CMDQ_CONS, 0);
    prod_ = 0;
    bench.wr64(reg::EVENTQ_BASE, bench.eventq_base() | 8);
    bench.wr32(reg::EVENTQ_PROD, 0);
    bench.wr32(reg::EVENTQ_CONS, 0);
    bench.wr32(reg::CR2, 2);
    write_ack(reg::IRQ_CTRL, reg::IRQ_CTRLACK, 5);
    write_ack(reg::CR0, reg::CR0ACK, 0xC | 1);
}

bool SmmuHarness::write_ack(uint32_t reg, uint32_t ack_reg, uint32_t value) {
    bench.wr32(reg, value);
    for (unsigned i = 0; i < 32; ++i) {
        if (bench.rd32(ack_reg) == value) return true;
        bench.wait_cycles(10);
    }
    return false;
}

void SmmuHarness::put_command(uint64_t dw0, uint64_t dw1) {
    const QueueIndex q(kCmdqLog2);
    Command c;
    c.dw = {dw0, dw1};
    bench.put(bench.cmdq_base() + uint64_t(q.index(prod_)) * Command::kBytes, c);
    prod_ = q.next(prod_);
}

void SmmuHarness::publish() { bench.wr32(reg::CMDQ_PROD, prod_); }

void SmmuHarness::sync() {
    Command c;
    c.set<Command::Opcode>(op::CMD_SYNC);
    put_command(c.dw[0], c.dw[1]);
    publish();
    const QueueIndex q(kCmdqLog2);
    for (unsigned i = 0; i < 64; ++i) {
        const uint32_t cons = bench.rd32(reg::CMDQ_CONS);
        if (q.pos(cons) == q.pos(prod_)) return;
        if ((bench.rd32(reg::GERROR) ^ bench.rd32(reg::GERRORN)) & gerror::CMDQ_ERR) return;
        bench.wait_cycles(50);
    }
}

void SmmuHarness::acknowledge() {
    bench.wr32(reg::GERRORN, bench.rd32(reg::GERROR));
    bench.wr32(reg::EVENTQ_CONS, bench.rd32(reg::EVENTQ_PROD));
}

}  // namespace smmusim::fuzz
