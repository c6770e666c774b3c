#include "models/mem/memory.h"

#include <algorithm>

#include "models/core/mem_attr.h"
#include "models/core/sim_time.h"

namespace smmusim::mem {

Memory::Memory(sc_core::sc_module_name name, const Defaults& d)
    : sc_module(name),
      base(this, "base", d.base, "address", "first physical address this memory answers"),
      size(this, "size", d.size, "bytes", "capacity in bytes",
           {uint64_t(1), uint64_t(1) << 52}),
      port("socket", *this) {
    if (base.value() + size.value() < base.value()) size.fail("base + size overflows 64 bits");
}

bool Memory::contains(uint64_t addr, uint64_t len) const {
    return addr >= base && len <= size && addr - base <= size - len;
}

bool Memory::access(tlm::tlm_generic_payload& gp) {
    const uint64_t addr = gp.get_address();
    const unsigned len = gp.get_data_length();
    if (!contains(addr, len)) {
        gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return false;
    }
    if (gp.get_streaming_width() != 0 && gp.get_streaming_width() < len) {
        gp.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
        return false;
    }
    const unsigned char* be = gp.get_byte_enable_ptr();
    const unsigned be_len = gp.get_byte_enable_length();
    if (be && be_len == 0) {
        gp.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
        return false;
    }
    snooped_ = false;
    if (dirty_ && !be) {
        cached_access(gp, addr, len);
    } else if (gp.is_read()) {
        if (be) {
            // Only enabled bytes are copied into the initiator's buffer.
            unsigned char* dst = gp.get_data_ptr();
            for (unsigned i = 0; i < len; ++i)
                if (be[i % be_len] == 0xff) store_.read(addr + i, dst + i, 1);
        } else {
            store_.read(addr, gp.get_data_ptr(), len);
        }
    } else if (gp.is_write()) {
        if (dirty_) snooped_ = dirty_->coherent_write(addr, len);
        if (be) store_.write_enabled(addr, gp.get_data_ptr(), len, be, be_len);
        else store_.write(addr, gp.get_data_ptr(), len);
        if (observer_) observer_(addr, len);
    }
    if (snooped_) ++*snoop_hits_;
    gp.set_dmi_allowed(dmi && !observer_ && !dirty_);
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
    return true;
}

void Memory::set_dirty_lines(DirtyLines* d, const sc_core::sc_time& snoop) {
    dirty_ = d;
    snoop_ = snoop;
    if (d && !snoop_hits_)
        snoop_hits_ = std::make_unique<core::Counter>(
            this, "snoop_hits", "coherent accesses to lines dirty in a CPU cache (snooped out of it)");
}

void Memory::cached_access(tlm::tlm_generic_payload& gp, uint64_t addr, unsigned len) {
    const core::MemAttr* m = gp.get_extension<core::MemAttr>();
    unsigned char* data = gp.get_data_ptr();
    if (gp.is_read()) {
        store_.read(addr, data, len);
        if (m && m->non_coherent) dirty_->read_dram(addr, len, data);
        else snooped_ = dirty_->coherent_read(addr, len);
    } else if (gp.is_write()) {
        if (m && m->write_back) {
            dirty_->write_back_arrived(addr, len, data);  // no data changes: no observer
            return;
        }
        if (m && m->non_coherent) {
            dirty_->write_dram(addr, len, data);
        } else {
            snooped_ = dirty_->coherent_write(addr, len);
            store_.write(addr, data, len);
        }
        if (observer_) observer_(addr, len);
    }
}

bool Memory::at_request(tlm::tlm_generic_payload& gp, unsigned) {
    if (outstanding_ >= max_outstanding) return false;
    start(gp);
    return true;
}

void Memory::start(tlm::tlm_generic_payload& gp) {
    set_outstanding(outstanding_ + 1);
    const sc_core::sc_time now = core::now();
    if (!access(gp)) {
        ++errors_;
        port.respond(gp, clock.cycles(1));
        return;
    }
    const unsigned len = gp.get_data_length();
    // The data port moves bytes_per_cycle per cycle, one request after another.
    sc_core::sc_time data_start = std::max(now, port_free_);
    port_free_ = data_start + clock.cycles(core::ClockParam::beats(len, bytes_per_cycle));
    queue_delay_.sample(data_start - now);
    port.respond(gp, port_free_ - now + clock.cycles(served(gp)) + (snooped_ ? snoop_ : sc_core::SC_ZERO_TIME));
}

uint32_t Memory::served(const tlm::tlm_generic_payload& gp) {
    const unsigned len = gp.get_data_length();
    if (gp.is_write()) {
        ++writes_;
        bytes_written_ += len;
        return write_latency;
    }
    ++reads_;
    bytes_read_ += len;
    return read_latency;
}

void Memory::at_response_done(unsigned) {
    set_outstanding(outstanding_ - 1);
    if (tlm::tlm_generic_payload* held = port.held()) {
        start(*held);
        port.accept_held();
    }
}

void Memory::set_outstanding(uint32_t n) {
    outstanding_ = n;
    occupancy_.set(n);
    occupancy_sig_.set(n);
}

// Loosely timed (sim.mode=lt): the data port's beats and the latency, as start() charges a
// request that finds the port free; no queueing (docs/design.md, Timing modes).
void Memory::at_b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay, unsigned) {
    if (!access(gp)) {
        ++errors_;
        delay += clock.cycles(1);
        return;
    }
    delay += clock.cycles(core::ClockParam::beats(gp.get_data_length(), bytes_per_cycle) + served(gp));
    if (snooped_) delay += snoop_;
}

unsigned Memory::at_transport_dbg(tlm::tlm_generic_payload& gp, unsigned) {
    const uint64_t addr = gp.get_address();
    const unsigned len = gp.get_data_length();
    if (!contains(addr, len)) return 0;
    if (gp.is_read()) store_.read(addr, gp.get_data_ptr(), len);
    else if (gp.is_write()) {
        // Debug writes (boot-time setup, the CPUs' cached stores) are coherent.
        if (dirty_) dirty_->coherent_write(addr, len);
        store_.write(addr, gp.get_data_ptr(), len);
        if (observer_) observer_(addr, len);
    } else
        return 0;
    return len;
}

bool Memory::at_get_dmi(tlm::tlm_generic_payload& gp, tlm::tlm_dmi& dmi_data, unsigned) {
    const uint64_t addr = gp.get_address();
    if (!dmi || observer_ || dirty_ || !contains(addr, 1)) return false;
    // One store chunk, clipped to this memory's range.
    uint64_t lo = std::max<uint64_t>(addr & ~(SparseStore::kChunkSize - 1), base);
    uint64_t hi = std::min<uint64_t>((addr | (SparseStore::kChunkSize - 1)), base + (size - 1));
    unsigned char* chunk = store_.chunk(addr);
    dmi_data.set_dmi_ptr(chunk + (lo & (SparseStore::kChunkSize - 1)));
    dmi_data.set_start_address(lo);
    dmi_data.set_end_address(hi);
    dmi_data.allow_read_write();
    dmi_data.set_read_latency(clock.cycles(read_latency));
    dmi_data.set_write_latency(clock.cycles(write_latency));
    return true;
}

}  // namespace smmusim::mem
