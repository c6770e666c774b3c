#pragma once
// One fuzz target: libFuzzer's entry point, called with one input at a time. Every target
// under tests/fuzz/ defines it; random_driver.cpp (any compiler) or libFuzzer (clang,
// -DSMMU_FUZZ=libfuzzer) supplies main(). A target returns 0; a crash, a sanitizer report, an
// exception that is not the documented bad-input error, or a hang (the target aborts) is a
// finding.

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace smmusim::fuzz {

// Stops the process with `what` and the input being run (saved as crash-<target>-<n>): a finding.
[[noreturn]] void finding(const char* what);

// Reads input bytes as a stream of small values (what the SystemC targets decode into
// register writes, commands and table contents); past the end everything reads as 0.
class Bytes {
public:
    Bytes(const uint8_t* d, size_t n) : d_(d), n_(n) {}
    bool more() const { return i_ < n_; }
    uint8_t u8() { return i_ < n_ ? d_[i_++] : 0; }
    // Little-endian; each byte read in turn (the operands of | are not sequenced).
    uint16_t u16() {
        const uint16_t lo = u8();
        return uint16_t(lo | (u8() << 8));
    }
    uint32_t u32() {
        const uint32_t lo = u16();
        return lo | (uint32_t(u16()) << 16);
    }
    uint64_t u64() {
        const uint64_t lo = u32();
        return lo | (uint64_t(u32()) << 32);
    }
    // One of `n` choices (n > 0).
    unsigned pick(unsigned n) { return u8() % n; }

private:
    const uint8_t* d_;
    size_t n_;
    size_t i_ = 0;
};

}  // namespace smmusim::fuzz
