#pragma once
// Where a proxy mounts Resound under a prefix (server.path_prefix, e.g. "/ws"), it may or may not strip
// it before forwarding (Coolify/Traefik and nginx setups differ), so every server accepts both forms.
// Pure; any thread.
#include <string_view>

namespace resound::http {

// `path` without `prefix` when it starts with it as a whole segment ("/ws/app/k" -> "/app/k", "/ws"
// -> "/"), else `path` unchanged ("/wsx/app" stays). Trailing slashes of `prefix` are ignored; an
// empty prefix changes nothing.
std::string_view stripPathPrefix(std::string_view path, std::string_view prefix);

}  // namespace resound::http
