// A deterministic stand-in for libFuzzer where it cannot be had (g++ builds, the sanitizer
// build): runs every seed input of the corpus directories given, then random mutations of
// them (bit flips, byte values, interesting integers, insertions, deletions, splices) from
// one seed, so a run is reproducible from its command line. Prints executions per second.
//
//   fuzz_X [--runs N] [--seconds S] [--seed K] [--max-len L] CORPUS_DIR...
//
// A finding (crash, sanitizer report, unexpected exception, hang) writes the input to
// crash-<target>-<execution> in the working directory and exits non-zero; an execution that
// takes over a second of host time is saved as slow-<target>-<execution> (reported, not fatal).

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <systemc>

#include "models/core/leak_check.h"
#include "models/core/rng.h"
#include "tests/fuzz/fuzz_target.h"

namespace {

std::string g_target = "fuzz";
const std::vector<uint8_t>* g_current = nullptr;
uint64_t g_exec = 0;

void save_current() {
    if (!g_current) return;
    const std::string name = "crash-" + g_target + "-" + std::to_string(g_exec);
    std::ofstream out(name, std::ios::binary);
    out.write(reinterpret_cast<const char*>(g_current->data()), std::streamsize(g_current->size()));
    std::fprintf(stderr, "fuzz %s: finding at execution %llu, input saved as %s\n", g_target.c_str(),
                 static_cast<unsigned long long>(g_exec), name.c_str());
}

void on_signal(int sig) {
    save_current();
    std::signal(sig, SIG_DFL);
    std::raise(sig);
}

extern "C" void __sanitizer_set_death_callback(void (*)(void)) __attribute__((weak));

const uint64_t kInteresting[] = {0, 1, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff,
                                 0x80000000, 0xffffffff, 0x100000000ull, 0x8000000000000000ull, ~0ull};

void mutate(std::vector<uint8_t>& v, const std::vector<std::vector<uint8_t>>& pool, smmusim::core::Rng& rng,
            size_t max_len) {
    const unsigned n = 1 + unsigned(rng.below(4));
    for (unsigned k = 0; k < n; ++k) {
        switch (rng.below(v.empty() ? 2 : 7)) {
        case 0: {  // insert random bytes
            const size_t at = v.empty() ? 0 : rng.below(v.size() + 1);
            const size_t len = 1 + rng.below(8);
            for (size_t i = 0; i < len; ++i) v.insert(v.begin() + long(at), uint8_t(rng.below(256)));
            break;
        }
        case 1: {  // splice a piece of another input
            const auto& o = pool[rng.below(pool.size())];
            if (o.empty()) break;
            const size_t from = rng.below(o.size()), len = 1 + rng.below(std::min<size_t>(64, o.size() - from));
            const size_t at = v.empty() ? 0 : rng.below(v.size() + 1);
            v.insert(v.begin() + long(at), o.begin() + long(from), o.begin() + long(from + len));
            break;
        }
        case 2: v[rng.below(v.size())] ^= uint8_t(1u << rng.below(8)); break;
        case 3: v[rng.below(v.size())] = uint8_t(rng.below(256)); break;
        case 4: {  // an interesting integer, little-endian, 1..8 bytes
            const uint64_t x = kInteresting[rng.below(std::size(kInteresting))];
            const size_t w = size_t(1) << rng.below(4), at = rng.below(v.size());
            for (size_t i = 0; i < w && at + i < v.size(); ++i) v[at + i] = uint8_t(x >> (8 * i));
            break;
        }
        case 5: {  // delete a range
            const size_t at = rng.below(v.size()), len = 1 + rng.below(std::min<size_t>(16, v.size() - at));
            v.erase(v.begin() + long(at), v.begin() + long(at + len));
            break;
        }
        default: {  // duplicate a range (deep nesting, long lists)
            const size_t at = rng.below(v.size()), len = 1 + rng.below(std::min<size_t>(16, v.size() - at));
            std::vector<uint8_t> piece(v.begin() + long(at), v.begin() + long(at + len));
            const unsigned times = 1 + unsigned(rng.below(rng.below(8) == 0 ? 2000 : 8));
            for (unsigned t = 0; t < times && v.size() + piece.size() <= max_len; ++t)
                v.insert(v.begin() + long(at), piece.begin(), piece.end());
            break;
        }
        }
    }
    if (v.size() > max_len) v.resize(max_len);
}

int drive(int argc, char** argv) {
    uint64_t runs = 0, seed = 1;
    double seconds = 0;
    size_t max_len = 4096;
    std::vector<std::string> dirs;
    g_target = std::filesystem::path(argv[0]).filename().string();
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto next = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "%s: %s needs a value\n", g_target.c_str(), a.c_str());
                std::exit(2);
            }
            return argv[++i];
        };
        if (a == "--runs") runs = std::stoull(next());
        else if (a == "--seconds") seconds = std::stod(next());
        else if (a == "--seed") seed = std::stoull(next());
        else if (a == "--max-len") max_len = std::stoul(next());
        else dirs.push_back(a);
    }
    if (!runs && seconds <= 0) runs = 1000;
    std::vector<std::vector<uint8_t>> pool;
    for (const std::string& d : dirs) {
        std::vector<std::filesystem::path> files;
        std::error_code ec;
        for (const auto& e : std::filesystem::directory_iterator(d, ec))
            if (e.is_regular_file()) files.push_back(e.path());
        if (ec) {
            std::fprintf(stderr, "%s: %s: %s\n", g_target.c_str(), d.c_str(), ec.message().c_str());
            return 2;
        }
        std::sort(files.begin(), files.end());  // the same order everywhere
        for (const auto& f : files) {
            std::ifstream in(f, std::ios::binary);
            pool.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
        }
    }
    if (pool.empty()) pool.emplace_back();
    std::signal(SIGSEGV, on_signal);
    std::signal(SIGABRT, on_signal);
    std::signal(SIGBUS, on_signal);
    std::signal(SIGFPE, on_signal);
    if (__sanitizer_set_death_callback) __sanitizer_set_death_callback(save_current);

    const auto t0 = std::chrono::steady_clock::now();
    auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
    smmusim::core::Rng rng(seed);
    std::vector<uint8_t> input;
    g_current = &input;
    for (const auto& p : pool) {  // the seeds as they are
        input = p;
        LLVMFuzzerTestOneInput(input.data(), input.size());
        ++g_exec;
    }
    uint64_t slow = 0;
    while (runs ? g_exec < runs : elapsed() < seconds) {
        input = pool[rng.below(pool.size())];
        mutate(input, pool, rng, max_len);
        const double start = elapsed();
        LLVMFuzzerTestOneInput(input.data(), input.size());
        if (elapsed() - start > 1.0 && slow++ < 5) {  // slow, not wrong: saved for a look
            const std::string name = "slow-" + g_target + "-" + std::to_string(g_exec);
            std::ofstream(name, std::ios::binary)
                .write(reinterpret_cast<const char*>(input.data()), std::streamsize(input.size()));
            std::fprintf(stderr, "fuzz %s: execution %llu took %.1f s, input saved as %s\n", g_target.c_str(),
                         static_cast<unsigned long long>(g_exec), elapsed() - start, name.c_str());
        }
        ++g_exec;
        // Keep a few mutants as further starting points (bounded, deterministic).
        if (pool.size() < 4096 && rng.below(64) == 0) pool.push_back(input);
        if (seconds > 0 && (g_exec & 0xfff) == 0 && elapsed() >= seconds) break;
    }
    const double s = elapsed();
    std::printf("fuzz %s: %llu executions in %.1f s (%.0f/s), seed %llu, 0 findings\n", g_target.c_str(),
                static_cast<unsigned long long>(g_exec), s, s > 0 ? double(g_exec) / s : 0.0,
                static_cast<unsigned long long>(seed));
    g_current = nullptr;
    return 0;
}


}  // namespace

namespace smmusim::fuzz {
[[noreturn]] void finding(const char* what) {
    std::fprintf(stderr, "fuzz %s: %s\n", g_target.c_str(), what);
    save_current();
    std::_Exit(1);
}
}  // namespace smmusim::fuzz

int sc_main(int argc, char** argv) { return drive(argc, argv); }

int main(int argc, char** argv) {
    smmusim::core::prepare_leak_check();
    setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
    return sc_core::sc_elab_and_sim(argc, argv);
}
