#include "models/core/rng.h"

namespace smmusim::core {
namespace {

uint64_t splitmix64(uint64_t& x) {
    uint64_t z = (x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

Rng::Rng(uint64_t seed) {
    for (uint64_t& s : s_) s = splitmix64(seed);
}

uint64_t Rng::next() {
    uint64_t result = rotl(s_[1] * 5, 7) * 9;
    uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
}

uint64_t Rng::below(uint64_t n) {
    // Rejection of the biased tail keeps every value equally likely. For a power of two the same
    // values without a division: ~0 % n is n - 1, x % n is x & (n - 1).
    const bool pow2 = n && (n & (n - 1)) == 0;
    const uint64_t limit = ~uint64_t(0) - (pow2 ? n - 1 : ~uint64_t(0) % n) - 1;
    uint64_t x;
    do {
        x = next();
    } while (x > limit);
    return pow2 ? x & (n - 1) : x % n;
}

double Rng::uniform() { return double(next() >> 11) * 0x1.0p-53; }

uint64_t derive_seed(uint64_t run_seed, const std::string& name) {
    uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a
    for (unsigned char c : name) {
        h ^= c;
        h *= 0x100000001b3ull;
    }
    uint64_t x = run_seed ^ h;
    return splitmix64(x);
}

}  // namespace smmusim::core
