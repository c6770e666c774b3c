#pragma once
// Byte store for a large physical space: 4 KiB chunks are allocated on first write, so a
// 48-bit space costs host memory only for what was touched. Untouched bytes read as zero.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <unordered_map>

namespace smmusim::mem {

class SparseStore {
public:
    static constexpr unsigned kChunkBits = 12;
    static constexpr uint64_t kChunkSize = uint64_t(1) << kChunkBits;

    void read(uint64_t addr, unsigned char* dst, size_t len) const;
    void write(uint64_t addr, const unsigned char* src, size_t len);
    // Writes only the bytes whose enable byte is 0xff (TLM byte-enable convention); the enable
    // pattern repeats every `be_len` bytes.
    void write_enabled(uint64_t addr, const unsigned char* src, size_t len, const unsigned char* be,
                       size_t be_len);
    // The chunk holding `addr`, allocated if needed (for DMI).
    unsigned char* chunk(uint64_t addr);

    size_t resident_chunks() const { return chunks_.size(); }
    size_t resident_bytes() const { return chunks_.size() * kChunkSize; }

private:
    const unsigned char* find(uint64_t chunk_index) const;

    std::unordered_map<uint64_t, std::unique_ptr<unsigned char[]>> chunks_;
    mutable uint64_t last_index_ = ~uint64_t(0);
    mutable unsigned char* last_ = nullptr;
};

}  // namespace smmusim::mem
