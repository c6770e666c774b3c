#pragma once
// Errors that reach the user. An InputError is bad user input (config, parameter, scenario,
// trace): the CLI prints its message once and exits with status 2.

#include <stdexcept>
#include <string>

namespace smmusim {

class InputError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

}  // namespace smmusim
