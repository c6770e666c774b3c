#include "models/core/json_log.h"

#include <cerrno>
#include <algorithm>
#include <cmath>
#include <cstring>

#include "models/core/errors.h"

namespace smmusim::core {

namespace {

// `s` as a JSON string: quotes, backslashes and control characters escaped.
void put_escaped(OutBuffer& out, const char* s) {
    out.put('"');
    const char* run = s;  // the start of the characters that need no escape
    for (; *s; ++s) {
        const unsigned char c = static_cast<unsigned char>(*s);
        if (c != '"' && c != '\\' && c >= 0x20) continue;
        out.put(run, size_t(s - run));
        run = s + 1;
        if (c == '"' || c == '\\') {
            out.put('\\').put(char(c));
        } else {
            out.put("\\u00").put("0123456789abcdef"[c >> 4]).put("0123456789abcdef"[c & 15]);
        }
    }
    out.put(run, size_t(s - run));
    out.put('"');
}

// Closes the logs at normal process exit if the owner did not: a test that ends without
// close_all() still leaves complete lines.
struct CloseAtExit {
    ~CloseAtExit() { JsonLog::close_all(); }
} close_at_exit;

}  // namespace

JsonLog* JsonLog::open_[kLogCount] = {};

const char* JsonLog::name(LogId id) {
    switch (id) {
    case LogId::Xlate: return "xlate";
    case LogId::Cmd: return "cmd";
    case LogId::Event: return "event";
    }
    return "?";
}

void JsonLog::open(LogId id, const std::string& path, const std::string& what) {
    close(id);
    std::FILE* f = std::fopen(path.c_str(), "w");
    if (!f) throw InputError(what + " " + path + ": cannot open for writing: " + std::strerror(errno));
    std::setvbuf(f, nullptr, _IOFBF, 1 << 20);
    open_[unsigned(id)] = new JsonLog(f, path);
}

bool JsonLog::close(LogId id) {
    JsonLog*& log = open_[unsigned(id)];
    if (!log) return true;
    log->out_.flush();
    const bool ok = !std::ferror(log->file_) && std::fclose(log->file_) == 0;
    delete log;
    log = nullptr;
    return ok;
}

bool JsonLog::close_all() {
    bool ok = true;
    for (unsigned i = 0; i < kLogCount; ++i) ok = close(LogId(i)) && ok;
    return ok;
}

JsonLine JsonLog::line() {
    out_.put('{');
    return JsonLine(*this);
}

void JsonLog::time_scale() {
    // Found on first use, not at open(): open() may run before elaboration has settled the
    // time resolution.
    if (units_per_ns_) return;
    const double res_ps = sc_core::sc_get_time_resolution().to_seconds() * 1e12;
    if (res_ps <= 1000) {
        units_per_ns_ = uint64_t(std::llround(1000 / res_ps));
    } else {
        units_per_ns_ = 1;
        ns_per_unit_ = uint64_t(std::llround(res_ps / 1000));
    }
}

JsonLine::JsonLine(JsonLog& log) : log_(log), out_(log.out_) {}

JsonLine::~JsonLine() { out_.put("}\n", 2); }

void JsonLine::key(const char* k) {
    if (!first_) out_.put(',');
    first_ = false;
    out_.put('"').put_short(k, std::strlen(k)).put('"').put(':');
}

std::string& JsonLine::scratch() {
    log_.scratch_.assign(1, first_ ? '{' : '-');
    return log_.scratch_;
}

void JsonLine::add_members(const std::string& s) {
    if (s.size() <= 1) return;
    out_.put(s.data() + 1, s.size() - 1);
    first_ = false;
}

JsonLine& JsonLine::time_ns(const char* k, const sc_core::sc_time& t) {
    key(k);
    log_.time_scale();
    const uint64_t upn = log_.units_per_ns_;
    if (log_.ns_per_unit_ != 1) {  // a resolution coarser than 1 ns: whole ns
        out_.decimal(t.value() * log_.ns_per_unit_);
        return *this;
    }
    out_.decimal(t.value() / upn);
    uint64_t frac = t.value() % upn;
    if (!frac) return *this;
    // upn is a power of ten: as many fraction digits as it has zeros, trailing zeros dropped.
    unsigned digits = 0;
    for (uint64_t u = upn; u > 1; u /= 10) ++digits;
    while (frac % 10 == 0) {
        frac /= 10;
        --digits;
    }
    out_.put('.').zeros(digits - std::min(digits, OutBuffer::decimal_digits(frac))).decimal(frac);
    return *this;
}

JsonLine& JsonLine::num(const char* k, uint64_t v) {
    key(k);
    out_.decimal(v);
    return *this;
}

JsonLine& JsonLine::hex(const char* k, uint64_t v, unsigned digits) {
    key(k);
    out_.put('"').hex(v, digits).put('"');
    return *this;
}

JsonLine& JsonLine::str(const char* k, const char* v) {
    key(k);
    put_escaped(out_, v);
    return *this;
}

JsonLine& JsonLine::boolean(const char* k, bool v) {
    key(k);
    out_.put(v ? "true" : "false");
    return *this;
}

JsonLine& JsonLine::null(const char* k) {
    key(k);
    out_.put("null", 4);
    return *this;
}

}  // namespace smmusim::core
