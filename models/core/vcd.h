#pragma once
// Value-change-dump of model signals (queue occupancy, outstanding requests, IRQ lines).
// A TraceSignal is a member of the module it describes, named under the module's path; the
// writer emits a line only when a value changes, so an untraced run pays one compare per set.

#include <cstdint>
#include <cstdio>
#include <map>
#include <string>

#include <systemc>

namespace smmusim::core {

class VcdWriter;

class TraceSignal {
public:
    TraceSignal(const sc_core::sc_object* owner, const std::string& local, unsigned width);
    TraceSignal(std::string full_name, unsigned width);
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

private:
    friend class VcdWriter;
    void emit();

    std::string name_;
    unsigned width_;
    uint64_t value_ = 0;
    std::string code_;
    VcdWriter* writer_ = nullptr;
};

class VcdWriter {
public:
    static VcdWriter& instance();

    // Writes the header for every signal declared so far; signals must be declared during
    // elaboration, before open().
    void open(const std::string& path);
    void close();
    bool is_open() const { return file_ != nullptr; }

    void add(TraceSignal* s);
    void remove(TraceSignal* s);
    void change(const TraceSignal& s);

private:
    void write_value(const TraceSignal& s);

    std::map<std::string, TraceSignal*> signals_;
    std::FILE* file_ = nullptr;
    uint64_t last_time_ps_ = 0;
};

}  // namespace smmusim::core
