#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "http/RequestParser.h"

using resound::http::Request;
using resound::http::RequestParser;
using Status = RequestParser::Status;

namespace {

const std::string kPost =
    "POST /apps/3/events?auth_key=abc&auth_timestamp=1 HTTP/1.1\r\n"
    "Host: localhost:8080\r\n"
    "Content-Type: application/json\r\n"
    "X-Mixed-CASE:   padded value \t\r\n"
    "Content-Length: 11\r\n"
    "\r\n"
    "{\"a\":\"bc\"}\n";

// Feeds `input` in pieces of `chunk` bytes until the parser stops asking for more.
struct FeedResult {
    Status status;
    std::size_t consumed;  // total bytes consumed
};

FeedResult feedInChunks(RequestParser& parser, const std::string& input, std::size_t chunk) {
    std::size_t offset = 0;
    while (offset < input.size()) {
        const std::size_t len = std::min(chunk, input.size() - offset);
        std::size_t consumed = 0;
        const Status status = parser.feed(input.data() + offset, len, consumed);
        EXPECT_LE(consumed, len);
        offset += consumed;
        if (status != Status::NeedMore) return {status, offset};
        EXPECT_EQ(consumed, len) << "NeedMore must take every byte";
    }
    return {Status::NeedMore, offset};
}

void expectPostParsed(const Request& r) {
    EXPECT_EQ(r.method, "POST");
    EXPECT_EQ(r.target, "/apps/3/events?auth_key=abc&auth_timestamp=1");
    EXPECT_EQ(r.path, "/apps/3/events");
    EXPECT_EQ(r.query, "auth_key=abc&auth_timestamp=1");
    EXPECT_EQ(r.versionMinor, 1);
    ASSERT_EQ(r.headers.size(), 4u);
    EXPECT_EQ(r.headers[0].first, "host");
    EXPECT_EQ(r.headers[0].second, "localhost:8080");
    ASSERT_NE(r.header("x-mixed-case"), nullptr);
    EXPECT_EQ(*r.header("x-mixed-case"), "padded value");
    EXPECT_EQ(r.header("X-Mixed-CASE"), nullptr) << "lookups use lower-case names";
    EXPECT_EQ(r.body, "{\"a\":\"bc\"}\n");
    EXPECT_TRUE(r.keepAlive());
    EXPECT_FALSE(r.isWebSocketUpgrade());
}

RequestParser::Limits limits(std::size_t header, std::size_t body) {
    RequestParser::Limits l;
    l.maxHeaderBytes = header;
    l.maxBodyBytes = body;
    return l;
}

Status parseAll(RequestParser& parser, const std::string& input) {
    return feedInChunks(parser, input, input.size()).status;
}

}  // namespace

TEST(RequestParser, ParsesWholeRequestInOneChunk) {
    RequestParser parser;
    std::size_t consumed = 0;
    ASSERT_EQ(parser.feed(kPost.data(), kPost.size(), consumed), Status::Complete);
    EXPECT_EQ(consumed, kPost.size());
    expectPostParsed(parser.request());
}

TEST(RequestParser, ParsesByteByByteAndInEveryChunkSize) {
    for (std::size_t chunk = 1; chunk <= kPost.size(); ++chunk) {
        RequestParser parser;
        const FeedResult result = feedInChunks(parser, kPost, chunk);
        ASSERT_EQ(result.status, Status::Complete) << "chunk " << chunk;
        EXPECT_EQ(result.consumed, kPost.size());
        expectPostParsed(parser.request());
    }
}

TEST(RequestParser, SplitAtEveryPositionIntoTwoChunks) {
    for (std::size_t split = 0; split <= kPost.size(); ++split) {
        RequestParser parser;
        std::size_t consumed = 0;
        Status status = parser.feed(kPost.data(), split, consumed);
        ASSERT_EQ(consumed, split);
        if (split < kPost.size()) {
            ASSERT_EQ(status, Status::NeedMore) << split;
            status = parser.feed(kPost.data() + split, kPost.size() - split, consumed);
            EXPECT_EQ(consumed, kPost.size() - split);
        }
        ASSERT_EQ(status, Status::Complete) << split;
        expectPostParsed(parser.request());
    }
}

TEST(RequestParser, GetWithoutBodyCompletesAtBlankLine) {
    RequestParser parser;
    const std::string get = "GET /apps/1/channels HTTP/1.1\r\nHost: x\r\n\r\n";
    ASSERT_EQ(parseAll(parser, get), Status::Complete);
    EXPECT_EQ(parser.request().path, "/apps/1/channels");
    EXPECT_EQ(parser.request().query, "");
    EXPECT_TRUE(parser.request().body.empty());
}

TEST(RequestParser, PipelinedRequestsStayUnconsumed) {
    const std::string first = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n";
    const std::string input = first + kPost + "GET /c HTTP/1.1\r\n\r\n";
    RequestParser parser;
    std::size_t offset = 0;
    std::vector<std::string> paths;
    while (offset < input.size()) {
        std::size_t consumed = 0;
        const Status status = parser.feed(input.data() + offset, input.size() - offset, consumed);
        offset += consumed;
        ASSERT_EQ(status, Status::Complete);
        paths.push_back(parser.request().path);
        if (paths.size() == 1) {
            EXPECT_EQ(offset, first.size());
        }
        if (paths.size() == 2) {
            expectPostParsed(parser.request());
        }
        // Without reset() nothing more is consumed.
        EXPECT_EQ(parser.feed(input.data() + offset, input.size() - offset, consumed), Status::Complete);
        EXPECT_EQ(consumed, 0u);
        parser.reset();
    }
    EXPECT_EQ(paths, (std::vector<std::string>{"/a", "/apps/3/events", "/c"}));
}

TEST(RequestParser, PipelinedByteByByte) {
    const std::string input = kPost + kPost;
    RequestParser parser;
    int complete = 0;
    for (char c : input) {
        std::size_t consumed = 0;
        const Status status = parser.feed(&c, 1, consumed);
        ASSERT_EQ(consumed, 1u);
        if (status == Status::Complete) {
            expectPostParsed(parser.request());
            ++complete;
            parser.reset();
        } else {
            ASSERT_EQ(status, Status::NeedMore);
        }
    }
    EXPECT_EQ(complete, 2);
}

TEST(RequestParser, SkipsEmptyLinesBeforeRequest) {
    RequestParser parser;
    ASSERT_EQ(parseAll(parser, "\r\n\r\nGET / HTTP/1.1\r\n\r\n"), Status::Complete);
    EXPECT_EQ(parser.request().method, "GET");
}

TEST(RequestParser, AcceptsBareLfLineEndings) {
    RequestParser parser;
    ASSERT_EQ(feedInChunks(parser, "GET /x?y HTTP/1.1\nHost: a\n\n", 1).status, Status::Complete);
    EXPECT_EQ(parser.request().path, "/x");
    EXPECT_EQ(parser.request().query, "y");
    EXPECT_EQ(*parser.request().header("host"), "a");
}

TEST(RequestParser, AbsoluteFormTargetGivesPathAndQuery) {
    RequestParser parser;
    ASSERT_EQ(parseAll(parser, "GET http://example.com:80/apps/1/channels?a=b HTTP/1.1\r\n\r\n"),
              Status::Complete);
    EXPECT_EQ(parser.request().path, "/apps/1/channels");
    EXPECT_EQ(parser.request().query, "a=b");
    parser.reset();
    ASSERT_EQ(parseAll(parser, "GET HTTPS://example.com HTTP/1.1\r\n\r\n"), Status::Complete);
    EXPECT_EQ(parser.request().path, "/");
}

TEST(RequestParser, ContentLengthOverLimitIs413BeforeTheBody) {
    RequestParser parser(limits(8192, 100));
    const std::string head = "POST /apps/1/events HTTP/1.1\r\nContent-Length: 101\r\n\r\n";
    std::size_t consumed = 0;
    // Only the header section is sent: the 413 must not wait for body bytes.
    ASSERT_EQ(parser.feed(head.data(), head.size(), consumed), Status::Error);
    EXPECT_EQ(parser.errorStatus(), 413);
    EXPECT_FALSE(parser.errorReason().empty());
    EXPECT_EQ(parser.feed(head.data(), head.size(), consumed), Status::Error);
    EXPECT_EQ(consumed, 0u);
}

TEST(RequestParser, HugeContentLengthDoesNotOverflow) {
    RequestParser parser(limits(8192, 100));
    EXPECT_EQ(parseAll(parser, "POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999999999\r\n\r\n"),
              Status::Error);
    EXPECT_EQ(parser.errorStatus(), 413);
}

TEST(RequestParser, BodyExactlyAtLimitIsAccepted) {
    RequestParser parser(limits(8192, 5));
    ASSERT_EQ(parseAll(parser, "POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello"), Status::Complete);
    EXPECT_EQ(parser.request().body, "hello");
}

TEST(RequestParser, HeaderSectionOverLimitIs431) {
    const std::string request = "GET / HTTP/1.1\r\nX-Long: " + std::string(200, 'a') + "\r\n\r\n";
    for (std::size_t chunk : {std::size_t{1}, std::size_t{7}, request.size()}) {
        RequestParser parser(limits(100, 100));
        const FeedResult result = feedInChunks(parser, request, chunk);
        EXPECT_EQ(result.status, Status::Error) << chunk;
        EXPECT_EQ(parser.errorStatus(), 431) << chunk;
        EXPECT_LE(result.consumed, 100u) << "must not buffer beyond the limit";
    }
}

TEST(RequestParser, HeaderSectionExactlyAtLimitIsAccepted) {
    const std::string request = "GET / HTTP/1.1\r\nX: " + std::string(10, 'a') + "\r\n\r\n";
    for (std::size_t chunk : {std::size_t{1}, request.size()}) {
        RequestParser exact(limits(request.size(), 0));
        EXPECT_EQ(feedInChunks(exact, request, chunk).status, Status::Complete);
        RequestParser tooSmall(limits(request.size() - 1, 0));
        EXPECT_EQ(feedInChunks(tooSmall, request, chunk).status, Status::Error);
        EXPECT_EQ(tooSmall.errorStatus(), 431);
    }
}

TEST(RequestParser, EndlessHeadersWithoutBlankLineAre431) {
    RequestParser parser(limits(64, 0));
    std::string flood = "GET / HTTP/1.1\r\n";
    for (int i = 0; i < 10; ++i) flood += "A: b\r\n";
    EXPECT_EQ(feedInChunks(parser, flood, 3).status, Status::Error);
    EXPECT_EQ(parser.errorStatus(), 431);
}

// What Caddy sends upstream for a client that streamed its body: chunked, with an extension and a
// trailer thrown in; the next (pipelined) request must stay unconsumed.
const std::string kChunked =
    "POST /auth HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\n\r\n"
    "5;name=value\r\nhello\r\n"
    "19\r\n, world and twenty more..\r\n"
    "0\r\nX-Checksum: 1\r\n\r\n";
const std::string kChunkedBody = "hello, world and twenty more..";

TEST(RequestParser, DecodesAChunkedBodyInPiecesOfAnySize) {
    for (std::size_t piece : {std::size_t{1}, std::size_t{2}, std::size_t{7}, kChunked.size()}) {
        RequestParser parser;
        const std::string next = "GET /up HTTP/1.1\r\n\r\n";
        const FeedResult result = feedInChunks(parser, kChunked + next, piece);
        ASSERT_EQ(result.status, Status::Complete) << "piece " << piece << ": " << parser.errorReason();
        EXPECT_EQ(result.consumed, kChunked.size()) << piece;
        EXPECT_EQ(parser.request().body, kChunkedBody);
        EXPECT_EQ(parser.request().path, "/auth");
        parser.reset();
        std::size_t consumed = 0;
        EXPECT_EQ(parser.feed(next.data(), next.size(), consumed), Status::Complete);
        EXPECT_EQ(parser.request().path, "/up");
    }
}

TEST(RequestParser, ChunkedBodyMeetsTheBodyLimitBeforeItsDataArrives) {
    RequestParser parser(limits(8192, 10));
    // The second chunk's size alone passes the limit: refused at its size line.
    EXPECT_EQ(parseAll(parser, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n3\r\n"),
              Status::Error);
    EXPECT_EQ(parser.errorStatus(), 413);
    RequestParser huge(limits(8192, 10));
    EXPECT_EQ(
        parseAll(huge, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffffffffff\r\n"),
        Status::Error);
    EXPECT_EQ(huge.errorStatus(), 413);
    RequestParser exact(limits(8192, 10));
    EXPECT_EQ(
        parseAll(exact, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\na\r\n0123456789\r\n0\r\n\r\n"),
        Status::Complete);
}

TEST(RequestParser, ChunkedFramingErrorsAre400) {
    const std::string head = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (const std::string& body :
         {std::string("zz\r\n"), std::string("5 x\r\n"), std::string("\r\n"), std::string("3\r\nabcdef\r\n"),
          std::string("3\r\nabc\r\n0\r\nno colon\r\n"), std::string("3\rx\n"),
          std::string(2000, '1') + "\r\n"}) {
        RequestParser parser;
        EXPECT_EQ(parseAll(parser, head + body), Status::Error) << body;
        EXPECT_EQ(parser.errorStatus(), 400) << body;
    }
}

TEST(RequestParser, TrailersCountAgainstTheHeaderLimit) {
    RequestParser parser(limits(64, 100));
    std::string request = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n";
    for (int i = 0; i < 10; ++i) request += "X-Trailer: value\r\n";
    EXPECT_EQ(feedInChunks(parser, request, 5).status, Status::Error);
    EXPECT_EQ(parser.errorStatus(), 431);
}

TEST(RequestParser, SmugglingShapesAreRefused) {
    struct Case {
        std::string request;
        int status;
    };
    for (const Case& c : std::vector<Case>{
             {"POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
             {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n", 400},
             {"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
             {"POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501},
             {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", 501},
             {"POST / HTTP/1.1\r\nTransfer-Encoding: identity\r\n\r\n", 501},
         }) {
        RequestParser parser;
        EXPECT_EQ(parseAll(parser, c.request), Status::Error) << c.request;
        EXPECT_EQ(parser.errorStatus(), c.status) << c.request;
    }
}

TEST(RequestParser, ChunkedExpectContinueIsOfferedBeforeTheFirstChunk) {
    RequestParser parser;
    const std::string head = "POST / HTTP/1.1\r\nExpect: 100-continue\r\nTransfer-Encoding: chunked\r\n\r\n";
    EXPECT_EQ(parseAll(parser, head), Status::NeedMore);
    EXPECT_TRUE(parser.expectsContinue());
    EXPECT_EQ(parseAll(parser, "2\r\nok\r\n"), Status::NeedMore);
    EXPECT_FALSE(parser.expectsContinue());
    EXPECT_EQ(parseAll(parser, "0\r\n\r\n"), Status::Complete);
    EXPECT_EQ(parser.request().body, "ok");
}

TEST(RequestParser, UnsupportedVersionIs505) {
    for (const char* request : {"GET / HTTP/2.0\r\n\r\n", "GET / HTTP/0.9\r\n\r\n"}) {
        RequestParser parser;
        EXPECT_EQ(parseAll(parser, request), Status::Error) << request;
        EXPECT_EQ(parser.errorStatus(), 505) << request;
    }
}

TEST(RequestParser, MalformedRequestsAre400) {
    const char* bad[] = {
        "GET\r\n\r\n",
        "GET /\r\n\r\n",
        "GET  / HTTP/1.1\r\n\r\n",
        "GET / HTTP/1.1 \r\n\r\n",
        "GET / http/1.1\r\n\r\n",
        "GET / HTTP/1.x\r\n\r\n",
        "GET / HTTP/1.10\r\n\r\n",
        "G(T / HTTP/1.1\r\n\r\n",
        "GET relative HTTP/1.1\r\n\r\n",
        "GET /a\x01 HTTP/1.1\r\n\r\n",
        "GET / HTTP/1.1\r\nNoColon\r\n\r\n",
        "GET / HTTP/1.1\r\n: empty-name\r\n\r\n",
        "GET / HTTP/1.1\r\nBad Name: x\r\n\r\n",
        "GET / HTTP/1.1\r\nName : x\r\n\r\n",
        "GET / HTTP/1.1\r\nA: b\r\n folded\r\n\r\n",
        "GET / HTTP/1.1\r\nA: b\rc\r\n\r\n",
        "GET / HTTP/1.1\r\nA: b\x01\r\n\r\n",
        "POST / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n",
        "POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
        "POST / HTTP/1.1\r\nContent-Length:\r\n\r\n",
        "POST / HTTP/1.1\r\nContent-Length: 1, 1\r\n\r\n",
        "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
    };
    for (const char* request : bad) {
        for (std::size_t chunk : {std::size_t{1}, std::string(request).size()}) {
            RequestParser parser;
            EXPECT_EQ(feedInChunks(parser, request, chunk).status, Status::Error) << request;
            EXPECT_EQ(parser.errorStatus(), 400) << request;
            EXPECT_FALSE(parser.errorReason().empty());
        }
    }
}

TEST(RequestParser, RepeatedIdenticalContentLengthIsAccepted) {
    RequestParser parser;
    ASSERT_EQ(parseAll(parser, "POST / HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok"),
              Status::Complete);
    EXPECT_EQ(parser.request().body, "ok");
}

TEST(RequestParser, KeepAliveDefaultsDifferByVersion) {
    const std::pair<const char*, bool> cases[] = {
        {"GET / HTTP/1.1\r\n\r\n", true},
        {"GET / HTTP/1.1\r\nConnection: close\r\n\r\n", false},
        {"GET / HTTP/1.1\r\nConnection: Keep-Alive, CLOSE\r\n\r\n", false},
        {"GET / HTTP/1.0\r\n\r\n", false},
        {"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", true},
        {"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", true},
    };
    for (const auto& [request, keepAlive] : cases) {
        RequestParser parser;
        ASSERT_EQ(parseAll(parser, request), Status::Complete) << request;
        EXPECT_EQ(parser.request().keepAlive(), keepAlive) << request;
    }
}

TEST(RequestParser, RecognisesWebSocketUpgrade) {
    RequestParser parser;
    ASSERT_EQ(parseAll(parser,
                       "GET /app/key?protocol=7 HTTP/1.1\r\nHost: x\r\nUpgrade: WebSocket\r\n"
                       "Connection: keep-alive, Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                       "Sec-WebSocket-Version: 13\r\n\r\n"),
              Status::Complete);
    EXPECT_TRUE(parser.request().isWebSocketUpgrade());
    EXPECT_EQ(parser.request().query, "protocol=7");

    parser.reset();
    ASSERT_EQ(parseAll(parser, "GET /app/key HTTP/1.1\r\nUpgrade: websocket\r\n\r\n"), Status::Complete);
    EXPECT_FALSE(parser.request().isWebSocketUpgrade()) << "needs Connection: upgrade";

    parser.reset();
    ASSERT_EQ(parseAll(parser, "GET /app/key HTTP/1.0\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n"),
              Status::Complete);
    EXPECT_FALSE(parser.request().isWebSocketUpgrade()) << "RFC 6455 needs HTTP/1.1";
}

TEST(RequestParser, ExpectContinueIsReportedWhileWaitingForTheBody) {
    RequestParser parser;
    const std::string head = "POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n";
    std::size_t consumed = 0;
    ASSERT_EQ(parser.feed(head.data(), head.size(), consumed), Status::NeedMore);
    EXPECT_TRUE(parser.expectsContinue());
    ASSERT_EQ(parser.feed("abc", 3, consumed), Status::Complete);
    EXPECT_FALSE(parser.expectsContinue());
}

TEST(RequestParser, ResetReleasesBuffersAndAllowsReuse) {
    RequestParser parser;
    ASSERT_EQ(parseAll(parser, kPost), Status::Complete);
    parser.reset();
    EXPECT_TRUE(parser.request().method.empty());
    EXPECT_TRUE(parser.request().headers.empty());
    EXPECT_EQ(parser.request().headers.capacity(), 0u);
    EXPECT_EQ(parser.request().body.capacity(), RequestParser().request().body.capacity());
    EXPECT_EQ(parser.errorStatus(), 0);
    ASSERT_EQ(parseAll(parser, kPost), Status::Complete);
    expectPostParsed(parser.request());
}

TEST(RequestParser, ArbitraryBytesNeverCrash) {
    // A cheap deterministic fuzz: random bytes mixed with HTTP-ish fragments, in random chunk sizes.
    const char* fragments[] = {"GET ",
                               "POST ",
                               "/",
                               " HTTP/1.1",
                               "\r\n",
                               "\n",
                               ":",
                               " ",
                               "Content-Length: ",
                               "9",
                               "Transfer-Encoding",
                               "\r",
                               "\x00",
                               "\xff",
                               "a"};
    std::uint32_t seed = 12345;
    auto next = [&seed] {
        seed = seed * 1103515245u + 12345u;
        return seed >> 8;
    };
    for (int round = 0; round < 2000; ++round) {
        std::string input;
        const int pieces = 1 + static_cast<int>(next() % 30);
        for (int i = 0; i < pieces; ++i) {
            if (next() % 4 == 0) {
                input.push_back(static_cast<char>(next() & 0xFF));
            } else {
                input += std::string(fragments[next() % std::size(fragments)]);
            }
        }
        RequestParser parser(limits(64, 16));
        std::size_t offset = 0;
        while (offset < input.size()) {
            const std::size_t len = std::min<std::size_t>(1 + next() % 8, input.size() - offset);
            std::size_t consumed = 0;
            const Status status = parser.feed(input.data() + offset, len, consumed);
            ASSERT_LE(consumed, len);
            offset += consumed;
            if (status == Status::Error) {
                const int code = parser.errorStatus();
                EXPECT_TRUE(code == 400 || code == 413 || code == 431 || code == 501 || code == 505) << code;
                break;
            }
            if (status == Status::Complete) parser.reset();
        }
    }
}
