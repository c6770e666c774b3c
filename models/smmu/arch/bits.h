#pragma once
// Typed bit fields of SMMUv3 structures and registers. A Field names bits [Hi:Lo] of 64-bit
// word Word of a little-endian structure (reference: "dwN[h:l]"); structures are arrays of
// 64-bit words with get<F>() / set<F>() accessors, so the model and the driver read and
// write the same definitions.

#include <array>
#include <cstddef>
#include <cstdint>

namespace smmusim::smmu::arch {

template <unsigned Word, unsigned Hi, unsigned Lo = Hi>
struct Field {
    static_assert(Hi >= Lo && Hi < 64, "bad field");
    static constexpr unsigned word = Word, hi = Hi, lo = Lo, width = Hi - Lo + 1;
    static constexpr uint64_t ones = width == 64 ? ~uint64_t(0) : (uint64_t(1) << width) - 1;
    static constexpr uint64_t mask = ones << Lo;
    static constexpr uint64_t get(uint64_t w) { return (w & mask) >> Lo; }
    static constexpr uint64_t put(uint64_t w, uint64_t v) { return (w & ~mask) | ((v << Lo) & mask); }
    // Address fields keep their position: ADDR[55:6] is the address with bits [5:0] zero.
    static constexpr uint64_t address(uint64_t w) { return w & mask; }
    static constexpr uint64_t put_address(uint64_t w, uint64_t a) { return (w & ~mask) | (a & mask); }
};

// A field of a 32- or 64-bit register.
template <unsigned Hi, unsigned Lo = Hi>
using RegField = Field<0, Hi, Lo>;

template <typename F>
constexpr uint64_t get(uint64_t reg) {
    return F::get(reg);
}
template <typename F>
constexpr uint64_t put(uint64_t reg, uint64_t v) {
    return F::put(reg, v);
}

template <size_t N>
struct Words {
    static constexpr size_t kWords = N;
    static constexpr size_t kBytes = N * 8;
    std::array<uint64_t, N> dw{};

    template <typename F>
    constexpr uint64_t get() const {
        return F::get(dw[F::word]);
    }
    template <typename F>
    constexpr void set(uint64_t v) {
        dw[F::word] = F::put(dw[F::word], v);
    }
    template <typename F>
    constexpr uint64_t address() const {
        return F::address(dw[F::word]);
    }
    template <typename F>
    constexpr void set_address(uint64_t a) {
        dw[F::word] = F::put_address(dw[F::word], a);
    }
    // Little-endian bytes as they sit in memory.
    void load(const unsigned char* bytes) {
        for (size_t i = 0; i < N; ++i) {
            uint64_t v = 0;
            for (int b = 7; b >= 0; --b) v = (v << 8) | bytes[i * 8 + size_t(b)];
            dw[i] = v;
        }
    }
    void store(unsigned char* bytes) const {
        for (size_t i = 0; i < N; ++i)
            for (size_t b = 0; b < 8; ++b) bytes[i * 8 + b] = static_cast<unsigned char>(dw[i] >> (8 * b));
    }
    bool operator==(const Words& o) const { return dw == o.dw; }
    bool operator!=(const Words& o) const { return dw != o.dw; }
};

}  // namespace smmusim::smmu::arch
