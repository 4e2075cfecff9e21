// StopSignals takes SIGTERM/SIGINT synchronously. The signals are sent to this thread only
// (pthread_kill), where the constructor blocked them, so they stay pending until a wait takes them.
#include <gtest/gtest.h>
#include <pthread.h>
#include <signal.h>

#include "service/StopSignals.h"

namespace resound::service {
namespace {

using std::chrono::milliseconds;

void sendToSelf(int signal) { ASSERT_EQ(pthread_kill(pthread_self(), signal), 0); }

// Leaves no pending stop signal behind for the next test (they would be taken, not delivered, but
// keep the tests independent).
void drainPending(StopSignals& signals) {
    while (signals.waitFor(milliseconds(0))) {
    }
}

TEST(StopSignals, WaitForTimesOutWithoutASignal) {
    StopSignals signals;
    drainPending(signals);
    EXPECT_EQ(signals.waitFor(milliseconds(20)), std::nullopt);
}

TEST(StopSignals, WaitForReturnsAPendingStopSignalAndSkipsHangups) {
    StopSignals signals;
    drainPending(signals);
    sendToSelf(SIGHUP);
    sendToSelf(SIGTERM);
    EXPECT_EQ(signals.waitFor(milliseconds(5000)), SIGTERM);
    EXPECT_EQ(signals.waitFor(milliseconds(0)), std::nullopt);
}

TEST(StopSignals, SigintSkipsTheLameDuck) {
    StopSignals signals;
    drainPending(signals);
    sendToSelf(SIGINT);
    bool lameDuck = false;
    // A minute of delay: the test would hang if SIGINT waited it out.
    EXPECT_EQ(signals.waitThenLameDuck(milliseconds(60000), [&] { lameDuck = true; }), SIGINT);
    EXPECT_FALSE(lameDuck);
}

TEST(StopSignals, SigtermWithoutDelayStopsAtOnce) {
    StopSignals signals;
    drainPending(signals);
    sendToSelf(SIGTERM);
    bool lameDuck = false;
    EXPECT_EQ(signals.waitThenLameDuck(milliseconds(0), [&] { lameDuck = true; }), SIGTERM);
    EXPECT_FALSE(lameDuck);
}

TEST(StopSignals, SigtermEntersTheLameDuckAndASecondSignalEndsIt) {
    StopSignals signals;
    drainPending(signals);
    sendToSelf(SIGTERM);
    int lameDucks = 0;
    const int first = signals.waitThenLameDuck(milliseconds(60000), [&] {
        ++lameDucks;
        sendToSelf(SIGTERM);  // the impatient operator: ends the minute-long delay
    });
    EXPECT_EQ(first, SIGTERM);
    EXPECT_EQ(lameDucks, 1);
    EXPECT_EQ(signals.waitFor(milliseconds(0)), std::nullopt);
}

TEST(StopSignals, SigtermWaitsOutTheDelay) {
    StopSignals signals;
    drainPending(signals);
    sendToSelf(SIGTERM);
    const auto started = std::chrono::steady_clock::now();
    bool lameDuck = false;
    EXPECT_EQ(signals.waitThenLameDuck(milliseconds(100), [&] { lameDuck = true; }), SIGTERM);
    EXPECT_TRUE(lameDuck);
    EXPECT_GE(std::chrono::steady_clock::now() - started, milliseconds(100));
}

}  // namespace
}  // namespace resound::service
