// RequestIntake: the request-reading rules the edge and the HTTP server share (pipelining, 100-continue,
// the request deadline for new connections and requests in progress, the idle deadline between them).
#include <gtest/gtest.h>

#include <string>

#include "httpserver/RequestIntake.h"

namespace resound::httpserver {
namespace {

using Step = RequestIntake::Step;
const http::RequestParser::Limits kLimits{.maxHeaderBytes = 256, .maxBodyBytes = 64};
const HttpDeadlines kDeadlines{.requestSeconds = 5, .idleSeconds = 30};

TEST(RequestIntake, PipelinedRequestsAreTakenOneAtATime) {
    RequestIntake intake;
    const std::string bytes = "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n";
    std::size_t consumed = 0;
    ASSERT_EQ(intake.feed(bytes.data(), bytes.size(), consumed, 1, kLimits), Step::Complete);
    EXPECT_EQ(intake.request().path, "/a");
    EXPECT_EQ(consumed, bytes.size() / 2);
    intake.next();
    std::size_t rest = 0;
    ASSERT_EQ(intake.feed(bytes.data() + consumed, bytes.size() - consumed, rest, 1, kLimits),
              Step::Complete);
    EXPECT_EQ(intake.request().path, "/b");
}

TEST(RequestIntake, ContinueIsDueOncePerRequest) {
    RequestIntake intake;
    const std::string head = "POST /e HTTP/1.1\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n";
    std::size_t consumed = 0;
    ASSERT_EQ(intake.feed(head.data(), head.size(), consumed, 1, kLimits), Step::NeedMore);
    EXPECT_TRUE(intake.takeContinue());
    EXPECT_FALSE(intake.takeContinue());
    ASSERT_EQ(intake.feed("body", 4, consumed, 1, kLimits), Step::Complete);
    EXPECT_EQ(intake.request().body, "body");
    intake.next();
    ASSERT_EQ(intake.feed(head.data(), head.size(), consumed, 2, kLimits), Step::NeedMore);
    EXPECT_TRUE(intake.takeContinue());  // the next request may expect it again
}

TEST(RequestIntake, LimitsComeFromTheCaller) {
    RequestIntake intake;
    const std::string head = "POST /e HTTP/1.1\r\nContent-Length: 65\r\n\r\n";
    std::size_t consumed = 0;
    ASSERT_EQ(intake.feed(head.data(), head.size(), consumed, 1, kLimits), Step::Error);
    EXPECT_EQ(intake.errorStatus(), 413);
    RequestIntake big;
    const std::string longHeader = "GET / HTTP/1.1\r\nX: " + std::string(300, 'y') + "\r\n\r\n";
    ASSERT_EQ(big.feed(longHeader.data(), longHeader.size(), consumed, 1, kLimits), Step::Error);
    EXPECT_EQ(big.errorStatus(), 431);
}

TEST(RequestIntake, NewConnectionGetsTheRequestDeadline) {
    RequestIntake intake;
    const std::uint32_t acceptedAt = 10;
    EXPECT_FALSE(intake.expired(14, acceptedAt, kDeadlines));
    EXPECT_TRUE(intake.expired(15, acceptedAt, kDeadlines));
}

TEST(RequestIntake, TricklingRequestExpiresFromItsFirstByte) {
    RequestIntake intake;
    std::size_t consumed = 0;
    ASSERT_EQ(intake.feed("G", 1, consumed, 100, kLimits), Step::NeedMore);
    EXPECT_TRUE(intake.midRequest());
    // A byte every second keeps lastBytesAt fresh; the deadline still counts from the first byte.
    for (std::uint32_t now = 101; now < 105; ++now) {
        ASSERT_EQ(intake.feed("E", 1, consumed, now, kLimits), Step::NeedMore);
        EXPECT_FALSE(intake.expired(now, now, kDeadlines));
    }
    EXPECT_TRUE(intake.expired(105, 105, kDeadlines));
}

TEST(RequestIntake, IdleKeepAliveGetsTheIdleDeadline) {
    RequestIntake intake;
    const std::string request = "GET / HTTP/1.1\r\n\r\n";
    std::size_t consumed = 0;
    ASSERT_EQ(intake.feed(request.data(), request.size(), consumed, 50, kLimits), Step::Complete);
    intake.next();
    EXPECT_FALSE(intake.midRequest());
    EXPECT_FALSE(intake.expired(79, 50, kDeadlines));
    EXPECT_TRUE(intake.expired(80, 50, kDeadlines));
}

TEST(RequestIntake, ReleaseFreesTheParserAndEndsTheRequest) {
    RequestIntake intake;
    std::size_t consumed = 0;
    ASSERT_EQ(intake.feed("GET", 3, consumed, 1, kLimits), Step::NeedMore);
    intake.release();
    EXPECT_FALSE(intake.midRequest());
    const std::string request = "GET /x HTTP/1.1\r\n\r\n";
    ASSERT_EQ(intake.feed(request.data(), request.size(), consumed, 2, kLimits), Step::Complete);
    EXPECT_EQ(intake.request().path, "/x");
}

}  // namespace
}  // namespace resound::httpserver
