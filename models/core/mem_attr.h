#pragma once
// Coherency attributes of a memory transaction (issue 18), for a memory with CPU caches in
// front of it (mem::DirtyLines). Without the extension a transaction is coherent: it snoops
// the CPUs' caches.
// - non_coherent: the initiator does not snoop (an SMMU with IDR0.COHACC = 0): it reads and
//   writes DRAM, which may be older than the CPUs' caches.
// - write_back: a CPU cache writing a line back (a clean or an eviction): DRAM takes the data,
//   the coherent view does not change.

#include <tlm>

namespace smmusim::core {

struct MemAttr : tlm::tlm_extension<MemAttr> {
    bool non_coherent = false;
    bool write_back = false;

    tlm::tlm_extension_base* clone() const override { return new MemAttr(*this); }
    void copy_from(const tlm::tlm_extension_base& other) override { *this = static_cast<const MemAttr&>(other); }
};

}  // namespace smmusim::core
