#include "models/smmu/arch/commands_json.h"

#include "models/smmu/arch/json_text.h"

namespace smmusim::smmu::arch {

namespace {

using C = Command;

void ssec(std::string& out, const Command& c) { json::boolean(out, "ssec", c.get<C::SSec>()); }
void sid(std::string& out, const Command& c) { json::num(out, "sid", c.get<C::StreamID>()); }
void leaf(std::string& out, const Command& c) { json::boolean(out, "leaf", c.get<C::Leaf>()); }
void vmid(std::string& out, const Command& c) { json::num(out, "vmid", c.get<C::VMID>()); }
void asid(std::string& out, const Command& c) { json::num(out, "asid", c.get<C::ASID>()); }

// SSV, then the SubstreamID (null without SSV).
void substream(std::string& out, const Command& c) {
    const bool ssv = c.get<C::SSV>();
    json::boolean(out, "ssv", ssv);
    sid(out, c);
    if (ssv) json::num(out, "ssid", c.get<C::SubstreamID>());
    else json::null(out, "ssid");
}

// Address-based TLBI: the address and what TG/TTL/NUM/SCALE/Leaf make of it (§5.1).
void range(std::string& out, const Command& c, bool ipa) {
    json::hex(out, "addr", ipa ? c.address<C::IPA>() : c.address<C::Address>());
    leaf(out, c);
    json::num(out, "tg", c.get<C::TG>());
    json::num(out, "ttl", c.get<C::TTL>());
    json::num(out, "num", c.get<C::NUM>());
    json::num(out, "scale", c.get<C::SCALE>());
}

void operands(std::string& out, const Command& c) {
    switch (c.opcode()) {
    case op::PREFETCH_CONFIG:
        ssec(out, c);
        substream(out, c);
        return;
    case op::PREFETCH_ADDR:
        ssec(out, c);
        substream(out, c);
        json::hex(out, "addr", c.address<C::Address>());
        json::num(out, "size", c.get<C::PrefetchSize>());
        return;
    case op::CFGI_STE:
        ssec(out, c);
        sid(out, c);
        leaf(out, c);
        return;
    case op::CFGI_STE_RANGE:
        ssec(out, c);
        sid(out, c);
        json::num(out, "range", c.get<C::Range>());
        return;
    case op::CFGI_CD:
        ssec(out, c);
        sid(out, c);
        json::num(out, "ssid", c.get<C::SubstreamID>());
        leaf(out, c);
        return;
    case op::CFGI_CD_ALL:
        ssec(out, c);
        sid(out, c);
        return;
    case op::CFGI_VMS_PIDM:
        ssec(out, c);
        vmid(out, c);
        return;
    case op::TLBI_NH_ALL:
    case op::TLBI_S12_VMALL:
        vmid(out, c);
        return;
    case op::TLBI_NH_ASID:
        vmid(out, c);
        asid(out, c);
        return;
    case op::TLBI_EL2_ASID:
        asid(out, c);
        return;
    case op::TLBI_NH_VA:
        vmid(out, c);
        asid(out, c);
        range(out, c, false);
        return;
    case op::TLBI_NH_VAA:
        vmid(out, c);
        range(out, c, false);
        return;
    case op::TLBI_EL2_VA:
        asid(out, c);
        range(out, c, false);
        return;
    case op::TLBI_EL2_VAA:
    case op::TLBI_EL3_VA:
        range(out, c, false);
        return;
    case op::TLBI_S2_IPA:
        vmid(out, c);
        range(out, c, true);
        return;
    case op::ATC_INV:
        sid(out, c);
        substream(out, c);
        json::boolean(out, "global", c.get<C::Global>());
        json::hex(out, "addr", c.address<C::Address>());
        json::num(out, "size", c.get<C::AtcSize>());
        return;
    case op::PRI_RESP:
        substream(out, c);
        json::num(out, "prgindex", c.get<C::PRGIndex>());
        json::num(out, "resp", c.get<C::PriResp>());
        return;
    case op::RESUME:
        ssec(out, c);
        sid(out, c);
        json::boolean(out, "ac", c.get<C::Ac>());
        json::boolean(out, "ab", c.get<C::Ab>());
        json::num(out, "stag", c.get<C::STAG>());
        return;
    case op::STALL_TERM:
        ssec(out, c);
        sid(out, c);
        return;
    case op::CMD_SYNC:
        json::num(out, "cs", c.get<C::CS>());
        json::num(out, "msh", c.get<C::MSH>());
        json::num(out, "msiattr", c.get<C::MSIAttr>());
        json::hex(out, "msi_addr", c.address<C::MSIAddress>());
        json::num(out, "msi_data", c.get<C::MSIData>());
        return;
    default:  // TLBI_EL2_ALL, TLBI_EL3_ALL, TLBI_NSNH_ALL, undefined opcodes: no operands
        return;
    }
}

}  // namespace

void append_command_json(std::string& out, const Command& c) {
    if (const char* name = opcode_name(c.opcode())) {
        json::name(out, "op", name);
    } else {
        json::name(out, "op", "UNKNOWN");
        json::num(out, "opcode", c.opcode());
    }
    json::key(out, "raw");
    out += '[';
    json::append_hex(out, c.dw[0], 16);
    out += ',';
    json::append_hex(out, c.dw[1], 16);
    out += ']';
    operands(out, c);
}

std::string command_json(const Command& c) {
    std::string s = "{";
    append_command_json(s, c);
    s += '}';
    return s;
}

}  // namespace smmusim::smmu::arch
