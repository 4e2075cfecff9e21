#pragma once
// resound_loop_registration_failures_total, on the /metrics of every process that serves HTTP: the
// connections closed because their event loop could not register them (epoll_ctl failed). The count
// itself is the loops' own (loop::EventLoop::registrationFailures(), summed by the caller).
#include <cstdint>
#include <string>

namespace resound::metrics {

void appendRegistrationFailures(std::string& out, std::uint64_t failures);

}  // namespace resound::metrics
