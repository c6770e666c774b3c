#pragma once
// The process-wide table of parameters and of the values the user asked for. Values are
// recorded (from --config files and --set) before the platform is built; each parameter
// takes its value when constructed; afterwards check_overrides_used() reports any key that
// named no parameter.

#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace smmusim::core {

class ParamBase;

class ParamRegistry {
public:
    static ParamRegistry& instance();

    // Later calls for the same key replace earlier ones (--set after --config).
    void set_override(const std::string& key, const nlohmann::json& value, const std::string& source);
    // Reads a JSON file of nested objects and/or dotted keys. Throws InputError naming the file
    // (and line, for syntax errors) or key.
    void load_config_file(const std::string& path);
    // The same for JSON already parsed; `source` names it in messages.
    void load_config_json(const nlohmann::json& j, const std::string& source);
    // "a.b.c=VALUE" from the command line.
    void apply_set(const std::string& assignment);

    // A platform's own defaults (its topology file's `params`): a parameter constructed while
    // they are set takes its key's value as its default, below every override. Replaces the
    // previous platform's; `source` names the file and key in messages.
    void set_defaults(std::map<std::string, std::pair<nlohmann::json, std::string>> defaults);

    // Throws InputError for the first key no parameter took (override or platform default),
    // with the nearest names.
    void check_overrides_used() const;

    const ParamBase* find(const std::string& name) const;
    std::vector<const ParamBase*> all() const;  // sorted by name
    // The effective value of every parameter, flat dotted keys: valid input to --config.
    nlohmann::json effective_config() const;
    // Parameters whose name matches `pattern` (stats.h name_matches; empty: all).
    void print_list(std::ostream& os, const std::string& pattern = {}) const;

    // Forget the user's values (unit tests that build several configurations in one process).
    void clear_overrides();

    // Used by ParamBase.
    void add(ParamBase* p);
    void remove(ParamBase* p);
    struct Override {
        nlohmann::json value;
        std::string source;
        bool used = false;
    };
    Override* take(const std::string& key);
    Override* take_default(const std::string& key);

private:
    std::map<std::string, ParamBase*> params_;
    std::map<std::string, Override> overrides_, defaults_;
};

}  // namespace smmusim::core
