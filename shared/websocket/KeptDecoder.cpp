#include "websocket/KeptDecoder.h"

namespace resound::ws {
namespace {

// Passes every callback on and remembers whether one stopped the decoder: feed() returns the same
// std::nullopt whether it consumed everything or was stopped, and only the first may keep a decoder.
class StopWatchingHandler final : public FrameHandler {
  public:
    explicit StopWatchingHandler(FrameHandler& inner) : inner_(inner) {}

    bool onMessage(Opcode op, std::string_view payload) override {
        return watch(inner_.onMessage(op, payload));
    }
    bool onPing(std::string_view payload) override { return watch(inner_.onPing(payload)); }
    bool onPong(std::string_view payload) override { return watch(inner_.onPong(payload)); }
    bool onClose(uint16_t code, std::string_view reason) override {
        return watch(inner_.onClose(code, reason));
    }

    bool stopped() const { return stopped_; }

  private:
    bool watch(bool keepDecoding) {
        stopped_ = !keepDecoding;
        return keepDecoding;
    }

    FrameHandler& inner_;
    bool stopped_ = false;
};

}  // namespace

std::optional<DecodeError> feedKeepingDecoderOnlyMidMessage(std::unique_ptr<FrameDecoder>& kept,
                                                            std::size_t maxMessageSize, char* data,
                                                            std::size_t length, FrameHandler& handler) {
    StopWatchingHandler watcher(handler);
    if (kept) {
        auto error = kept->feed(data, length, watcher);
        // A stopping handler may have released `kept` already; an erroneous decoder stays, still
        // refusing, until the caller closes the connection.
        if (!error && !watcher.stopped() && kept->idle()) kept.reset();
        return error;
    }
    FrameDecoder fresh(maxMessageSize);
    auto error = fresh.feed(data, length, watcher);
    if (!error && !watcher.stopped() && !fresh.idle())
        kept = std::make_unique<FrameDecoder>(std::move(fresh));
    return error;
}

}  // namespace resound::ws
