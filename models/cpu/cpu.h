#pragma once
// The CPU that runs the software (DESIGN §4): software threads (plain C++ functions) run as
// SystemC threads of this module; every register and memory access they make is one timed
// TLM transaction through `port` (the CPU's master port on the interconnect) and the thread
// waits for its response. CPU work between accesses costs cycles of `clock`. Wired
// interrupts are edge-triggered: a rising edge makes its line pending until a thread takes it.
//
// A software failure (an exception leaving a thread) stops the simulation and is kept for
// the caller to report: software bugs and bad scenarios must not crash the simulator.
//
// A core of a cpu::Cluster (models/cpu/cluster.h) also has the Arm event register and WFE
// (Arm ARM D1.6 "Wait for Event"): an event (SEV from any core, the SMMU's SEV, the loss of
// an exclusive monitor, an interrupt, the generic timer's event stream) sets the register;
// WFE clears it and returns at once if it was set, else sleeps until the next event.

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
    sc_core::sc_process_handle start(const std::string& name, std::function<void()> body, bool main = true);
    bool finished() const { return running_main_ == 0; }
    // The first failure of any software thread ("" if none). What failed is in the message.
    const std::string& failure() const { return failure_; }
    // A copy of the exception behind failure(), to rethrow once the simulation is over.
    std::exception_ptr failure_exception() const { return failure_ptr_; }

    // Kills this core's software threads other than the calling one.
    void kill_others();
    // Called on a software failure instead of kill_others() (a cluster kills every core's).
    std::function<void()> on_failure;

    // For the software's bus backend; call from a software thread.
    // Returns false on an error response.
    bool access(bool write, uint64_t addr, void* data, unsigned len);
    // Untimed (debug transport): boot-time setup outside the measured run. Not counted.
    bool debug_access(bool write, uint64_t addr, void* data, unsigned len) { return port.debug(write, addr, data, len); }
    // A store to memory: posted (see write_buffer).
    void post_write(uint64_t addr, const void* data, unsigned len);
    // A data cache's write-back of a line (posted, core::MemAttr::write_back).
    void post_write_back(uint64_t addr, const void* data, unsigned len);
    // Waits until every posted store has completed; false if one was answered with an error.
    bool drain();
    void work(uint64_t cycles);
    uint64_t now_cycles() const;
    // Waits until one of `lines` (a mask of irq indices) is pending or `timeout` cycles pass
    // (0: no timeout); takes and returns the pending lines of the mask.
    uint32_t wait_irq(uint32_t lines, uint64_t timeout);

    // Sets the event register and wakes a WFE (any thread of this core).
    void send_event();
    // WFE: returns at once (clearing it) if the event register is set; else sleeps until an
    // event, `timeout` cycles (0: none), or the next tick of an event stream of period
    // `stream` (zero: none; ticks at multiples of the period, the timer counter's bit flips).
    // True if an event ended it, false on timeout.
    bool wfe(uint64_t timeout, const sc_core::sc_time& stream);
    // Cycles the core is held without doing work (barrier, cache-line transfer): counted as
    // `what` (barrier or transfer cycles), not as work.
    void stall_barrier(uint64_t cycles);
    void stall_transfer(uint64_t cycles);
    // An atomic the cluster did in this core's cache (no memory access): counted.
    void count_atomic() { ++atomics_; }
    // Memory and register reads this core has made (its `reads` stat).
    uint64_t reads_made() const { return reads_.value(); }
    // The timed access of an atomic read-modify-write (one memory access, as LSE far/near
    // atomics are one request): counted as an atomic, not as a read.
    bool atomic_access(uint64_t addr, void* data, unsigned len);

private:
    void fail(const std::string& what, std::exception_ptr e);

    std::vector<sc_core::sc_process_handle> threads_;
    uint32_t pending_ = 0;
    sc_core::sc_event irq_event_;
    unsigned running_main_ = 0;
    std::string failure_;
    std::exception_ptr failure_ptr_;
    bool event_reg_ = false;
    uint64_t stream_seen_ = 0;  // event-stream ticks already put in the event register
    sc_core::sc_event wake_;

    core::Counter reads_{this, "reads", "memory and register reads"};
    core::Counter writes_{this, "writes", "memory and register writes"};
    core::Counter bytes_{this, "bytes", "bytes read and written", "bytes"};
    core::Counter errors_{this, "errors", "accesses answered with an error"};
    core::Counter work_cycles_{this, "work_cycles", "cycles of CPU work between accesses", "cycles"};
    core::Counter irqs_{this, "irqs", "interrupts taken"};
    core::Counter atomics_{this, "atomics", "atomic read-modify-writes (LSE atomics, CAS)"};
    core::Counter transfer_cycles_{this, "transfer_cycles",
                                   "cycles an atomic waited for its cache line to move from another core", "cycles"};
    core::Counter barrier_cycles_{this, "barrier_cycles", "cycles spent in explicit DMB/DSB barriers", "cycles"};
    core::Counter wfes_{this, "wfes", "WFE instructions executed"};
    core::Counter wfe_cycles_{this, "wfe_cycles", "cycles asleep in WFE", "cycles"};
};

}  // namespace smmusim::cpu
