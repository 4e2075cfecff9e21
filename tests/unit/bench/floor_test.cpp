// Unit tests for resound-floor's pure parts (bench/lib): the pacing and channel membership of
// FloorSchedule, the stamped frame and the reader that splits a stream into frames, and the options.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "FloorOptions.h"
#include "FloorSchedule.h"
#include "StampedFrame.h"

using namespace resound::bench;

namespace {

constexpr std::int64_t kSecond = 1'000'000'000;

// Parses a command line given as words (argv[0] added).
bool parse(std::vector<std::string> words, FloorOptions& options, std::string& message) {
    words.insert(words.begin(), "resound-floor");
    std::vector<char*> argv;
    for (auto& w : words) argv.push_back(w.data());
    return parseFloorOptions(static_cast<int>(argv.size()), argv.data(), options, message);
}

// Frames for events first .. first+n-1, concatenated.
std::string frames(const FrameLayout& layout, std::uint64_t first, std::uint64_t n) {
    StampedFrame frame(layout);
    std::string out;
    for (std::uint64_t k = first; k < first + n; ++k) {
        frame.stamp(FrameStamp{static_cast<std::int64_t>(1'000'000 + k), k});
        out.append(frame.data(), frame.size());
    }
    return out;
}

}  // namespace

TEST(FloorSchedule, SpreadsEventsEvenlyOverTheWindow) {
    const FloorSchedule s(1000, 10 * kSecond, 10000, 100);
    EXPECT_EQ(s.plannedEvents(), 10000u);
    EXPECT_EQ(s.offsetOf(0), 0);
    EXPECT_EQ(s.offsetOf(1), 1'000'000);
    EXPECT_EQ(s.offsetOf(9999), 9'999'000'000);
    // Event k is due once its offset has passed, not before.
    EXPECT_EQ(s.dueBy(-1), 0u);
    EXPECT_EQ(s.dueBy(0), 1u);
    EXPECT_EQ(s.dueBy(999'999), 1u);
    EXPECT_EQ(s.dueBy(1'000'000), 2u);
    EXPECT_EQ(s.dueBy(5 * kSecond), 5001u);
    // Never more than the window holds, however late the sender looks.
    EXPECT_EQ(s.dueBy(10 * kSecond), 10000u);
    EXPECT_EQ(s.dueBy(60 * kSecond), 10000u);
}

TEST(FloorSchedule, PlansTheEventsWhoseOffsetFallsInsideTheWindow) {
    EXPECT_EQ(FloorSchedule(100, 10 * kSecond, 1, 1).plannedEvents(), 1000u);
    EXPECT_EQ(FloorSchedule(2.5, kSecond, 1, 1).plannedEvents(), 3u);  // at 0, 0.4 and 0.8 s
    EXPECT_EQ(FloorSchedule(3, kSecond, 1, 1).plannedEvents(), 3u);    // 1 s itself is outside
    EXPECT_EQ(FloorSchedule(0.5, kSecond, 1, 1).plannedEvents(), 1u);
    EXPECT_EQ(FloorSchedule(100, 0, 1, 1).plannedEvents(), 0u);
}

TEST(FloorSchedule, DueCountAgreesWithOffsetsAtAwkwardRates) {
    for (const double rate : {7.0, 333.3, 1000.0, 99999.0}) {
        const FloorSchedule s(rate, 2 * kSecond, 1, 1);
        for (std::uint64_t k = 0; k + 1 < s.plannedEvents(); k += 1 + k / 3) {
            const std::int64_t at = s.offsetOf(k);
            EXPECT_EQ(s.dueBy(at), k + 1) << "rate " << rate << " event " << k;
            if (s.offsetOf(k + 1) > at) {
                EXPECT_EQ(s.dueBy(s.offsetOf(k + 1) - 1), k + 1) << "rate " << rate;
            }
        }
        EXPECT_LT(s.offsetOf(s.plannedEvents() - 1), 2 * kSecond);
        EXPECT_GE(s.offsetOf(s.plannedEvents()), 2 * kSecond);
    }
}

TEST(FloorSchedule, ChannelMembershipMatchesResoundBench) {
    // Event k goes to channel k mod C; connection i listens on channel i mod C (as resound-bench).
    const FloorSchedule s(100, kSecond, 10, 3);
    EXPECT_EQ(s.channelOfEvent(0), 0u);
    EXPECT_EQ(s.channelOfEvent(7), 1u);
    EXPECT_EQ(s.channelOfConnection(5), 2u);
    EXPECT_EQ(s.subscribersOf(0), 4u);  // 0, 3, 6, 9
    EXPECT_EQ(s.subscribersOf(1), 3u);  // 1, 4, 7
    EXPECT_EQ(s.subscribersOf(2), 3u);  // 2, 5, 8
    EXPECT_EQ(s.subscribersOf(3), 0u);
}

TEST(FloorSchedule, ExpectedFramesMatchACountByHand) {
    for (const std::uint64_t connections : {1u, 10u, 17u, 100u}) {
        for (const std::uint64_t channels : {1u, 3u, 10u}) {
            if (channels > connections) continue;
            const FloorSchedule s(100, kSecond, connections, channels);
            for (std::uint64_t events = 0; events < 40; ++events) {
                std::uint64_t total = 0;
                for (std::uint64_t i = 0; i < connections; ++i) {
                    std::uint64_t mine = 0;
                    for (std::uint64_t k = 0; k < events; ++k) mine += k % channels == i % channels;
                    EXPECT_EQ(s.framesFor(i, events), mine) << i << " of " << connections << "/" << channels;
                    total += mine;
                }
                EXPECT_EQ(s.deliveriesFor(events), total) << connections << "/" << channels << " " << events;
            }
        }
    }
}

TEST(StampedFrame, IsAnUnmaskedTextFrameOfTheRequestedPayload) {
    const FrameLayout layout(85);
    EXPECT_EQ(layout.frameBytes(), 87u);
    const std::string blank = layout.blankFrame();
    ASSERT_EQ(blank.size(), 87u);
    EXPECT_EQ(static_cast<unsigned char>(blank[0]), 0x81);  // FIN + text
    EXPECT_EQ(static_cast<unsigned char>(blank[1]), 85);    // no mask bit
    EXPECT_EQ(blank.substr(2, 6), R"({"t":")");
    EXPECT_EQ(blank.back(), '}');

    const FrameLayout large(300);
    const std::string big = large.blankFrame();
    ASSERT_EQ(big.size(), 304u);
    EXPECT_EQ(static_cast<unsigned char>(big[1]), 126);
    EXPECT_EQ(static_cast<unsigned char>(big[2]) * 256 + static_cast<unsigned char>(big[3]), 300);

    EXPECT_THROW(FrameLayout(FrameLayout::kMinPayload - 1), std::invalid_argument);
    EXPECT_THROW(FrameLayout(FrameLayout::kMaxPayload + 1), std::invalid_argument);
    EXPECT_NO_THROW(FrameLayout(FrameLayout::kMinPayload));
}

TEST(StampedFrame, StampRoundTrips) {
    const FrameLayout layout(85);
    StampedFrame frame(layout);
    frame.stamp(FrameStamp{0x0123456789abcdefLL, 42});
    FrameStamp read;
    ASSERT_TRUE(layout.readStamp(frame.data(), read));
    EXPECT_EQ(read.sentNs, 0x0123456789abcdefLL);
    EXPECT_EQ(read.event, 42u);
    EXPECT_EQ(std::string(frame.data() + 2, 22), R"({"t":"0123456789abcdef)");
    std::string damaged(frame.data(), frame.size());
    damaged[10] = 'g';  // not a hex digit
    EXPECT_FALSE(layout.readStamp(damaged.data(), read));
}

TEST(FeedFrames, SplitsAStreamAtAnyBoundary) {
    for (const std::size_t payload : {std::size_t{54}, std::size_t{85}, std::size_t{300}}) {
        const FrameLayout layout(payload);
        const std::string stream = frames(layout, 5, 7);
        // Chunk sizes: whole, byte by byte, and sizes that straddle the header, stamp and pad.
        for (const std::size_t chunk : {stream.size(), std::size_t{1}, std::size_t{3}, std::size_t{47},
                                        layout.frameBytes() - 1, layout.frameBytes() + 1}) {
            FrameCursor cursor;
            std::vector<FrameStamp> seen;
            for (std::size_t at = 0; at < stream.size(); at += chunk) {
                const std::size_t n = std::min(chunk, stream.size() - at);
                ASSERT_TRUE(feedFrames(layout, cursor, stream.data() + at, n,
                                       [&](const FrameStamp& s) { seen.push_back(s); }))
                    << "payload " << payload << " chunk " << chunk;
            }
            ASSERT_EQ(seen.size(), 7u) << "payload " << payload << " chunk " << chunk;
            for (std::uint64_t i = 0; i < 7; ++i) {
                EXPECT_EQ(seen[i].event, 5 + i);
                EXPECT_EQ(seen[i].sentNs, static_cast<std::int64_t>(1'000'005 + i));
            }
            EXPECT_EQ(cursor.have, 0u);
        }
    }
}

TEST(FeedFrames, KeepsAPartialFrameForTheNextRead) {
    const FrameLayout layout(85);
    const std::string stream = frames(layout, 0, 2);
    FrameCursor cursor;
    int n = 0;
    auto count = [&](const FrameStamp&) { ++n; };
    ASSERT_TRUE(feedFrames(layout, cursor, stream.data(), 100, count));  // one frame and 13 bytes
    EXPECT_EQ(n, 1);
    EXPECT_EQ(cursor.have, 13u);
    ASSERT_TRUE(feedFrames(layout, cursor, stream.data() + 100, stream.size() - 100, count));
    EXPECT_EQ(n, 2);
}

TEST(FeedFrames, RejectsBytesThatAreNotFramesAndStaysBroken) {
    const FrameLayout layout(85);
    std::string stream = frames(layout, 0, 3);
    stream[layout.frameBytes() + 1] = 84;  // the second frame's length
    FrameCursor cursor;
    int n = 0;
    EXPECT_FALSE(feedFrames(layout, cursor, stream.data(), stream.size(), [&](const FrameStamp&) { ++n; }));
    EXPECT_EQ(n, 1);
    EXPECT_TRUE(cursor.broken);
    const std::string good = frames(layout, 3, 1);
    EXPECT_FALSE(feedFrames(layout, cursor, good.data(), good.size(), [&](const FrameStamp&) { ++n; }));
    EXPECT_EQ(n, 1);

    // A frame whose last byte is wrong (the stream slipped) is caught when the frame completes.
    std::string slipped = frames(layout, 0, 1);
    slipped.back() = 'x';
    FrameCursor split;
    EXPECT_TRUE(feedFrames(layout, split, slipped.data(), 50, [](const FrameStamp&) {}));
    EXPECT_FALSE(
        feedFrames(layout, split, slipped.data() + 50, slipped.size() - 50, [](const FrameStamp&) {}));
}

TEST(FloorOptions, DefaultsAreResoundBenchsEventAndTwoCpus) {
    FloorOptions o;
    std::string message;
    ASSERT_TRUE(parse({}, o, message)) << message;
    EXPECT_EQ(o.payloadBytes, 85u);
    EXPECT_EQ(o.senderCpu, 0);
    EXPECT_EQ(o.receiverCpu, 1);
    ASSERT_TRUE(parse({"--subscribers", "10000", "--channels", "100", "--rate", "1000", "--duration", "10",
                       "--sender-cpu", "-1", "--receiver-cpu", "none", "--param", "scheduler=fifo"},
                      o, message))
        << message;
    EXPECT_EQ(o.subscribers, 10000u);
    EXPECT_EQ(o.channels, 100u);
    EXPECT_EQ(o.senderCpu, -1);
    EXPECT_EQ(o.receiverCpu, -1);
    ASSERT_EQ(o.extraParams.size(), 1u);
    EXPECT_EQ(o.extraParams[0].second, "fifo");
}

TEST(FloorOptions, EverythingIsBounded) {
    const std::vector<std::vector<std::string>> bad = {
        {"--subscribers", "19001"},
        {"--subscribers", "0"},
        {"--channels", "0"},
        {"--subscribers", "10", "--channels", "11"},
        {"--duration", "601"},
        {"--duration", "0"},
        {"--rate", "0"},
        {"--rate", "100001"},
        {"--drain", "61"},
        {"--payload-bytes", "53"},
        {"--payload-bytes", "65536"},
        {"--sender-cpu", "-2"},
        {"--receiver-pause-us", "100001"},
        {"--rate", "nan"},
        {"--subscribers"},
        {"--bogus", "1"},
    };
    for (const auto& words : bad) {
        FloorOptions o;
        std::string message;
        EXPECT_FALSE(parse(words, o, message)) << words[0];
        EXPECT_NE(message.rfind("usage:", 0), 0u) << words[0];
    }
    FloorOptions o;
    std::string message;
    EXPECT_FALSE(parse({"--help"}, o, message));
    EXPECT_EQ(message.rfind("usage:", 0), 0u);
    EXPECT_TRUE(parse({"--subscribers", "19000", "--duration", "600"}, o, message)) << message;
}
