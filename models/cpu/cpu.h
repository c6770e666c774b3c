#pragma once
// The CPU that runs the software (DESIGN §4): software threads (plain C++ functions) run as
// SystemC threads of this module; every register and memory access they make is one timed
// TLM transaction through `port` (the CPU's master port on the interconnect) and the thread
// waits for its response. CPU work between accesses costs cycles of `clock`. Wired
// interrupts are edge-triggered: a rising edge makes its line pending until a thread takes it.
//
// A software failure (an exception leaving a thread) stops the simulation and is kept for
// the caller to report: software bugs and bad scenarios must not crash the simulator.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <systemc>

#include "models/core/blocking_port.h"
#include "models/core/clock.h"
#include "models/core/stats.h"

namespace smmusim::cpu {

class Cpu : public sc_core::sc_module {
public:
    static constexpr unsigned kIrqLines = 32;  // bits of a uint32_t mask: 3 per SMMU instance
    static constexpr unsigned kMaxAccess = 256;  // bytes per transaction (a few cache lines)

    SC_HAS_PROCESS(Cpu);
    explicit Cpu(sc_core::sc_module_name name);
    // Software threads still blocked (a run bounded by time or transactions) are killed, so
    // that their stacks unwind and what they hold is freed.
    ~Cpu() override;
    // The same, now: call it before destroying what the software threads use.
    void kill_threads();

    core::ClockParam clock{this, sc_core::sc_time(0.5, sc_core::SC_NS)};
    core::Param<uint32_t> write_buffer{this, "write_buffer", 16, "",
                                       "stores to memory in flight before the CPU waits (write buffer); "
                                       "stores are posted, a register write first waits for them",
                                       {1, 256}};

    core::BlockingPort port;  // socket: <name>.port
    // Wires interrupt line `index` (0..kIrqLines-1) to a signal; a rising edge makes it pending.
    void connect_irq(unsigned index, const sc_core::sc_signal_in_if<bool>& line);

    // Starts `body` as a software thread at time 0 (call before the simulation starts).
    // `main` threads count for finished(); others (interrupt handlers) may run forever.
    void start(const std::string& name, std::function<void()> body, bool main = true);
    bool finished() const { return running_main_ == 0; }
    // The first failure of any software thread ("" if none). What failed is in the message.
    const std::string& failure() const { return failure_; }
    // A copy of the exception behind failure(), to rethrow once the simulation is over.
    std::exception_ptr failure_exception() const { return failure_ptr_; }

    // For the software's bus backend; call from a software thread.
    // Returns false on an error response.
    bool access(bool write, uint64_t addr, void* data, unsigned len);
    // Untimed (debug transport): boot-time setup outside the measured run. Not counted.
    bool debug_access(bool write, uint64_t addr, void* data, unsigned len) { return port.debug(write, addr, data, len); }
    // A store to memory: posted (see write_buffer).
    void post_write(uint64_t addr, const void* data, unsigned len);
    // Waits until every posted store has completed; false if one was answered with an error.
    bool drain();
    void work(uint64_t cycles);
    uint64_t now_cycles() const;
    // Waits until one of `lines` (a mask of irq indices) is pending or `timeout` cycles pass
    // (0: no timeout); takes and returns the pending lines of the mask.
    uint32_t wait_irq(uint32_t lines, uint64_t timeout);

private:
    void fail(const std::string& what, std::exception_ptr e);

    std::vector<sc_core::sc_process_handle> threads_;
    uint32_t pending_ = 0;
    sc_core::sc_event irq_event_;
    unsigned running_main_ = 0;
    std::string failure_;
    std::exception_ptr failure_ptr_;

    core::Counter reads_{this, "reads", "memory and register reads"};
    core::Counter writes_{this, "writes", "memory and register writes"};
    core::Counter bytes_{this, "bytes", "bytes read and written", "bytes"};
    core::Counter errors_{this, "errors", "accesses answered with an error"};
    core::Counter work_cycles_{this, "work_cycles", "cycles of CPU work between accesses", "cycles"};
    core::Counter irqs_{this, "irqs", "interrupts taken"};
};

}  // namespace smmusim::cpu
