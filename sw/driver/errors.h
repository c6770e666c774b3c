#pragma once
// What the driver throws when asked for something that cannot be done (a request that makes
// no sense, a parameter that contradicts the hardware, a device that stopped responding).

#include <stdexcept>

namespace smmusim::sw::driver {

class DriverError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

}  // namespace smmusim::sw::driver
