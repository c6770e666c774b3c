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
    virtual nlohmann::json to_json() const = 0;
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
    nlohmann::json to_json() const override { return value_; }

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
    nlohmann::json to_json() const override;
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

    void set(int64_t v);
    int64_t value() const { return value_; }
    double mean() const;
    nlohmann::json to_json() const override;
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
    nlohmann::json to_json() const override;
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
    static uint64_t picoseconds_per_tick();
};

// A value computed when stats are dumped (bandwidth, ratios).
class Formula : public StatBase {
public:
    Formula(const sc_core::sc_object* owner, const std::string& local, std::string description,
            std::string unit, std::function<nlohmann::json()> f)
        : StatBase(owner, local, std::move(description), std::move(unit)), f_(std::move(f)) {}
    Formula(std::string full_name, std::string description, std::string unit,
            std::function<nlohmann::json()> f)
        : StatBase(std::move(full_name), std::move(description), std::move(unit)), f_(std::move(f)) {}
    nlohmann::json to_json() const override { return f_(); }

private:
    std::function<nlohmann::json()> f_;
};

class StatsRegistry {
public:
    static StatsRegistry& instance();
    void add(StatBase* s);
    void remove(StatBase* s);
    const StatBase* find(const std::string& name) const;
    // One flat object, keys sorted: {"dma0.transactions": 100, "dma0.latency": {...}}.
    nlohmann::json dump() const;
    void print_list(std::ostream& os) const;

private:
    std::map<std::string, StatBase*> stats_;
};

}  // namespace smmusim::core
