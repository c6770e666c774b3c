// The GTKWave save file (.gtkw) written beside every VCD, so that the waveform reads at a
// glance: every signal under its full hierarchical name, one group per module, values in
// decimal, occupancies and rates drawn as analog steps, the whole run in view.
// Trace flags are GTKWave's TR_* bits (gtkwave's analyzer.h): DEC 0x4, BIN 0x8, RJUSTIFY 0x20,
// ANALOG_STEP 0x8000, ANALOG_BLANK_STRETCH 0x20000 (rows that heighten the analog trace above), GRP_BEGIN 0x800000, GRP_END 0x1000000,
// BLANK 0x200, CLOSED 0x400000.

#include <cmath>
#include <cstdio>

#include "models/core/errors.h"
#include "models/core/vcd.h"

namespace smmusim::core {
namespace {

constexpr unsigned kDec = 0x4, kBin = 0x8, kRjustify = 0x20, kAnalogStep = 0x8000,
                   kAnalogStretch = 0x20000, kBlank = 0x200, kGroupBegin = 0x800000,
                   kGroupEnd = 0x1000000;
constexpr unsigned kAnalogRows = 2;  // extra rows of height for an analog trace
// GTKWave 3.3 at zoom z shows about 4.6 * 2^-z time units in the wave pane of a 1600-pixel
// window (measured with gtkwave::getWindowEndTime under Xvfb): 4 fits the run with a margin.
constexpr double kViewUnits = 4.0;

std::string parent_of(const std::string& name) {
    const size_t dot = name.rfind('.');
    return dot == std::string::npos ? std::string() : name.substr(0, dot);
}

std::string base_name(const std::string& path) {
    const size_t slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

void trace_line(std::FILE* f, const std::string& name, unsigned width) {
    if (width == 1) {
        std::fprintf(f, "@%x\n%s\n", kBin | kRjustify, name.c_str());
        return;
    }
    std::fprintf(f, "@%x\n%s[%u:0]\n", kAnalogStep | kDec | kRjustify, name.c_str(), width - 1);
    std::fprintf(f, "@%x\n", kAnalogStretch);
    for (unsigned i = 0; i < kAnalogRows; ++i) std::fprintf(f, "-\n");
}

}  // namespace

void write_gtkw_save_file(const std::string& vcd_path, const std::string& gtkw_path, const VcdWriter& w,
                          uint64_t end_ps) {
    std::FILE* f = std::fopen(gtkw_path.c_str(), "w");
    if (!f) throw InputError(gtkw_path + ": cannot write the GTKWave save file");
    // The rc file shows each trace's full hierarchical name (GTKWave's default is the leaf).
    const std::string rc_path = gtkw_path.substr(0, gtkw_path.size() - 5) + ".gtkwaverc";
    std::FILE* rc = std::fopen(rc_path.c_str(), "w");
    if (!rc) throw InputError(rc_path + ": cannot write the GTKWave rc file");
    std::fprintf(rc, "# written by smmu-sim: gtkwave -r %s %s %s\nhier_max_level 0\n", base_name(rc_path).c_str(),
                 base_name(vcd_path).c_str(), base_name(gtkw_path).c_str());
    if (std::fclose(rc) != 0) throw InputError(rc_path + ": write failed");
    std::fprintf(f, "[*] GTKWave save file written by smmu-sim: gtkwave -r %s %s %s\n", base_name(rc_path).c_str(),
                 base_name(vcd_path).c_str(), base_name(gtkw_path).c_str());
    // A relative dump file name: GTKWave also looks for it beside the save file.
    std::fprintf(f, "[dumpfile] \"%s\"\n[savefile] \"%s\"\n", base_name(vcd_path).c_str(),
                 base_name(gtkw_path).c_str());
    std::fprintf(f, "[timestart] 0\n[size] 1600 1000\n[pos] -1 -1\n");
    const double zoom = end_ps > 0 ? -std::log2(double(end_ps) / kViewUnits) : 0.0;
    std::fprintf(f, "*%.6f 0\n[sst_width] 260\n[signals_width] 380\n[sst_expanded] 1\n", zoom);

    // Rates of counters follow their counter.
    std::string group;
    auto close_group = [&] {
        if (!group.empty()) std::fprintf(f, "@%x\n-%s\n", kGroupEnd | kBlank, group.c_str());
    };
    size_t next_rate = 0;
    const auto& rates = w.rates();
    for (const TraceSignal* s : w.dumped()) {
        std::string module = parent_of(s->name());
        if (module.empty()) module = "top";
        if (module != group) {
            close_group();
            group = module;
            std::fprintf(f, "@%x\n-%s\n", kGroupBegin | kBlank, group.c_str());
        }
        trace_line(f, s->name(), s->width());
        if (next_rate < rates.size() && rates[next_rate].source == s)
            trace_line(f, rates[next_rate++].source->name() + "_per_us", 32);
    }
    close_group();
    std::fprintf(f, "[pattern_trace] 1\n[pattern_trace] 0\n");
    if (std::fclose(f) != 0) throw InputError(gtkw_path + ": write failed");
}

}  // namespace smmusim::core
