#include "platforms/device_dma.h"

#include <stdexcept>

namespace smmusim::platforms {

DeviceDma::DeviceDma(cpu::Cluster& cpus, std::vector<std::pair<std::string, traffic::TrafficGen*>> devices,
                     uint64_t doorbell)
    : cpus_(cpus), doorbell_(doorbell) {
    for (auto& [name, gen] : devices) devices_[name] = gen;
    if (!devices.empty()) default_ = devices.front().first;
}

uint64_t DeviceDma::start(const sw::hal::DmaRequest& r) {
    auto it = devices_.find(r.dev);
    if (it == devices_.end()) throw std::invalid_argument("no DMA device '" + r.dev + "'");
    traffic::DmaJob j;
    j.sid = r.sid;
    j.ssid_valid = r.ssid.has_value();
    j.ssid = r.ssid.value_or(0);
    j.addr = r.iova;
    j.size = r.size;
    j.write = r.write;
    j.count = r.count;
    j.stride = r.stride;
    j.random_region = r.random_region;
    // The doorbell is a register write: stores before it (the mapping) are visible first.
    cpu::Cpu& cpu = cpus_.current();
    if (!cpu.drain()) throw std::runtime_error("a store to memory was answered with an error");
    cpu.work(doorbell_);
    const uint64_t h = next_++;
    Job* job = (jobs_[h] = std::make_unique<Job>()).get();
    const sc_core::sc_time period = cpu.clock.value();
    it->second->submit(j, [job, period](const traffic::DmaJobResult& res) {
        job->result.ok = res.ok;
        job->result.errors = res.errors;
        job->result.start = uint64_t(res.start / period);
        job->result.end = uint64_t(res.end / period);
        job->done = true;
        job->finished.notify(sc_core::SC_ZERO_TIME);
    });
    return h;
}

std::optional<sw::hal::DmaResult> DeviceDma::wait(uint64_t h, uint64_t timeout) {
    auto it = jobs_.find(h);
    if (it == jobs_.end()) throw std::logic_error("DeviceDma::wait: unknown job");
    Job& j = *it->second;
    if (!j.done) {
        if (timeout) sc_core::wait(cpus_.current().clock.cycles(timeout), j.finished);
        else sc_core::wait(j.finished);
    }
    if (!j.done) return std::nullopt;
    const sw::hal::DmaResult r = j.result;
    jobs_.erase(it);
    return r;
}

}  // namespace smmusim::platforms
