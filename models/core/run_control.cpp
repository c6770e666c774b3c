#include "models/core/run_control.h"

namespace smmusim::core {

RunControl& RunControl::instance() {
    static RunControl rc;
    return rc;
}

}  // namespace smmusim::core
