#include "HttpResponseReader.h"

#include <algorithm>
#include <cctype>

namespace resound::bench {
namespace {

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

bool containsIgnoreCase(std::string_view haystack, std::string_view needle) {
    if (needle.size() > haystack.size()) return false;
    for (std::size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
        if (equalsIgnoreCase(haystack.substr(i, needle.size()), needle)) return true;
    }
    return false;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

}  // namespace

void HttpResponseReader::reset() {
    phase_ = Phase::Head;
    head_.clear();
    line_.clear();
    body_.clear();
    remaining_ = 0;
    status_ = 0;
    keepAlive_ = true;
    problem_ = "";
}

HttpResponseReader::Status HttpResponseReader::fail(const char* why) {
    problem_ = why;
    keepAlive_ = false;
    return Status::Invalid;
}

void HttpResponseReader::keepBody(std::string_view bytes) {
    if (body_.size() < kKeptBodyBytes) body_.append(bytes.substr(0, kKeptBodyBytes - body_.size()));
}

bool HttpResponseReader::parseHead() {
    std::string_view head(head_);
    const std::size_t firstLineEnd = head.find("\r\n");
    const std::string_view statusLine = head.substr(0, firstLineEnd);
    if (statusLine.size() < 12 || statusLine.substr(0, 5) != "HTTP/") return false;
    const bool http10 = statusLine.substr(0, 8) == "HTTP/1.0";
    const std::size_t space = statusLine.find(' ');
    if (space == std::string_view::npos || space + 4 > statusLine.size()) return false;
    status_ = 0;
    for (std::size_t i = space + 1; i < space + 4; ++i) {
        if (!std::isdigit(static_cast<unsigned char>(statusLine[i]))) return false;
        status_ = status_ * 10 + (statusLine[i] - '0');
    }

    keepAlive_ = !http10;
    bool chunked = false, haveLength = false;
    std::uint64_t length = 0;
    std::size_t pos = firstLineEnd + 2;
    while (pos < head.size()) {
        std::size_t next = head.find("\r\n", pos);
        if (next == std::string_view::npos) next = head.size();
        const std::string_view line = head.substr(pos, next - pos);
        pos = next + 2;
        const std::size_t colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        const std::string_view name = trim(line.substr(0, colon));
        const std::string_view value = trim(line.substr(colon + 1));
        if (equalsIgnoreCase(name, "content-length")) {
            if (value.empty()) return false;
            length = 0;
            for (char c : value) {
                if (!std::isdigit(static_cast<unsigned char>(c))) return false;
                length = length * 10 + static_cast<std::uint64_t>(c - '0');
            }
            haveLength = true;
        } else if (equalsIgnoreCase(name, "transfer-encoding")) {
            chunked = containsIgnoreCase(value, "chunked");
        } else if (equalsIgnoreCase(name, "connection")) {
            if (containsIgnoreCase(value, "close")) keepAlive_ = false;
            if (containsIgnoreCase(value, "keep-alive")) keepAlive_ = true;
        }
    }

    const bool noBody = (status_ >= 100 && status_ < 200) || status_ == 204 || status_ == 304;
    if (noBody) {
        phase_ = Phase::Done;
    } else if (chunked) {
        phase_ = Phase::ChunkSize;
    } else if (haveLength) {
        remaining_ = length;
        phase_ = length == 0 ? Phase::Done : Phase::FixedBody;
    } else {
        keepAlive_ = false;
        phase_ = Phase::UntilClose;
    }
    return true;
}

HttpResponseReader::Status HttpResponseReader::feed(std::string_view data, std::size_t& consumed) {
    consumed = 0;
    while (phase_ != Phase::Done) {
        if (consumed == data.size() && phase_ != Phase::Done) return Status::NeedMore;
        std::string_view rest = data.substr(consumed);
        switch (phase_) {
            case Phase::Head: {
                const std::size_t searchFrom = head_.size() >= 3 ? head_.size() - 3 : 0;
                head_.append(rest);
                const std::size_t end = head_.find("\r\n\r\n", searchFrom);
                if (end == std::string::npos) {
                    consumed = data.size();
                    if (head_.size() > kMaxHeadBytes) return fail("response head too large");
                    return Status::NeedMore;
                }
                const std::size_t usedHere = end + 4 - (head_.size() - rest.size());
                consumed += usedHere;
                head_.resize(end + 2);
                if (!parseHead()) return fail("malformed response head");
                break;
            }
            case Phase::FixedBody: {
                const auto take = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, rest.size()));
                keepBody(rest.substr(0, take));
                consumed += take;
                remaining_ -= take;
                if (remaining_ == 0) phase_ = Phase::Done;
                break;
            }
            case Phase::ChunkSize:
            case Phase::Trailer: {
                const std::size_t eol = rest.find('\n');
                if (eol == std::string_view::npos) {
                    line_.append(rest);
                    consumed = data.size();
                    if (line_.size() > 1024) return fail("chunk line too long");
                    return Status::NeedMore;
                }
                line_.append(rest.substr(0, eol));
                consumed += eol + 1;
                std::string_view line = trim(line_);
                if (phase_ == Phase::Trailer) {
                    if (line.empty()) phase_ = Phase::Done;
                    line_.clear();
                    break;
                }
                const std::size_t semicolon = line.find(';');
                line = trim(line.substr(0, semicolon));
                if (line.empty() || line.size() > 15) return fail("bad chunk size");
                std::uint64_t size = 0;
                for (char c : line) {
                    const int d = std::isdigit(static_cast<unsigned char>(c)) ? c - '0'
                                  : (c >= 'a' && c <= 'f')                    ? c - 'a' + 10
                                  : (c >= 'A' && c <= 'F')                    ? c - 'A' + 10
                                                                              : -1;
                    if (d < 0) return fail("bad chunk size");
                    size = size * 16 + static_cast<std::uint64_t>(d);
                }
                line_.clear();
                remaining_ = size;
                phase_ = size == 0 ? Phase::Trailer : Phase::ChunkData;
                break;
            }
            case Phase::ChunkData: {
                const auto take = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, rest.size()));
                keepBody(rest.substr(0, take));
                consumed += take;
                remaining_ -= take;
                if (remaining_ == 0) {
                    phase_ = Phase::ChunkDataEnd;
                    remaining_ = 2;
                }
                break;
            }
            case Phase::ChunkDataEnd: {
                const auto take = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, rest.size()));
                for (std::size_t i = 0; i < take; ++i) {
                    const char expected = remaining_ == 2 ? '\r' : '\n';
                    if (rest[i] != expected) return fail("missing CRLF after chunk");
                    --remaining_;
                }
                consumed += take;
                if (remaining_ == 0) phase_ = Phase::ChunkSize;
                break;
            }
            case Phase::UntilClose:
                keepBody(rest);
                consumed = data.size();
                return Status::NeedMore;
            case Phase::Done:
                break;
        }
    }
    return Status::Complete;
}

HttpResponseReader::Status HttpResponseReader::finishAtEof() {
    keepAlive_ = false;
    if (phase_ == Phase::UntilClose || phase_ == Phase::Done) {
        phase_ = Phase::Done;
        return Status::Complete;
    }
    return fail("connection closed mid-response");
}

}  // namespace resound::bench
