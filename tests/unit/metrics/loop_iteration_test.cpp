// Event-loop iteration times: LoopCounters' histogram, its /metrics rendering, and EventLoop's
// iteration hook measuring the busy part of an iteration (not the wait).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "loop/EventLoop.h"
#include "metrics/Metrics.h"

namespace {

using namespace std::chrono_literals;
using resound::metrics::kLoopIterationBuckets;
using resound::metrics::Metrics;

// The value of the first sample line starting with `prefix` (name and labels), or -1.
double sampleValue(const std::string& text, const std::string& prefix) {
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
        if (line.rfind(prefix + " ", 0) == 0) return std::stod(line.substr(prefix.size() + 1));
    }
    return -1;
}

TEST(LoopIterations, EachDurationLandsInItsBucket) {
    Metrics metrics(1);
    auto& loop = metrics.loop(0);
    loop.recordIteration(50us);   // <= 0.0001
    loop.recordIteration(100us);  // == 0.0001: "le" is inclusive
    loop.recordIteration(3ms);    // <= 0.005
    loop.recordIteration(2s);     // +Inf
    EXPECT_EQ(loop.iterationBuckets[0].load(), 2u);
    EXPECT_EQ(loop.iterationBuckets[5].load(), 1u);
    EXPECT_EQ(loop.iterationBuckets[kLoopIterationBuckets.size()].load(), 1u);
    EXPECT_EQ(loop.iterationMaxNanos.load(), 2'000'000'000u);
    EXPECT_EQ(loop.iterationNanos.load(), 2'003'150'000u);
}

TEST(LoopIterations, RenderedAsACumulativeHistogramOverAllLoopsWithAMax) {
    Metrics metrics(2);
    metrics.loop(0).recordIteration(200us);
    metrics.loop(0).recordIteration(20ms);
    metrics.loop(1).recordIteration(200us);
    metrics.loop(1).recordIteration(700ms);
    const std::string text = metrics.renderPrometheus();

    EXPECT_NE(text.find("# TYPE resound_event_loop_iteration_seconds histogram\n"), std::string::npos);
    const std::string bucket = "resound_event_loop_iteration_seconds_bucket";
    EXPECT_EQ(sampleValue(text, bucket + "{le=\"0.0001\"}"), 0);
    EXPECT_EQ(sampleValue(text, bucket + "{le=\"0.00025\"}"), 2);
    EXPECT_EQ(sampleValue(text, bucket + "{le=\"0.01\"}"), 2);
    EXPECT_EQ(sampleValue(text, bucket + "{le=\"0.025\"}"), 3);
    EXPECT_EQ(sampleValue(text, bucket + "{le=\"0.5\"}"), -1);  // not a bucket bound
    EXPECT_EQ(sampleValue(text, bucket + "{le=\"1\"}"), 4);
    EXPECT_EQ(sampleValue(text, bucket + "{le=\"+Inf\"}"), 4);
    EXPECT_EQ(sampleValue(text, "resound_event_loop_iteration_seconds_count"), 4);
    EXPECT_NEAR(sampleValue(text, "resound_event_loop_iteration_seconds_sum"), 0.7204, 1e-9);
    EXPECT_NEAR(sampleValue(text, "resound_event_loop_iteration_max_seconds"), 0.7, 1e-9);
    EXPECT_NE(text.find("# TYPE resound_event_loop_iteration_max_seconds gauge\n"), std::string::npos);
}

TEST(LoopIterations, EventLoopReportsBusyTimeNotWaitingTime) {
    resound::loop::EventLoop loop;
    std::mutex mutex;
    std::vector<std::chrono::steady_clock::duration> seen;
    loop.setIterationHook([&](std::chrono::steady_clock::duration d) {
        std::lock_guard lock(mutex);
        seen.push_back(d);
    });
    loop.setTickHook(1000ms, [] {});
    std::thread runner([&] { loop.run(); });

    // An idle loop waits (up to the tick interval) without counting the wait...
    std::this_thread::sleep_for(300ms);
    // ... and a task that keeps the loop busy for 30 ms makes one iteration at least that long.
    std::atomic<bool> ran{false};
    loop.post([&] {
        std::this_thread::sleep_for(30ms);
        ran = true;
    });
    for (int i = 0; i < 200 && !ran; ++i) std::this_thread::sleep_for(5ms);
    std::this_thread::sleep_for(20ms);
    loop.stop();
    runner.join();

    ASSERT_TRUE(ran);
    std::lock_guard lock(mutex);
    ASSERT_FALSE(seen.empty());
    std::size_t longOnes = 0;
    auto longest = std::chrono::steady_clock::duration::zero();
    for (const auto d : seen) {
        if (d >= 30ms) ++longOnes;
        longest = std::max(longest, d);
    }
    EXPECT_GE(longOnes, 1u) << "the iteration that ran the 30 ms task";
    EXPECT_LT(longest, 300ms) << "the 300 ms spent waiting for work is not part of any iteration";
}

}  // namespace
