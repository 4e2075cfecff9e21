#include <gtest/gtest.h>

#include "dashboard/MetricsHistory.h"
#include "dashboard/OverviewJson.h"

namespace resound::dashboard {
namespace {

Sample at(std::int64_t ms, std::int64_t connections, std::uint64_t in) {
    Sample sample;
    sample.timeMs = ms;
    sample.totals.connections = connections;
    sample.totals.messagesIn = in;
    return sample;
}

TEST(MetricsHistory, KeepsTheNewestSamplesOldestFirst) {
    MetricsHistory history(3);
    EXPECT_EQ(history.size(), 0u);
    EXPECT_FALSE(history.latest());
    for (int i = 1; i <= 5; ++i) history.add(at(i * 1000, i, 0));
    const auto samples = history.samples();
    ASSERT_EQ(samples.size(), 3u);
    EXPECT_EQ(samples[0].timeMs, 3000);
    EXPECT_EQ(samples[2].timeMs, 5000);
    EXPECT_EQ(history.latest()->totals.connections, 5);
}

TEST(MetricsHistory, FifteenMinutesAtOneSecondIsNineHundredSamples) {
    MetricsHistory history;
    EXPECT_EQ(history.capacity(), 900u);
    for (int i = 0; i < 1000; ++i) history.add(at(i * 1000, i, 0));
    EXPECT_EQ(history.samples().size(), 900u);
    EXPECT_EQ(history.samples().front().timeMs, 100 * 1000);
}

TEST(MetricsHistory, BeforeFindsTheNewestSampleOldEnough) {
    MetricsHistory history(10);
    history.add(at(1000, 0, 0));
    history.add(at(2000, 0, 0));
    history.add(at(2900, 0, 0));
    EXPECT_EQ(history.before(3000, 500)->timeMs, 2000);
    EXPECT_EQ(history.before(3000, 0)->timeMs, 2900);
    EXPECT_FALSE(history.before(1200, 500));
}

TEST(MetricsHistory, RatesPerSecondIgnoreCountersThatWentBack) {
    const Rates rates = ratesBetween(at(1000, 0, 100), at(3000, 0, 300));
    EXPECT_DOUBLE_EQ(rates.messagesIn, 100.0);
    EXPECT_DOUBLE_EQ(ratesBetween(at(1000, 0, 300), at(2000, 0, 100)).messagesIn, 0.0);  // a restart
    EXPECT_DOUBLE_EQ(ratesBetween(at(1000, 0, 0), at(1000, 0, 50)).messagesIn, 0.0);     // no time passed
}

TEST(OverviewJson, CarriesTotalsRatesNodesAndRedis) {
    Snapshot now;
    now.timeMs = 2000;
    now.totals.connections = 3;
    now.totals.messagesIn = 50;
    now.totals.rateLimitHits = 2;
    now.nodes.push_back({"node-\"1\"", "resound", "0.1.0", true, 12, 3});
    std::string text = overviewJson(now, at(1000, 0, 10));
    EXPECT_NE(text.find("\"connections\":3"), std::string::npos) << text;
    EXPECT_NE(text.find("\"rate_limit_hits\":2"), std::string::npos) << text;
    EXPECT_NE(text.find("\"rates\":{\"messages_in\":40.00"), std::string::npos) << text;
    EXPECT_NE(text.find("\"id\":\"node-\\\"1\\\"\""), std::string::npos) << text;
    EXPECT_NE(text.find("\"redis\":null"), std::string::npos) << text;
    now.redisUp = false;
    EXPECT_NE(overviewJson(now, std::nullopt).find("\"redis\":\"down\""), std::string::npos);
}

TEST(OverviewJson, HistoryHasOneEntryPerSample) {
    const std::string text = historyJson({at(1000, 1, 0), at(2000, 2, 30)}, 1000);
    EXPECT_EQ(text,
              "{\"interval_ms\":1000,\"time\":[1000,2000],\"connections\":[1,2],\"messages_in\":[0.00,30.00],"
              "\"messages_out\":[0.00,0.00]}");
}

}  // namespace
}  // namespace resound::dashboard
