#include "models/core/param_registry.h"

#include <algorithm>
#include <iomanip>
#include <sstream>

#include "models/core/errors.h"
#include "models/core/json_file.h"
#include "models/core/params.h"
#include "models/core/stats.h"

namespace smmusim::core {
namespace {

size_t edit_distance(const std::string& a, const std::string& b) {
    std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        for (size_t j = 1; j <= b.size(); ++j)
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])});
        std::swap(prev, cur);
    }
    return prev[b.size()];
}

void flatten(const nlohmann::json& j, const std::string& prefix, const std::string& source,
             ParamRegistry& reg) {
    for (auto it = j.begin(); it != j.end(); ++it) {
        const std::string key = prefix.empty() ? it.key() : prefix + "." + it.key();
        if (it.key().empty() || it.key().front() == '.' || it.key().back() == '.')
            throw InputError(source + ": malformed parameter key '" + key + "'");
        const nlohmann::json& v = it.value();
        if (v.is_object()) {
            flatten(v, key, source, reg);
        } else if (v.is_array() || v.is_null()) {
            throw InputError(source + ": parameter '" + key + "': " +
                             (v.is_null() ? "null" : "an array") + " is not a parameter value");
        } else {
            reg.set_override(key, v, source);
        }
    }
}

}  // namespace

ParamRegistry& ParamRegistry::instance() {
    static ParamRegistry reg;
    return reg;
}

void ParamRegistry::set_override(const std::string& key, const nlohmann::json& value,
                                 const std::string& source) {
    overrides_[key] = Override{value, source, false};
}

void ParamRegistry::load_config_file(const std::string& path) {
    load_config_json(read_json_file(path), path);  // bounded depth, so flatten's recursion is too
}

void ParamRegistry::load_config_json(const nlohmann::json& j, const std::string& source) {
    if (!j.is_object()) throw InputError(source + ": a config file must hold one JSON object");
    flatten(j, "", source, *this);
}

void ParamRegistry::apply_set(const std::string& assignment) {
    size_t eq = assignment.find('=');
    if (eq == std::string::npos || eq == 0)
        throw InputError("--set '" + assignment + "': expected name=value");
    set_override(assignment.substr(0, eq), assignment.substr(eq + 1), "--set");
}

void ParamRegistry::set_defaults(std::map<std::string, std::pair<nlohmann::json, std::string>> defaults) {
    defaults_.clear();
    for (auto& [key, d] : defaults) defaults_[key] = Override{std::move(d.first), std::move(d.second), false};
}

void ParamRegistry::check_overrides_used() const {
    for (const auto* table : {&defaults_, &overrides_})
      for (const auto& [key, o] : *table) {
        if (o.used) continue;
        std::vector<std::pair<size_t, std::string>> near;
        for (const auto& [name, p] : params_) {
            size_t d = edit_distance(key, name);
            if (d <= std::max<size_t>(2, key.size() / 5)) near.emplace_back(d, name);
        }
        std::sort(near.begin(), near.end());
        std::string msg = o.source + ": unknown parameter '" + key + "'";
        for (size_t i = 0; i < near.size() && i < 3; ++i)
            msg += (i ? ", '" : " (did you mean '") + near[i].second + "'";
        if (!near.empty()) msg += ")";
        msg += "; --list-params lists them all";
        throw InputError(msg);
      }
}

const ParamBase* ParamRegistry::find(const std::string& name) const {
    auto it = params_.find(name);
    return it == params_.end() ? nullptr : it->second;
}

std::vector<const ParamBase*> ParamRegistry::all() const {
    std::vector<const ParamBase*> v;
    for (const auto& kv : params_) v.push_back(kv.second);
    return v;
}

nlohmann::json ParamRegistry::effective_config() const {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& [name, p] : params_) j[name] = p->to_json();
    return j;
}

void ParamRegistry::print_list(std::ostream& os, const std::string& pattern) const {
    size_t w = 4;
    for (const auto& kv : params_) w = std::max(w, kv.first.size());
    os << std::left << std::setw(int(w)) << "name" << "  " << std::setw(7) << "type" << "  "
       << std::setw(14) << "value" << "  " << std::setw(8) << "unit"
       << "  description [default; range]\n";
    for (const auto& [name, p] : params_) {
        if (!name_matches(name, pattern)) continue;
        os << std::left << std::setw(int(w)) << name << "  " << std::setw(7) << p->type_name()
           << "  " << std::setw(14) << p->text() << "  " << std::setw(8) << p->unit() << "  "
           << p->description() << " [default " << p->default_text();
        if (!p->constraint_text().empty()) os << "; " << p->constraint_text();
        os << "]\n";
    }
}

void ParamRegistry::clear_overrides() {
    overrides_.clear();
    defaults_.clear();
}

void ParamRegistry::add(ParamBase* p) {
    if (!params_.emplace(p->name(), p).second)
        throw std::logic_error("parameter '" + p->name() + "' declared twice");
}

void ParamRegistry::remove(ParamBase* p) {
    auto it = params_.find(p->name());
    if (it != params_.end() && it->second == p) params_.erase(it);
}

namespace {
ParamRegistry::Override* take_from(std::map<std::string, ParamRegistry::Override>& table, const std::string& key) {
    auto it = table.find(key);
    if (it == table.end()) return nullptr;
    it->second.used = true;
    return &it->second;
}
}  // namespace

ParamRegistry::Override* ParamRegistry::take(const std::string& key) { return take_from(overrides_, key); }
ParamRegistry::Override* ParamRegistry::take_default(const std::string& key) { return take_from(defaults_, key); }

}  // namespace smmusim::core
