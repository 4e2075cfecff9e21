// Fuzzes json::readJson, the strict reader of HTTP API request bodies, and json::appendCompact.
//
// Input: the text itself (bodies reach the reader as they came off the socket, any bytes).
// Oracles: no crash, leak or sanitizer report (the depth limit keeps the stack bounded); a rejection
// has a message and an offset inside the input; an accepted text was valid UTF-8 and every decoded
// string and key is valid UTF-8 too; no object holds a key twice; the compact text of the value reads
// back and is a fixpoint of read + compact.
#include <cstdint>
#include <string>

#include "FuzzInput.h"
#include "json/JsonReader.h"
#include "websocket/Utf8Validator.h"

using namespace resound;

namespace {

void checkTree(const json::JsonValue& value, std::size_t depth) {
    FUZZ_CHECK(depth <= json::kDefaultMaxJsonDepth + 1);
    switch (value.kind) {
        case json::JsonKind::String:
            FUZZ_CHECK(ws::Utf8Validator::isValid(value.text));
            break;
        case json::JsonKind::Number:
            FUZZ_CHECK(!value.text.empty());
            break;
        case json::JsonKind::Array:
            for (const auto& item : value.items) checkTree(item, depth + 1);
            break;
        case json::JsonKind::Object:
            for (std::size_t i = 0; i < value.members.size(); ++i) {
                FUZZ_CHECK(ws::Utf8Validator::isValid(value.members[i].key));
                for (std::size_t j = 0; j < i; ++j) FUZZ_CHECK(value.members[j].key != value.members[i].key);
                checkTree(value.members[i].value, depth + 1);
            }
            break;
        default:
            break;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);

    const json::JsonReadResult result = json::readJson(text);
    if (!result.ok()) {
        FUZZ_CHECK(result.error->message != nullptr && result.error->message[0] != '\0');
        FUZZ_CHECK(result.error->offset <= size);
        FUZZ_CHECK(result.value.isNull());
        return 0;
    }
    FUZZ_CHECK(ws::Utf8Validator::isValid(text));
    checkTree(result.value, 0);

    std::string compact;
    json::appendCompact(compact, result.value);
    const json::JsonReadResult again = json::readJson(compact);
    FUZZ_CHECK(again.ok());
    std::string compactAgain;
    json::appendCompact(compactAgain, again.value);
    FUZZ_CHECK(compactAgain == compact);
    return 0;
}
