#include "api/ConnectionsEndpoint.h"

#include <memory>
#include <vector>

#include "api/StateRead.h"

namespace resound::api {
namespace {

constexpr std::size_t kMaxUserIdLength = 200;

bool isPrintable(const std::string& text) {
    for (char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte == 0x7F) return false;
    }
    return true;
}

}  // namespace

std::optional<ApiResponse> terminateUserConnections(const ApiContext& context, const std::string& userId) {
    if (userId.empty() || userId.size() > kMaxUserIdLength || !isPrintable(userId)) {
        return errorResponse(
            400, "Invalid user id in the path: use the id the user signed in with (1-200 characters)");
    }
    auto message = std::make_shared<bus::BusMessage>();
    message->kind = bus::BusMessage::Kind::TerminateUser;
    message->appId = context.app.id;
    message->userId = userId;
    if (context.backend != nullptr && context.complete != nullptr) {
        // Through the loop's backend, as events are: answered once Redis took it, never waited for here.
        std::vector<PublishStep> steps(1);
        steps.front().message = std::move(message);
        context.backend->publish(
            std::move(steps), [complete = *context.complete](const PublishReport& report) {
                complete(report.all() ? okResponse("{}") : busRefusedResponse("request"));
            });
        return std::nullopt;
    }
    if (!context.bus.publish(std::move(message))) return busRefusedResponse("request");
    return okResponse("{}");
}

std::optional<ApiResponse> connectionCount(const ApiContext& context) {
    return readStateThen<std::size_t>(
        context, [&](state::ClusterState& state) { return state.connectionCount(context.app.id); },
        [appId = context.app.id](state::ClusterReads& reads, auto done) {
            reads.connectionCount(appId, std::move(done));
        },
        [](std::size_t count) { return okResponse("{\"connections\":" + std::to_string(count) + "}"); });
}

}  // namespace resound::api
