#pragma once
// The SMMU test bench (tests/common/smmu/smmu_bench.h) as a fuzz target: SystemC elaborates
// once per process, so one bench serves every input. A thread of the bench runs each input
// (`execute`) after putting the SMMU back to a known programming (queues empty, errors
// acknowledged, tables where the bench put them); the input then has a budget of simulated
// time. An input that does not finish in it is a hang; one after which the simulation never
// goes idle again is a livelock; both are findings, as is any exception out of the model.

#include <cstdint>
#include <functional>

#include <systemc>

#include "tests/common/smmu/smmu_bench.h"
#include "tests/fuzz/fuzz_target.h"

namespace smmusim::fuzz {

class SmmuHarness {
public:
    using Execute = std::function<void(SmmuHarness&, Bytes&)>;
    SmmuHarness(const std::vector<std::string>& sets, Execute execute);

    // Runs one input to completion (or to a finding).
    void run(const uint8_t* data, size_t size);

    test::SmmuBench bench;

    // --- for `execute`, in the bench's thread ---
    // Puts two raw dwords in the next command slot (without publishing them).
    void put_command(uint64_t dw0, uint64_t dw1);
    // Publishes the slots written so far (CMDQ_PROD).
    void publish();
    // A CMD_SYNC, published, and a bounded wait for CONS to pass it.
    void sync();
    // Acknowledges every active global error (the toggle protocol) and drains the event queue.
    void acknowledge();
    // Writes `reg` and polls `ack_reg` a bounded number of times (the bench's own write_ack
    // polls 20000 times, far too slow for values the SMMU never acknowledges).
    bool write_ack(uint32_t reg, uint32_t ack_reg, uint32_t value);
    unsigned cmdq_log2() const { return kCmdqLog2; }

private:
    static constexpr unsigned kCmdqLog2 = 8;
    void loop();
    void reprogram();

    Execute execute_;
    const uint8_t* data_ = nullptr;
    size_t size_ = 0;
    bool pending_ = false, done_ = false;
    sc_core::sc_event go_;
    uint32_t prod_ = 0;
};

}  // namespace smmusim::fuzz
