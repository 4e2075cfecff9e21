#include "websocket/Utf8Validator.h"

#include <cstring>

namespace resound::ws {

Utf8Validator::State Utf8Validator::step(State state, uint8_t byte) {
    auto within = [byte](uint8_t lo, uint8_t hi) { return byte >= lo && byte <= hi; };
    switch (state) {
        case State::Accept:
            if (byte < 0x80) return State::Accept;
            if (within(0xC2, 0xDF)) return State::Cont1;  // C0, C1 would only start overlongs
            if (byte == 0xE0) return State::FirstA0BF;
            if (byte == 0xED) return State::First809F;
            if (within(0xE1, 0xEF)) return State::Cont2;
            if (byte == 0xF0) return State::First90BF;
            if (within(0xF1, 0xF3)) return State::Cont3;
            if (byte == 0xF4) return State::First808F;
            return State::Reject;  // 80..C1 as a lead byte, F5..FF
        case State::Cont1:
            return within(0x80, 0xBF) ? State::Accept : State::Reject;
        case State::Cont2:
            return within(0x80, 0xBF) ? State::Cont1 : State::Reject;
        case State::Cont3:
            return within(0x80, 0xBF) ? State::Cont2 : State::Reject;
        case State::FirstA0BF:
            return within(0xA0, 0xBF) ? State::Cont1 : State::Reject;
        case State::First809F:
            return within(0x80, 0x9F) ? State::Cont1 : State::Reject;
        case State::First90BF:
            return within(0x90, 0xBF) ? State::Cont2 : State::Reject;
        case State::First808F:
            return within(0x80, 0x8F) ? State::Cont2 : State::Reject;
        case State::Reject:
            break;
    }
    return State::Reject;
}

bool Utf8Validator::feed(std::string_view bytes) {
    const char* p = bytes.data();
    const char* const end = p + bytes.size();
    State state = state_;
    while (p < end) {
        if (state == State::Accept) {
            // Pusher traffic is mostly JSON/ASCII: skip runs of ASCII eight bytes at a time.
            while (end - p >= 8) {
                uint64_t word;
                std::memcpy(&word, p, 8);
                if (word & 0x8080808080808080ULL) break;
                p += 8;
            }
            if (p == end) break;
        }
        state = step(state, static_cast<uint8_t>(*p++));
        if (state == State::Reject) break;
    }
    state_ = state;
    return state != State::Reject;
}

bool Utf8Validator::isValid(std::string_view bytes) {
    Utf8Validator validator;
    return validator.feed(bytes) && validator.complete();
}

}  // namespace resound::ws
