#include "sw/workloads/scenario.h"

#include <cctype>
#include <map>
#include <set>
#include <sstream>

#include "models/core/errors.h"
#include "models/core/json_file.h"
#include "models/smmu/arch/geometry.h"

namespace smmusim::sw::workloads {

using driver::DomainKind;
using driver::DomainSpec;
using nlohmann::json;

namespace {

class Ctx {
public:
    Ctx(std::string file, std::string where) : file_(std::move(file)), where_(std::move(where)) {}
    [[noreturn]] void fail(const std::string& what) const { throw ScenarioError(file_ + ": " + where_ + ": " + what); }

    void only(const json& o, std::initializer_list<const char*> keys) const {
        if (!o.is_object()) fail("must be an object");
        for (auto it = o.begin(); it != o.end(); ++it) {
            bool known = false;
            for (const char* k : keys) known |= it.key() == k;
            if (!known) fail("unknown field '" + it.key() + "'");
        }
    }
    const json* opt(const json& o, const char* key) const {
        auto it = o.find(key);
        return it == o.end() ? nullptr : &*it;
    }
    const json& req(const json& o, const char* key) const {
        const json* v = opt(o, key);
        if (!v) fail(std::string("missing field '") + key + "'");
        return *v;
    }
    uint64_t number(const json& v, const char* key) const {
        auto n = parse_number(v);
        if (!n) fail(std::string("'") + key + "' is not a number (an integer or a hex string): " + v.dump());
        return *n;
    }
    uint64_t number(const json& o, const char* key, uint64_t dflt) const {
        const json* v = opt(o, key);
        return v ? number(*v, key) : dflt;
    }
    std::string string(const json& v, const char* key) const {
        if (!v.is_string()) fail(std::string("'") + key + "' must be a string");
        return v.get<std::string>();
    }
    bool boolean(const json& o, const char* key, bool dflt) const {
        const json* v = opt(o, key);
        if (!v) return dflt;
        if (!v->is_boolean()) fail(std::string("'") + key + "' must be true or false");
        return v->get<bool>();
    }
    uint32_t u32(const json& v, const char* key) const {
        const uint64_t n = number(v, key);
        if (n > 0xFFFFFFFFull) fail(std::string("'") + key + "' is too large");
        return uint32_t(n);
    }

private:
    std::string file_, where_;
};

DomainSpec parse_domain(const json& d, const Ctx& c, const std::set<std::string>& earlier, std::string& smmu) {
    c.only(d, {"name", "stage", "granule", "ias", "parent", "smmu", "asid"});
    if (const json* v = c.opt(d, "smmu")) smmu = c.string(*v, "smmu");
    DomainSpec s;
    s.name = c.string(c.req(d, "name"), "name");
    if (s.name.empty()) c.fail("'name' is empty");
    if (earlier.count(s.name)) c.fail("domain '" + s.name + "' is defined twice");
    const std::string stage = c.string(c.req(d, "stage"), "stage");
    if (stage == "s1") s.kind = DomainKind::S1;
    else if (stage == "s2") s.kind = DomainKind::S2;
    else if (stage == "nested") s.kind = DomainKind::Nested;
    else if (stage == "bypass") s.kind = DomainKind::Bypass;
    else if (stage == "abort") s.kind = DomainKind::Abort;
    else if (stage == "sva") s.kind = DomainKind::Sva;
    else c.fail("'stage' must be s1, s2, nested, bypass, abort or sva (got '" + stage + "')");
    if (s.kind == DomainKind::Sva) {
        // The process's ASID on the CPUs: its TLB flushes name it.
        const uint64_t asid = c.number(c.req(d, "asid"), "asid");
        if (asid == 0 || asid > 0xFFFF) c.fail("'asid' must be 1..65535");
        s.cpu_asid = uint16_t(asid);
    } else if (c.opt(d, "asid")) {
        c.fail("'asid' is only for sva domains (the process's CPU ASID)");
    }
    const std::optional<unsigned> gshift = smmu::arch::granule_shift(c.number(d, "granule", 4096));
    if (!gshift) c.fail("'granule' must be 4096, 16384 or 65536");
    s.granule_shift = *gshift;
    const uint64_t ias = c.number(d, "ias", 48);
    if (ias < 25 || ias > 48) c.fail("'ias' must be 25..48");
    s.ias = unsigned(ias);
    if (s.kind == DomainKind::Nested) {
        s.parent = c.string(c.req(d, "parent"), "parent");
        if (!earlier.count(s.parent)) c.fail("parent '" + s.parent + "' is not a domain defined before it");
    } else if (c.opt(d, "parent")) {
        c.fail("'parent' is only for nested domains");
    }
    return s;
}

Step parse_step(const json& j, size_t i, const std::string& file, const std::map<std::string, DomainKind>& domains) {
    Step s;
    s.index = i;
    Ctx pre(file, "steps[" + std::to_string(i) + "]");
    if (!j.is_object()) pre.fail("must be an object");
    const std::string op = pre.string(pre.req(j, "op"), "op");
    if (op == "map") s.op = Step::Op::Map;
    else if (op == "unmap") s.op = Step::Op::Unmap;
    else if (op == "dma") s.op = Step::Op::Dma;
    else if (op == "wait") s.op = Step::Op::Wait;
    else if (op == "command") s.op = Step::Op::Command;
    else if (op == "tlbi") s.op = Step::Op::Tlbi;
    else if (op == "donate") s.op = Step::Op::Donate;
    else if (op == "reclaim") s.op = Step::Op::Reclaim;
    else if (op == "share") s.op = Step::Op::Share;
    else if (op == "unshare") s.op = Step::Op::Unshare;
    else pre.fail("unknown op '" + op + "' (map, unmap, dma, wait, command, tlbi, donate, reclaim, share, unshare)");
    const Ctx c(file, "steps[" + std::to_string(i) + "] (" + op + ")");
    auto domain = [&] {
        s.domain = c.string(c.req(j, "domain"), "domain");
        auto d = domains.find(s.domain);
        if (d == domains.end()) c.fail("unknown domain '" + s.domain + "'");
        if (d->second == DomainKind::Bypass || d->second == DomainKind::Abort)
            c.fail("domain '" + s.domain + "' is a " + driver::domain_kind_name(d->second) + " domain: it has no page table");
    };
    switch (s.op) {
    case Step::Op::Map: {
        c.only(j, {"op", "domain", "iova", "pa", "size", "prot"});
        domain();
        s.iova = c.number(c.req(j, "iova"), "iova");
        s.pa = c.number(c.req(j, "pa"), "pa");
        s.size = c.number(c.req(j, "size"), "size");
        if (const json* p = c.opt(j, "prot")) {
            auto prot = pgtable::Prot::parse(c.string(*p, "prot"));
            if (!prot) c.fail("'prot' must be r, w or rw");
            s.prot = *prot;
        }
        break;
    }
    case Step::Op::Unmap:
        c.only(j, {"op", "domain", "iova", "size"});
        domain();
        s.iova = c.number(c.req(j, "iova"), "iova");
        s.size = c.number(c.req(j, "size"), "size");
        break;
    case Step::Op::Dma: {
        c.only(j, {"op", "dev", "sid", "ssid", "iova", "size", "rw", "count", "stride", "async", "pattern", "region"});
        if (const json* d = c.opt(j, "dev")) s.dma.dev = c.string(*d, "dev");
        s.dma.sid = c.u32(c.req(j, "sid"), "sid");
        if (const json* v = c.opt(j, "ssid")) s.dma.ssid = c.u32(*v, "ssid");
        s.dma.iova = c.number(c.req(j, "iova"), "iova");
        const uint64_t size = c.number(j, "size", 64);
        if (size == 0 || size > 4096 || (size & (size - 1))) c.fail("'size' must be a power of two up to 4096");
        s.dma.size = uint32_t(size);
        const std::string rw = c.opt(j, "rw") ? c.string(j["rw"], "rw") : "r";
        if (rw != "r" && rw != "w") c.fail("'rw' must be r or w");
        s.dma.write = rw == "w";
        s.dma.count = c.number(j, "count", 1);
        if (s.dma.count == 0) c.fail("'count' must be at least 1");
        s.dma.stride = c.number(j, "stride", size);
        s.async = c.boolean(j, "async", false);
        const std::string pattern = c.opt(j, "pattern") ? c.string(j["pattern"], "pattern") : "strided";
        if (pattern == "random") {
            s.dma.random_region = c.number(c.req(j, "region"), "region");
            if (s.dma.random_region < size || s.dma.random_region % size)
                c.fail("'region' must be a non-zero multiple of 'size'");
            if (c.opt(j, "stride")) c.fail("'stride' is for the strided pattern");
        } else if (pattern != "strided") {
            c.fail("'pattern' must be strided or random");
        } else if (c.opt(j, "region")) {
            c.fail("'region' is for the random pattern");
        }
        if (s.dma.iova % size) c.fail("'iova' is not aligned to 'size'");
        break;
    }
    case Step::Op::Wait: c.only(j, {"op"}); break;
    case Step::Op::Command: {
        c.only(j, {"op", "raw", "sync", "smmu"});
        if (const json* v = c.opt(j, "smmu")) s.smmu = c.string(*v, "smmu");
        const json& raw = c.req(j, "raw");
        if (!raw.is_array() || raw.size() != 2) c.fail("'raw' must be an array of two dwords");
        s.raw[0] = c.number(raw[0], "raw");
        s.raw[1] = c.number(raw[1], "raw");
        s.sync = c.boolean(j, "sync", true);
        break;
    }
    case Step::Op::Tlbi: {
        c.only(j, {"op", "instr", "xt", "vmid", "el20", "sync"});
        const std::string instr = c.string(c.req(j, "instr"), "instr");
        const auto t = smmu::arch::dvm::tlbi_from_name(instr);
        if (!t) c.fail("unknown TLBI '" + instr + "' (VAE1IS, ASIDE1IS, VMALLE1IS, RVAE1IS, IPAS2E1IS, ... : docs/scenarios.md)");
        s.tlbi.op = *t;
        s.tlbi.xt = c.number(j, "xt", 0);
        const uint64_t vmid = c.number(j, "vmid", 0);
        if (vmid > 0xFFFF) c.fail("'vmid' must be below 65536");
        s.tlbi.vmid = uint16_t(vmid);
        s.tlbi.el20 = c.boolean(j, "el20", false);
        s.sync = c.boolean(j, "sync", true);
        break;
    }
    case Step::Op::Donate:
    case Step::Op::Reclaim:
    case Step::Op::Share:
    case Step::Op::Unshare: {
        if (s.op == Step::Op::Donate) {
            c.only(j, {"op", "pa", "size", "to"});
            const std::string to = c.string(c.req(j, "to"), "to");
            if (to == "hyp") s.to = Iommu::Owner::Hyp;
            else if (to == "guest") s.to = Iommu::Owner::Guest;
            else c.fail("'to' must be hyp or guest");
        } else {
            c.only(j, {"op", "pa", "size"});
        }
        s.pa = c.number(c.req(j, "pa"), "pa");
        s.size = c.number(c.req(j, "size"), "size");
        if (s.size == 0) c.fail("'size' must not be 0");
        break;
    }
    }
    return s;
}

}  // namespace

const char* Step::op_name() const {
    switch (op) {
    case Op::Map: return "map";
    case Op::Unmap: return "unmap";
    case Op::Dma: return "dma";
    case Op::Wait: return "wait";
    case Op::Tlbi: return "tlbi";
    case Op::Command: return "command";
    case Op::Donate: return "donate";
    case Op::Reclaim: return "reclaim";
    case Op::Share: return "share";
    case Op::Unshare: return "unshare";
    }
    return "?";
}

std::string Step::where(const std::string& file) const {
    return file + ": steps[" + std::to_string(index) + "] (" + op_name() + ")";
}

const std::string& Scenario::attach_smmu(const AttachSpec& a) const {
    if (!a.smmu.empty()) return a.smmu;
    for (size_t i = 0; i < domains.size(); ++i)
        if (domains[i].name == a.domain) return domain_smmus[i];
    return a.smmu;
}

bool Scenario::uses_ssids(uint32_t sid, const std::string& smmu) const {
    for (const AttachSpec& a : attach)
        if (a.sid == sid && attach_smmu(a) == smmu && a.ssid && *a.ssid) return true;
    return false;
}

std::optional<uint64_t> parse_number(const json& v) {
    if (v.is_number_unsigned()) return v.get<uint64_t>();
    if (v.is_number_integer()) {
        const int64_t n = v.get<int64_t>();
        if (n < 0) return std::nullopt;
        return uint64_t(n);
    }
    if (!v.is_string()) return std::nullopt;
    std::string s;
    for (char ch : v.get<std::string>())
        if (ch != '_') s += ch;
    uint64_t mult = 1;
    static const std::pair<const char*, unsigned> kSuffix[] = {{"KiB", 10}, {"MiB", 20}, {"GiB", 30}, {"TiB", 40}};
    for (const auto& [suf, shift] : kSuffix) {
        const std::string x(suf);
        if (s.size() > x.size() && s.compare(s.size() - x.size(), x.size(), x) == 0) {
            s.resize(s.size() - x.size());
            mult = uint64_t(1) << shift;
        }
    }
    if (s.empty()) return std::nullopt;
    int base = 10;
    size_t pos = 0;
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        pos = 2;
    }
    uint64_t n = 0;
    for (; pos < s.size(); ++pos) {
        const char ch = char(std::tolower(static_cast<unsigned char>(s[pos])));
        int d = -1;
        if (ch >= '0' && ch <= '9') d = ch - '0';
        else if (base == 16 && ch >= 'a' && ch <= 'f') d = ch - 'a' + 10;
        if (d < 0) return std::nullopt;
        if (n > (~uint64_t(0) - uint64_t(d)) / uint64_t(base)) return std::nullopt;
        n = n * uint64_t(base) + uint64_t(d);
    }
    if (mult > 1 && n > ~uint64_t(0) / mult) return std::nullopt;
    return n * mult;
}

Scenario parse_scenario(const json& j, const std::string& file) {
    Scenario sc;
    sc.file = file;
    const Ctx top(file, "scenario");
    top.only(j, {"set", "domains", "attach", "steps"});
    if (const json* set = top.opt(j, "set")) {
        if (!set->is_object()) top.fail("'set' must be an object of parameter values");
        for (auto it = set->begin(); it != set->end(); ++it) sc.set.emplace_back(it.key(), it.value());
    }
    std::set<std::string> names;
    std::map<std::string, DomainKind> kinds;
    if (const json* ds = top.opt(j, "domains")) {
        if (!ds->is_array()) top.fail("'domains' must be an array");
        for (size_t i = 0; i < ds->size(); ++i) {
            sc.domain_smmus.emplace_back();
            sc.domains.push_back(parse_domain((*ds)[i], Ctx(file, "domains[" + std::to_string(i) + "]"), names,
                                              sc.domain_smmus.back()));
            names.insert(sc.domains.back().name);
            kinds[sc.domains.back().name] = sc.domains.back().kind;
        }
    }
    if (const json* as = top.opt(j, "attach")) {
        if (!as->is_array()) top.fail("'attach' must be an array");
        for (size_t i = 0; i < as->size(); ++i) {
            const Ctx c(file, "attach[" + std::to_string(i) + "]");
            const json& a = (*as)[i];
            c.only(a, {"sid", "ssid", "domain", "smmu"});
            AttachSpec s;
            s.sid = c.u32(c.req(a, "sid"), "sid");
            if (const json* v = c.opt(a, "ssid")) s.ssid = c.u32(*v, "ssid");
            s.domain = c.string(c.req(a, "domain"), "domain");
            if (!names.count(s.domain)) c.fail("unknown domain '" + s.domain + "'");
            if (const json* v = c.opt(a, "smmu")) s.smmu = c.string(*v, "smmu");
            sc.attach.push_back(s);
        }
    }
    if (const json* ss = top.opt(j, "steps")) {
        if (!ss->is_array()) top.fail("'steps' must be an array");
        for (size_t i = 0; i < ss->size(); ++i) sc.steps.push_back(parse_step((*ss)[i], i, file, kinds));
    }
    return sc;
}

Scenario load_scenario(const std::string& path) {
    json j;
    try {
        j = core::read_json_file(path);
    } catch (const InputError& e) {
        throw ScenarioError(e.what());
    }
    return parse_scenario(j, path);
}

}  // namespace smmusim::sw::workloads
