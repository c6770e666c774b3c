#include "models/core/params.h"

#include <cstdio>

#include "models/core/param_registry.h"

namespace smmusim::core {

std::string join_name(const sc_core::sc_object* owner, const std::string& local) {
    return owner ? std::string(owner->name()) + "." + local : local;
}

ParamBase::ParamBase(std::string name, std::string unit, std::string description)
    : name_(std::move(name)), unit_(std::move(unit)), description_(std::move(description)) {
    ParamRegistry::instance().add(this);
}

ParamBase::~ParamBase() { ParamRegistry::instance().remove(this); }

void ParamBase::fail(const std::string& why) const {
    throw InputError(source_ + ": parameter '" + name_ + "': " + why);
}

void ParamBase::apply_override() {
    if (ParamRegistry::Override* d = ParamRegistry::instance().take_default(name_)) {
        source_ = d->source;
        try {
            assign(d->value);
        } catch (const std::invalid_argument& e) {
            fail(e.what());
        }
        adopt_default();
    }
    ParamRegistry::Override* o = ParamRegistry::instance().take(name_);
    if (!o) return;
    source_ = o->source;
    try {
        assign(o->value);
    } catch (const std::invalid_argument& e) {
        fail(e.what());
    }
}

namespace detail {

void bad_value(const std::string& why) { throw std::invalid_argument(why); }

std::string integer_text(uint64_t v, bool negative, const std::string& unit) {
    if (negative) return "-" + std::to_string(v);
    if (unit == "address") return hex(v);
    if (unit == "bytes" && v >= 1024) return format_size(v);
    return std::to_string(v);
}

}  // namespace detail

bool ParamTraits<bool>::from_json(const nlohmann::json& v) {
    if (v.is_boolean()) return v.get<bool>();
    bool b;
    std::string err;
    if (v.is_string() && parse_bool(v.get<std::string>(), b, err)) return b;
    detail::bad_value("expected a boolean (true/false), got " + v.dump());
}

double ParamTraits<double>::from_json(const nlohmann::json& v) {
    if (v.is_number()) return v.get<double>();
    double d;
    std::string err;
    if (v.is_string() && parse_double(v.get<std::string>(), d, err)) return d;
    detail::bad_value("expected a number, got " + v.dump());
}

std::string ParamTraits<double>::text(double v, const std::string&) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.10g", v);
    return buf;
}

std::string ParamTraits<std::string>::from_json(const nlohmann::json& v) {
    if (!v.is_string()) detail::bad_value("expected a string, got " + v.dump());
    return v.get<std::string>();
}

sc_core::sc_time ParamTraits<sc_core::sc_time>::from_json(const nlohmann::json& v) {
    if (!v.is_string())
        detail::bad_value("expected a time string with a unit such as \"10 ns\" or \"1 GHz\", got " +
                          v.dump());
    sc_core::sc_time t;
    std::string err;
    if (!parse_time(v.get<std::string>(), t, err)) detail::bad_value(err);
    return t;
}

}  // namespace smmusim::core
