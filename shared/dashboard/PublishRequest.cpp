#include "dashboard/PublishRequest.h"

#include "json/JsonReader.h"
#include "pusher/ChannelName.h"

namespace resound::dashboard {
namespace {

constexpr std::size_t kMaxEventNameLength = 200;

PublishProblem problem(std::string message) { return PublishProblem{400, std::move(message)}; }

}  // namespace

std::variant<PublishRequest, PublishProblem> parsePublishRequest(std::string_view body) {
    const json::JsonReadResult parsed = json::readJson(body);
    if (!parsed.ok()) {
        return problem("The body is not JSON (" + std::string(parsed.error->message) + " at byte " +
                       std::to_string(parsed.error->offset) + ")");
    }
    if (!parsed.value.isObject()) return problem("Send a JSON object {app, channel, event, data}");
    auto text = [&](const char* name) -> const json::JsonValue* { return parsed.value.find(name); };

    PublishRequest request;
    for (auto [name, target] : {std::pair{"app", &request.appId}, std::pair{"channel", &request.channel},
                                std::pair{"event", &request.event}}) {
        const json::JsonValue* value = text(name);
        if (!value || !value->isString() || value->text.empty()) {
            return problem(std::string("Missing \"") + name + "\": give it as a non-empty string");
        }
        *target = value->text;
    }
    if (!pusher::isValidChannelName(request.channel)) {
        return problem(
            "Invalid channel name: use 1-200 characters from A-Z a-z 0-9 _ - = @ , . ; "
            "(only #server-to-user-<id> may start with #)");
    }
    if (pusher::kindOf(request.channel) == pusher::ChannelKind::PrivateEncrypted) {
        return problem(
            "private-encrypted- channels carry data encrypted by the app; the dashboard cannot "
            "publish to them");
    }
    if (request.event.size() > kMaxEventNameLength) {
        return problem("The event name is " + std::to_string(request.event.size()) + " bytes; at most 200");
    }
    if (request.event.rfind("pusher:", 0) == 0 || request.event.rfind("pusher_internal:", 0) == 0) {
        return problem("Event names starting with pusher: or pusher_internal: are reserved for the protocol");
    }
    const json::JsonValue* data = text("data");
    if (!data) return problem("Missing \"data\": give the event payload as a string (usually JSON)");
    if (data->isString()) {
        request.data = data->text;
    } else {
        json::appendCompact(request.data, *data);
    }
    return request;
}

}  // namespace resound::dashboard
