#pragma once
// The driver's policy knobs (`sw.driver.*` parameters in a platform). Defaults are Linux's
// arm-smmu-v3 choices; the others exist so that studies can measure the alternatives.

#include <cstdint>
#include <functional>

#include "sw/driver/flush_queue.h"
#include "sw/mm/tlb_flush.h"
#include "sw/pgtable/format.h"

namespace smmusim::sw::driver {

// When an unmap invalidates (Linux iommu.strict): strict before the unmap returns; lazy
// through a flush queue ending in one whole-ASID / whole-VMID invalidation.
enum class InvPolicy { Strict, Lazy };
// How the driver waits for CMD_SYNC: polling CMDQ_CONS (CS=SEV), an MSI the SMMU writes over
// the CMD_SYNC's own slot (CS=IRQ, MSIData=0; Linux's MSIPOLL), or the wired cmdq-sync IRQ.
// Auto: MSI when the SMMU has MSIs and is coherent, else CONS polling (what Linux picks).
enum class SyncMode { Auto, PollCons, Msi, Irq };
// The command-queue algorithm: Linux's lock-free multi-CPU arm_smmu_cmdq_issue_cmdlist (shared
// state in memory, updated with atomics; waits as Linux's) or the single-CPU one this model had
// first (shadow PROD/CONS in the driver, every wait a poll with back-off).
enum class CmdqAlgo { Linux, Simple };
// A domain on several SMMU instances (sw/driver/inv_array.h): its invalidation reaches them one
// after the other, each waiting for its CMD_SYNC (Linux's arm_smmu_domain_inv_range), or all
// published first and their CMD_SYNCs waited for after (a study alternative).
enum class InvInstances { Serial, Parallel };

struct DriverConfig {
    uint64_t regs = 0;  // SMMU register page 0
    unsigned instance = 0;  // this SMMU's index in the platform (the invalidation array's sort key)

    InvPolicy policy = InvPolicy::Strict;
    SyncMode sync = SyncMode::Auto;
    CmdqAlgo cmdq = CmdqAlgo::Linux;
    // Use the SMMU's enhanced command queues (IDR1.ECMDQ) as the posted ECMDQ series does: one
    // per CPU (shared when fewer), each run by `cmdq`'s algorithm (sw/driver/ecmdq.h).
    bool ecmdq = false;
    // Fault injection: with an SMMU that does not snoop the CPU caches (IDR0.COHACC = 0), leave
    // out the cleans to the point of coherency io-pgtable makes after its descriptor writes (a
    // driver bug: the SMMU then walks stale descriptors).
    bool skip_cleans = false;
    unsigned batch = 64;            // CMDQ_BATCH_ENTRIES: commands before a batch is issued without SYNC
    // Enable PCIe ATS for ATS-capable devices when the SMMU has IDR0.ATS (Linux does whenever
    // both sides support it and the domain translates: arm_smmu_ats_supported).
    bool ats = true;
    // Let the CPUs' broadcast TLB maintenance reach the SMMU (CR2.PTM = 0) when it has IDR0.BTM.
    // Mainline Linux always sets CR2.PTM (arm_smmu_device_reset), so CPU TLBIs never touch the
    // SMMU's TLBs; the posted SVA-with-BTM patches clear it when the SMMU has BTM. Its DMA
    // domains keep CD.ASET = 1 (non-shared ASIDs, spared by ASID-matching broadcasts).
    bool btm = false;
    // The CPUs' TLB maintenance features (range TLBIs, TTL hints) for an SVA process's flushes.
    mm::CpuTlbFeatures cpu_tlb;
    // CR0.ATSCHK when the SMMU has IDR0.ATS. Linux leaves it 0 (fast mode: ATS Translated
    // transactions pass unchecked, the devices are trusted); a hypervisor that does not trust
    // the host's devices sets it, as Linux's Realm SMMU driver does.
    bool atschk = false;
    // The PCI core's pci_enable_ats / pci_disable_ats for the device of a StreamID (the ATS
    // Control register's Enable bit: a configuration write, not timed). Unset: no device to tell.
    std::function<void(uint32_t sid, bool enable)> pci_ats;
    bool range_inv = true;          // use range TLBIs when the SMMU has IDR3.RIL
    uint64_t full_flush_pages = 0;  // a range of this many pages or more becomes one ASID/VMID TLBI; 0: never
    InvInstances inv_instances = InvInstances::Serial;  // a domain on several instances (Linux: serial)
    bool prefetch_config = true;    // PREFETCH_CONFIG after each STE write
    FqQueues fq_queues = FqQueues::PerCpu;  // lazy: a flush queue per CPU, or one shared (flush_queue.h)
    unsigned fq_entries = 256;      // lazy: entries per flush queue, a power of two (IOVA_DEFAULT_FQ_SIZE)
    uint64_t fq_timeout = 20000000; // lazy: cycles after the first queued unmap before a flush (10 ms at 2 GHz)
    unsigned ssid_bits = 8;         // SubstreamID bits of a device that uses SubstreamIDs (capped by IDR1)
    unsigned cmdq_log2 = 10;        // command-queue entries, log2 (capped by IDR1.CMDQS; Linux needs > 64)
    unsigned evtq_log2 = 10;        // event-queue entries, log2 (capped by IDR1.EVENTQS)
    uint64_t guest_table_memory = uint64_t(16) << 20;  // per stage-2 parent: its nested domains' tables
    // IPA bits of a stage-2 table whose domain names none; 0: the SMMU's OAS (Linux's
    // arm-smmu-v3 S2 domains). KVM's default guest IPA space is 40 bits (4K: start level 1).
    unsigned s2_ias = 0;
    // Stage-2 root concatenation: Linux up to 6.13 (concatenate a level-0 start of at most 16
    // entries) or 6.14 on (only where the architecture requires it). With a 40-bit OAS and the
    // 16K granule the first starts a 40-bit IPA at level 1, which the SMMU rejects (C_BAD_STE).
    pgtable::S2Concat s2_concat = pgtable::S2Concat::WhenStartL0Fits;

    // CPU cost model, in CPU cycles.
    uint64_t cmd_cycles = 20;         // building one command (before the queue's critical window)
    uint64_t cmdq_call_cycles = 40;   // Linux cmdq: one issue_cmdlist call's work outside memory accesses
    uint64_t poll_spins = 10;         // cheap re-polls before backing off (ARM_SMMU_POLL_SPIN_COUNT)
    uint64_t poll_relax = 10;         // cycles between cheap re-polls (cpu_relax)
    uint64_t poll_delay = 2000;       // first back-off delay, doubling after each (udelay(1) at 2 GHz)
    uint64_t poll_timeout = 2000000000;  // give up waiting (1 s at 2 GHz): logged, counted
    uint64_t pte_read_cycles = 2;     // the CPU reading one of its own descriptors (cached)
    uint64_t fq_entry_cycles = 10;    // lazy: queue_iova / fq_ring_free bookkeeping per entry
    uint64_t lock_cycles = 20;        // an uncontended spin_lock_irqsave + spin_unlock_irqrestore
};

}  // namespace smmusim::sw::driver
