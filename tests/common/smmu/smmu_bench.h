#pragma once
// An SMMU on a small platform for tests that program it the way software does, without a
// driver: a bare CPU port writes registers (timed MMIO) and commands, tables are written
// straight into memory, bare devices issue DMA with StreamIDs through TBUs.
//
//   cpu ----------------------+
//   dev0 -> smmu.tbu0 --------+--> noc --> dram  [0x8000_0000, +1 GiB)
//   dev1 -> smmu.tbu1 --------+        --> smmu registers at 0x2B40_0000
//   ...                       |        (nothing at 0x4000_0000: reads there abort)
//   smmu.tcu (walks, queues) -+

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <systemc>

#include "models/core/blocking_port.h"
#include "models/cpu/dvm_requester.h"
#include "models/mem/memory.h"
#include "models/noc/dvm_node.h"
#include "models/noc/interconnect.h"
#include "models/smmu/arch/cd.h"
#include "models/smmu/arch/commands.h"
#include "models/smmu/arch/events.h"
#include "models/smmu/arch/regs.h"
#include "models/smmu/arch/ste.h"
#include "models/smmu/smmu.h"
#include "models/traffic/dma_master.h"
#include "tests/common/presets.h"
#include "tests/common/smmu/page_tables.h"

namespace smmusim::test {

constexpr uint64_t kDram = 0x80000000ull;
constexpr uint64_t kDramSize = uint64_t(1) << 30;
constexpr uint64_t kSmmuBase = 0x2B400000ull;
constexpr uint64_t kHole = 0x40000000ull;     // decodes to nothing: accesses abort
constexpr uint64_t kArena = kDram + (512ull << 20);  // tables and queues are allocated here

struct BenchSetup {
    unsigned sid_bits = 8;
    bool two_level = false;
    unsigned split = 8;
    unsigned cmdq_log2 = 8;
    unsigned evtq_log2 = 8;
    bool recinvsid = true;
    bool e2h = false;  // CR2.E2H: STRW=EL2 streams use the EL2&0 regime
    bool enable_smmu = true;
    bool eventq_irq = true;
    bool gerror_irq = true;
    bool atschk = false;  // CR0.ATSCHK with SMMUEN (needs smmu.ats)
    bool ptm = false;     // CR2.PTM (needs smmu.btm): ignore broadcast TLB maintenance
};

struct DmaResult {
    tlm::tlm_response_status status;
    std::vector<unsigned char> data;
    bool ok() const { return status == tlm::TLM_OK_RESPONSE; }
    // The data as a little-endian integer (up to 8 bytes).
    uint64_t value() const {
        uint64_t v = 0;
        for (size_t i = data.size(); i-- > 0;) v = (v << 8) | data[i];
        return v;
    }
};

// A value that differs per physical address: put at a page, it proves which page a DMA read.
inline uint64_t pattern(uint64_t pa) { return pa * 0x9E3779B97F4A7C15ull ^ 0x5A5A5A5A5A5A5A5Aull; }

// A bare initiator: a module holding a blocking port (sockets must live in a module).
struct BareInitiator : sc_core::sc_module {
    core::BlockingPort port{"socket"};
    explicit BareInitiator(sc_core::sc_module_name n) : sc_module(n) {}
};

// Parameter settings that turn every TCU cache off: each translation reads its STE, CD and
// every descriptor (the walks the architecture describes, countable).
std::vector<std::string> tcu_caches_off(std::vector<std::string> more = {});

class SmmuBench {
public:
    explicit SmmuBench(std::initializer_list<std::string> sets = {});
    // `tbus` TBUs, each with a bare device dev<i> in front of it, or with a traffic generator
    // dma<i> (DmaMaster, parameters dma<i>.*) when `traffic`.
    explicit SmmuBench(const std::vector<std::string>& sets, unsigned tbus = 2, bool traffic = false);

    Presets presets;
    mem::Memory dram;
    smmu::Smmu smmu;
    BareInitiator cpu;
    std::vector<std::unique_ptr<BareInitiator>> devs;
    std::vector<std::unique_ptr<traffic::DmaMaster>> masters;
    noc::Interconnect noc;
    // With smmu.btm: the DVM domain, a node and a requester standing for the CPUs.
    std::unique_ptr<noc::DvmNode> dvm;
    std::unique_ptr<cpu::DvmRequester> dvm_cpu;

    // Runs `script` in a thread, then the simulation until nothing is left to do.
    void run(std::function<void()> script);

    // --- in a script: registers (timed MMIO) ---
    uint32_t rd32(uint32_t off);
    void wr32(uint32_t off, uint32_t v);
    uint64_t rd64(uint32_t off);
    void wr64(uint32_t off, uint64_t v);
    tlm::tlm_response_status mmio(uint32_t off, unsigned len, bool write, uint64_t& value);
    // Writes CR0 (or IRQ_CTRL) and polls its ACK register; false on a timeout.
    bool write_ack(uint32_t reg, uint32_t ack_reg, uint32_t value);
    void wait_cycles(unsigned n);
    // Waits (100 cycles at a time, up to 100k cycles) until `done()`; returns its last value.
    bool poll(const std::function<bool()>& done);

    // --- memory, untimed ---
    uint64_t alloc(uint64_t bytes, uint64_t align);
    template <size_t N>
    void put(uint64_t addr, const smmu::arch::Words<N>& w) {
        unsigned char b[N * 8];
        w.store(b);
        dram.store().write(addr, b, sizeof b);
    }
    void put64(uint64_t addr, uint64_t v);
    uint64_t get64(uint64_t addr);
    uint32_t get32(uint64_t addr);
    PageTables tables(unsigned gshift, unsigned ia_bits, int start);

    // --- bring-up and structures ---
    // Stream table, queues, interrupts, then SMMUEN (the order of reference §9.5).
    void enable(const BenchSetup& s = {});
    // Enables the SMMU with StreamIDs 1..streams each on its own stage-1 context (new ASID)
    // over one set of tables mapping [va, va + bytes) to the start of DRAM with 4K pages (the
    // speed benches' and the allocation test's streaming setup).
    void enable_streams_s1(uint64_t va, uint64_t bytes, unsigned streams);
    // Writes the STE of `sid` (2-level: allocates its L2 table on first use).
    void set_ste(uint32_t sid, const smmu::arch::Ste& ste);
    uint64_t strtab() const { return strtab_; }
    // S2VMID of the STE of `sid` (linear stream table), as the model tags its entries.
    uint16_t ste_vmid(uint32_t sid);
    uint64_t cmdq_base() const { return cmdq_; }
    uint64_t eventq_base() const { return evtq_; }

    // --- commands and events ---
    void command(const smmu::arch::Command& c);
    // Writes all of `cmds` into the queue, then PROD once (as Linux issues a batch), and waits
    // until CONS reaches PROD; false if the queue stopped with an error.
    bool submit(const std::vector<smmu::arch::Command>& cmds);
    // CMD_SYNC, waits until CONS passes it; false if the queue stopped with an error.
    bool sync(uint64_t cs = smmu::arch::sync_cs::SIG_NONE, uint64_t msi_addr = 0, uint32_t msi_data = 0);
    // Event records between EVENTQ_CONS and EVENTQ_PROD; CONS follows. Records are written
    // after the faulting access completes: waits (polling PROD) until at least `expect`
    // are there, or a timeout.
    std::vector<smmu::arch::EventRecord> events(unsigned expect = 0);

    // --- broadcast TLB maintenance (smmu.btm), in a script ---
    // A CPU's TLBI (posted), and the DVM Sync of the DSB after it (returns when answered).
    void tlbi(const smmu::arch::dvm::Message& m);
    void dvm_sync();

    // --- DMA from dev0 / dev1 ---
    DmaResult dma_read(uint32_t sid, uint64_t addr, unsigned len, std::optional<uint32_t> ssid = {},
                       bool priv = false, bool instr = false, unsigned dev = 0);
    DmaResult dma_write(uint32_t sid, uint64_t addr, const std::vector<unsigned char>& data,
                        std::optional<uint32_t> ssid = {}, bool priv = false, unsigned dev = 0);

    // A read of 8 bytes at `addr` from device `dev` started in a thread of its own; returns
    // after 100 cycles, when it has passed the TBU with its translation. `r` (which must outlive
    // the read) gets its status and completion time.
    struct InFlightRead {
        tlm::tlm_response_status status = tlm::TLM_INCOMPLETE_RESPONSE;
        sc_core::sc_time done = sc_core::SC_ZERO_TIME;
    };
    void start_read(uint32_t sid, uint64_t addr, InFlightRead& r, unsigned dev = 0);

    // Fields of the next free command slot.
    uint32_t cmdq_prod() const { return prod_; }

private:
    uint64_t arena_ = kArena;
    uint64_t strtab_ = 0, cmdq_ = 0, evtq_ = 0;
    BenchSetup setup_;
    uint32_t prod_ = 0;
};

// Structures as tests usually want them.
smmu::arch::Ste ste_bypass();
smmu::arch::Ste ste_abort();
// Stage 1 with a single CD at `cd` (S1CDMax = 0), or a CD table.
smmu::arch::Ste ste_s1(uint64_t cd, unsigned cdmax = 0, uint64_t fmt = 0, uint64_t dss = 0);
// Stage 2 with tables `pt` (4K/16K/64K from its granule; S2SL0 from its start level). Each
// call without a VMID takes a new one: different tables under one VMID would be the same
// address space to the SMMU's caches (software must not do that).
smmu::arch::Ste ste_s2(const PageTables& pt, uint16_t vmid = 0);
smmu::arch::Ste ste_nested(uint64_t cd, const PageTables& s2pt, uint16_t vmid = 0);
// A valid CD for stage-1 tables `pt` (TTB0; TTB1 disabled), R=1, A=1; a new ASID unless given.
smmu::arch::Cd cd_for(const PageTables& pt, uint16_t asid = 0);
uint64_t s2sl0_for(const PageTables& pt);
uint64_t tg0_for(unsigned gshift);

}  // namespace smmusim::test
