#include "platforms/topology.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "models/core/json_file.h"
#include "models/core/value_parse.h"
#include "models/cpu/cluster.h"
#include "models/smmu/arch/regs.h"

namespace smmusim::platforms {

namespace {

using nlohmann::json;

// One JSON object being read: knows its file:key for messages and which keys were read, so
// that a misspelt key is an error rather than silently ignored.
class Node {
public:
    Node(const json& j, std::string file, std::string path) : j_(j), file_(std::move(file)), path_(std::move(path)) {
        if (!j_.is_object()) fail("expected an object, got " + j_.dump());
    }

    [[noreturn]] void fail(const std::string& why, const std::string& key = {}) const {
        throw TopologyError(file_ + ": " + where(key) + why);
    }
    std::string where(const std::string& key) const {
        const std::string p = key.empty() ? path_ : path_.empty() ? key : path_ + "." + key;
        return p.empty() ? "" : p + ": ";
    }
    std::string key_path(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }
    const std::string& file() const { return file_; }

    bool has(const std::string& key) const { return j_.contains(key); }
    const json& raw(const std::string& key) {
        read_.insert(key);
        if (!j_.contains(key)) fail("missing (required)", key);
        return j_.at(key);
    }
    Node child(const std::string& key) { return Node(raw(key), file_, key_path(key)); }
    // A required, non-empty array of objects; `empty` says why it may not be empty.
    std::vector<Node> list(const std::string& key, const std::string& empty) {
        std::vector<Node> v;
        const json& a = raw(key);
        if (!a.is_array()) fail("expected an array", key);
        if (a.empty()) fail(empty, key);
        for (size_t i = 0; i < a.size(); ++i) v.emplace_back(a[i], file_, key_path(key) + "[" + std::to_string(i) + "]");
        return v;
    }
    std::string str(const std::string& key) {
        const json& v = raw(key);
        if (!v.is_string()) fail("expected a string, got " + v.dump(), key);
        return v.get<std::string>();
    }
    std::string str(const std::string& key, const std::string& def) { return has(key) ? str(key) : def; }
    // A module name: it becomes an sc_object name and a parameter prefix.
    std::string name(const std::string& key) {
        const std::string s = str(key);
        const bool ok = !s.empty() && std::isalpha(static_cast<unsigned char>(s[0])) &&
                        std::all_of(s.begin(), s.end(), [](char c) {
                            return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
                        });
        if (!ok) fail("'" + s + "' is not a name (a letter, then letters, digits or '_')", key);
        return s;
    }
    uint64_t u64(const std::string& key, uint64_t lo = 0, uint64_t hi = UINT64_MAX) {
        const json& v = raw(key);
        uint64_t x = 0;
        std::string err;
        if (v.is_number_unsigned()) x = v.get<uint64_t>();
        else if (!v.is_string() || !core::parse_u64(v.get<std::string>(), x, err))
            fail("expected a non-negative integer (decimal, 0x-hex or with KiB/MiB/GiB), got " + v.dump(), key);
        if (x < lo || x > hi) fail(std::to_string(x) + " is outside [" + std::to_string(lo) + ", " + std::to_string(hi) + "]", key);
        return x;
    }
    uint64_t u64(const std::string& key, uint64_t def, uint64_t lo, uint64_t hi) {
        return has(key) ? u64(key, lo, hi) : def;
    }
    bool boolean(const std::string& key, bool def) {
        if (!has(key)) return def;
        const json& v = raw(key);
        if (!v.is_boolean()) fail("expected true or false, got " + v.dump(), key);
        return v.get<bool>();
    }
    Topology::Range range(const std::string& key) {
        Node n = child(key);
        Topology::Range r{n.u64("base"), n.u64("size", 1, UINT64_MAX)};
        if (r.base + r.size < r.base) n.fail("base + size overflows 64 bits");
        n.done();
        return r;
    }
    // `params` of a component: defaults of the parameters under `prefix` (nested objects or
    // dotted keys, as in a config file).
    void params(const std::string& prefix, Topology& t) {
        if (!has("params")) return;
        if (!raw("params").is_object()) fail("expected an object of parameter values", "params");
        flatten(raw("params"), prefix, key_path("params"), t);
    }
    // Every key of the object was read.
    void done() const {
        for (auto it = j_.begin(); it != j_.end(); ++it)
            if (!read_.count(it.key())) fail("unknown key (docs/topology.md lists them)", it.key());
    }

private:
    void flatten(const json& v, const std::string& name, const std::string& path, Topology& t) const {
        if (!v.is_object()) {
            if (v.is_array() || v.is_null()) throw TopologyError(file_ + ": " + path + ": expected a value, got " + v.dump());
            if (t.params.count(name)) throw TopologyError(file_ + ": " + path + ": parameter '" + name + "' set twice");
            t.params[name] = {v, file_ + ": " + path};
            return;
        }
        for (auto it = v.begin(); it != v.end(); ++it)
            flatten(it.value(), name.empty() ? it.key() : name + "." + it.key(), path + "." + it.key(), t);
    }

    const json& j_;
    std::string file_, path_;
    std::set<std::string> read_;
};

bool overlaps(const Topology::Range& a, const Topology::Range& b) { return a.base < b.end() && b.base < a.end(); }

std::string hex_range(const Topology::Range& r) { return "[" + core::hex(r.base) + ", " + core::hex(r.end()) + ")"; }

void parse_hardware(Node& top, Topology& t, std::set<std::string>& names) {
    auto unique = [&](Node& n, const std::string& key, const std::string& name) {
        const bool core = name.size() > 3 && name.compare(0, 3, "cpu") == 0 &&
                          name.find_first_not_of("0123456789", 3) == std::string::npos;  // cpu0, cpu1, ...
        if (core || !names.insert(name).second) n.fail("'" + name + "' names another part of the platform", key);
    };
    for (const char* fixed : {"cpu", "cpu_traffic", "sim", "sw"}) names.insert(fixed);
    // The default of the `cpus` parameter (the CPU cluster's cores).
    if (top.has("cpus")) {
        t.cpus = uint32_t(top.u64("cpus", 1, cpu::Cluster::kMaxCpus));
        t.params["cpus"] = {t.cpus, t.file + ": cpus"};
    }
    {
        Node n = top.has("interconnect") ? top.child("interconnect") : Node(json::object(), t.file, "interconnect");
        t.interconnect = n.has("name") ? n.name("name") : "noc";
        unique(n, "name", t.interconnect);
        n.params(t.interconnect, t);
        n.done();
    }
    std::vector<std::pair<Topology::Range, std::string>> decoded;  // what the interconnect decodes, for overlaps
    auto decode = [&](Node& n, const std::string& key, const Topology::Range& r, const std::string& what) {
        for (const auto& [o, other] : decoded)
            if (overlaps(r, o)) n.fail(hex_range(r) + " overlaps " + other + " " + hex_range(o), key);
        decoded.emplace_back(r, what);
    };
    auto named = [&](Node& n) {
        const std::string s = n.name("name");
        unique(n, "name", s);
        return s;
    };
    for (Node& n : top.list("memories", "at least one memory is needed (the software's DRAM)")) {
        Topology::Memory m;
        m.name = named(n);
        m.range = {n.u64("base"), n.u64("size", 1, UINT64_MAX)};
        decode(n, "base", m.range, m.name);
        n.params(m.name, t);
        n.done();
        t.memories.push_back(m);
    }
    std::vector<Node> smmus = top.list("smmus", "at least one SMMU is needed");
    // Each instance takes 3 of the CPU's 32 interrupt lines (platforms/soc.cpp).
    if (smmus.size() > 10) top.fail(std::to_string(smmus.size()) + " SMMUs: at most 10 (3 CPU interrupt lines each)", "smmus");
    for (Node& n : smmus) {
        Topology::Smmu s;
        s.name = named(n);
        s.regs = n.u64("regs");
        if (s.regs % smmu::arch::reg::REGION_SIZE)
            n.fail(core::hex(s.regs) + " is not aligned to the 128 KiB register frame", "regs");
        decode(n, "regs", {s.regs, smmu::arch::reg::REGION_SIZE}, s.name + " registers");
        s.tbus = uint32_t(n.u64("tbus", 1, 64));
        n.params(s.name, t);
        n.done();
        t.smmus.push_back(s);
    }
    std::set<std::pair<size_t, uint32_t>> tbus_used, sids_used;
    for (Node& n : top.list("devices", "at least one device (DMA master) is needed")) {
        Topology::Device d;
        d.name = named(n);
        const std::string smmu = n.str("smmu");
        d.smmu = t.smmu_index(smmu);
        if (d.smmu == std::string::npos) n.fail("no SMMU named '" + smmu + "' in smmus", "smmu");
        const Topology::Smmu& s = t.smmus[d.smmu];
        d.tbu = uint32_t(n.u64("tbu", 0, 63));
        if (d.tbu >= s.tbus)
            n.fail("TBU " + std::to_string(d.tbu) + " but " + s.name + " has " + std::to_string(s.tbus) +
                       " (its tbus)",
                   "tbu");
        if (!tbus_used.insert({d.smmu, d.tbu}).second)
            n.fail(s.name + ".tbu" + std::to_string(d.tbu) + " already serves another device (one device per TBU)", "tbu");
        d.sid = uint32_t(n.u64("sid", 0, UINT32_MAX));
        if (!sids_used.insert({d.smmu, d.sid}).second)
            n.fail("StreamID " + std::to_string(d.sid) + " is taken by another device behind " + s.name, "sid");
        n.params(d.name, t);
        n.done();
        t.devices.push_back(d);
    }
    t.cpu_traffic = true;
    if (top.has("cpu_traffic")) {
        const json& v = top.raw("cpu_traffic");
        if (v.is_boolean()) t.cpu_traffic = v.get<bool>();
        else {
            Node n = top.child("cpu_traffic");
            n.params("cpu_traffic", t);
            n.done();
        }
    }
    if (top.has("cpu")) {
        Node n = top.child("cpu");
        n.params("cpu", t);
        n.done();
    }
}

void parse_software(Node& top, Topology& t) {
    Node n = top.child("software");
    const std::string kind = n.str("kind");
    if (kind == "linux") t.software = Topology::Software::Linux;
    else if (kind == "pkvm") t.software = Topology::Software::Pkvm;
    else n.fail("'" + kind + "' is not one of linux, pkvm", "kind");
    t.dma_window = n.range("dma_window");
    t.buffers = n.range("buffers");
    t.sw_memory = n.range("memory");
    if (overlaps(t.sw_memory, t.dma_window))
        n.fail(hex_range(t.sw_memory) + " overlaps the DMA window " + hex_range(t.dma_window), "memory");
    if (t.software == Topology::Software::Pkvm) {
        if (t.smmus.size() > 1)
            n.fail("the pKVM hypervisor shadows one SMMU; this topology has " + std::to_string(t.smmus.size()) +
                       " (docs/topology.md)",
                   "kind");
        Node h = n.child("hyp");
        Topology::Hyp hyp;
        hyp.host = h.range("host");
        hyp.host_tables = h.range("host_tables");
        hyp.pool = h.range("pool");
        for (const auto& [r, key] : {std::pair{hyp.host_tables, "host_tables"}, {hyp.pool, "pool"}})
            if (r.base < hyp.host.base || r.end() > hyp.host.end()) h.fail(hex_range(r) + " is not in host memory", key);
        if (overlaps(hyp.host, t.sw_memory)) h.fail("host memory overlaps the hypervisor's (software.memory)", "host");
        const json& sids = h.raw("host_sids");
        if (!sids.is_array()) h.fail("expected an array of StreamIDs", "host_sids");
        for (size_t i = 0; i < sids.size(); ++i) {
            const auto it = std::find_if(t.devices.begin(), t.devices.end(), [&](const Topology::Device& d) {
                return sids[i].is_number_unsigned() && d.sid == sids[i].get<uint64_t>();
            });
            if (it == t.devices.end())
                h.fail(sids[i].dump() + " is no device's StreamID", "host_sids[" + std::to_string(i) + "]");
            hyp.host_sids.push_back(it->sid);
        }
        h.done();
        t.hyp = hyp;
    }
    n.done();
}

}  // namespace

size_t Topology::smmu_index(const std::string& n) const {
    for (size_t i = 0; i < smmus.size(); ++i)
        if (smmus[i].name == n) return i;
    return std::string::npos;
}

Topology parse_topology(const json& j, const std::string& file) {
    Topology t;
    t.file = file;
    Node top(j, file, "");
    t.name = top.str("name");
    if (t.name.empty()) top.fail("must not be empty", "name");
    t.description = top.str("description", "");
    std::set<std::string> names;
    parse_hardware(top, t, names);
    parse_software(top, t);
    if (top.has("params")) top.params("", t);  // any other parameter by its full name
    top.done();
    return t;
}

Topology load_topology(const std::string& path) {
    try {
        return parse_topology(core::read_json_file(path), path);
    } catch (const TopologyError&) {
        throw;
    } catch (const InputError& e) {
        throw TopologyError(e.what());
    }
}

// cmake/embed_topologies.cmake: each built-in topology file's path and text.
const std::vector<std::pair<std::string, std::string>>& builtin_topology_texts();

const std::vector<Topology>& builtin_topologies() {
    static const std::vector<Topology> list = [] {
        std::vector<Topology> v;
        for (const auto& [file, text] : builtin_topology_texts())
            v.push_back(parse_topology(core::parse_json_text(text, file), file));
        return v;
    }();
    return list;
}

}  // namespace smmusim::platforms
