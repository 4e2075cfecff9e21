#include "httpserver/RequestIntake.h"

namespace resound::httpserver {

RequestIntake::Step RequestIntake::feed(const char* data, std::size_t length, std::size_t& consumed,
                                        std::uint32_t now, const http::RequestParser::Limits& limits) {
    if (!parser_) parser_ = std::make_unique<http::RequestParser>(limits);
    if (startedAt_ == 0) startedAt_ = now;
    consumed = 0;
    const auto status = parser_->feed(data, length, consumed);
    if (status == http::RequestParser::Status::NeedMore) return Step::NeedMore;
    startedAt_ = 0;
    continueSent_ = false;
    served_ = true;
    return status == http::RequestParser::Status::Complete ? Step::Complete : Step::Error;
}

bool RequestIntake::takeContinue() {
    // curl (and so PHP's HTTP clients) waits for this before sending a larger body.
    if (continueSent_ || !parser_ || !parser_->expectsContinue()) return false;
    continueSent_ = true;
    return true;
}

void RequestIntake::next() {
    if (parser_) parser_->reset();
}

void RequestIntake::release() {
    parser_.reset();
    startedAt_ = 0;
}

bool RequestIntake::expired(std::uint32_t now, std::uint32_t lastBytesAt,
                            const HttpDeadlines& deadlines) const {
    // A connection that has sent nothing yet is held only as long as a slow request would be.
    if (startedAt_ != 0 || !served_) {
        const std::uint32_t since = startedAt_ != 0 ? startedAt_ : lastBytesAt;
        return now - since >= deadlines.requestSeconds;
    }
    return now - lastBytesAt >= deadlines.idleSeconds;
}

}  // namespace resound::httpserver
