#pragma once
// The dashboard's page, script and style sheet, compiled into the binary from
// shared/dashboard/assets/ by EmbedAssets.cmake (no files read at run time, nothing fetched from a
// CDN). Immutable; any thread.
#include <span>
#include <string_view>

namespace resound::dashboard {

struct Asset {
    std::string_view name;         // file name, e.g. "dashboard.js"
    std::string_view contentType;  // from the extension
    std::string_view body;
};

std::span<const Asset> assets();

inline const Asset* findAsset(std::string_view name) {
    for (const Asset& asset : assets()) {
        if (asset.name == name) return &asset;
    }
    return nullptr;
}

}  // namespace resound::dashboard
