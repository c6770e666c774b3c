#pragma once
// The CPU side of TLB maintenance for a process address space, as Linux's arm64
// arch/arm64/include/asm/tlbflush.h does it (v6.17): what munmap and friends issue after
// clearing PTEs of an mm that a device may share (SVA). Each TLBI goes through Bus::tlbi (a DVM
// message where the platform has a DVM domain); mmu notifiers (the SMMU driver's
// arm_smmu_mm_arch_invalidate_secondary_tlbs) are called where Linux calls
// mmu_notifier_arch_invalidate_secondary_tlbs.
//
// flush_tlb_range (__flush_tlb_range): start and end rounded to the stride; the whole mm
// (flush_tlb_mm) instead when the CPU lacks FEAT_TLBIRANGE and the range is at least
// MAX_DVM_OPS (PTRS_PER_PTE, 512 with 4 KiB pages) strides, or it is more than
// MAX_TLBI_RANGE_PAGES (2^21) pages; else DSB ISHST, then __flush_tlb_range_op: from SCALE 3
// down, a per-stride VA{L}E1IS whenever the CPU has no range TLBIs or one page is left,
// otherwise a range RVA{L}E1IS of (NUM+1) << (5*SCALE+1) pages when NUM = __TLBI_RANGE_NUM >= 0,
// SCALE decremented after each range attempt; the TTL hint (FEAT_TTL) of the leaf level when
// known; then the notifier for [start, end), then DSB ISH (which waits for the TLBIs).
// flush_tlb_mm: DSB ISHST, ASIDE1IS, DSB ISH, then the notifier for everything.
// Not modelled: KPTI's second TLBI for the user ASID (CPUs without Meltdown run without KPTI),
// LPA2 alignment, the BBML2 contpte repaint that skips the flush.

#include <cstdint>
#include <functional>

#include "sw/hal/bus.h"

namespace smmusim::sw::mm {

// What the CPUs implement (ID_AA64ISAR0_EL1.TLB, ID_AA64MMFR2_EL1.TTL): Armv8.4's range TLBIs
// and TTL hints; a Neoverse N1 (Armv8.2) has neither, a Neoverse N2 both.
struct CpuTlbFeatures {
    bool range = false;
    bool ttl = false;
    // BBML2_NOABORT (Armv8.4 FEAT_BBM level 2 without TLB conflict aborts, on Linux's
    // allow-list): mapping sizes change without break-before-make.
    bool bbml2 = false;
};

// The secondary TLBs' invalidation of [start, end) (end = ~0: everything).
using Notifier = std::function<void(uint64_t start, uint64_t end)>;

constexpr uint64_t kFlushAll = ~uint64_t(0);
constexpr unsigned kMaxDvmOps = 512;  // PTRS_PER_PTE with 4 KiB pages

// __TLBI_RANGE_PAGES / __TLBI_RANGE_NUM (arm64 tlbflush.h).
constexpr uint64_t range_pages(int64_t num, unsigned scale) { return uint64_t(num + 1) << (5 * scale + 1); }
int64_t range_num(uint64_t pages, unsigned scale);
constexpr uint64_t kMaxTlbiRangePages = range_pages(31, 3);

void flush_tlb_mm(hal::Bus& bus, uint16_t asid, const Notifier& notify);
// `level`: the leaf level of what was cleared (the TTL hint), 0 when unknown; `last_level`: only
// leaf entries changed (VALE1IS / RVALE1IS), else the walk may hold freed tables too.
void flush_tlb_range(hal::Bus& bus, const CpuTlbFeatures& cpu, uint16_t asid, uint64_t start, uint64_t end,
                     uint64_t stride, bool last_level, unsigned level, const Notifier& notify);

}  // namespace smmusim::sw::mm
