#include "config/YamlConfigReader.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <functional>
#include <set>
#include <utility>

#include "config/ConfigLoader.h"
#include "config/ConfigSchema.h"
#include "config/WebhookConfig.h"

namespace resound::config::detail {
namespace {

// A key of a map that is itself a map (server.scaling), read by its own function.
using NestedReader = std::function<void(const YAML::Node& value, const std::string& path)>;
using NestedKeys = std::vector<std::pair<std::string_view, NestedReader>>;

std::string join(const std::string& path, std::string_view key) {
    return path.empty() ? std::string(key) : path + "." + std::string(key);
}

std::string atLine(const YAML::Node& node) {
    const YAML::Mark mark = node.Mark();
    return mark.is_null() ? "" : " (line " + std::to_string(mark.line + 1) + ")";
}

std::string kindOf(const YAML::Node& node) {
    switch (node.Type()) {
        case YAML::NodeType::Map:
            return "a map";
        case YAML::NodeType::Sequence:
            return "a list";
        case YAML::NodeType::Scalar:
            return "a single value";
        default:
            return "nothing";
    }
}

[[noreturn]] void failAt(const std::string& name, const YAML::Node& node, const std::string& problem) {
    failField(name, problem + atLine(node));
}

std::size_t editDistance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

// Unknown keys are errors so that a typo cannot silently leave a default in place.
[[noreturn]] void failUnknownKey(const std::string& path, const YAML::Node& keyNode,
                                 const std::vector<std::string_view>& known) {
    const std::string key = keyNode.Scalar();
    std::string hint;
    std::size_t best = 3;  // suggest only close matches
    for (const std::string_view candidate : known) {
        if (const std::size_t distance = editDistance(key, candidate); distance < best) {
            best = distance;
            hint = " (did you mean '" + std::string(candidate) + "'?)";
        }
    }
    failAt(join(path, key), keyNode, "unknown key" + hint);
}

template <class Owner>
void readValue(const FieldSpec<Owner>& spec, Owner& object, const std::string& name,
               const YAML::Node& keyNode, const YAML::Node& value) {
    if (auto* list = std::get_if<std::vector<std::string> Owner::*>(&spec.member)) {
        if (!value.IsSequence()) failAt(name, value, "expected a list, got " + kindOf(value));
        std::vector<std::string> items;
        for (std::size_t i = 0; i < value.size(); ++i) {
            const std::string itemName = name + "[" + std::to_string(i) + "]";
            if (!value[i].IsScalar())
                failAt(itemName, value[i], "expected a single value, got " + kindOf(value[i]));
            items.push_back(value[i].Scalar());
        }
        object.*(*list) = std::move(items);
        return;
    }
    if (value.IsNull() && std::holds_alternative<std::string Owner::*>(spec.member)) {
        assignFromText(spec, object, name, "");  // "key:" with nothing after it reads as an empty string
        return;
    }
    if (value.IsNull()) failAt(name, keyNode, "missing value");  // a null value's mark is the next line
    if (!value.IsScalar()) failAt(name, value, "expected a single value, got " + kindOf(value));
    try {
        assignFromText(spec, object, name, value.Scalar());
    } catch (const ConfigError& error) {
        throw ConfigError(error.what() + atLine(value));
    }
}

// Reads every entry of `map` into `object` through the field table; `nested` handles sub-maps.
template <class Owner>
void readFields(const YAML::Node& map, const std::string& path, std::span<const FieldSpec<Owner>> fields,
                Owner& object, const NestedKeys& nested = {}) {
    if (map.IsNull()) return;  // a section whose keys are all commented out
    if (!map.IsMap()) failAt(path, map, "expected a map, got " + kindOf(map));
    std::vector<std::string_view> known;
    for (const auto& field : fields) known.push_back(field.key);
    for (const auto& entry : nested) known.push_back(entry.first);

    std::set<std::string, std::less<>> seen;
    for (const auto& entry : map) {  // by value from the iterator: it->first would dangle
        const YAML::Node& keyNode = entry.first;
        if (!keyNode.IsScalar()) failAt(path.empty() ? "config" : path, keyNode, "keys must be plain names");
        const std::string& key = keyNode.Scalar();
        const std::string name = join(path, key);
        // yaml-cpp keeps duplicate keys silently; the second one would be ignored.
        if (!seen.insert(key).second) failAt(name, keyNode, "duplicate key");
        const auto field =
            std::find_if(fields.begin(), fields.end(), [&](const auto& f) { return f.key == key; });
        if (field != fields.end()) {
            readValue(*field, object, name, keyNode, entry.second);
            continue;
        }
        const auto sub =
            std::find_if(nested.begin(), nested.end(), [&](const auto& n) { return n.first == key; });
        if (sub == nested.end()) failUnknownKey(path, keyNode, known);
        sub->second(entry.second, name);
    }
}

void readServer(const YAML::Node& node, ServerConfig& server) {
    const NestedReader readRedis = [&](const YAML::Node& value, const std::string& path) {
        readFields(value, path, redisFields(), server.redis);
    };
    const NestedReader readScaling = [&](const YAML::Node& value, const std::string& path) {
        readFields(value, path, scalingFields(), server, {{"redis", readRedis}});
    };
    readFields(node, "server", serverFields(), server, {{"scaling", readScaling}});
}

// headers: {Name: value, ...}; order is kept so requests carry them as written.
void readHeaders(const YAML::Node& node, const std::string& path,
                 std::vector<std::pair<std::string, std::string>>& headers) {
    if (node.IsNull()) return;
    if (!node.IsMap()) failAt(path, node, "expected a map of header names to values, got " + kindOf(node));
    std::set<std::string, std::less<>> seen;
    for (const auto& entry : node) {
        const YAML::Node& keyNode = entry.first;
        if (!keyNode.IsScalar()) failAt(path, keyNode, "header names must be plain names");
        const std::string name = join(path, keyNode.Scalar());
        if (!seen.insert(keyNode.Scalar()).second) failAt(name, keyNode, "duplicate key");
        if (!entry.second.IsScalar())
            failAt(name, entry.second, "expected a single value, got " + kindOf(entry.second));
        headers.emplace_back(keyNode.Scalar(), entry.second.Scalar());
    }
}

void readWebhooks(const YAML::Node& node, const std::string& path, std::vector<WebhookTarget>& targets) {
    if (node.IsNull()) return;
    if (!node.IsSequence()) failAt(path, node, "expected a list of webhook targets, got " + kindOf(node));
    for (std::size_t i = 0; i < node.size(); ++i) {
        const std::string targetPath = path + "[" + std::to_string(i) + "]";
        if (!node[i].IsMap())
            failAt(targetPath, node[i], "expected a map with url and event_types, got " + kindOf(node[i]));
        WebhookTarget target;
        const NestedReader filter = [&](const YAML::Node& value, const std::string& filterPath) {
            readFields(value, filterPath, webhookFilterFields(), target.filter);
        };
        const NestedReader headers = [&](const YAML::Node& value, const std::string& headersPath) {
            readHeaders(value, headersPath, target.headers);
        };
        readFields(node[i], targetPath, webhookTargetFields(), target,
                   {{"filter", filter}, {"headers", headers}});
        targets.push_back(std::move(target));
    }
}

void readApps(const YAML::Node& node, std::vector<AppConfig>& apps) {
    if (node.IsNull()) return;
    if (!node.IsSequence()) failAt("apps", node, "expected a list of apps, got " + kindOf(node));
    for (std::size_t i = 0; i < node.size(); ++i) {
        const std::string path = "apps[" + std::to_string(i) + "]";
        if (!node[i].IsMap())
            failAt(path, node[i], "expected a map with id, key and secret, got " + kindOf(node[i]));
        AppConfig app;
        const NestedReader webhooks = [&](const YAML::Node& value, const std::string& webhooksPath) {
            readWebhooks(value, webhooksPath, app.webhooks);
        };
        readFields(node[i], path, appFields(), app, {{"webhooks", webhooks}});
        apps.push_back(std::move(app));
    }
}

}  // namespace

Config readYamlConfig(const std::string& yamlText, std::string_view source) {
    YAML::Node root;
    try {
        root = YAML::Load(yamlText);
    } catch (const YAML::ParserException& error) {
        throw ConfigError(std::string(source) + ": YAML syntax error at line " +
                          std::to_string(error.mark.line + 1) + ", column " +
                          std::to_string(error.mark.column + 1) + ": " + error.msg);
    }
    Config config;
    if (root.IsNull()) return config;
    if (!root.IsMap())
        failAt(std::string(source), root, "expected a map with server: and apps:, got " + kindOf(root));
    const NestedReader server = [&](const YAML::Node& value, const std::string&) {
        readServer(value, config.server);
    };
    const NestedReader apps = [&](const YAML::Node& value, const std::string&) {
        readApps(value, config.apps);
    };
    const NestedReader dashboard = [&](const YAML::Node& value, const std::string& path) {
        readFields(value, path, dashboardFields(), config.dashboard);
    };
    readFields<Config>(root, "", {}, config, {{"server", server}, {"dashboard", dashboard}, {"apps", apps}});
    return config;
}

}  // namespace resound::config::detail
