#pragma once
// Memory manager for generic payloads: initiators take a payload with its own data buffer,
// the last release() returns it here. Extensions set on a payload stay attached for reuse.

#include <cstdint>
#include <memory>
#include <vector>

#include <tlm>

namespace smmusim::core {

class PayloadPool : public tlm::tlm_mm_interface {
public:
    explicit PayloadPool(unsigned data_capacity) : capacity_(data_capacity) {}
    ~PayloadPool() override;
    PayloadPool(const PayloadPool&) = delete;
    PayloadPool& operator=(const PayloadPool&) = delete;

    // A reset payload holding one reference, data pointer on a buffer of `capacity` bytes.
    tlm::tlm_generic_payload* acquire();
    void free(tlm::tlm_generic_payload* gp) override;

    unsigned capacity() const { return capacity_; }
    size_t allocated() const { return all_.size(); }
    size_t in_use() const { return all_.size() - free_.size(); }

private:
    struct Slot : tlm::tlm_generic_payload {
        std::vector<unsigned char> data;
    };
    unsigned capacity_;
    std::vector<std::unique_ptr<Slot>> all_;
    std::vector<Slot*> free_;
};

}  // namespace smmusim::core
