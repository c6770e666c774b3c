#pragma once
// The arguments of a span in the transaction trace (models/core/txn_trace.h), typed, so that
// each trace format encodes them its own way: the JSON writes `"key":value` members, the
// Perfetto protobuf writes debug annotations with interned keys and string values.
// Keys and string values are interned by address (the Perfetto writer keeps one id per
// pointer): they must be string literals or strings that outlive the trace and never change,
// never a buffer the caller formats into.

#include <cassert>
#include <cstdint>

namespace smmusim::core {

struct TraceArg {
    enum class Kind : uint8_t {
        Uint,     // JSON 123, Perfetto uint_value
        Hex,      // JSON "0x7b", Perfetto pointer_value (shown in hex)
        Str,      // JSON "text", Perfetto an interned string value
        Bool,     // JSON true/false, Perfetto bool_value
        Null,     // JSON null (the member is there, without a value); Perfetto omits it
        HexPair,  // JSON ["0x1","0x2"], Perfetto two pointer values named key[0] and key[1]
    };
    const char* key;
    Kind kind;
    uint64_t a;
    uint64_t b;
    const char* s;
};

// Up to kMax arguments in the order they are added (the JSON writes them in that order).
class TraceArgs {
public:
    static constexpr unsigned kMax = 10;

    TraceArgs& u(const char* key, uint64_t v) { return add({key, TraceArg::Kind::Uint, v, 0, nullptr}); }
    TraceArgs& hex(const char* key, uint64_t v) { return add({key, TraceArg::Kind::Hex, v, 0, nullptr}); }
    TraceArgs& str(const char* key, const char* v) { return add({key, TraceArg::Kind::Str, 0, 0, v}); }
    TraceArgs& flag(const char* key, bool v) { return add({key, TraceArg::Kind::Bool, v, 0, nullptr}); }
    TraceArgs& null(const char* key) { return add({key, TraceArg::Kind::Null, 0, 0, nullptr}); }
    TraceArgs& hex_pair(const char* key, uint64_t v0, uint64_t v1) {
        return add({key, TraceArg::Kind::HexPair, v0, v1, nullptr});
    }

    TraceArgs& append(const TraceArg& a) { return add(a); }

    const TraceArg* begin() const { return args_; }
    const TraceArg* end() const { return args_ + n_; }
    bool empty() const { return n_ == 0; }

private:
    // A call beyond kMax is dropped (a programming error: no caller passes that many, and the
    // tests compare the formats).
    TraceArgs& add(const TraceArg& a) {
        assert(n_ < kMax);
        if (n_ < kMax) args_[n_++] = a;
        return *this;
    }
    TraceArg args_[kMax];
    unsigned n_ = 0;
};

}  // namespace smmusim::core
