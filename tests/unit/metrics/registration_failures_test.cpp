// resound_loop_registration_failures_total: one family, rendered from the count the caller sums over its
// event loops (loop::EventLoop::registrationFailures()).
#include "metrics/RegistrationFailures.h"

#include <gtest/gtest.h>

#include "metrics/Metrics.h"

using namespace resound::metrics;

TEST(RegistrationFailures, RenderedAsOneCounter) {
    std::string text;
    appendRegistrationFailures(text, 3);
    EXPECT_EQ(
        text,
        "# HELP resound_loop_registration_failures_total Connections (clients, or a loop's own Redis link) "
        "closed because the event loop could not register them (epoll_ctl failed).\n"
        "# TYPE resound_loop_registration_failures_total counter\n"
        "resound_loop_registration_failures_total 3\n");
}

// The loops count them themselves; the per-loop counters the edge renders do not, so /metrics carries
// the family once (the edge's router appends it).
TEST(RegistrationFailures, NotAmongTheLoopCounters) {
    Metrics metrics(2);
    EXPECT_EQ(metrics.renderPrometheus().find("resound_loop_registration_failures_total"), std::string::npos);
}
