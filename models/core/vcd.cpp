#include "models/core/vcd.h"

#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <vector>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;  // POSIX: the process's environment, for posix_spawnp

#include "models/core/errors.h"
#include "models/core/params.h"
#include "models/core/sim_time.h"
#include "models/core/stats.h"
#include "models/core/value_parse.h"

namespace smmusim::core {
namespace {

uint64_t now_ps() {
    static const double ps_per_tick = sc_core::sc_get_time_resolution().to_seconds() * 1e12;
    return uint64_t(double(now().value()) * ps_per_tick + 0.5);
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

bool selected(const std::string& name, const std::vector<std::string>& modules) {
    if (modules.empty()) return true;
    for (const std::string& m : modules) {
        if (name.compare(0, m.size(), m) == 0 && (name.size() == m.size() || name[m.size()] == '.'))
            return true;
        if (m.find_first_of("*?") != std::string::npos && name_matches(name, m)) return true;
    }
    return false;
}

std::string save_file_path(const std::string& vcd) {
    const size_t slash = vcd.find_last_of('/');
    const size_t dot = vcd.find_last_of('.');
    const bool has_ext = dot != std::string::npos && (slash == std::string::npos || dot > slash);
    return (has_ext ? vcd.substr(0, dot) : vcd) + ".gtkw";
}

// FST is GTKWave's compressed format: the VCD is written beside it and converted by vcd2fst
// (from the gtkwave package) when the run ends.
void convert_to_fst(const std::string& vcd, const std::string& fst) {
    const char* argv[] = {"vcd2fst", vcd.c_str(), fst.c_str(), nullptr};
    pid_t pid;
    int status = 0;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    const int rc = posix_spawnp(&pid, "vcd2fst", &actions, nullptr, const_cast<char**>(argv), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        throw InputError(fst + ": vcd2fst (from the gtkwave package) could not convert " + vcd +
                         "; the VCD is kept");
    std::remove(vcd.c_str());
}

}  // namespace

TraceSignal::TraceSignal(const sc_core::sc_object* owner, const std::string& local, unsigned width,
                         SignalKind kind)
    : TraceSignal(join_name(owner, local), width, kind) {}

TraceSignal::TraceSignal(std::string full_name, unsigned width, SignalKind kind)
    : name_(std::move(full_name)), width_(width), kind_(kind) {
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

void VcdWriter::open(const std::string& path, const std::vector<std::string>& modules) {
    dumped_.clear();
    rates_.clear();
    for (auto& [name, s] : signals_)
        if (selected(name, modules)) dumped_.push_back(s);
    if (dumped_.empty() && !modules.empty()) {
        std::string list;
        for (const std::string& m : modules) list += (list.empty() ? "" : ",") + m;
        throw InputError("--vcd-signals " + list + ": selects no signal (module paths such as smmu.tbu0, dma0, noc)");
    }
    path_ = path;
    vcd_path_ = ends_with(path, ".fst") ? path + ".tmp.vcd" : path;
    file_ = std::fopen(vcd_path_.c_str(), "w");
    if (!file_) throw InputError(path + ": cannot open VCD file for writing");
    std::setvbuf(file_, nullptr, _IOFBF, 1 << 20);
    std::fprintf(file_, "$version smmu-sim $end\n$timescale 1ps $end\n");
    // Signals are sorted by name, so scopes open and close in one pass.
    std::vector<std::string> open_scopes;
    size_t n = 0;
    for (const TraceSignal* cs : dumped_) {
        TraceSignal* s = signals_.at(cs->name());
        std::vector<std::string> parts = split(s->name());
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
        // A range on every vector, so GTKWave names it `module.path.var[15:0]` as the save file does.
        if (s->width_ == 1)
            std::fprintf(file_, "$var wire 1 %s %s $end\n", s->code_.c_str(), var.c_str());
        else
            std::fprintf(file_, "$var wire %u %s %s [%u:0] $end\n", s->width_, s->code_.c_str(), var.c_str(),
                         s->width_ - 1);
        if (s->kind_ == SignalKind::counter) {
            rates_.push_back(Rate{s, s->value_, 0, code_for(n++)});
            std::fprintf(file_, "$var wire 32 %s %s_per_us [31:0] $end\n", rates_.back().code.c_str(), var.c_str());
        }
    }
    while (!open_scopes.empty()) {
        std::fprintf(file_, "$upscope $end\n");
        open_scopes.pop_back();
    }
    last_ticks_ = now().value();
    time_text_.set(now_ps());
    std::fprintf(file_, "$enddefinitions $end\n#%llu\n$dumpvars\n",
                 static_cast<unsigned long long>(time_text_.value()));
    out_.attach(file_);
    for (const TraceSignal* cs : dumped_) {
        TraceSignal* s = signals_.at(cs->name());
        write_value(*s);
        s->writer_ = this;
    }
    for (const Rate& r : rates_) write_bits(0, r.code);
    out_.put("$end\n");
}

void VcdWriter::close() {
    if (!file_) return;
    out_.flush();
    uint64_t t = now_ps();
    if (t > time_text_.value()) std::fprintf(file_, "#%llu\n", static_cast<unsigned long long>(t));
    std::fclose(file_);
    out_.attach(nullptr);
    file_ = nullptr;
    for (auto& kv : signals_) kv.second->writer_ = nullptr;
    if (vcd_path_ != path_) convert_to_fst(vcd_path_, path_);
    write_gtkw_save_file(path_, save_file_path(path_), *this, t);
}

namespace {

// The eight binary digits of each byte value, byte b at 8 * b (and 8 bytes of padding, so that
// 8 bytes can be read from inside the last entry): a vector is written a byte at a time.
struct ByteBits {
    char d[256 * 8 + 8];
    constexpr ByteBits() : d() {
        for (unsigned b = 0; b < 256; ++b)
            for (unsigned i = 0; i < 8; ++i) d[8 * b + i] = char('0' + ((b >> (7 - i)) & 1));
    }
};
constexpr ByteBits kByteBits;

}  // namespace

// The value changes are most of a dump: appended to out_ (one stream call per 64 KiB), byte
// for byte what fprintf wrote.
void VcdWriter::advance_time() {
    const uint64_t ticks = now().value();  // inline: asked on every value change
    if (ticks == last_ticks_) return;
    last_ticks_ = ticks;
    const uint64_t t = now_ps();
    const uint64_t last = time_text_.value();
    if (t == last) return;
    // `#<t>\n`: time only grows, so the text is the last one's plus the step.
    if (t > last) time_text_.add(t - last);
    else time_text_.set(t);
    const size_t k = time_text_.size();
    char* p = out_.reserve(DecimalText::kMaxDigits + 2);
    p[0] = '#';
    std::memcpy(p + 1, time_text_.data(), DecimalText::kMaxDigits);
    p[1 + k] = '\n';
    out_.commit(k + 2);
}

void VcdWriter::change(const TraceSignal& s) {
    advance_time();
    write_value(s);
}

void VcdWriter::sample_rates() {
    if (!file_) return;
    for (Rate& r : rates_) {
        const uint64_t v = r.source->value_;
        // A counter reset by --warmup starts again from zero.
        const uint64_t rate = v >= r.last ? v - r.last : v;
        r.last = v;
        if (rate == r.value) continue;
        r.value = rate;
        advance_time();
        write_bits(rate, r.code);
    }
}

void VcdWriter::write_value(const TraceSignal& s) {
    if (s.width_ == 1) {
        out_.put(s.value_ ? '1' : '0').put_short(s.code_).put('\n');
        return;
    }
    write_bits(s.value_, s.code_);
}

// `b<binary, no leading zeros> <code>\n`, with fixed-size stores: the top byte's significant
// digits as 8 bytes (the ones past them are overwritten next, or lie past the record), then
// each lower byte's 8 digits.
void VcdWriter::write_bits(uint64_t v, const std::string& code) {
    const unsigned n = v ? 64u - unsigned(__builtin_clzll(v)) : 1u;  // digits ("0" for 0)
    const unsigned low = n / 8, left = n % 8;                           // whole bytes below the top
    const size_t len = n + code.size() + 3;
    char* const p = out_.reserve(len + 8);
    p[0] = 'b';
    if (left) std::memcpy(p + 1, kByteBits.d + 8 * ((v >> (8 * low)) & 255) + 8 - left, 8);
    for (unsigned k = 0; k < low; ++k, v >>= 8) std::memcpy(p + 1 + n - 8 * (k + 1), kByteBits.d + 8 * (v & 255), 8);
    char* w = p + 1 + n;
    *w++ = ' ';
    for (const char c : code) *w++ = c;
    *w = '\n';
    out_.commit(len);
}

}  // namespace smmusim::core
