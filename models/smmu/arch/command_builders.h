#pragma once
// Commands as software builds them (reference §4.2): one function per command the driver and
// hypervisor issue, so that field placement is written once.

#include <cstdint>

#include "models/smmu/arch/commands.h"

namespace smmusim::smmu::arch::cmd {

inline Command make(uint8_t opcode) {
    Command c;
    c.set<Command::Opcode>(opcode);
    return c;
}
inline Command prefetch_config(uint32_t sid) {
    Command c = make(op::PREFETCH_CONFIG);
    c.set<Command::StreamID>(sid);
    return c;
}
inline Command cfgi_ste(uint32_t sid, bool leaf) {
    Command c = make(op::CFGI_STE);
    c.set<Command::StreamID>(sid);
    c.set<Command::Leaf>(leaf);
    return c;
}
// CFGI_STE_RANGE of 2^(range+1) StreamIDs from `sid`; range 31: every StreamID (CFGI_ALL).
inline Command cfgi_ste_range(uint32_t sid, unsigned range) {
    Command c = make(op::CFGI_STE_RANGE);
    c.set<Command::StreamID>(sid);
    c.set<Command::Range>(range);
    return c;
}
inline Command cfgi_all() { return cfgi_ste_range(0, 31); }
inline Command cfgi_cd(uint32_t sid, uint32_t ssid, bool leaf) {
    Command c = make(op::CFGI_CD);
    c.set<Command::StreamID>(sid);
    c.set<Command::SubstreamID>(ssid);
    c.set<Command::Leaf>(leaf);
    return c;
}
inline Command cfgi_cd_all(uint32_t sid) {
    Command c = make(op::CFGI_CD_ALL);
    c.set<Command::StreamID>(sid);
    return c;
}
inline Command tlbi_nh_all(uint16_t vmid) {
    Command c = make(op::TLBI_NH_ALL);
    c.set<Command::VMID>(vmid);
    return c;
}
inline Command tlbi_nh_asid(uint16_t asid, uint16_t vmid) {
    Command c = make(op::TLBI_NH_ASID);
    c.set<Command::ASID>(asid);
    c.set<Command::VMID>(vmid);
    return c;
}
inline Command tlbi_el2_asid(uint16_t asid) {
    Command c = make(op::TLBI_EL2_ASID);
    c.set<Command::ASID>(asid);
    return c;
}
inline Command tlbi_s12_vmall(uint16_t vmid) {
    Command c = make(op::TLBI_S12_VMALL);
    c.set<Command::VMID>(vmid);
    return c;
}
// TLBI_NH_VA / TLBI_EL2_VA (with `asid`, `vmid`) or TLBI_S2_IPA (with `vmid`): the address
// and range fields are set by the caller (set_range).
inline Command tlbi_by_address(uint8_t opcode, uint16_t asid, uint16_t vmid) {
    Command c = make(opcode);
    if (opcode != op::TLBI_S2_IPA) c.set<Command::ASID>(asid);
    if (opcode != op::TLBI_EL2_VA) c.set<Command::VMID>(vmid);
    return c;
}
// Address, Leaf, TG/TTL/NUM/SCALE of a by-address TLBI (reference §5.1).
inline void set_range(Command& c, uint64_t addr, bool leaf, unsigned tg, unsigned ttl, unsigned num, unsigned scale) {
    if (c.opcode() == op::TLBI_S2_IPA) c.set_address<Command::IPA>(addr);
    else c.set_address<Command::Address>(addr);
    c.set<Command::Leaf>(leaf);
    c.set<Command::TG>(tg);
    c.set<Command::TTL>(ttl);
    c.set<Command::NUM>(num);
    c.set<Command::SCALE>(scale);
}
inline Command tlbi_nsnh_all() { return make(op::TLBI_NSNH_ALL); }
inline Command tlbi_el2_all() { return make(op::TLBI_EL2_ALL); }
// CMD_SYNC: CS, and for CS=SIG_IRQ an MSI of `msi_data` to `msi_addr` (0: the wired IRQ).
// MSH inner shareable, MSIAttr Inner/Outer write-back, as Linux sets them.
inline Command sync(uint64_t cs, uint64_t msi_addr = 0, uint32_t msi_data = 0) {
    Command c = make(op::CMD_SYNC);
    c.set<Command::CS>(cs);
    c.set<Command::MSH>(3);
    c.set<Command::MSIAttr>(0xF);
    c.set<Command::MSIData>(msi_data);
    c.set_address<Command::MSIAddress>(msi_addr);
    return c;
}

}  // namespace smmusim::smmu::arch::cmd
