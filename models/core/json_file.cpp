#include "models/core/json_file.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "models/core/errors.h"

namespace smmusim::core {
namespace {

using nlohmann::json;

template <typename Input>
json parse_bounded(Input&& in, const std::string& source) {
    // The callback sees each value's depth as it is parsed; refusing (and stopping) there
    // means no deep tree is ever built, so nothing recurses deeply later either.
    json::parser_callback_t cb = [&](int depth, json::parse_event_t, json&) {
        if (depth > kMaxJsonDepth) {
            throw InputError(source + ": objects and arrays nested deeper than " +
                             std::to_string(kMaxJsonDepth) + " levels");
        }
        return true;
    };
    try {
        return json::parse(std::forward<Input>(in), cb);
    } catch (const json::parse_error& e) {
        // nlohmann's message names the line and column of the syntax error.
        throw InputError(source + ": malformed JSON: " + e.what());
    } catch (const json::exception& e) {
        // out_of_range.406: a number that does not fit a double, such as 1e999.
        throw InputError(source + ": bad JSON value: " + e.what());
    }
}

}  // namespace

json read_json_file(const std::string& path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) throw InputError(path + ": is a directory, not a JSON file");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError(path + ": cannot open");
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) throw InputError(path + ": cannot read");
    return parse_bounded(text.str(), path);
}

json parse_json_text(const std::string& text, const std::string& source) { return parse_bounded(text, source); }

}  // namespace smmusim::core
