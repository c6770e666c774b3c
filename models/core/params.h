#pragma once
// Typed configuration parameters (DESIGN §6). A parameter is a member of the module it
// configures; its dotted name is the owner's sc_object path plus the member name
// (`dram.read_latency`). Values given with --config / --set are stored in the registry
// before elaboration and taken by each parameter when it is constructed, so a module's
// constructor already sees the effective value.

#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>
#include <systemc>

#include "models/core/errors.h"
#include "models/core/value_parse.h"

namespace smmusim::core {

std::string join_name(const sc_core::sc_object* owner, const std::string& local);

class ParamBase {
public:
    ParamBase(const ParamBase&) = delete;
    ParamBase& operator=(const ParamBase&) = delete;
    virtual ~ParamBase();

    const std::string& name() const { return name_; }
    const std::string& unit() const { return unit_; }
    const std::string& description() const { return description_; }
    // Where the value came from: "default", "--set", or a config file path.
    const std::string& source() const { return source_; }

    virtual const char* type_name() const = 0;
    virtual nlohmann::json to_json() const = 0;
    virtual std::string text() const = 0;
    virtual std::string default_text() const = 0;
    virtual std::string constraint_text() const { return {}; }

    // A module rejects a value it cannot use (not a power of two, ...): InputError naming
    // the source and the parameter.
    [[noreturn]] void fail(const std::string& why) const;

protected:
    ParamBase(std::string name, std::string unit, std::string description);
    // Derived constructors call this last: takes the user's value if one was given.
    void apply_override();
    // Throws std::invalid_argument with a short reason if `v` does not fit the type.
    virtual void assign(const nlohmann::json& v) = 0;
    // The value assign() just set is the default (a platform's topology default).
    virtual void adopt_default() = 0;

private:
    std::string name_, unit_, description_, source_ = "default";
};

template <typename T>
struct Range {
    T lo, hi;
};

namespace detail {

[[noreturn]] void bad_value(const std::string& why);
std::string integer_text(uint64_t v, bool negative, const std::string& unit);

template <typename T>
T narrow_unsigned(uint64_t x) {
    if (x > uint64_t(std::numeric_limits<T>::max())) bad_value("integer too large for this parameter");
    return T(x);
}

template <typename T>
T narrow_signed(int64_t x) {
    if constexpr (!std::is_signed_v<T>) {
        if (x < 0) bad_value("expected a non-negative integer");
        return narrow_unsigned<T>(uint64_t(x));
    } else {
        if (x < int64_t(std::numeric_limits<T>::min()) || x > int64_t(std::numeric_limits<T>::max()))
            bad_value("integer out of range for this parameter");
        return T(x);
    }
}

}  // namespace detail

// How each value type is read from JSON (numbers, or strings for hex / sizes / times) and
// shown in listings. Strings always go through value_parse so --set and JSON agree.
template <typename T, typename Enable = void>
struct ParamTraits;

template <typename T>
struct ParamTraits<T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>>> {
    static const char* name() { return std::is_signed_v<T> ? "int" : "uint"; }
    static T from_json(const nlohmann::json& v) {
        std::string err;
        if (v.is_string()) {
            if constexpr (std::is_signed_v<T>) {
                int64_t x;
                if (!parse_i64(v.get<std::string>(), x, err)) detail::bad_value(err);
                return detail::narrow_signed<T>(x);
            } else {
                uint64_t x;
                if (!parse_u64(v.get<std::string>(), x, err)) detail::bad_value(err);
                return detail::narrow_unsigned<T>(x);
            }
        }
        if (v.is_number_unsigned()) return detail::narrow_unsigned<T>(v.get<uint64_t>());
        if (v.is_number_integer()) return detail::narrow_signed<T>(v.get<int64_t>());
        detail::bad_value("expected an integer, got " + v.dump());
    }
    static nlohmann::json to_json(T v) { return v; }
    static std::string text(T v, const std::string& unit) {
        bool neg = false;
        uint64_t mag = uint64_t(v);
        if constexpr (std::is_signed_v<T>) {
            neg = v < 0;
            mag = neg ? uint64_t(0) - uint64_t(v) : uint64_t(v);
        }
        return detail::integer_text(mag, neg, unit);
    }
};

template <>
struct ParamTraits<bool> {
    static const char* name() { return "bool"; }
    static bool from_json(const nlohmann::json& v);
    static nlohmann::json to_json(bool v) { return v; }
    static std::string text(bool v, const std::string&) { return v ? "true" : "false"; }
};

template <>
struct ParamTraits<double> {
    static const char* name() { return "double"; }
    static double from_json(const nlohmann::json& v);
    static nlohmann::json to_json(double v) { return v; }
    static std::string text(double v, const std::string&);
};

template <>
struct ParamTraits<std::string> {
    static const char* name() { return "string"; }
    static std::string from_json(const nlohmann::json& v);
    static nlohmann::json to_json(const std::string& v) { return v; }
    static std::string text(const std::string& v, const std::string&) { return v; }
};

template <>
struct ParamTraits<sc_core::sc_time> {
    static const char* name() { return "time"; }
    static sc_core::sc_time from_json(const nlohmann::json& v);
    static nlohmann::json to_json(const sc_core::sc_time& v) { return format_time(v); }
    static std::string text(const sc_core::sc_time& v, const std::string&) { return format_time(v); }
};

template <typename T>
class Param : public ParamBase {
    using Traits = ParamTraits<T>;

public:
    Param(const sc_core::sc_object* owner, const std::string& local, T def, std::string unit,
          std::string description)
        : Param(join_name(owner, local), std::move(def), std::move(unit), std::move(description)) {}
    Param(const sc_core::sc_object* owner, const std::string& local, T def, std::string unit,
          std::string description, Range<T> range)
        : Param(join_name(owner, local), std::move(def), std::move(unit), std::move(description),
                range) {}
    // For parameters that belong to no sc_object (software, simulation control).
    Param(std::string full_name, T def, std::string unit, std::string description)
        : ParamBase(std::move(full_name), std::move(unit), std::move(description)),
          value_(def),
          default_(std::move(def)) {
        apply_override();
    }
    Param(std::string full_name, T def, std::string unit, std::string description, Range<T> range)
        : ParamBase(std::move(full_name), std::move(unit), std::move(description)),
          value_(def),
          default_(std::move(def)),
          range_(range),
          has_range_(true) {
        apply_override();
    }

    const T& value() const { return value_; }
    operator const T&() const { return value_; }

    const char* type_name() const override { return Traits::name(); }
    nlohmann::json to_json() const override {
        // Addresses read better as hex strings, which --config accepts as well.
        if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>)
            if (unit() == "address") return text();
        return Traits::to_json(value_);
    }
    std::string text() const override { return Traits::text(value_, unit()); }
    std::string default_text() const override { return Traits::text(default_, unit()); }
    std::string constraint_text() const override {
        if (!has_range_) return {};
        return "[" + Traits::text(range_.lo, unit()) + ", " + Traits::text(range_.hi, unit()) + "]";
    }

protected:
    void assign(const nlohmann::json& v) override {
        T x = Traits::from_json(v);
        if (has_range_ && (x < range_.lo || x > range_.hi))
            detail::bad_value(Traits::text(x, unit()) + " is outside " + constraint_text());
        value_ = x;
    }
    void adopt_default() override { default_ = value_; }

private:
    T value_;
    T default_;
    Range<T> range_{};
    bool has_range_ = false;
};

// A choice among named values, e.g. the traffic pattern or a replacement policy.
template <typename E>
class EnumParam : public ParamBase {
public:
    using Choices = std::vector<std::pair<std::string, E>>;

    EnumParam(const sc_core::sc_object* owner, const std::string& local, E def, Choices choices,
              std::string description)
        : EnumParam(join_name(owner, local), def, std::move(choices), std::move(description)) {}
    EnumParam(std::string full_name, E def, Choices choices, std::string description)
        : ParamBase(std::move(full_name), "", std::move(description)),
          value_(def),
          default_(def),
          choices_(std::move(choices)) {
        apply_override();
    }

    E value() const { return value_; }
    operator E() const { return value_; }
    const std::string& label(E e) const {
        for (const auto& c : choices_)
            if (c.second == e) return c.first;
        throw std::logic_error("EnumParam " + name() + ": value has no label");
    }

    const char* type_name() const override { return "enum"; }
    nlohmann::json to_json() const override { return label(value_); }
    std::string text() const override { return label(value_); }
    std::string default_text() const override { return label(default_); }
    std::string constraint_text() const override {
        std::string s = "{";
        for (size_t i = 0; i < choices_.size(); ++i) s += (i ? "|" : "") + choices_[i].first;
        return s + "}";
    }

protected:
    void assign(const nlohmann::json& v) override {
        if (!v.is_string()) detail::bad_value("expected one of " + constraint_text());
        const std::string s = v.get<std::string>();
        for (const auto& c : choices_) {
            if (c.first == s) {
                value_ = c.second;
                return;
            }
        }
        detail::bad_value("'" + s + "' is not one of " + constraint_text());
    }
    void adopt_default() override { default_ = value_; }

private:
    E value_;
    E default_;
    Choices choices_;
};

}  // namespace smmusim::core
