// The shared command line of the service binaries, port resolution and JSON log lines.
#include <gtest/gtest.h>

#include <map>
#include <stdexcept>
#include <vector>

#include "service/Logging.h"
#include "service/ServiceMain.h"

namespace resound::service {
namespace {

const ServiceInfo kInfo{.name = "resound-test",
                        .summary = "A test service.",
                        .defaultPort = 8081,
                        .portEnvVar = "RESOUND_TEST_PORT",
                        .valueOptions = {"stale-after"},
                        .extraUsage = "  --stale-after S    test option\n"};

CommandLine parse(std::vector<const char*> args) {
    args.insert(args.begin(), "resound-test");
    return parseCommandLine(kInfo, static_cast<int>(args.size()), args.data());
}

config::EnvLookup env(std::map<std::string, std::string> values) {
    return [values](const std::string& name) -> std::optional<std::string> {
        const auto it = values.find(name);
        return it == values.end() ? std::nullopt : std::optional<std::string>(it->second);
    };
}

TEST(CommandLine, DefaultsToRun) {
    const CommandLine cl = parse({});
    EXPECT_EQ(cl.mode, CommandLine::Mode::Run);
    EXPECT_EQ(cl.configPath, "");
    EXPECT_FALSE(cl.port);
}

TEST(CommandLine, ReadsCommonOptionsInBothSpellings) {
    const CommandLine cl = parse(
        {"--config", "/etc/resound/resound.yaml", "--port=9000", "--log-format", "JSON", "--stale-after=15"});
    EXPECT_EQ(cl.configPath, "/etc/resound/resound.yaml");
    EXPECT_EQ(cl.port, 9000);
    EXPECT_EQ(cl.logFormat, "JSON");
    EXPECT_EQ(cl.options.at("stale-after"), "15");
    EXPECT_EQ(parse({"--help"}).mode, CommandLine::Mode::Help);
    EXPECT_EQ(parse({"--version"}).mode, CommandLine::Mode::Version);
}

TEST(CommandLine, HealthcheckSubcommand) {
    CommandLine cl = parse({"healthcheck"});
    EXPECT_EQ(cl.mode, CommandLine::Mode::Healthcheck);
    EXPECT_EQ(cl.healthUrl, "");
    EXPECT_EQ(cl.healthTimeout, kDefaultHealthcheckTimeout);
    cl = parse({"healthcheck", "--url", "http://127.0.0.1:9/ready", "--timeout=500"});
    EXPECT_EQ(cl.healthUrl, "http://127.0.0.1:9/ready");
    EXPECT_EQ(cl.healthTimeout.count(), 500);
    EXPECT_EQ(parse({"healthcheck", "--port", "7"}).port, 7);
}

TEST(CommandLine, RejectsWhatItDoesNotKnow) {
    EXPECT_THROW(parse({"--bogus"}), std::invalid_argument);
    EXPECT_THROW(parse({"--port", "0"}), std::invalid_argument);
    EXPECT_THROW(parse({"--port", "65536"}), std::invalid_argument);
    EXPECT_THROW(parse({"--port", "80x"}), std::invalid_argument);
    EXPECT_THROW(parse({"--config"}), std::invalid_argument);
    EXPECT_THROW(parse({"--log-format", "xml"}), std::invalid_argument);
    EXPECT_THROW(parse({"--url", "http://x/"}), std::invalid_argument);  // only after healthcheck
    EXPECT_THROW(parse({"healthcheck", "--stale-after", "3"}), std::invalid_argument);
    EXPECT_THROW(parse({"healthcheck", "--timeout", "0"}), std::invalid_argument);
    EXPECT_THROW(parse({"serve"}), std::invalid_argument);
}

TEST(ResolvePort, FlagBeatsEnvBeatsDefault) {
    EXPECT_EQ(resolvePort(kInfo, parse({}), env({})), 8081);
    EXPECT_EQ(resolvePort(kInfo, parse({}), env({{"RESOUND_TEST_PORT", "9100"}})), 9100);
    EXPECT_EQ(resolvePort(kInfo, parse({}), env({{"RESOUND_TEST_PORT", ""}})), 8081);
    EXPECT_EQ(resolvePort(kInfo, parse({"--port", "9200"}), env({{"RESOUND_TEST_PORT", "9100"}})), 9200);
    EXPECT_THROW(resolvePort(kInfo, parse({}), env({{"RESOUND_TEST_PORT", "http"}})), std::invalid_argument);
}

TEST(ServiceConfig, FallsBackToDefaultsAndHonoursRESOUND_CONFIG) {
    const config::Config defaults = loadServiceConfig(parse({}), env({}));
    EXPECT_TRUE(defaults.usesDevelopmentCredentials);
    EXPECT_THROW(loadServiceConfig(parse({}), env({{"RESOUND_CONFIG", "/nonexistent/resound.yaml"}})),
                 config::ConfigError);
}

TEST(Usage, NamesTheServiceItsPortAndItsOptions) {
    const std::string text = usageText(kInfo);
    EXPECT_NE(text.find("resound-test healthcheck"), std::string::npos);
    EXPECT_NE(text.find("8081"), std::string::npos);
    EXPECT_NE(text.find("RESOUND_TEST_PORT"), std::string::npos);
    EXPECT_NE(text.find("--stale-after"), std::string::npos);
}

TEST(Logging, JsonLinesEscapeTheMessage) {
    EXPECT_EQ(jsonLogLine("2024-01-02T03:04:05.006Z", "info", "resound-auth", "say \"hi\"\n{}"),
              "{\"ts\":\"2024-01-02T03:04:05.006Z\",\"level\":\"info\",\"svc\":\"resound-auth\","
              "\"msg\":\"say \\\"hi\\\"\\n{}\"}\n");
    EXPECT_EQ(parseLogFormat("Json"), LogFormat::Json);
    EXPECT_EQ(parseLogFormat("text"), LogFormat::Text);
    EXPECT_FALSE(parseLogFormat("yaml"));
}

}  // namespace
}  // namespace resound::service
