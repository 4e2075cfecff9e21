#pragma once
namespace resound {
inline constexpr const char* kVersion = RESOUND_VERSION;
}
