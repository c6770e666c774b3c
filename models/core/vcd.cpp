#include "models/core/vcd.h"

#include <stdexcept>
#include <vector>

#include "models/core/errors.h"
#include "models/core/params.h"

namespace smmusim::core {
namespace {

uint64_t now_ps() {
    static const double ps_per_tick = sc_core::sc_get_time_resolution().to_seconds() * 1e12;
    return uint64_t(double(sc_core::sc_time_stamp().value()) * ps_per_tick + 0.5);
}

// VCD identifier codes: base-94 strings of printable characters.
std::string code_for(size_t n) {
    std::string s;
    do {
        s += char(33 + n % 94);
        n /= 94;
    } while (n);
    return s;
}

std::vector<std::string> split(const std::string& name) {
    std::vector<std::string> parts;
    size_t start = 0;
    for (size_t dot; (dot = name.find('.', start)) != std::string::npos; start = dot + 1)
        parts.push_back(name.substr(start, dot - start));
    parts.push_back(name.substr(start));
    return parts;
}

}  // namespace

TraceSignal::TraceSignal(const sc_core::sc_object* owner, const std::string& local, unsigned width)
    : TraceSignal(join_name(owner, local), width) {}

TraceSignal::TraceSignal(std::string full_name, unsigned width)
    : name_(std::move(full_name)), width_(width) {
    if (width_ == 0 || width_ > 64) throw std::logic_error("signal " + name_ + ": width 1..64");
    VcdWriter::instance().add(this);
}

TraceSignal::~TraceSignal() { VcdWriter::instance().remove(this); }

void TraceSignal::emit() { writer_->change(*this); }

VcdWriter& VcdWriter::instance() {
    static VcdWriter w;
    return w;
}

void VcdWriter::add(TraceSignal* s) {
    if (file_) throw std::logic_error("signal " + s->name() + " declared after the VCD was opened");
    if (!signals_.emplace(s->name(), s).second)
        throw std::logic_error("signal '" + s->name() + "' declared twice");
}

void VcdWriter::remove(TraceSignal* s) {
    auto it = signals_.find(s->name());
    if (it != signals_.end() && it->second == s) signals_.erase(it);
    s->writer_ = nullptr;
}

void VcdWriter::open(const std::string& path) {
    file_ = std::fopen(path.c_str(), "w");
    if (!file_) throw InputError(path + ": cannot open VCD file for writing");
    std::setvbuf(file_, nullptr, _IOFBF, 1 << 20);
    std::fprintf(file_, "$version smmu-sim $end\n$timescale 1ps $end\n");
    // Signals are sorted by name, so scopes open and close in one pass.
    std::vector<std::string> open_scopes;
    size_t n = 0;
    for (auto& [name, s] : signals_) {
        std::vector<std::string> parts = split(name);
        std::string var = parts.back();
        parts.pop_back();
        size_t common = 0;
        while (common < open_scopes.size() && common < parts.size() &&
               open_scopes[common] == parts[common])
            ++common;
        while (open_scopes.size() > common) {
            std::fprintf(file_, "$upscope $end\n");
            open_scopes.pop_back();
        }
        for (size_t i = common; i < parts.size(); ++i) {
            std::fprintf(file_, "$scope module %s $end\n", parts[i].c_str());
            open_scopes.push_back(parts[i]);
        }
        s->code_ = code_for(n++);
        std::fprintf(file_, "$var wire %u %s %s $end\n", s->width_, s->code_.c_str(), var.c_str());
    }
    while (!open_scopes.empty()) {
        std::fprintf(file_, "$upscope $end\n");
        open_scopes.pop_back();
    }
    last_time_ps_ = now_ps();
    std::fprintf(file_, "$enddefinitions $end\n#%llu\n$dumpvars\n",
                 static_cast<unsigned long long>(last_time_ps_));
    for (auto& kv : signals_) {
        write_value(*kv.second);
        kv.second->writer_ = this;
    }
    std::fprintf(file_, "$end\n");
}

void VcdWriter::close() {
    if (!file_) return;
    uint64_t t = now_ps();
    if (t > last_time_ps_) std::fprintf(file_, "#%llu\n", static_cast<unsigned long long>(t));
    std::fclose(file_);
    file_ = nullptr;
    for (auto& kv : signals_) kv.second->writer_ = nullptr;
}

void VcdWriter::change(const TraceSignal& s) {
    uint64_t t = now_ps();
    if (t != last_time_ps_) {
        std::fprintf(file_, "#%llu\n", static_cast<unsigned long long>(t));
        last_time_ps_ = t;
    }
    write_value(s);
}

void VcdWriter::write_value(const TraceSignal& s) {
    if (s.width_ == 1) {
        std::fprintf(file_, "%c%s\n", s.value_ ? '1' : '0', s.code_.c_str());
        return;
    }
    char bits[66];
    int n = 0;
    uint64_t v = s.value_;
    int top = v ? 63 - __builtin_clzll(v) : 0;
    bits[n++] = 'b';
    for (int i = top; i >= 0; --i) bits[n++] = char('0' + ((v >> i) & 1));
    bits[n] = 0;
    std::fprintf(file_, "%s %s\n", bits, s.code_.c_str());
}

}  // namespace smmusim::core
