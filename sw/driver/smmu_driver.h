#pragma once
// A Linux-like SMMUv3 driver (arm-smmu-v3 + the IOMMU core's map/unmap), programming the SMMU
// only through its registers and tables in memory (DESIGN §4). Single CPU: calls come from
// the software's main thread; irq_thread() runs as a second software thread and handles the
// event-queue and GERROR interrupts.
//
//   probe_and_reset()     ID registers, tables and queues, the reset sequence (reference §9.5)
//   add_master(sid, ...)  a device appears: its STE exists (abort) until something is attached
//   create_domain / attach / map / unmap
//   run_timers()          lazy mode: flush queues whose timeout has passed
//
// Requests that make no sense (an unknown parent, attaching a stage-2 domain to a
// SubstreamID, a StreamID beyond SIDSIZE) throw DriverError naming the problem.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "sw/driver/cd_table.h"
#include "sw/driver/cmdq.h"
#include "sw/driver/ecmdq.h"
#include "sw/driver/config.h"
#include "sw/driver/errors.h"
#include "sw/driver/domain.h"
#include "sw/driver/event_queue.h"
#include "sw/driver/observer.h"
#include "sw/driver/probe.h"
#include "sw/driver/stream_table.h"
#include "sw/driver/tlb_inv.h"
#include "sw/hal/bus.h"
#include "sw/hal/page_alloc.h"
#include "sw/pgtable/prot.h"

namespace smmusim::sw::driver {

struct DriverStats {
    uint64_t maps = 0, unmaps = 0, bytes_mapped = 0, bytes_unmapped = 0;
    uint64_t ste_writes = 0, cd_writes = 0, breaking_writes = 0;
    uint64_t fq_flushes = 0;
};

class SmmuDriver {
public:
    SmmuDriver(hal::Bus& bus, hal::PageAllocator& mem, const DriverConfig& cfg, Observer& obs);
    ~SmmuDriver();

    // With `enable` false the SMMU is left with SMMUEN=0 (queues running) until enable(), so
    // that STEs can be written before any device is translated (a hypervisor at boot).
    void probe_and_reset(bool enable = true);
    void enable();
    const SmmuCaps& caps() const { return caps_; }
    const DriverConfig& config() const { return cfg_; }
    // The interrupt handler thread: never returns.
    [[noreturn]] void irq_thread();
    // What the handler does for the interrupt lines (hal::Irq mask) taken.
    void handle_irq(uint32_t lines);

    // `ats`: the device is ATS-capable (its PCIe ATS capability); ATS is used when the SMMU
    // has IDR0.ATS and sw.driver.ats is set (Linux arm_smmu_ats_supported).
    void add_master(uint32_t sid, bool uses_ssids, bool ats = false);
    Domain& create_domain(const DomainSpec& spec);
    Domain* find_domain(const std::string& name);
    // Attaches `d` to the device's requests without SubstreamID (ssid empty) or with `ssid`.
    // `d` may be another instance's stage-1 or stage-2 domain: this instance joins its
    // invalidation array (inv_array.h) with an ASID or VMID of its own (join_domain).
    void attach(uint32_t sid, std::optional<uint32_t> ssid, Domain& d);

    // A hypervisor's own STE for `sid` (a device added with add_master): written with the
    // hitless entry writer, CFGI_STE + CMD_SYNC after each step. stage2_ste is the STE that
    // puts a device on stage-2 domain `d` alone (its words 2 and 3 are the stage-2 half).
    void install_ste(uint32_t sid, const Entry& ste);
    Entry stage2_ste(const Domain& d) const;

    pgtable::Result map(Domain& d, uint64_t iova, uint64_t pa, uint64_t size, const pgtable::Prot& prot);
    pgtable::Result unmap(Domain& d, uint64_t iova, uint64_t size);
    // Told when unmapped IOVA may be used again: at once when strict, after the flush when lazy.
    void on_iova_free(std::function<void(Domain&, uint64_t, uint64_t)> f) { iova_free_ = std::move(f); }

    // Lazy mode: flush every queue whose timeout has passed; the cycle of the next deadline (0: none).
    void run_timers();
    uint64_t next_timer() const;
    void flush_queues();  // every pending flush queue, now

    const DriverStats& stats() const { return stats_; }
    CommandQueue& cmdq() { return *cmdq_; }
    Ecmdqs* ecmdqs() { return ecmdqs_.get(); }
    uint64_t table_bytes() const;

private:
    struct Master {
        uint32_t sid = 0;
        unsigned ssid_bits = 0;
        bool ats = false;  // ATS supported by device, SMMU and driver policy
        bool ats_enabled = false;  // enabled in the device (master->ats_enabled)
        Domain* rid = nullptr;              // requests without SubstreamID
        std::map<uint32_t, Domain*> ssids;  // by SubstreamID
        std::unique_ptr<CdTable> cds;
        hal::PageAllocator* cd_memory = nullptr;  // where cds lives
    };

    void write_reg_sync(uint32_t reg, uint32_t ack, uint32_t value);
    void enable_ecmdqs();
    uint32_t enables_ = 0;  // CR0 as last written
    void update_gbpa(uint32_t set_bits);
    void handle_gerror();
    void setup_fq(Domain& d);
    void setup_table(Domain& d);
    void setup_sva(Domain& d);
    uint16_t alloc_id(std::map<uint16_t, bool>& used, unsigned bits, const char* what);
    void join_domain(Domain& d, const std::string& what);
    void leave_domain(Domain& d);
    bool owns(const Domain& d) const;
    // STE and CD composition (attach.cpp)
    Entry make_ste(Master& m);
    Entry make_cd(const Domain& d) const;
    void write_ste(Master& m);
    // arm_smmu_atc_inv_master: CMD_ATC_INV of the whole ATC (or one PASID's) and a CMD_SYNC.
    void atc_inv_master(const Master& m, std::optional<uint32_t> ssid);
    void write_cd(Master& m, uint32_t ssid, const Entry& target);
    Master& master(uint32_t sid);

    hal::Bus& bus_;
    hal::PageAllocator& mem_;
    DriverConfig cfg_;
    Observer& obs_;
    SmmuCaps caps_;
    std::unique_ptr<StreamTable> strtab_;
    std::unique_ptr<CommandQueue> cmdq_;
    std::unique_ptr<Ecmdqs> ecmdqs_;  // with sw.driver.ecmdq and IDR1.ECMDQ: the per-CPU queues
    std::unique_ptr<EventQueue> evtq_;
    std::unique_ptr<TlbInvalidator> inv_;
    std::map<std::string, std::unique_ptr<Domain>> domains_;
    std::map<uint32_t, Master> masters_;
    std::map<uint16_t, bool> asids_, vmids_;
    std::function<void(Domain&, uint64_t, uint64_t)> iova_free_;
    DriverStats stats_;
};

}  // namespace smmusim::sw::driver
