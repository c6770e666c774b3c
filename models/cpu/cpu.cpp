#include "models/cpu/cpu.h"

#include <exception>
#include <stdexcept>
#include <string>

#include "models/core/sim_time.h"

namespace smmusim::cpu {

Cpu::Cpu(sc_core::sc_module_name name) : sc_module(name), port("port", kMaxAccess) {}

void Cpu::connect_irq(unsigned index, const sc_core::sc_signal_in_if<bool>& line) {
    if (index >= kIrqLines) throw std::out_of_range("Cpu::connect_irq: no such line");
    sc_core::sc_spawn_options opts;
    opts.spawn_method();
    opts.dont_initialize();
    opts.set_sensitivity(&line.posedge_event());
    sc_core::sc_spawn(
        [this, index] {
            pending_ |= 1u << index;
            irq_event_.notify(sc_core::SC_ZERO_TIME);
            send_event();  // an interrupt is a WFE wake-up event (Arm ARM D1.6.1)
        },
        (std::string(basename()) + "_irq" + std::to_string(index)).c_str(), &opts);
}

sc_core::sc_process_handle Cpu::start(const std::string& name, std::function<void()> body, bool main) {
    if (main) ++running_main_;
    sc_core::sc_spawn_options opts;
    threads_.push_back(sc_core::sc_spawn(
        [this, body = std::move(body), main, name] {
            try {
                body();
            } catch (const sc_core::sc_unwind_exception&) {
                throw;  // being killed: let SystemC finish the unwinding
            } catch (const std::exception& e) {
                fail(name + ": " + e.what(), std::current_exception());
            }
            if (main) --running_main_;
        },
        (std::string(basename()) + "_" + name).c_str(), &opts));
    return threads_.back();
}

Cpu::~Cpu() { kill_threads(); }

void Cpu::kill_threads() {
    std::vector<sc_core::sc_process_handle> alive;
    for (sc_core::sc_process_handle& h : threads_)
        if (h.valid() && !h.terminated()) alive.push_back(h);
    threads_.clear();
    // kill() must come from a process, and a stopped simulation cannot run one: then the
    // blocked threads' stacks are left as they are.
    if (alive.empty() || sc_core::sc_get_status() != sc_core::SC_PAUSED) return;
    sc_core::sc_spawn_options opts;
    opts.spawn_method();
    sc_core::sc_spawn(
        [alive]() mutable {
            for (sc_core::sc_process_handle& h : alive) h.kill();
        },
        (std::string(basename()) + "_kill").c_str(), &opts);
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
}

void Cpu::fail(const std::string& what, std::exception_ptr e) {
    if (failure_.empty()) {
        failure_ = what;
        failure_ptr_ = e;
    }
    // The other software threads end here, unwound: a run stopped by a failure leaves no thread
    // blocked in the middle of a call with its stack's objects never destroyed (a stopped
    // simulation can no longer kill them, see kill_threads).
    if (on_failure) on_failure();
    else kill_others();
    sc_core::sc_stop();
}

void Cpu::kill_others() {
    const sc_core::sc_process_handle self = sc_core::sc_get_current_process_handle();
    for (sc_core::sc_process_handle& h : threads_)
        if (h.valid() && !h.terminated() && h != self) h.kill();
}

bool Cpu::access(bool write, uint64_t addr, void* data, unsigned len) {
    const tlm::tlm_response_status s = write ? port.write(addr, data, len) : port.read(addr, data, len);
    if (write) ++writes_;
    else ++reads_;
    bytes_ += len;
    if (s != tlm::TLM_OK_RESPONSE) {
        ++errors_;
        return false;
    }
    return true;
}

void Cpu::post_write(uint64_t addr, const void* data, unsigned len) {
    ++writes_;
    bytes_ += len;
    port.post_write(addr, data, len, write_buffer);
}

void Cpu::post_write_back(uint64_t addr, const void* data, unsigned len) {
    ++writes_;
    bytes_ += len;
    port.post_write(addr, data, len, write_buffer, true);
}

bool Cpu::drain() {
    const uint64_t e = port.drain();
    errors_ += e;
    return e == 0;
}

void Cpu::work(uint64_t cycles) {
    if (!cycles) return;
    work_cycles_ += cycles;
    sc_core::wait(clock.cycles(cycles));
}

uint64_t Cpu::now_cycles() const {
    return uint64_t(core::now() / clock.value());
}

uint32_t Cpu::wait_irq(uint32_t lines, uint64_t timeout) {
    const sc_core::sc_time deadline = core::now() + clock.cycles(timeout);
    while (!(pending_ & lines)) {
        if (!timeout) {
            sc_core::wait(irq_event_);
            continue;
        }
        const sc_core::sc_time now = core::now();
        if (now >= deadline) return 0;
        sc_core::wait(deadline - now, irq_event_);
    }
    const uint32_t taken = pending_ & lines;
    pending_ &= ~lines;
    irqs_ += uint64_t(__builtin_popcount(taken));
    return taken;
}

void Cpu::send_event() {
    event_reg_ = true;
    wake_.notify(sc_core::SC_ZERO_TIME);
}

bool Cpu::wfe(uint64_t timeout, const sc_core::sc_time& stream) {
    ++wfes_;
    const sc_core::sc_time start = core::now();
    // Ticks of the event stream since the last WFE set the register (lazily: no process runs
    // for each tick).
    if (stream != sc_core::SC_ZERO_TIME) {
        const uint64_t ticks = uint64_t(start / stream);
        if (ticks > stream_seen_) {
            stream_seen_ = ticks;
            event_reg_ = true;
        }
    }
    if (event_reg_) {
        event_reg_ = false;
        return true;
    }
    sc_core::sc_time until = sc_core::SC_ZERO_TIME;
    bool bounded = false;
    if (timeout) {
        until = start + clock.cycles(timeout);
        bounded = true;
    }
    if (stream != sc_core::SC_ZERO_TIME) {
        const sc_core::sc_time tick = stream * double(stream_seen_ + 1);
        if (!bounded || tick < until) until = tick;
        bounded = true;
    }
    if (bounded) sc_core::wait(until - start, wake_);
    else sc_core::wait(wake_);
    const sc_core::sc_time now = core::now();
    wfe_cycles_ += uint64_t((now - start) / clock.value());
    bool woke = event_reg_;
    if (stream != sc_core::SC_ZERO_TIME && uint64_t(now / stream) > stream_seen_) {
        stream_seen_ = uint64_t(now / stream);
        woke = true;
    }
    event_reg_ = false;
    return woke;
}

void Cpu::stall_barrier(uint64_t cycles) {
    if (!cycles) return;
    barrier_cycles_ += cycles;
    sc_core::wait(clock.cycles(cycles));
}

void Cpu::stall_transfer(uint64_t cycles) {
    if (!cycles) return;
    transfer_cycles_ += cycles;
    sc_core::wait(clock.cycles(cycles));
}

bool Cpu::atomic_access(uint64_t addr, void* data, unsigned len) {
    ++atomics_;
    bytes_ += len;
    if (port.read(addr, data, len) != tlm::TLM_OK_RESPONSE) {
        ++errors_;
        return false;
    }
    return true;
}

}  // namespace smmusim::cpu
