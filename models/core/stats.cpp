#include "models/core/stats.h"

#include <algorithm>
#include <iomanip>
#include <stdexcept>

#include "models/core/params.h"
#include "models/core/sim_time.h"

namespace smmusim::core {
namespace {

// The numeric members of a stat's JSON object: one definition of its fields, to_json().
std::vector<std::string> numeric_keys(const nlohmann::json& j) {
    std::vector<std::string> keys;
    for (auto it = j.begin(); it != j.end(); ++it)
        if (it.value().is_number()) keys.push_back(it.key());
    return keys;
}

}  // namespace

StatBase::StatBase(const sc_core::sc_object* owner, const std::string& local,
                   std::string description, std::string unit)
    : StatBase(join_name(owner, local), std::move(description), std::move(unit)) {}

StatBase::StatBase(std::string full_name, std::string description, std::string unit)
    : name_(std::move(full_name)), description_(std::move(description)), unit_(std::move(unit)) {
    StatsRegistry::instance().add(this);
}

StatBase::~StatBase() { StatsRegistry::instance().remove(this); }

void Average::sample(double x) {
    if (count_ == 0 || x < min_) min_ = x;
    if (count_ == 0 || x > max_) max_ = x;
    sum_ += x;
    ++count_;
}

nlohmann::json Average::to_json() const {
    return {{"mean", mean()}, {"min", min_}, {"max", max_}, {"count", count_}};
}

std::vector<std::string> Average::fields() const { return numeric_keys(to_json()); }

double Level::mean() const {
    const uint64_t now = core::now().value();
    const uint64_t start = StatsRegistry::instance().epoch();
    if (now <= start) return double(value_);
    const auto area = area_ + static_cast<uint128>(std::max<int64_t>(value_, 0)) * (now - last_);
    return double(area) / double(now - start);
}

void Level::reset() {
    area_ = 0;
    last_ = core::now().value();
    max_ = value_;
}

nlohmann::json Level::to_json() const { return {{"mean", mean()}, {"max", max_}}; }

std::vector<std::string> Level::fields() const { return numeric_keys(to_json()); }

nlohmann::json Histogram::to_json() const {
    auto v = [this](uint64_t x) { return double(x) / scale_; };
    nlohmann::json buckets = nlohmann::json::array();
    for (const auto& [lo, n] : h_.buckets()) buckets.push_back({v(lo), n});
    return {{"count", h_.count()}, {"mean", h_.mean() / scale_}, {"min", v(h_.min())},
            {"max", v(h_.max())},  {"p50", v(h_.percentile(50))},  {"p90", v(h_.percentile(90))},
            {"p99", v(h_.percentile(99))}, {"p999", v(h_.percentile(99.9))},
            {"unit", unit()},      {"buckets", buckets}};
}

std::vector<std::string> Histogram::fields() const { return numeric_keys(to_json()); }

StatsRegistry& StatsRegistry::instance() {
    static StatsRegistry reg;
    return reg;
}

void StatsRegistry::add(StatBase* s) {
    if (!stats_.emplace(s->name(), s).second)
        throw std::logic_error("stat '" + s->name() + "' declared twice");
}

void StatsRegistry::remove(StatBase* s) {
    auto it = stats_.find(s->name());
    if (it != stats_.end() && it->second == s) stats_.erase(it);
}

const StatBase* StatsRegistry::find(const std::string& name) const {
    auto it = stats_.find(name);
    return it == stats_.end() ? nullptr : it->second;
}

nlohmann::json StatsRegistry::dump() const {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& [name, s] : stats_) j[name] = s->to_json();
    return j;
}

nlohmann::json StatsRegistry::kinds() const {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& [name, s] : stats_) j[name] = {{"kind", s->kind()}, {"unit", s->unit()}};
    return j;
}

void StatsRegistry::print_list(std::ostream& os, const std::string& pattern) const {
    size_t w = 4;
    for (const auto& kv : stats_) w = std::max(w, kv.first.size());
    os << std::left << std::setw(int(w)) << "name" << "  " << std::setw(9) << "kind" << "  "
       << std::setw(6) << "unit" << "  description\n";
    for (const auto& [name, s] : stats_) {
        if (!name_matches(name, pattern)) continue;
        os << std::left << std::setw(int(w)) << name << "  " << std::setw(9) << s->kind() << "  "
           << std::setw(6) << s->unit() << "  " << s->description();
        // The fields a sweep or a reader may name as NAME.FIELD (scripts/sweep checks them).
        const std::vector<std::string> f = s->fields();
        for (size_t i = 0; i < f.size(); ++i) os << (i ? " ." : " (fields: .") << f[i];
        if (!f.empty()) os << ")";
        os << "\n";
    }
}

void StatsRegistry::reset_all() {
    epoch_ = core::now().value();
    for (auto& kv : stats_) kv.second->reset();
}

double StatsRegistry::window_seconds() const {
    const uint64_t now = core::now().value();
    return now > epoch_ ? double(now - epoch_) * sc_core::sc_get_time_resolution().to_seconds() : 0.0;
}

bool name_matches(const std::string& name, const std::string& pattern) {
    if (pattern.empty()) return true;
    if (pattern.find_first_of("*?") == std::string::npos) return name.find(pattern) != std::string::npos;
    // Glob: iterative match with backtracking to the last '*'.
    size_t n = 0, p = 0, star = std::string::npos, mark = 0;
    while (n < name.size()) {
        if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == name[n])) {
            ++n, ++p;
        } else if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            mark = n;
        } else if (star != std::string::npos) {
            p = star + 1;
            n = ++mark;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*') ++p;
    return p == pattern.size();
}

}  // namespace smmusim::core
