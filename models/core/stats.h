#pragma once
// Statistics registered under their owner's sc_object path (`dma0.latency`) and dumped to
// stats.json as one flat object. Stat descriptions use the SMMUv3 PMU event names where one
// exists.

#include <cstdint>
#include <functional>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <systemc>

#include "models/core/histogram.h"
#include "models/core/sim_time.h"

namespace smmusim::core {

__extension__ typedef unsigned __int128 uint128;  // exact integrals of large tick counts

class StatBase {
public:
    StatBase(const StatBase&) = delete;
    StatBase& operator=(const StatBase&) = delete;
    virtual ~StatBase();

    const std::string& name() const { return name_; }
    const std::string& description() const { return description_; }
    const std::string& unit() const { return unit_; }
    // "counter", "average", "level", "histogram" or "formula" (--list-stats, stats.json).
    virtual const char* kind() const = 0;
    virtual nlohmann::json to_json() const = 0;
    // Forget what was measured so far (--warmup); a level keeps its current value.
    virtual void reset() = 0;
    // Fields of a stat whose value is an object ("mean", "p99", ...): what a sweep may name
    // as stat.field. Empty for a single value (counters, formulas).
    virtual std::vector<std::string> fields() const { return {}; }

protected:
    StatBase(const sc_core::sc_object* owner, const std::string& local, std::string description,
             std::string unit);
    StatBase(std::string full_name, std::string description, std::string unit);

private:
    std::string name_, description_, unit_;
};

class Counter : public StatBase {
public:
    Counter(const sc_core::sc_object* owner, const std::string& local, std::string description,
            std::string unit = "")
        : StatBase(owner, local, std::move(description), std::move(unit)) {}
    Counter(std::string full_name, std::string description, std::string unit = "")
        : StatBase(std::move(full_name), std::move(description), std::move(unit)) {}

    Counter& operator++() {
        ++value_;
        return *this;
    }
    Counter& operator+=(uint64_t n) {
        value_ += n;
        return *this;
    }
    uint64_t value() const { return value_; }
    const char* kind() const override { return "counter"; }
    nlohmann::json to_json() const override { return value_; }
    void reset() override { value_ = 0; }

private:
    uint64_t value_ = 0;
};

// Mean, min and max of samples.
class Average : public StatBase {
public:
    Average(const sc_core::sc_object* owner, const std::string& local, std::string description,
            std::string unit = "")
        : StatBase(owner, local, std::move(description), std::move(unit)) {}

    void sample(double x);
    uint64_t count() const { return count_; }
    double mean() const { return count_ ? sum_ / double(count_) : 0.0; }
    const char* kind() const override { return "average"; }
    nlohmann::json to_json() const override;
    void reset() override { count_ = 0, sum_ = min_ = max_ = 0; }
    std::vector<std::string> fields() const override;

private:
    uint64_t count_ = 0;
    double sum_ = 0, min_ = 0, max_ = 0;
};

// A level over time (queue occupancy, outstanding requests): time-weighted mean and maximum.
class Level : public StatBase {
public:
    Level(const sc_core::sc_object* owner, const std::string& local, std::string description,
          std::string unit = "")
        : StatBase(owner, local, std::move(description), std::move(unit)) {}

    // Inline: several per transaction (slots, FIFOs, occupancy).
    void set(int64_t v) {
        const uint64_t t = now().value();
        area_ += static_cast<uint128>(value_ > 0 ? value_ : 0) * (t - last_);
        last_ = t;
        value_ = v;
        if (v > max_) max_ = v;
    }
    int64_t value() const { return value_; }
    double mean() const;
    const char* kind() const override { return "level"; }
    nlohmann::json to_json() const override;
    void reset() override;
    std::vector<std::string> fields() const override;

private:
    int64_t value_ = 0, max_ = 0;
    // Integral of the value over time, in value * time-resolution ticks (integer arithmetic:
    // set() is on per-transaction paths).
    uint128 area_ = 0;
    uint64_t last_ = 0;
};

// Distribution of integer samples with percentiles.
class Histogram : public StatBase {
public:
    Histogram(const sc_core::sc_object* owner, const std::string& local, std::string description,
              std::string unit = "")
        : StatBase(owner, local, std::move(description), std::move(unit)) {}
    Histogram(std::string full_name, std::string description, std::string unit = "")
        : StatBase(std::move(full_name), std::move(description), std::move(unit)) {}

    void sample(uint64_t v) { h_.add(v); }
    const LogLinearHistogram& data() const { return h_; }
    const char* kind() const override { return "histogram"; }
    nlohmann::json to_json() const override;
    void reset() override { h_.clear(); }
    std::vector<std::string> fields() const override;

protected:
    // Samples are stored in integer units and reported divided by `scale` (ps stored, ns shown).
    double scale_ = 1.0;

private:
    LogLinearHistogram h_;
};

// Latencies: stored in picoseconds, reported in nanoseconds.
class TimeHistogram : public Histogram {
public:
    TimeHistogram(const sc_core::sc_object* owner, const std::string& local, std::string description)
        : Histogram(owner, local, std::move(description), "ns") {
        scale_ = 1000.0;
    }
    void sample(const sc_core::sc_time& t) {
        Histogram::sample(uint64_t(t.value()) * picoseconds_per_tick());
    }

private:
    static uint64_t picoseconds_per_tick() {
        static const uint64_t ps = uint64_t(sc_core::sc_get_time_resolution().to_seconds() * 1e12 + 0.5);
        return ps;
    }
};

// A value computed when stats are dumped (bandwidth, ratios). `on_reset` (optional) restarts
// whatever window the formula measures over (its counters reset themselves).
class Formula : public StatBase {
public:
    Formula(const sc_core::sc_object* owner, const std::string& local, std::string description,
            std::string unit, std::function<nlohmann::json()> f, std::function<void()> on_reset = {})
        : StatBase(owner, local, std::move(description), std::move(unit)), f_(std::move(f)),
          on_reset_(std::move(on_reset)) {}
    Formula(std::string full_name, std::string description, std::string unit,
            std::function<nlohmann::json()> f, std::function<void()> on_reset = {})
        : StatBase(std::move(full_name), std::move(description), std::move(unit)), f_(std::move(f)),
          on_reset_(std::move(on_reset)) {}
    const char* kind() const override { return "formula"; }
    nlohmann::json to_json() const override { return f_(); }
    void reset() override {
        if (on_reset_) on_reset_();
    }

private:
    std::function<nlohmann::json()> f_;
    std::function<void()> on_reset_;
};

// A count a model or the software keeps itself (a walker's counter, the hypervisor's traps),
// which no stats reset reaches:
// reports what was counted since the last reset (--warmup, a workload's warm-up), as a Counter
// would, instead of the whole run.
class CountSince : public StatBase {
public:
    CountSince(const sc_core::sc_object* owner, const std::string& local, std::string description,
               std::string unit, std::function<uint64_t()> f)
        : StatBase(owner, local, std::move(description), std::move(unit)), f_(std::move(f)) {}
    CountSince(std::string full_name, std::string description, std::string unit, std::function<uint64_t()> f)
        : StatBase(std::move(full_name), std::move(description), std::move(unit)), f_(std::move(f)) {}
    const char* kind() const override { return "formula"; }
    nlohmann::json to_json() const override { return f_() - base_; }
    void reset() override { base_ = f_(); }

private:
    std::function<uint64_t()> f_;
    uint64_t base_ = 0;
};

class StatsRegistry {
public:
    static StatsRegistry& instance();
    void add(StatBase* s);
    void remove(StatBase* s);
    const StatBase* find(const std::string& name) const;
    // One flat object, keys sorted: {"dma0.transactions": 100, "dma0.latency": {...}}.
    nlohmann::json dump() const;
    // {"dma0.latency": {"kind": "histogram", "unit": "ns"}, ...}: the "stats" member of stats.json.
    nlohmann::json kinds() const;
    // Name, kind, unit and description of every stat whose name matches `pattern` (a glob
    // with * and ?, or a substring; empty: all).
    void print_list(std::ostream& os, const std::string& pattern = {}) const;

    // Resets every stat (--warmup) and starts the measurement window now.
    void reset_all();
    // Simulated time, in time-resolution ticks, when the window started (0 without a reset).
    uint64_t epoch() const { return epoch_; }
    double window_seconds() const;

private:
    std::map<std::string, StatBase*> stats_;
    uint64_t epoch_ = 0;
};

// True when `name` matches `pattern`: a glob with * and ? if it has one, else a substring.
bool name_matches(const std::string& name, const std::string& pattern);

}  // namespace smmusim::core
