#pragma once
// Value-change-dump of model signals (queue occupancy, outstanding requests, IRQ lines).
// A TraceSignal is a member of the module it describes, named under the module's path; the
// writer emits a line only when a value changes, so an untraced run pays one compare per set.
// A counter signal (cumulative: fills, bytes) also gets a rate signal `<name>_per_us`, its
// increase over each microsecond, sampled by sample_rates(). Every VCD gets a GTKWave save
// file beside it (vcd_save_file.cpp).

#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include <systemc>

#include "models/core/out_buffer.h"

namespace smmusim::core {

class VcdWriter;

// How a signal reads best: a level (occupancy, drawn as an analog step), a cumulative counter
// (with a rate signal beside it) or a 1-bit line.
enum class SignalKind { level, counter };

class TraceSignal {
public:
    TraceSignal(const sc_core::sc_object* owner, const std::string& local, unsigned width,
                SignalKind kind = SignalKind::level);
    TraceSignal(std::string full_name, unsigned width, SignalKind kind = SignalKind::level);
    TraceSignal(const TraceSignal&) = delete;
    TraceSignal& operator=(const TraceSignal&) = delete;
    ~TraceSignal();

    void set(uint64_t v) {
        if (v == value_) return;
        value_ = v;
        if (writer_) emit();
    }
    uint64_t value() const { return value_; }
    const std::string& name() const { return name_; }
    unsigned width() const { return width_; }
    SignalKind kind() const { return kind_; }

private:
    friend class VcdWriter;
    void emit();

    std::string name_;
    unsigned width_;
    SignalKind kind_;
    uint64_t value_ = 0;
    std::string code_;
    VcdWriter* writer_ = nullptr;
};

class VcdWriter {
public:
    static VcdWriter& instance();

    // Writes the header for every signal declared so far whose name is under one of `modules`
    // (a module path such as `smmu.tbu0`, or a glob; empty: every signal), and the GTKWave
    // save file (PATH without its extension, plus .gtkw). A PATH ending in .fst gets FST (converted by vcd2fst). Signals must be declared during
    // elaboration, before open(). Throws InputError when `modules` selects no signal.
    void open(const std::string& path, const std::vector<std::string>& modules = {});
    void close();
    bool is_open() const { return file_ != nullptr; }

    void add(TraceSignal* s);
    void remove(TraceSignal* s);
    void change(const TraceSignal& s);

    // Rate signals: the increase of each dumped counter since the previous call, written as
    // `<name>_per_us` (call once per microsecond of simulated time).
    static constexpr uint64_t kRateIntervalPs = 1000000;
    bool has_rates() const { return file_ && !rates_.empty(); }
    void sample_rates();

    struct Rate {
        const TraceSignal* source;
        uint64_t last = 0, value = 0;
        std::string code;
    };
    // What the save file shows, in header order.
    const std::vector<const TraceSignal*>& dumped() const { return dumped_; }
    const std::vector<Rate>& rates() const { return rates_; }

private:
    void write_value(const TraceSignal& s);
    void write_bits(uint64_t v, const std::string& code);
    void advance_time();

    std::map<std::string, TraceSignal*> signals_;
    std::vector<const TraceSignal*> dumped_;
    std::vector<Rate> rates_;
    std::string path_, vcd_path_;  // differ for FST: the VCD is converted at close()
    std::FILE* file_ = nullptr;
    OutBuffer out_;  // the value changes, in front of file_
    DecimalText time_text_;    // the last timestamp written (ps), and its decimal text
    uint64_t last_ticks_ = 0;  // the kernel time of that timestamp: most changes share it
};

// Writes the GTKWave save file for the open VCD at `vcd_path`: one group per module, decimal
// values, occupancies and rates as analog steps, zoomed to fit; and beside it an rc file
// (`.gtkwaverc`, for `gtkwave -r`) that shows full hierarchical names.
void write_gtkw_save_file(const std::string& vcd_path, const std::string& gtkw_path,
                          const VcdWriter& w, uint64_t end_ps);

}  // namespace smmusim::core
