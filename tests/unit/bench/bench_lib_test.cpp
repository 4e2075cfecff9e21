// Unit tests for the socket-free parts of the benchmark tool (bench/lib).
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "BenchReport.h"
#include "DeliveryLedger.h"
#include "HttpResponseReader.h"
#include "LatencyHistogram.h"
#include "ProcStats.h"
#include "PublishRequest.h"
#include "PusherMessageScanner.h"
#include "ServerFrameReader.h"
#include "WsClientHandshake.h"
#include "websocket/FrameEncoder.h"

using namespace resound::bench;

namespace {

// docs/protocol.md §2.1, the verified worked example (its string to sign is
// POST\n/apps/3/events\nauth_key=...&auth_timestamp=1353088179&auth_version=1.0&body_md5=ec365a...).
constexpr const char* kKey = "278d425bdf160c739803";
constexpr const char* kSecret = "7ad3773142a6692b25b8";
constexpr const char* kBody = R"({"name":"foo","channels":["project-3"],"data":"{\"some\":\"data\"}"})";
constexpr const char* kSignature = "da454824c97ba181a32ccc17a72625ba02771f50b50e1e7430e47a1f3f457e6c";

// Feeds `bytes` to the reader one byte at a time; returns the status after the last byte.
HttpResponseReader::Status feedByteByByte(HttpResponseReader& reader, const std::string& bytes) {
    auto status = HttpResponseReader::Status::NeedMore;
    for (char c : bytes) {
        std::size_t consumed = 0;
        status = reader.feed(std::string_view(&c, 1), consumed);
        EXPECT_EQ(consumed, 1u);
        if (status != HttpResponseReader::Status::NeedMore) break;
    }
    return status;
}

}  // namespace

// The publisher signs through api::signRequest; checked here end to end against §2.1's example.
TEST(PublishRequest, SignsTheWorkedExample) {
    const PublishTarget target{"127.0.0.1:8080", "3", kKey, kSecret};
    const std::string request = buildPublishRequest(target, kBody, 1353088179);
    EXPECT_EQ(request.rfind("POST /apps/3/events?", 0), 0u);
    const std::string line = request.substr(0, request.find("\r\n"));
    EXPECT_NE(line.find("auth_key=278d425bdf160c739803"), std::string::npos);
    EXPECT_NE(line.find("auth_timestamp=1353088179"), std::string::npos);
    EXPECT_NE(line.find("auth_version=1.0"), std::string::npos);
    EXPECT_NE(line.find("body_md5=ec365a775a4cd0599faeb73354201b6f"), std::string::npos);
    EXPECT_NE(line.find(std::string("auth_signature=") + kSignature + " HTTP/1.1"), std::string::npos);
}

TEST(PublishRequest, HasHostLengthAndBodyAfterTheHead) {
    const std::string body = buildEventBody("bench-event", "bench-0", makeBenchData(BenchStamp{12, 3}));
    EXPECT_EQ(body, R"({"name":"bench-event","channel":"bench-0","data":"{\"t\":12,\"s\":3}"})");
    const std::string request = buildPublishRequest(PublishTarget{"127.0.0.1:9", "bench", "k", "s"}, body, 1);
    EXPECT_NE(request.find("\r\nHost: 127.0.0.1:9\r\n"), std::string::npos);
    EXPECT_NE(request.find("\r\nContent-Type: application/json\r\n"), std::string::npos);
    const std::string tail = "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    ASSERT_GE(request.size(), tail.size());
    EXPECT_EQ(request.substr(request.size() - tail.size()), tail);
}

TEST(PublishRequest, BatchGoesToBatchEventsWithEveryEventInOrder) {
    const std::vector<std::string> events{buildEventBody("e", "bench-0", "a"),
                                          buildEventBody("e", "bench-1", "b")};
    const std::string body = buildBatchBody(events);
    EXPECT_EQ(
        body,
        R"({"batch":[{"name":"e","channel":"bench-0","data":"a"},{"name":"e","channel":"bench-1","data":"b"}]})");
    const std::string request =
        buildPublishRequest(PublishTarget{"127.0.0.1:9", "bench", "k", "s"}, body, 1, "batch_events");
    EXPECT_EQ(request.rfind("POST /apps/bench/batch_events?", 0), 0u);
    const std::string tail = "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    ASSERT_GE(request.size(), tail.size());
    EXPECT_EQ(request.substr(request.size() - tail.size()), tail);
}

TEST(WsClientHandshake, AcceptMatchesRfc6455Example) {
    EXPECT_EQ(expectedAcceptFor("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(WsClientHandshake, KeyIsBase64OfSixteenBytes) {
    const std::string key = makeWebSocketKey(1, 2);
    EXPECT_EQ(key.size(), 24u);
    EXPECT_EQ(key.substr(22), "==");
}

TEST(WsClientHandshake, RequestHasUpgradeHeaders) {
    const std::string request = buildUpgradeRequest("127.0.0.1:8080", "/app/k?protocol=7", "abc");
    EXPECT_EQ(request.rfind("GET /app/k?protocol=7 HTTP/1.1\r\n", 0), 0u);
    EXPECT_NE(request.find("\r\nUpgrade: websocket\r\n"), std::string::npos);
    EXPECT_NE(request.find("\r\nSec-WebSocket-Key: abc\r\n"), std::string::npos);
    EXPECT_NE(request.find("\r\nSec-WebSocket-Version: 13\r\n"), std::string::npos);
    EXPECT_EQ(request.substr(request.size() - 4), "\r\n\r\n");
}

TEST(WsClientHandshake, AcceptsValidResponseAndReportsWhereFramesStart) {
    const std::string key = "dGhlIHNhbXBsZSBub25jZQ==";
    const std::string head =
        "HTTP/1.1 101 Switching Protocols\r\nupgrade: WebSocket\r\nConnection: keep-alive, Upgrade\r\n"
        "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";
    const std::string bytes = head + "\x81\x02hi";
    for (std::size_t cut = 0; cut < head.size(); ++cut) {
        EXPECT_EQ(parseUpgradeResponse(bytes.substr(0, cut), key).status, UpgradeStatus::NeedMore) << cut;
    }
    const UpgradeResponse response = parseUpgradeResponse(bytes, key);
    EXPECT_EQ(response.status, UpgradeStatus::Accepted) << response.problem;
    EXPECT_EQ(response.headLength, head.size());
}

TEST(WsClientHandshake, RejectsWrongAcceptAndErrorStatus) {
    const std::string key = "dGhlIHNhbXBsZSBub25jZQ==";
    EXPECT_EQ(parseUpgradeResponse("HTTP/1.1 101 OK\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                   "Sec-WebSocket-Accept: nope\r\n\r\n",
                                   key)
                  .status,
              UpgradeStatus::Rejected);
    const UpgradeResponse notFound = parseUpgradeResponse("HTTP/1.1 404 Not Found\r\n\r\n", key);
    EXPECT_EQ(notFound.status, UpgradeStatus::Rejected);
    EXPECT_EQ(notFound.httpStatus, 404);
}

TEST(ServerFrameReader, ReadsFramesFedByteByByte) {
    const std::string bytes = resound::ws::encodeFrame(resound::ws::Opcode::Text, "Hello") +
                              resound::ws::encodeFrame(resound::ws::Opcode::Text, std::string(300, 'x')) +
                              resound::ws::encodeFrame(resound::ws::Opcode::Text, std::string(70000, 'y'));
    std::size_t used = 0;
    std::vector<std::size_t> sizes;
    for (std::size_t end = 1; end <= bytes.size(); ++end) {
        ServerFrame frame;
        const FrameResult result =
            readServerFrame(std::string_view(bytes).substr(used, end - used), frame, 1 << 20);
        ASSERT_NE(result.status, FrameStatus::Invalid);
        if (result.status == FrameStatus::Complete) {
            EXPECT_EQ(frame.op, FrameOp::Text);
            EXPECT_TRUE(frame.fin);
            sizes.push_back(frame.payload.size());
            used += result.consumed;
        }
    }
    EXPECT_EQ(used, bytes.size());
    EXPECT_EQ(sizes, (std::vector<std::size_t>{5, 300, 70000}));
}

TEST(ServerFrameReader, RejectsMaskedReservedAndBadControlFrames) {
    ServerFrame frame;
    const std::string masked = resound::ws::encodeMaskedFrame(resound::ws::Opcode::Text, "Hi", 0x01020304);
    EXPECT_EQ(readServerFrame(masked, frame, 1024).status, FrameStatus::Invalid);
    EXPECT_EQ(readServerFrame(std::string("\xC1\x00", 2), frame, 1024).status, FrameStatus::Invalid);
    EXPECT_EQ(readServerFrame(std::string("\x09\x00", 2), frame, 1024).status, FrameStatus::Invalid);
    EXPECT_EQ(readServerFrame(std::string("\x83\x00", 2), frame, 1024).status, FrameStatus::Invalid);
    EXPECT_EQ(readServerFrame(resound::ws::encodeFrame(resound::ws::Opcode::Text, std::string(2000, 'a')),
                              frame, 1024)
                  .status,
              FrameStatus::Invalid);
}

TEST(PusherMessageScanner, ReadsEventChannelAndStringData) {
    const std::string text =
        R"({"event":"bench-event","channel":"bench-3","data":"{\"t\":123456789,\"s\":42}"})";
    PusherMessage message;
    ASSERT_TRUE(scanPusherMessage(text, message));
    EXPECT_EQ(message.event, "bench-event");
    EXPECT_EQ(message.channel, "bench-3");
    EXPECT_TRUE(message.dataIsString);
    BenchStamp stamp;
    std::string scratch;
    ASSERT_TRUE(readBenchStamp(message, stamp, scratch));
    EXPECT_EQ(stamp.sentNs, 123456789);
    EXPECT_EQ(stamp.seq, 42u);
}

TEST(PusherMessageScanner, ReadsStringDataInOtherShapesThroughTheGeneralPath) {
    PusherMessage message;
    BenchStamp stamp;
    std::string scratch;
    ASSERT_TRUE(scanPusherMessage(R"({"event":"e","data":"{\"s\": 42, \"t\": 9}"})", message));
    ASSERT_TRUE(readBenchStamp(message, stamp, scratch));
    EXPECT_EQ(stamp.sentNs, 9);
    EXPECT_EQ(stamp.seq, 42u);
    ASSERT_TRUE(scanPusherMessage(R"({"event":"e","data":"{\"t\":1,\"s\":2,\"x\":3}"})", message));
    ASSERT_TRUE(readBenchStamp(message, stamp, scratch));
    EXPECT_EQ(stamp.seq, 2u);
    ASSERT_TRUE(scanPusherMessage(R"({"event":"e","data":"{\"t\":1,\"s\":-2}"})", message));
    EXPECT_FALSE(readBenchStamp(message, stamp, scratch));
}

TEST(PusherMessageScanner, ReadsObjectDataInAnyMemberOrder) {
    const std::string text = R"( { "data" : {"s": 7, "nested": {"x": [1, "}"]}, "t": 5} , "event" : "e" } )";
    PusherMessage message;
    ASSERT_TRUE(scanPusherMessage(text, message));
    EXPECT_EQ(message.event, "e");
    EXPECT_FALSE(message.dataIsString);
    BenchStamp stamp;
    std::string scratch;
    ASSERT_TRUE(readBenchStamp(message, stamp, scratch));
    EXPECT_EQ(stamp.sentNs, 5);
    EXPECT_EQ(stamp.seq, 7u);
}

TEST(PusherMessageScanner, BenchDataRoundTripsThroughQuoting) {
    const BenchStamp original{987654321012, 3};
    std::string quoted = "\"";
    for (char c : makeBenchData(original)) {
        if (c == '"') quoted += "\\";
        quoted.push_back(c);
    }
    quoted += "\"";
    // The scanner keeps views into the text, so the text must outlive the message.
    const std::string text = R"({"event":"x","data":)" + quoted + "}";
    PusherMessage message;
    ASSERT_TRUE(scanPusherMessage(text, message));
    BenchStamp stamp;
    std::string scratch;
    ASSERT_TRUE(readBenchStamp(message, stamp, scratch));
    EXPECT_EQ(stamp.sentNs, original.sentNs);
    EXPECT_EQ(stamp.seq, original.seq);
}

TEST(PusherMessageScanner, RejectsMalformedJsonAndMissingStamp) {
    PusherMessage message;
    EXPECT_FALSE(scanPusherMessage(R"({"event":"x",)", message));
    EXPECT_FALSE(scanPusherMessage(R"(["event"])", message));
    ASSERT_TRUE(scanPusherMessage(
        R"({"event":"pusher:connection_established","data":"{\"socket_id\":\"1.2\"}"})", message));
    BenchStamp stamp;
    std::string scratch;
    EXPECT_FALSE(readBenchStamp(message, stamp, scratch));
}

TEST(PusherMessageScanner, UnescapesUnicodeAndSurrogatePairs) {
    std::string out;
    ASSERT_TRUE(unescapeJsonString(R"(a\"b\\c\u00e9\ud83d\ude00\n)", out));
    EXPECT_EQ(out, "a\"b\\c\xC3\xA9\xF0\x9F\x98\x80\n");
    EXPECT_FALSE(unescapeJsonString(R"(\ud83d)", out));
    EXPECT_FALSE(unescapeJsonString(R"(\x)", out));
}

TEST(PusherMessageScanner, FindsErrorCode) {
    std::int64_t code = 0;
    ASSERT_TRUE(findIntegerMember(R"({"message":"Over capacity","code":4100})", "code", code));
    EXPECT_EQ(code, 4100);
}

TEST(LatencyHistogram, PercentilesAreWithinOnePercent) {
    LatencyHistogram h;
    for (std::int64_t us = 1; us <= 100000; ++us) h.record(us * 1000);
    EXPECT_EQ(h.count(), 100000u);
    EXPECT_EQ(h.min(), 1000);
    EXPECT_EQ(h.max(), 100000000);
    EXPECT_NEAR(static_cast<double>(h.percentile(0.50)), 50e6, 50e6 * 0.01);
    EXPECT_NEAR(static_cast<double>(h.percentile(0.99)), 99e6, 99e6 * 0.01);
    EXPECT_NEAR(static_cast<double>(h.percentile(0.999)), 99.9e6, 99.9e6 * 0.01);
    EXPECT_EQ(h.percentile(1.0), 100000000);
    EXPECT_NEAR(h.mean(), 50000.5e3, 1);
}

TEST(LatencyHistogram, SmallValuesAreExactAndMergeAdds) {
    LatencyHistogram a, b;
    a.record(3);
    a.record(200);
    b.record(-5);  // clock skew is clamped to zero
    a.merge(b);
    EXPECT_EQ(a.count(), 3u);
    EXPECT_EQ(a.percentile(0.0), 0);
    EXPECT_EQ(a.percentile(0.5), 3);
    EXPECT_EQ(a.percentile(1.0), 200);
}

TEST(DeliveryLedger, CountsDuplicatesLossAndUnacceptedDeliveries) {
    DeliveryLedger ledger(3, 2);  // subscribers 0 and 2 on channel 0, subscriber 1 on channel 1
    for (std::uint64_t seq = 0; seq < 100; ++seq) ledger.recordAccepted(0, seq);
    ledger.recordAccepted(1, 0);
    for (std::uint64_t seq = 0; seq < 100; ++seq) EXPECT_TRUE(ledger.recordDelivery(0, seq));
    EXPECT_FALSE(ledger.recordDelivery(0, 7));
    for (std::uint64_t seq = 0; seq < 90; ++seq) ledger.recordDelivery(2, seq);
    ledger.recordDelivery(1, 0);
    ledger.recordDelivery(1, 1);  // never accepted
    EXPECT_EQ(ledger.duplicates(), 1u);
    EXPECT_EQ(ledger.acceptedOn(0), 100u);

    const auto totals = ledger.totals({0, 1, 0}, {true, true, true});
    EXPECT_EQ(totals.expected, 201u);
    EXPECT_EQ(totals.delivered, 191u);
    EXPECT_EQ(totals.unexpected, 1u);
    EXPECT_EQ(ledger.totals({0, 1, 0}, {true, false, false}).expected, 100u);
}

TEST(HttpResponseReader, ReadsContentLengthResponseByteByByte) {
    HttpResponseReader reader;
    EXPECT_EQ(feedByteByByte(
                  reader, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"),
              HttpResponseReader::Status::Complete);
    EXPECT_EQ(reader.status(), 200);
    EXPECT_TRUE(reader.keepAlive());
    EXPECT_EQ(reader.body(), "{}");
}

TEST(HttpResponseReader, ReadsChunkedResponseByteByByte) {
    HttpResponseReader reader;
    EXPECT_EQ(feedByteByByte(reader,
                             "HTTP/1.1 401 Unauthorized\r\nTransfer-Encoding: chunked\r\n\r\n"
                             "5\r\nAuth \r\na;ext=1\r\nsignature \r\n0\r\nX-Trailer: y\r\n\r\n"),
              HttpResponseReader::Status::Complete);
    EXPECT_EQ(reader.status(), 401);
    EXPECT_EQ(reader.body(), "Auth signature ");
}

TEST(HttpResponseReader, SplitsBackToBackResponsesAndHonoursConnectionClose) {
    const std::string two =
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}HTTP/1.1 204 No Content\r\n\r\n";
    HttpResponseReader reader;
    std::size_t consumed = 0;
    ASSERT_EQ(reader.feed(two, consumed), HttpResponseReader::Status::Complete);
    EXPECT_FALSE(reader.keepAlive());
    reader.reset();
    std::size_t second = 0;
    ASSERT_EQ(reader.feed(std::string_view(two).substr(consumed), second),
              HttpResponseReader::Status::Complete);
    EXPECT_EQ(reader.status(), 204);
    EXPECT_EQ(consumed + second, two.size());
}

TEST(HttpResponseReader, BodyUntilCloseAndGarbage) {
    HttpResponseReader reader;
    std::size_t consumed = 0;
    EXPECT_EQ(reader.feed("HTTP/1.0 200 OK\r\n\r\nabc", consumed), HttpResponseReader::Status::NeedMore);
    EXPECT_EQ(reader.finishAtEof(), HttpResponseReader::Status::Complete);
    EXPECT_EQ(reader.body(), "abc");
    reader.reset();
    EXPECT_EQ(reader.feed("SSH-2.0-OpenSSH\r\n\r\n", consumed), HttpResponseReader::Status::Invalid);
}

TEST(ProcStats, ParsesStatWithSpacesAndParensInTheName) {
    const auto cpu =
        parseProcStat("4242 (res (ound) x) S 1 4242 4242 0 -1 4194560 100 0 0 0 1234 567 0 0 20 0 3 0");
    ASSERT_TRUE(cpu.has_value());
    EXPECT_EQ(cpu->state, 'S');
    EXPECT_EQ(cpu->utimeTicks, 1234u);
    EXPECT_EQ(cpu->stimeTicks, 567u);
    EXPECT_FALSE(parseProcStat("12 (x) S 1 2").has_value());
}

TEST(ProcStats, ParsesStatus) {
    const auto memory = parseProcStatus(
        "Name:\tresound\nVmHWM:\t  9000 kB\nVmRSS:\t  8192 kB\nRssAnon:\t  4096 kB\nThreads:\t3\n");
    ASSERT_TRUE(memory.has_value());
    EXPECT_EQ(memory->vmRssKb, 8192u);
    EXPECT_EQ(memory->rssAnonKb, 4096u);
    EXPECT_EQ(memory->vmHwmKb, 9000u);
    EXPECT_EQ(memory->threads, 3u);
    EXPECT_FALSE(parseProcStatus("Name:\tx\n").has_value());
}

TEST(ProcStats, ParsesSystemCpuLine) {
    const auto cpu = parseSystemCpu("cpu  100 5 20 1000 7 3 2 9 0 0\ncpu0 50 0 10 500 3 1 1 4 0 0\n");
    ASSERT_TRUE(cpu.has_value());
    EXPECT_EQ(cpu->busyTicks, 130u);
    EXPECT_EQ(cpu->stealTicks, 9u);
    EXPECT_EQ(cpu->totalTicks, 1146u);
    EXPECT_FALSE(parseSystemCpu("intr 1 2 3").has_value());
}

TEST(ProcStats, ParsesSchedstat) {
    const auto times = parseSchedstat("1038107 1791881 1\n");
    ASSERT_TRUE(times.has_value());
    EXPECT_EQ(times->runNs, 1038107u);
    EXPECT_EQ(times->waitNs, 1791881u);
    EXPECT_FALSE(parseSchedstat("garbage").has_value());
    const auto self = readSchedTimes(0);
    ASSERT_TRUE(self.has_value());
    EXPECT_GT(self->runNs, 0u);
}

TEST(BenchReport, RendersJsonTableAndSummary) {
    BenchReport report("fanout-1k");
    report.param("rate", 100.0, 1);
    report.param("mode", "fanout");
    report.metric("latency_p99_ms", "delivery latency p99", 1.23456, "ms", 3);
    report.metric("ratio", "delivery ratio", std::nan(""), "", 3);
    report.headline("p99 1.2 ms");
    EXPECT_TRUE(report.ok());
    const std::string json = report.json();
    EXPECT_NE(json.find("\"latency_p99_ms\": 1.23456"), std::string::npos);
    EXPECT_NE(json.find("\"ratio\": null"), std::string::npos);
    EXPECT_NE(json.find("\"rate\": 100.0"), std::string::npos);
    EXPECT_NE(json.find("\"mode\": \"fanout\""), std::string::npos);
    EXPECT_NE(report.table().find("delivery latency p99  1.235 ms"), std::string::npos);
    report.failure("3 deliveries lost");
    EXPECT_FALSE(report.ok());
    EXPECT_EQ(report.summaryLine(), "fanout-1k\tFAIL\tp99 1.2 ms");
    EXPECT_NEAR(report.value("latency_p99_ms"), 1.23456, 1e-9);
}
