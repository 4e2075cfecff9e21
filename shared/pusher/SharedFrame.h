#pragma once
// One encoded WebSocket frame, shared read-only by every connection it is queued on.
#include <memory>
#include <string>

namespace resound::pusher {
using SharedFrame = std::shared_ptr<const std::string>;
}
