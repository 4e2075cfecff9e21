// RequestParser memory: the body buffer follows the bytes received, never Content-Length.
#include <gtest/gtest.h>

#include <string>

#include "http/RequestParser.h"
#include "util/ArrivalBuffer.h"

using resound::http::RequestParser;
using resound::util::kFirstArrivalReservation;
using Status = RequestParser::Status;

namespace {

constexpr std::size_t kBig = 64u << 20;  // a server that accepts 64 MiB API requests

RequestParser bigParser() {
    RequestParser::Limits limits;
    limits.maxBodyBytes = kBig;
    return RequestParser(limits);
}

std::string headDeclaring(std::size_t length) {
    return "POST /apps/1/events HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(length) +
           "\r\n\r\n";
}

}  // namespace

TEST(RequestParserMemory, HeadersDeclaringAHugeBodyReserveNothing) {
    RequestParser parser = bigParser();
    const std::string head = headDeclaring(kBig - 10);
    std::size_t consumed = 0;
    ASSERT_EQ(parser.feed(head.data(), head.size(), consumed), Status::NeedMore);
    EXPECT_EQ(parser.request().body.capacity(), std::string().capacity());

    ASSERT_EQ(parser.feed("{", 1, consumed), Status::NeedMore);
    EXPECT_EQ(parser.request().body, "{");
    EXPECT_LE(parser.request().body.capacity(), kFirstArrivalReservation);
}

TEST(RequestParserMemory, TricklingBodyGrowsGeometricallyWithinTwiceWhatArrived) {
    RequestParser parser = bigParser();
    const std::size_t length = 1u << 20;
    const std::string head = headDeclaring(length);
    std::size_t consumed = 0;
    ASSERT_EQ(parser.feed(head.data(), head.size(), consumed), Status::NeedMore);
    std::size_t reallocations = 0;
    Status status = Status::NeedMore;
    const std::string chunk(1000, 'b');
    for (std::size_t sent = 0; sent < length;) {
        const std::size_t n = std::min(chunk.size(), length - sent);
        const std::size_t before = parser.request().body.capacity();
        status = parser.feed(chunk.data(), n, consumed);
        ASSERT_EQ(consumed, n);
        sent += n;
        const std::string& body = parser.request().body;
        if (body.capacity() != before) ++reallocations;
        EXPECT_LE(body.capacity(), std::max(kFirstArrivalReservation, 2 * body.size()));
        EXPECT_LT(body.capacity(), length + 64);  // never past Content-Length
    }
    ASSERT_EQ(status, Status::Complete);
    EXPECT_EQ(parser.request().body, std::string(length, 'b'));
    EXPECT_LE(reallocations, 10u);  // 4 KiB, 8 KiB, ... 1 MiB: not one per chunk
}

TEST(RequestParserMemory, BodyArrivingWholeIsOneExactAllocation) {
    RequestParser parser = bigParser();
    const std::string request = headDeclaring(100000) + std::string(100000, 'w');
    std::size_t consumed = 0;
    ASSERT_EQ(parser.feed(request.data(), request.size(), consumed), Status::Complete);
    EXPECT_EQ(parser.request().body.size(), 100000u);
    EXPECT_LT(parser.request().body.capacity(), 100064u);
}

TEST(RequestParserMemory, ContentLengthOverTheLimitIsStill413FromTheHeaders) {
    RequestParser parser = bigParser();
    const std::string head = headDeclaring(kBig + 1);
    std::size_t consumed = 0;
    ASSERT_EQ(parser.feed(head.data(), head.size(), consumed), Status::Error);
    EXPECT_EQ(parser.errorStatus(), 413);
}
