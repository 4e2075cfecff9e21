#include "metrics/RegistrationFailures.h"

#include "metrics/PrometheusText.h"

namespace resound::metrics {

void appendRegistrationFailures(std::string& out, std::uint64_t failures) {
    appendFamily(out, "resound_loop_registration_failures_total", "counter",
                 "Connections (clients, or a loop's own Redis link) closed because the event loop could not "
                 "register them (epoll_ctl failed).");
    out += "resound_loop_registration_failures_total ";
    out += std::to_string(failures);
    out += '\n';
}

}  // namespace resound::metrics
