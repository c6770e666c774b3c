#pragma once
// A protobuf message under construction, in a reused byte buffer (no allocation once it has
// grown to its largest message): varint, fixed64 and length-delimited fields, with nested
// messages whose length is patched in when they close. Encoding per the protobuf wire format
// (https://protobuf.dev/programming-guides/encoding): a field is its tag (number << 3 | wire
// type) then its value; lengths are minimal varints.

#include <cstdint>
#include <cstring>
#include <vector>

namespace smmusim::core {

class ProtoWriter {
public:
    enum WireType : unsigned { kVarint = 0, kFixed64 = 1, kLengthDelimited = 2 };

    static unsigned varint_size(uint64_t v) {
        unsigned k = 1;
        while (v >= 0x80) {
            v >>= 7;
            ++k;
        }
        return k;
    }

    // The raw encoders (into a buffer known to have room), which the per-span path writes with
    // directly and the methods below use.
    static char* put_varint(char* p, uint64_t v) {
        while (v >= 0x80) {
            *p++ = char(v | 0x80);
            v >>= 7;
        }
        *p++ = char(v);
        return p;
    }
    static char* put_fixed64(char* p, uint64_t v) {
        for (unsigned i = 0; i < 8; ++i) *p++ = char(v >> (8 * i));  // little-endian
        return p;
    }
    // A field's tag (one byte for fields below 16, two below 2048).
    static char* put_tag(char* p, unsigned field, WireType t) { return put_varint(p, uint64_t(field) << 3 | t); }
    // A varint field: its tag and its value.
    static char* put_uint(char* p, unsigned field, uint64_t v) { return put_varint(put_tag(p, field, kVarint), v); }

    void clear() { n_ = 0; }
    size_t size() const { return n_; }
    const char* data() const { return reinterpret_cast<const char*>(b_.data()); }

    void varint(uint64_t v) {
        room(10);
        n_ = size_t(put_varint(end(), v) - data());
    }
    void tag(unsigned field, WireType t) { varint(uint64_t(field) << 3 | t); }
    void uint_field(unsigned field, uint64_t v) {
        tag(field, kVarint);
        varint(v);
    }
    void fixed64_field(unsigned field, uint64_t v) {
        tag(field, kFixed64);
        room(8);
        n_ = size_t(put_fixed64(end(), v) - data());
    }
    void bytes_field(unsigned field, const char* p, size_t len) {
        tag(field, kLengthDelimited);
        varint(len);
        room(len);
        std::memcpy(b_.data() + n_, p, len);
        n_ += len;
    }
    void bytes_field(unsigned field, const ProtoWriter& m) { bytes_field(field, m.data(), m.size()); }

    // A nested message: open() writes its tag and a one-byte length, close() patches the
    // length in (moving the body up when the length needs more than one byte).
    size_t open(unsigned field) {
        tag(field, kLengthDelimited);
        room(1);
        b_[n_] = 0;
        return n_++;
    }
    void close(size_t at) {
        const size_t len = n_ - at - 1;
        const unsigned k = varint_size(len);
        if (k > 1) {
            room(k - 1);
            std::memmove(b_.data() + at + k, b_.data() + at + 1, len);
            n_ += k - 1;
        }
        put_varint(reinterpret_cast<char*>(b_.data()) + at, len);
    }

private:
    char* end() { return reinterpret_cast<char*>(b_.data()) + n_; }
    void room(size_t k) {
        if (b_.size() - n_ < k) b_.resize(n_ + k < 2 * b_.size() ? 2 * b_.size() : n_ + k + 256);
    }
    std::vector<uint8_t> b_;
    size_t n_ = 0;
};

}  // namespace smmusim::core
