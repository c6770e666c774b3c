#include "models/traffic/trace_reader.h"

#include <fstream>
#include <sstream>

#include "models/core/errors.h"
#include "models/core/value_parse.h"

namespace smmusim::traffic {
namespace {

constexpr uint32_t kMaxSsid = (1u << 20) - 1;

struct LineError {
    const std::string& name;
    unsigned line;
    [[noreturn]] void operator()(const std::string& what) const {
        throw InputError(name + ":" + std::to_string(line) + ": " + what);
    }
};

sc_core::sc_time parse_when(const std::string& text, const sc_core::sc_time& cycle,
                            const LineError& fail) {
    std::string body = text.substr(1);
    std::string err;
    uint64_t cycles;
    if (core::parse_u64(body, cycles, err)) return cycle * double(cycles);
    sc_core::sc_time t;
    if (!body.empty() && body.find_first_of("HhzZ") == std::string::npos &&
        core::parse_time(body, t, err))
        return t;
    fail("bad time '" + text + "': expected +N or @N (cycles) or a time such as +10ns");
}

}  // namespace

std::vector<TraceRecord> parse_trace(std::istream& in, const std::string& name,
                                     const sc_core::sc_time& cycle) {
    std::vector<TraceRecord> out;
    std::string raw;
    unsigned line_no = 0;
    sc_core::sc_time last_abs = sc_core::SC_ZERO_TIME;
    while (std::getline(in, raw)) {
        ++line_no;
        const LineError fail{name, line_no};
        std::string line = raw.substr(0, raw.find('#'));
        std::istringstream fields(line);
        std::vector<std::string> f;
        for (std::string w; fields >> w;) f.push_back(w);
        if (f.empty()) continue;
        if (f.size() != 6)
            fail("expected 6 fields (when sid ssid address size r|w), found " + std::to_string(f.size()));

        TraceRecord r;
        r.line = line_no;
        if (f[0][0] != '+' && f[0][0] != '@')
            fail("bad time '" + f[0] + "': must start with '+' (gap) or '@' (absolute)");
        r.absolute = f[0][0] == '@';
        r.when = parse_when(f[0], cycle, fail);
        if (r.absolute) {
            if (r.when < last_abs) fail("absolute time '" + f[0] + "' is earlier than a previous one");
            last_abs = r.when;
        }

        std::string err;
        uint64_t v;
        if (!core::parse_u64(f[1], v, err) || v > 0xffffffffull)
            fail("bad StreamID '" + f[1] + "': expected an integer below 2^32");
        r.sid = uint32_t(v);
        if (f[2] != "-") {
            if (!core::parse_u64(f[2], v, err) || v > kMaxSsid)
                fail("bad SubstreamID '" + f[2] + "': expected '-' or an integer below 2^20");
            r.ssid_valid = true;
            r.ssid = uint32_t(v);
        }
        if (!core::parse_u64(f[3], r.addr, err)) fail("bad address '" + f[3] + "': " + err);
        if (!core::parse_u64(f[4], v, err) || v == 0 || v > kMaxTransactionSize)
            fail("bad size '" + f[4] + "': expected 1.." + std::to_string(kMaxTransactionSize));
        r.size = unsigned(v);
        if ((r.addr & 0xfff) + r.size > 0x1000)
            fail("transaction at " + core::hex(r.addr) + " of " + f[4] +
                 " bytes crosses a 4 KiB boundary");
        if (f[5] == "r" || f[5] == "R") r.write = false;
        else if (f[5] == "w" || f[5] == "W") r.write = true;
        else fail("bad direction '" + f[5] + "': expected r or w");
        out.push_back(r);
    }
    return out;
}

std::vector<TraceRecord> read_trace_file(const std::string& path, const sc_core::sc_time& cycle) {
    std::ifstream in(path);
    if (!in) throw InputError(path + ": cannot open trace file");
    return parse_trace(in, path, cycle);
}

}  // namespace smmusim::traffic
