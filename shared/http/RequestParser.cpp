#include "http/RequestParser.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "util/ArrivalBuffer.h"

namespace resound::http {
namespace {

constexpr std::size_t kNotFound = static_cast<std::size_t>(-1);
// A chunk-size line is a few hex digits; extensions may follow, but nobody needs a kilobyte of them.
constexpr std::size_t kMaxChunkLine = 1024;

int hexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// RFC 9110 tchar: the characters of methods and header names.
constexpr std::array<bool, 256> makeTokenTable() {
    std::array<bool, 256> table{};
    for (int c = '0'; c <= '9'; ++c) table[c] = true;
    for (int c = 'a'; c <= 'z'; ++c) table[c] = true;
    for (int c = 'A'; c <= 'Z'; ++c) table[c] = true;
    for (char c : std::string_view("!#$%&'*+-.^_`|~")) table[static_cast<unsigned char>(c)] = true;
    return table;
}
constexpr std::array<bool, 256> kTokenChar = makeTokenTable();

bool isToken(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s) {
        if (!kTokenChar[static_cast<unsigned char>(c)]) return false;
    }
    return true;
}

// Header values: visible characters, obs-text, SP and HTAB; no other control characters.
bool isFieldValue(std::string_view s) {
    for (char c : s) {
        const auto byte = static_cast<unsigned char>(c);
        if ((byte < 0x20 && byte != '\t') || byte == 0x7F) return false;
    }
    return true;
}

// The request-target may not contain controls, spaces or DEL.
bool isTargetText(std::string_view s) {
    for (char c : s) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte <= 0x20 || byte == 0x7F) return false;
    }
    return true;
}

bool startsWithIgnoreCase(std::string_view s, std::string_view prefix) {
    if (s.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (c != prefix[i]) return false;
    }
    return true;
}

// Index just past the blank line that ends the header section, searching '\n's from `from`.
// `buf` starts with a non-empty request line, so looking back one or two bytes is always in range.
std::size_t findHeaderEnd(const char* buf, std::size_t len, std::size_t from) {
    std::size_t i = from;
    while (i < len) {
        const void* hit = std::memchr(buf + i, '\n', len - i);
        if (hit == nullptr) return kNotFound;
        i = static_cast<std::size_t>(static_cast<const char*>(hit) - buf);
        if ((i >= 1 && buf[i - 1] == '\n') || (i >= 2 && buf[i - 1] == '\r' && buf[i - 2] == '\n')) {
            return i + 1;
        }
        ++i;
    }
    return kNotFound;
}

std::string_view trimOws(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

}  // namespace

RequestParser::RequestParser() = default;

RequestParser::RequestParser(Limits limits) : limits_(limits) {}

void RequestParser::reset() {
    state_ = State::Start;
    std::string().swap(head_);
    scanned_ = 0;
    bodyLength_ = 0;
    chunkPhase_ = ChunkPhase::Size;
    chunkLeft_ = 0;
    std::string().swap(chunkLine_);
    trailerBytes_ = 0;
    request_ = Request{};
    errorStatus_ = 0;
    errorReason_ = "";
}

bool RequestParser::expectsContinue() const {
    return (state_ == State::Body || (state_ == State::Chunked && request_.body.empty() &&
                                      chunkPhase_ == ChunkPhase::Size && chunkLine_.empty())) &&
           request_.versionMinor >= 1 && request_.headerHasToken("expect", "100-continue");
}

RequestParser::Status RequestParser::fail(int status, const char* reason) {
    state_ = State::Error;
    errorStatus_ = status;
    errorReason_ = reason;
    std::string().swap(head_);
    std::string().swap(chunkLine_);
    return Status::Error;
}

bool RequestParser::reject(int status, const char* reason) {
    fail(status, reason);
    return false;
}

RequestParser::Status RequestParser::feed(const char* data, std::size_t len, std::size_t& consumed) {
    const char* cursor = data;
    std::size_t left = len;
    Status status = Status::NeedMore;
    while (true) {
        switch (state_) {
            case State::Start:
                // Empty lines before a request are tolerated (RFC 9112 2.2), e.g. a stray CRLF
                // after a previous body.
                while (left > 0 && (*cursor == '\r' || *cursor == '\n')) {
                    ++cursor;
                    --left;
                }
                if (left == 0) {
                    status = Status::NeedMore;
                    break;
                }
                state_ = State::Headers;
                continue;
            case State::Headers:
                status = feedHeaders(cursor, left);
                if (status == Status::NeedMore && (state_ == State::Body || state_ == State::Chunked))
                    continue;
                break;
            case State::Body:
                status = feedBody(cursor, left);
                break;
            case State::Chunked:
                status = feedChunked(cursor, left);
                break;
            case State::Complete:
                status = Status::Complete;
                break;
            case State::Error:
                status = Status::Error;
                break;
        }
        break;
    }
    consumed = static_cast<std::size_t>(cursor - data);
    return status;
}

RequestParser::Status RequestParser::feedHeaders(const char*& data, std::size_t& left) {
    const std::size_t max = limits_.maxHeaderBytes;
    if (head_.empty()) {
        // Fast path: the whole header section is in this chunk, parse it in place without a copy.
        const std::size_t end = findHeaderEnd(data, std::min(left, max), 0);
        if (end != kNotFound) {
            const std::string_view head(data, end);
            data += end;
            left -= end;
            return parseHead(head);
        }
        if (left >= max) return fail(431, "Request header section too large");
        head_.assign(data, left);
        scanned_ = left;
        data += left;
        left = 0;
        return Status::NeedMore;
    }

    // Slow path: the section is split across chunks; buffer at most `max` bytes of it.
    const std::size_t before = head_.size();
    const std::size_t take = std::min(left, max - before);
    head_.append(data, take);
    const std::size_t end = findHeaderEnd(head_.data(), head_.size(), scanned_);
    if (end == kNotFound) {
        if (head_.size() >= max) return fail(431, "Request header section too large");
        scanned_ = head_.size();
        data += take;
        left -= take;
        return Status::NeedMore;
    }
    const std::size_t fromThisChunk = end - before;
    data += fromThisChunk;
    left -= fromThisChunk;
    head_.resize(end);
    const Status status = parseHead(head_);
    std::string().swap(head_);
    scanned_ = 0;
    return status;
}

RequestParser::Status RequestParser::parseHead(std::string_view head) {
    // The number of lines bounds the number of headers: reserve once.
    request_.headers.reserve(static_cast<std::size_t>(std::count(head.begin(), head.end(), '\n')));
    bool first = true;
    while (!head.empty()) {
        const std::size_t newline = head.find('\n');  // always found: head ends with the blank line
        std::string_view line = head.substr(0, newline);
        head.remove_prefix(newline + 1);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.find('\r') != std::string_view::npos) return fail(400, "Malformed request: bare CR");
        if (first) {
            if (!parseRequestLine(line)) return Status::Error;
            first = false;
        } else if (line.empty()) {
            break;
        } else if (!parseHeaderLine(line)) {
            return Status::Error;
        }
    }
    return finishHeaders();
}

bool RequestParser::parseRequestLine(std::string_view line) {
    const std::size_t sp1 = line.find(' ');
    if (sp1 == std::string_view::npos) return reject(400, "Malformed request line");
    const std::size_t sp2 = line.find(' ', sp1 + 1);
    if (sp2 == std::string_view::npos) return reject(400, "Malformed request line");
    const std::string_view method = line.substr(0, sp1);
    const std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    const std::string_view version = line.substr(sp2 + 1);
    if (!isToken(method)) return reject(400, "Malformed request method");
    if (target.empty() || !isTargetText(target)) return reject(400, "Malformed request target");

    const bool versionShape = version.size() == 8 && version.starts_with("HTTP/") && version[6] == '.' &&
                              version[5] >= '0' && version[5] <= '9' && version[7] >= '0' &&
                              version[7] <= '9';
    if (!versionShape) return reject(400, "Malformed HTTP version");
    if (version[5] != '1') return reject(505, "HTTP version not supported: use HTTP/1.1");

    // Origin form "/path?query"; absolute form "http://host/path?query" (RFC 9112 3.2.2); "*".
    std::string_view pathAndQuery = target;
    if (target.front() != '/' && target != "*") {
        std::size_t authority = 0;
        if (startsWithIgnoreCase(target, "http://")) {
            authority = 7;
        } else if (startsWithIgnoreCase(target, "https://")) {
            authority = 8;
        } else {
            return reject(400, "Malformed request target");
        }
        const std::size_t pathStart = target.find_first_of("/?", authority);
        pathAndQuery = pathStart == std::string_view::npos ? std::string_view{} : target.substr(pathStart);
    }
    const std::size_t question = pathAndQuery.find('?');
    std::string_view path = pathAndQuery.substr(0, question);
    if (path.empty()) path = "/";

    request_.method.assign(method);
    request_.target.assign(target);
    request_.path.assign(path);
    if (question != std::string_view::npos) request_.query.assign(pathAndQuery.substr(question + 1));
    request_.versionMinor = version[7] - '0';
    return true;
}

bool RequestParser::parseHeaderLine(std::string_view line) {
    if (line.front() == ' ' || line.front() == '\t') {
        return reject(400, "Malformed header: line folding is not allowed");
    }
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) return reject(400, "Malformed header line");
    const std::string_view name = line.substr(0, colon);
    if (!isToken(name)) return reject(400, "Malformed header name");
    const std::string_view value = trimOws(line.substr(colon + 1));
    if (!isFieldValue(value)) return reject(400, "Malformed header value");

    auto& [storedName, storedValue] = request_.headers.emplace_back();
    storedName.resize(name.size());
    std::transform(name.begin(), name.end(), storedName.begin(),
                   [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; });
    storedValue.assign(value);
    return true;
}

RequestParser::Status RequestParser::finishHeaders() {
    const std::string* contentLength = nullptr;
    const std::string* transferEncoding = nullptr;
    for (const auto& [name, value] : request_.headers) {
        if (name == "transfer-encoding") {
            // Several codings (or several headers) would need decoders we do not have.
            if (transferEncoding != nullptr) return fail(501, "Only Transfer-Encoding: chunked is supported");
            transferEncoding = &value;
        }
        if (name == "content-length") {
            if (contentLength != nullptr && *contentLength != value) {
                return fail(400, "Conflicting Content-Length headers");
            }
            contentLength = &value;
        }
    }

    if (transferEncoding != nullptr) {
        // Both framings at once is how requests are smuggled past a proxy that reads the other one.
        if (contentLength != nullptr) return fail(400, "Transfer-Encoding and Content-Length together");
        if (request_.versionMinor < 1) return fail(400, "Transfer-Encoding needs HTTP/1.1");
        std::string coding = *transferEncoding;
        std::transform(coding.begin(), coding.end(), coding.begin(),
                       [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; });
        if (coding != "chunked") return fail(501, "Only Transfer-Encoding: chunked is supported");
        state_ = State::Chunked;
        chunkPhase_ = ChunkPhase::Size;
        return Status::NeedMore;
    }

    bodyLength_ = 0;
    if (contentLength != nullptr) {
        if (contentLength->empty()) return fail(400, "Malformed Content-Length");
        bool tooLarge = false;
        for (char c : *contentLength) {
            if (c < '0' || c > '9') return fail(400, "Malformed Content-Length");
            if (!tooLarge) {
                bodyLength_ = bodyLength_ * 10 + static_cast<std::size_t>(c - '0');
                tooLarge = bodyLength_ > limits_.maxBodyBytes;  // also stops before any overflow
            }
        }
        if (tooLarge) return fail(413, "Request body too large");
    }

    if (bodyLength_ == 0) {
        state_ = State::Complete;
        return Status::Complete;
    }
    state_ = State::Body;  // the body buffer grows as the body arrives (feedBody), not to Content-Length
    return Status::NeedMore;
}

RequestParser::Status RequestParser::feedBody(const char*& data, std::size_t& left) {
    const std::size_t take = std::min(left, bodyLength_ - request_.body.size());
    // A body that arrives whole gets one exact allocation; one that trickles in costs at most twice
    // what came, whatever Content-Length promised.
    util::reserveForArrival(request_.body, request_.body.size() + take, bodyLength_);
    request_.body.append(data, take);
    data += take;
    left -= take;
    if (request_.body.size() < bodyLength_) return Status::NeedMore;
    state_ = State::Complete;
    return Status::Complete;
}

RequestParser::Status RequestParser::feedChunked(const char*& data, std::size_t& left) {
    while (left > 0) {
        if (chunkPhase_ == ChunkPhase::Data) {
            const std::size_t take = std::min(left, chunkLeft_);
            request_.body.append(data, take);
            data += take;
            left -= take;
            chunkLeft_ -= take;
            if (chunkLeft_ == 0) chunkPhase_ = ChunkPhase::DataEnd;
            continue;
        }
        // The other phases read one line of framing, which may arrive in pieces.
        const void* newline = std::memchr(data, '\n', left);
        const std::size_t piece =
            newline ? static_cast<std::size_t>(static_cast<const char*>(newline) - data) : left;
        const std::size_t limit =
            chunkPhase_ == ChunkPhase::Trailer
                ? limits_.maxHeaderBytes - std::min(limits_.maxHeaderBytes, trailerBytes_)
                : kMaxChunkLine;
        if (chunkLine_.size() + piece > limit) {
            return chunkPhase_ == ChunkPhase::Trailer ? fail(431, "Request trailer section too large")
                                                      : fail(400, "Malformed chunk size line");
        }
        if (newline == nullptr) {
            chunkLine_.append(data, piece);
            data += piece;
            left = 0;
            break;
        }
        std::string_view line(data, piece);
        if (!chunkLine_.empty()) {
            chunkLine_.append(data, piece);
            line = chunkLine_;
        }
        data += piece + 1;
        left -= piece + 1;
        const Status status = endChunkLine(line);
        chunkLine_.clear();
        if (status != Status::NeedMore) return status;
    }
    return Status::NeedMore;
}

RequestParser::Status RequestParser::endChunkLine(std::string_view line) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find('\r') != std::string_view::npos) return fail(400, "Malformed chunked body: bare CR");
    switch (chunkPhase_) {
        case ChunkPhase::Size: {
            std::size_t size = 0;
            std::size_t digits = 0;
            const std::size_t room = limits_.maxBodyBytes - request_.body.size();
            for (; digits < line.size() && hexValue(line[digits]) >= 0; ++digits) {
                size = size * 16 + static_cast<std::size_t>(hexValue(line[digits]));
                if (size > room) return fail(413, "Request body too large");  // also stops any overflow
            }
            const std::string_view rest = trimOws(line.substr(digits));
            if (digits == 0 || (!rest.empty() && rest.front() != ';'))
                return fail(400, "Malformed chunk size");
            chunkLeft_ = size;
            chunkPhase_ = size == 0 ? ChunkPhase::Trailer : ChunkPhase::Data;
            return Status::NeedMore;
        }
        case ChunkPhase::DataEnd:
            if (!line.empty()) return fail(400, "Malformed chunked body: data longer than its chunk size");
            chunkPhase_ = ChunkPhase::Size;
            return Status::NeedMore;
        case ChunkPhase::Trailer:
            if (line.empty()) {
                state_ = State::Complete;
                return Status::Complete;
            }
            trailerBytes_ += line.size() + 2;
            if (trailerBytes_ > limits_.maxHeaderBytes) return fail(431, "Request trailer section too large");
            if (line.find(':') == std::string_view::npos) return fail(400, "Malformed trailer line");
            return Status::NeedMore;  // trailer fields are not merged into the headers
        case ChunkPhase::Data:
            break;
    }
    return fail(400, "Malformed chunked body");
}

}  // namespace resound::http
