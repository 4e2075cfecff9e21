#include "pusher/ChannelName.h"

#include <array>

namespace resound::pusher {
namespace {

constexpr std::array<bool, 256> makeAllowedTable() {
    std::array<bool, 256> table{};
    for (char c = 'a'; c <= 'z'; ++c) table[static_cast<unsigned char>(c)] = true;
    for (char c = 'A'; c <= 'Z'; ++c) table[static_cast<unsigned char>(c)] = true;
    for (char c = '0'; c <= '9'; ++c) table[static_cast<unsigned char>(c)] = true;
    for (char c : std::string_view("_-=@,.;")) table[static_cast<unsigned char>(c)] = true;
    return table;
}
constexpr std::array<bool, 256> kAllowed = makeAllowedTable();

bool allAllowed(std::string_view text) {
    for (char c : text) {
        if (!kAllowed[static_cast<unsigned char>(c)]) return false;
    }
    return true;
}

}  // namespace

ChannelKind kindOf(std::string_view name) {
    if (name.starts_with("private-encrypted-")) return ChannelKind::PrivateEncrypted;
    if (name.starts_with("private-")) return ChannelKind::Private;
    if (name.starts_with("presence-")) return ChannelKind::Presence;
    if (name.starts_with(kServerToUserPrefix)) return ChannelKind::ServerToUser;
    return ChannelKind::Public;
}

bool isCacheChannel(std::string_view name) {
    return name.starts_with("cache-") || name.starts_with("private-cache-") ||
           name.starts_with("private-encrypted-cache-") || name.starts_with("presence-cache-");
}

std::optional<std::string_view> serverToUserId(std::string_view name) {
    if (!name.starts_with(kServerToUserPrefix) || name.size() == kServerToUserPrefix.size()) {
        return std::nullopt;
    }
    return name.substr(kServerToUserPrefix.size());
}

bool isValidChannelName(std::string_view name) {
    if (name.empty() || name.size() > kMaxChannelNameLength) return false;
    if (name.front() == '#') {
        const auto userId = serverToUserId(name);
        return userId.has_value() && allAllowed(*userId);
    }
    return allAllowed(name);
}

}  // namespace resound::pusher
