#include "sw/pgtable/prot.h"

#include "models/smmu/arch/pte.h"

namespace smmusim::sw::pgtable {

using namespace smmu::arch;

std::optional<Prot> Prot::parse(const std::string& s) {
    if (s == "r") return r();
    if (s == "w") return w();
    if (s == "rw") return rw();
    return std::nullopt;
}

uint64_t leaf_attributes(Stage stage, const Prot& p) {
    uint64_t d = put<pte::AF>(0, 1);
    // Linux: inner shareable only for cacheable memory; Device and NC are outer shareable.
    d = put<pte::SH>(d, p.mem == Memory::WriteBack ? pte::sh::ISH : pte::sh::OSH);
    if (stage == Stage::S1) {
        d = put<pte::nG>(d, 1);
        uint64_t ap = p.priv ? 0 : pte::ap::UNPRIV;
        if (p.read && !p.write) ap |= pte::ap::RDONLY;
        d = put<pte::AP>(d, ap);
        const unsigned idx = p.mem == Memory::WriteBack ? attr_index::CACHE
                             : p.mem == Memory::Device  ? attr_index::DEVICE
                                                        : attr_index::NC;
        d = put<pte::AttrIndx>(d, idx);
        if (p.noexec) d = put<pte::UXN>(put<pte::PXN>(d, 1), 1);
    } else {
        d = put<pte::S2AP>(d, (p.read ? pte::s2ap::R : 0) | (p.write ? pte::s2ap::W : 0));
        const uint64_t mem = p.mem == Memory::WriteBack ? pte::memattr::NORMAL_WB
                             : p.mem == Memory::Device  ? pte::memattr::DEVICE_nGnRE
                                                        : pte::memattr::NORMAL_NC;
        d = put<pte::MemAttr>(d, mem);
        if (p.noexec) d = put<pte::XN>(d, pte::s2xn::NEVER);
    }
    return d;
}

}  // namespace smmusim::sw::pgtable
