// Fuzz target (a): register and command inputs to the TCU. Each input is a program of
// register writes and reads anywhere in the SMMU's two pages, raw and well-formed commands,
// CMD_SYNCs, hostile GERROR acknowledgements (also timed against a second error, issue 19
// item 1), CR0 changes, queue-pointer writes and DMA through the TBUs, all from one thread of
// software on the bench. Whatever the values, the model must answer architecturally: no
// crash, no exception, no hang. The SMMU has four ECMDQs (smmu.ecmdqs), so their control
// page (enables, bases anywhere, PROD with stale ERRACKs) is fuzzed with the rest. It has
// PCIe ATS (smmu.ats): ATC_INV goes to two endpoint ATCs (StreamID 1 answers in 200 ns,
// StreamID 2 in 5 us, beyond the 2 us ATC invalidation timeout, so its syncs fail with
// CERROR_ATC_INV_SYNC), and DMA may be an ATS Translation Request or a Translated
// transaction (CR0.ATSCHK either way).

#include "models/smmu/arch/commands.h"
#include "models/smmu/arch/regs.h"
#include "models/smmu/ats/atc.h"
#include "tests/fuzz/smmu_harness.h"

using namespace smmusim;
using namespace smmusim::smmu::arch;

namespace {

const uint32_t kRegs[] = {reg::CR0,        reg::CR1,          reg::CR2,           reg::GBPA,
                          reg::IRQ_CTRL,   reg::GERRORN,      reg::GERROR_IRQ_CFG0, reg::GERROR_IRQ_CFG1,
                          reg::STRTAB_BASE, reg::STRTAB_BASE_CFG, reg::CMDQ_BASE,  reg::CMDQ_PROD,
                          reg::CMDQ_CONS,  reg::EVENTQ_BASE,  reg::EVENTQ_PROD,   reg::EVENTQ_CONS,
                          reg::EVENTQ_IRQ_CFG0, reg::EVENTQ_IRQ_CFG1, reg::PRIQ_BASE, reg::GERROR,
                          reg::IDR6, reg::CMDQ_CONTROL_PAGE_BASE, reg::ECMDQ_PAGE + reg::ECMDQ_BASE,
                          reg::ECMDQ_PAGE + reg::ECMDQ_PROD, reg::ECMDQ_PAGE + reg::ECMDQ_CONS,
                          reg::ECMDQ_PAGE + 3 * 0x4000 + reg::ECMDQ_BASE, reg::ECMDQ_PAGE + 3 * 0x4000 + reg::ECMDQ_PROD};
const uint8_t kOps[] = {op::PREFETCH_CONFIG, op::PREFETCH_ADDR, op::CFGI_STE,      op::CFGI_STE_RANGE,
                        op::CFGI_CD,         op::CFGI_CD_ALL,   op::CFGI_VMS_PIDM, op::TLBI_NH_ALL,
                        op::TLBI_NH_ASID,    op::TLBI_NH_VA,    op::TLBI_NH_VAA,   op::TLBI_EL3_ALL,
                        op::TLBI_EL2_ALL,    op::TLBI_EL2_ASID, op::TLBI_EL2_VA,   op::TLBI_S12_VMALL,
                        op::TLBI_S2_IPA,     op::TLBI_NSNH_ALL, op::ATC_INV,       op::PRI_RESP,
                        op::RESUME,          op::STALL_TERM,    op::CMD_SYNC};

uint32_t reg_offset(fuzz::Bytes& b) {
    if (b.pick(4)) return kRegs[b.pick(sizeof kRegs / sizeof kRegs[0])];
    return (b.u32() % reg::REGION_SIZE_ECMDQ) & ~3u;
}

// An address worth a DMA or an MSI: DRAM (tables live there), the hole, or anything.
uint64_t address(fuzz::Bytes& b) {
    switch (b.pick(4)) {
    case 0: return test::kDram + (b.u32() & 0x3ffffff8u);
    case 1: return test::kHole + (b.u16() << 3);
    case 2: return uint64_t(b.u16()) << 12;
    default: return b.u64();
    }
}

void execute(fuzz::SmmuHarness& h, fuzz::Bytes& b) {
    test::SmmuBench& s = h.bench;
    for (unsigned n = 0; b.more() && n < 64; ++n) {
        switch (b.pick(13)) {
        case 0: {
            const uint32_t off = reg_offset(b);
            s.wr32(off, b.u32());
            break;
        }
        case 1: {
            const uint32_t off = reg_offset(b) & ~7u;
            s.wr64(off, b.u64());
            break;
        }
        case 2: (void)s.rd32(reg_offset(b)); break;
        case 3: {  // raw dwords
            const uint64_t dw0 = b.u64(), dw1 = b.u64();
            h.put_command(dw0, dw1);
            h.publish();
            break;
        }
        case 4: {  // a batch of commands with defined opcodes and random fields, then a sync
            const unsigned k = 1 + b.pick(8);
            for (unsigned i = 0; i < k; ++i) {
                // Arguments are read in a fixed order, so an input means the same to every compiler.
                uint64_t dw0 = b.u64() & ~uint64_t(0xff);
                dw0 |= kOps[b.pick(sizeof kOps)];
                if (b.pick(2)) dw0 &= 0xffffffff000000ffull;  // no SSID/flags: mostly well-formed
                const uint64_t dw1 = address(b);
                h.put_command(dw0, dw1);
            }
            h.sync();
            break;
        }
        case 5: h.sync(); break;
        case 6: {  // GERROR acknowledgement, possibly partial, possibly late
            const uint32_t g = s.rd32(reg::GERROR);
            s.wait_cycles(b.u8() % 4);
            const bool all = b.pick(2);
            s.wr32(reg::GERRORN, all ? g : g ^ b.u32());
            break;
        }
        case 7: s.wait_cycles(b.u8()); break;
        case 11: {  // an ATS Translation Request or Translated transaction
            core::StreamAttr a;
            a.sid = b.pick(4) ? b.u8() % 4 : b.u32();
            a.at = b.pick(2) ? core::AtKind::Request : core::AtKind::Translated;
            a.ssid_valid = b.pick(4) == 0;
            a.ssid = a.ssid_valid ? b.u32() & 0xfffff : 0;
            a.priv = b.pick(2);
            unsigned char buf[64] = {};
            const unsigned len = a.at == core::AtKind::Request ? 8 : 1u << b.pick(7);
            const uint64_t at = address(b) & ~uint64_t(len - 1);
            (void)s.devs.at(b.pick(2))->port.read(at, buf, len, &a);
            break;
        }
        case 8: {
            const uint32_t sid = b.pick(4) ? b.u8() % 4 : b.u32();
            const uint64_t a = address(b);
            const unsigned len = 1u << b.pick(7);
            const bool read = b.pick(2), priv = b.pick(2);
            const unsigned dev = b.pick(2);
            const uint64_t at = a & ~uint64_t(len - 1);
            if (read) (void)s.dma_read(sid, at, len, std::nullopt, priv, false, dev);
            else (void)s.dma_write(sid, at, std::vector<unsigned char>(len, 0xA5), std::nullopt, priv, dev);
            break;
        }
        case 9: h.write_ack(reg::CR0, reg::CR0ACK, b.u8() & 0x1f); break;
        case 10: h.write_ack(reg::IRQ_CTRL, reg::IRQ_CTRLACK, b.u8() & 7); break;
        case 12: h.acknowledge(); break;
        default: break;
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static fuzz::SmmuHarness h({"smmu.ecmdqs=4", "smmu.ats=true", "smmu.tcu.atc_inv_timeout=2us",
                                "ep_fast.inv_latency=200ns", "ep_slow.inv_latency=5us"},
                               execute);
    static smmu::ats::Atc fast("ep_fast"), slow("ep_slow");
    static const bool attached = [] {
        h.bench.smmu.tcu.attach_ats_endpoint(1, &fast);
        h.bench.smmu.tcu.attach_ats_endpoint(2, &slow);
        return true;
    }();
    (void)attached;
    h.run(data, size);
    return 0;
}
