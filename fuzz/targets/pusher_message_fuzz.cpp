// Fuzzes the Pusher client-message parsers: parseClientMessage (every WebSocket text message),
// parsePresenceData (channel_data of presence subscriptions) and parseSigninUserId (pusher:signin).
//
// Input: the text itself (the server only passes valid UTF-8 of at most max_message_size bytes, but
// the parsers must not rely on it).
// Oracles: no crash, leak or sanitizer report; a rejection always says why (in valid UTF-8 when the
// input was); what is extracted is
// consistent (a message has a non-empty event, dataJson re-parses to a message whose fields agree,
// a presence user_id is 1..128 characters).
#include <cstdint>
#include <string>

#include "FuzzInput.h"
#include "pusher/ClientMessage.h"
#include "websocket/Utf8Validator.h"

using namespace resound;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);

    const pusher::ParseResult parsed = pusher::parseClientMessage(text);
    if (!parsed.message) {
        FUZZ_CHECK(!parsed.error.empty());
        // The server sends "Invalid message format: <error>" back in a text frame: for the valid UTF-8
        // it accepts, that must be valid UTF-8 too, or the client's WebSocket fails the connection
        // (regression: fuzz/regressions/pusher_message/, tests/unit/pusher/client_message_error_utf8_*).
        if (ws::Utf8Validator::isValid(text)) FUZZ_CHECK(ws::Utf8Validator::isValid(parsed.error));
    } else {
        const pusher::ClientMessage& message = *parsed.message;
        FUZZ_CHECK(!message.event.empty());
        // A client event is relayed as {"event","channel","data": dataJson}: that must be JSON again.
        if (!message.dataJson.empty()) {
            const std::string relayed = "{\"event\":\"e\",\"data\":" + message.dataJson + "}";
            const pusher::ParseResult again = pusher::parseClientMessage(relayed);
            FUZZ_CHECK(again.message.has_value());
            FUZZ_CHECK(again.message->dataChannel == message.dataChannel);
            FUZZ_CHECK(again.message->auth == message.auth);
            FUZZ_CHECK(again.message->channelData == message.channelData);
            FUZZ_CHECK(again.message->userData == message.userData);
        }
        std::string error;
        if (!message.channelData.empty()) {
            if (auto presence = pusher::parsePresenceData(message.channelData, error)) {
                FUZZ_CHECK(!presence->userKey.empty() && presence->userKey.size() <= 128);
                FUZZ_CHECK(!presence->infoJson.empty());
            }
        }
        if (!message.userData.empty()) (void)pusher::parseSigninUserId(message.userData, error);
    }

    std::string error;
    if (auto presence = pusher::parsePresenceData(text, error)) {
        FUZZ_CHECK(!presence->userKey.empty() && presence->userKey.size() <= 128);
        FUZZ_CHECK(!presence->idJson.empty() && !presence->infoJson.empty());
    } else {
        FUZZ_CHECK(!error.empty());
    }
    error.clear();
    if (auto id = pusher::parseSigninUserId(text, error)) {
        FUZZ_CHECK(!id->empty());
    } else {
        FUZZ_CHECK(!error.empty());
    }
    return 0;
}
