#pragma once
// An append buffer in front of a FILE for the output options that write a record per
// transaction or per signal change (VCD, transaction trace, JSON-lines logs): a record is appended with inline
// copies and digit loops, and the stream is called once per 64 KiB instead of once or more per
// field (each stdio call locks or parses a format; together they were most of a dump's cost).
// The owner flushes before writing to the stream directly and before closing it.

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace smmusim::core {

class OutBuffer {
public:
    // Room for the longest record appended at once; a longer string is copied in pieces.
    static constexpr size_t kCapacity = 1 << 16;

    OutBuffer() : buf_(kCapacity) {}
    OutBuffer(const OutBuffer&) = delete;
    OutBuffer& operator=(const OutBuffer&) = delete;

    void attach(std::FILE* f) {
        file_ = f;
        n_ = 0;
    }
    void flush() {
        if (n_ && file_) fwrite_unlocked(buf_.data(), 1, n_, file_);
        n_ = 0;
    }

    // At least `len` (<= kCapacity) bytes writable at the returned pointer; commit() what was used.
    char* reserve(size_t len) {
        if (kCapacity - n_ < len) flush();
        return buf_.data() + n_;
    }
    void commit(size_t len) { n_ += len; }

    OutBuffer& put(char c) {
        *reserve(1) = c;
        ++n_;
        return *this;
    }
    OutBuffer& put(const char* p, size_t len) {
        while (len) {
            const size_t k = len < kCapacity ? len : kCapacity;
            std::memcpy(reserve(k), p, k);
            n_ += k;
            p += k;
            len -= k;
        }
        return *this;
    }
    OutBuffer& put(const char* s) { return put(s, std::strlen(s)); }
    OutBuffer& put(const std::string& s) { return put(s.data(), s.size()); }

    // Decimal digits of `v`, no sign, no leading zeros: two digits per division (timestamps in
    // picoseconds have a dozen); the digit count from the bit length (log10(2) ~ 1233/4096),
    // corrected by one compare.
    OutBuffer& decimal(uint64_t v) {
        const unsigned k = decimal_digits(v);
        char* out = reserve(k) + k;
        n_ += k;
        while (v >= 100) {
            const unsigned r = unsigned(v % 100);
            v /= 100;
            *--out = kDigitPairs[2 * r + 1];
            *--out = kDigitPairs[2 * r];
        }
        if (v >= 10) {
            *--out = kDigitPairs[2 * v + 1];
            *--out = kDigitPairs[2 * v];
        } else {
            *--out = char('0' + v);
        }
        return *this;
    }
    // Short strings (signal codes, keys, names) copied without a library call.
    OutBuffer& put_short(const char* s, size_t len) {
        if (len > 32) return put(s, len);
        char* out = reserve(len);
        for (size_t i = 0; i < len; ++i) out[i] = s[i];
        n_ += len;
        return *this;
    }
    OutBuffer& put_short(const std::string& s) { return put_short(s.data(), s.size()); }
    // Lower-case hex digits of `v` after "0x", zero-padded to `min_digits` (at most 16).
    OutBuffer& hex(uint64_t v, unsigned min_digits = 0) {
        char d[16];
        unsigned k = 0;
        do d[k++] = "0123456789abcdef"[v & 15];
        while (v >>= 4);
        while (k < min_digits && k < 16) d[k++] = '0';
        char* out = reserve(k + 2);
        out[0] = '0';
        out[1] = 'x';
        for (unsigned i = 0; i < k; ++i) out[2 + i] = d[k - 1 - i];
        n_ += k + 2;
        return *this;
    }
    // `n` zeros (padding before a number).
    OutBuffer& zeros(size_t n) {
        while (n--) put('0');
        return *this;
    }
    // The count of decimal digits of `v` (1 for 0).
    static unsigned decimal_digits(uint64_t v) {
        const unsigned bits = 64 - unsigned(__builtin_clzll(v | 1));
        const unsigned k = (bits * 1233) >> 12;
        return k + ((v | 1) >= kPowersOfTen[k]);
    }

private:
    friend class DecimalText;
    static constexpr uint64_t kPowersOfTen[20] = {
        1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull, 10000000ull, 100000000ull,
        1000000000ull, 10000000000ull, 100000000000ull, 1000000000000ull, 10000000000000ull,
        100000000000000ull, 1000000000000000ull, 10000000000000000ull, 100000000000000000ull,
        1000000000000000000ull, 10000000000000000000ull};
    static constexpr char kDigitPairs[] =
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
        "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
        "8081828384858687888990919293949596979899";
    std::vector<char> buf_;
    size_t n_ = 0;
    std::FILE* file_ = nullptr;
};

// The decimal text of a counter that only grows by small steps (a VCD's timestamps, a dozen
// digits in picoseconds, a few nanoseconds apart): the value is kept as its high part (all
// but the last 8 digits, whose text is kept) and its low 8 digits, so a step that does not
// carry into the high part re-formats only the low 8 digits, in 32-bit arithmetic.
class DecimalText {
public:
    static constexpr size_t kMaxDigits = 20;  // 2^64 - 1 has 20

    DecimalText() { set(0); }
    void set(uint64_t v) {
        high_ = v / kLow;
        low_ = uint32_t(v % kLow);
        high_len_ = 0;
        for (uint64_t h = high_; h; h /= 10) digits_[kLowAt - ++high_len_] = char('0' + h % 10);
        format_low();
    }
    void add(uint64_t d) {
        if (d < kLow - low_) {  // no carry into the high part
            low_ += uint32_t(d);
            format_low();
        } else {
            set(value() + d);
        }
    }
    uint64_t value() const { return high_ * kLow + low_; }
    size_t size() const { return size_; }
    // The digits; kMaxDigits bytes are readable from here (padding after them), so that a
    // caller can copy a fixed kMaxDigits and keep size() of them.
    const char* data() const { return digits_ + kLowAt + 8 - size_; }

private:
    static constexpr uint32_t kLow = 100000000;  // the low part: 8 digits
    static constexpr size_t kLowAt = 12;         // the high part has at most 12 digits
    void format_low() {
        uint32_t x = low_;
        for (int i = 3; i >= 0; --i, x /= 100) std::memcpy(digits_ + kLowAt + 2 * i, OutBuffer::kDigitPairs + 2 * (x % 100), 2);
        size_ = high_ ? high_len_ + 8 : OutBuffer::decimal_digits(low_);
    }
    char digits_[kLowAt + 8 + kMaxDigits] = {};  // high digits end at kLowAt, then the low 8, then padding
    uint64_t high_ = 0;
    uint32_t low_ = 0;
    size_t high_len_ = 0, size_ = 1;
};

}  // namespace smmusim::core
