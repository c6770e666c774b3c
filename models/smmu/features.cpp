#include "models/smmu/features.h"

#include "models/smmu/arch/regs.h"

namespace smmusim::smmu {

using namespace arch;

unsigned Features::oas_bits() const { return pa_bits(oas); }

uint32_t Features::idr0() const {
    uint64_t v = 0;
    v = put<idr0::S2P>(v, s2p);
    v = put<idr0::S1P>(v, s1p);
    v = put<idr0::TTF>(v, idr0::TTF_AARCH64);
    v = put<idr0::COHACC>(v, coherent);
    v = put<idr0::HYP>(v, hyp);
    v = put<idr0::ATS>(v, ats);
    v = put<idr0::BTM>(v, btm);
    v = put<idr0::ASID16>(v, asid16);
    v = put<idr0::MSI>(v, msi);
    v = put<idr0::SEV>(v, sev);
    v = put<idr0::VMID16>(v, vmid16);
    v = put<idr0::CD2L>(v, cd2l);
    v = put<idr0::TTENDIAN>(v, idr0::TTENDIAN_LE);
    // Stalls are not modelled: terminate only (docs/compliance.md).
    v = put<idr0::STALL_MODEL>(v, idr0::TERM_ONLY);
    v = put<idr0::TERM_MODEL>(v, term_model_abort_only);
    v = put<idr0::ST_LEVEL>(v, two_level_st ? 1 : 0);
    return uint32_t(v);
}

uint32_t Features::idr1() const {
    uint64_t v = 0;
    v = put<idr1::SIDSIZE>(v, sidsize);
    v = put<idr1::SSIDSIZE>(v, ssidsize);
    v = put<idr1::EVENTQS>(v, eventqs);
    v = put<idr1::CMDQS>(v, cmdqs);
    v = put<idr1::ECMDQ>(v, ecmdqs != 0);
    return uint32_t(v);
}

uint32_t Features::idr6() const {
    if (!ecmdqs) return 0;  // RES0 without IDR1.ECMDQ
    unsigned log2 = 0;
    while ((1u << log2) < ecmdqs) ++log2;
    return uint32_t(put<idr6::LOG2NUMQ>(0, log2));  // LOG2NUMP = 0: one control page
}

uint32_t Features::region_size() const { return ecmdqs ? reg::REGION_SIZE_ECMDQ : reg::REGION_SIZE; }

uint32_t Features::idr3() const {
    uint64_t v = 0;
    // XNX (stage-2 XN[0] for privileged execution) is mandatory from v3.1 with stage 2.
    v = put<idr3::XNX>(v, s2p);
    v = put<idr3::STT>(v, stt);
    v = put<idr3::RIL>(v, ril);
    v = put<idr3::BBML>(v, bbml);
    return uint32_t(v);
}

uint32_t Features::idr5() const {
    uint64_t v = 0;
    v = put<idr5::OAS>(v, oas);
    v = put<idr5::GRAN4K>(v, gran4k);
    v = put<idr5::GRAN16K>(v, gran16k);
    v = put<idr5::GRAN64K>(v, gran64k);
    return uint32_t(v);
}

uint32_t Features::iidr() const {
    // Arm (0x43B), MMU-600 (0x483): the part this model's defaults follow.
    return uint32_t(put<iidr::ProductID>(put<iidr::Implementer>(0, 0x43B), 0x483));
}

uint32_t Features::aidr() const {
    // Range invalidation is part of SMMUv3.2; without it report v3.1.
    return uint32_t(put<aidr::ArchMinorRev>(0, ril ? 2 : 1));
}

FeatureParams::FeatureParams(const sc_core::sc_object* o)
    : s1p(o, "s1p", true, "", "IDR0.S1P: stage-1 translation"),
      s2p(o, "s2p", true, "", "IDR0.S2P: stage-2 translation"),
      coherent(o, "coherent", true, "", "IDR0.COHACC: coherent table and queue accesses"),
      hyp(o, "hyp", true, "", "IDR0.HYP: EL2 StreamWorld and TLBI_EL2_* commands"),
      asid16(o, "asid16", true, "", "IDR0.ASID16: 16-bit ASIDs (else 8)"),
      vmid16(o, "vmid16", true, "", "IDR0.VMID16: 16-bit VMIDs (else 8)"),
      msi(o, "msi", true, "", "IDR0.MSI: message-signalled interrupts and CMD_SYNC MSI"),
      sev(o, "sev", true, "",
          "IDR0.SEV: the SMMU and system send WFE wake-up events to the CPUs (CMD_SYNC with SIG_SEV, the "
          "command queue becoming non-full; the platforms wire them to every core)"),
      two_level_st(o, "two_level_st", true, "", "IDR0.ST_LEVEL: 2-level stream tables"),
      cd2l(o, "cd2l", true, "", "IDR0.CD2L: 2-level context-descriptor tables"),
      term_model_abort_only(o, "term_model_abort_only", false, "",
                            "IDR0.TERM_MODEL: terminated transactions always abort (no RAZ/WI)"),
      ril(o, "ril", true, "", "IDR3.RIL: range invalidation (SMMUv3.2)"),
      stt(o, "stt", false, "", "IDR3.STT: small translation tables (T0SZ up to 48)"),
      ats(o, "ats", false, "",
          "IDR0.ATS: PCIe ATS (translation requests from endpoints with an ATC, translated transactions "
          "allowed by STE.EATS, CMD_ATC_INV sent to the endpoints)"),
      btm(o, "btm", false, "",
          "IDR0.BTM: broadcast TLB maintenance (the SMMU takes part in the CPUs' Inner Shareable DVM domain: "
          "their TLBI instructions reach its TLBs unless CR2.PTM = 1; SMMUv3 §3.17)"),
      gran4k(o, "gran4k", true, "", "IDR5.GRAN4K: 4 KiB translation granule"),
      gran16k(o, "gran16k", true, "", "IDR5.GRAN16K: 16 KiB translation granule"),
      gran64k(o, "gran64k", true, "", "IDR5.GRAN64K: 64 KiB translation granule"),
      bbml(o, "bbml", 2, "", "IDR3.BBML: break-before-make level (0, 1 or 2)", {0, 2}),
      sidsize(o, "sidsize", 16, "bits", "IDR1.SIDSIZE: StreamID bits", {0, 32}),
      ssidsize(o, "ssidsize", 20, "bits", "IDR1.SSIDSIZE: SubstreamID bits", {0, 20}),
      cmdqs(o, "cmdqs", 19, "", "IDR1.CMDQS: log2 of the largest command queue", {0, 19}),
      eventqs(o, "eventqs", 19, "", "IDR1.EVENTQS: log2 of the largest event queue", {0, 19}),
      oas(o, "oas", 5, "", "IDR5.OAS: output address size, 0=32 1=36 2=40 3=42 4=44 5=48 bits",
          {0, 5}),
      ecmdqs(o, "ecmdqs", 0, "",
             "IDR1.ECMDQ / IDR6: enhanced command queues (SMMUv3.3), each with its own BASE/PROD/CONS in one "
             "Command queue control page after page 1; 0 = none, else a power of two up to 256 (IDR6.LOG2NUMQ "
             "<= 8, LOG2NUMP = 0)",
             {0, 256}) {
    if (!s1p && !s2p) s2p.fail("an SMMU needs at least one of s1p and s2p");
    // IDR0.HYP advertises EL2 stage-1 contexts and the TLBI_EL2_* commands, which only exist
    // with stage 1; a driver believing it would issue commands the SMMU must refuse.
    if (hyp && !s1p)
        s1p.fail("false needs smmu.hyp=false too: IDR0.HYP (EL2 stage-1 contexts, TLBI_EL2_*) exists only with stage 1");
    if (!gran4k && !gran16k && !gran64k) gran4k.fail("at least one translation granule is needed");
    if (ecmdqs & (ecmdqs - 1)) ecmdqs.fail("must be 0 or a power of two (IDR6.LOG2NUMQ)");
    // IDR1.ECMDQ == 1 implies IDR0.COHACC == 1 and IDR0.MSI == 1 (reference §6.3.2).
    if (ecmdqs && (!coherent || !msi)) ecmdqs.fail("needs smmu.coherent=true and smmu.msi=true (IDR1.ECMDQ)");
}

Features FeatureParams::features() const {
    Features f;
    f.s1p = s1p;
    f.s2p = s2p;
    f.coherent = coherent;
    f.hyp = hyp;
    f.asid16 = asid16;
    f.vmid16 = vmid16;
    f.msi = msi;
    f.sev = sev;
    f.two_level_st = two_level_st;
    f.cd2l = cd2l;
    f.term_model_abort_only = term_model_abort_only;
    f.ril = ril;
    f.stt = stt;
    f.ats = ats;
    f.btm = btm;
    f.gran4k = gran4k;
    f.gran16k = gran16k;
    f.gran64k = gran64k;
    f.bbml = bbml;
    f.sidsize = sidsize;
    f.ssidsize = ssidsize;
    f.cmdqs = cmdqs;
    f.eventqs = eventqs;
    f.oas = oas;
    f.ecmdqs = ecmdqs;
    return f;
}

}  // namespace smmusim::smmu
