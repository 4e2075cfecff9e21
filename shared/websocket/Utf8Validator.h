#pragma once
// Incremental UTF-8 validator (RFC 3629): feed a message in any number of pieces, split anywhere.
// One byte of state; owned by whoever feeds it (one connection's loop thread).
#include <cstdint>
#include <string_view>

namespace resound::ws {

class Utf8Validator {
  public:
    // Validates the next piece. Returns false as soon as a byte makes the input invalid (overlong
    // form, UTF-16 surrogate, code point above U+10FFFF, stray or missing continuation byte); the
    // failure is sticky until reset().
    bool feed(std::string_view bytes);

    // True when everything fed so far is valid and no multi-byte sequence is left open.
    bool complete() const { return state_ == State::Accept; }
    bool failed() const { return state_ == State::Reject; }
    void reset() { state_ = State::Accept; }

    // One-shot check of a complete string.
    static bool isValid(std::string_view bytes);

  private:
    // What the next byte must be. The "First*" states carry the extra range restriction of the second
    // byte that rules out overlongs (E0, F0), surrogates (ED) and code points above U+10FFFF (F4).
    enum class State : uint8_t {
        Accept,     // between characters
        Cont1,      // one more 80..BF
        Cont2,      // two more 80..BF
        Cont3,      // three more 80..BF
        FirstA0BF,  // after E0: A0..BF, then one more
        First809F,  // after ED: 80..9F, then one more
        First90BF,  // after F0: 90..BF, then two more
        First808F,  // after F4: 80..8F, then two more
        Reject,
    };
    static State step(State state, uint8_t byte);

    State state_ = State::Accept;
};

}  // namespace resound::ws
