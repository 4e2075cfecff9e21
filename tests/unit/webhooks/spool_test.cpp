// WebhookSpool on a real temporary directory: what was accepted and not settled comes back after a
// restart, in order, and a dispatcher with a spool sends what the previous one left, with the same ids.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "WebhookTestSupport.h"
#include "webhooks/QueuedEventCodec.h"
#include "webhooks/WebhookDispatcher.h"
#include "webhooks/WebhookSpool.h"

namespace resound::webhooks::test {
namespace {

using Kind = WebhookEvent::Kind;
using std::chrono::milliseconds;
namespace fs = std::filesystem;

struct TempDir {
    fs::path path =
        fs::temp_directory_path() / ("resound-spool-" + std::to_string(::getpid()) + "-" +
                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    TempDir() { fs::remove_all(path); }
    ~TempDir() { fs::remove_all(path); }
};

TEST(WebhookSpool, KeepsWhatIsNotSettledAcrossARestartInOrder) {
    TempDir dir;
    {
        WebhookSpool spool(dir.path.string());
        EXPECT_TRUE(spool.takeRecovered().empty());
        ASSERT_TRUE(spool.append({{"a", "entry-a"}, {"b", "entry-b"}}));
        ASSERT_TRUE(spool.append({{"c", "entry-c"}}));
        spool.settle("b");
        spool.settle("unknown");  // ignored
        EXPECT_EQ(spool.pending(), 2u);
    }
    {
        // A crash in the middle of a line leaves a torn last line: ignored.
        std::ofstream(dir.path / "webhooks.spool", std::ios::app) << "+d\tentry-";
    }
    WebhookSpool reopened(dir.path.string());
    EXPECT_EQ(reopened.takeRecovered(), (std::vector<std::string>{"entry-a", "entry-c"}));
    EXPECT_EQ(reopened.pending(), 2u);
    // Rewritten with the pending entries only.
    std::ifstream in(dir.path / "webhooks.spool");
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(text, "+a\tentry-a\n+c\tentry-c\n");
}

TEST(WebhookSpool, AnUnusableDirectoryIsAStartupError) {
    EXPECT_THROW(WebhookSpool("/proc/no-such-dir/spool"), std::runtime_error);
}

TEST(WebhookSpool, ADispatcherSendsWhatThePreviousOneLeft) {
    TempDir dir;
    auto apps = std::vector<config::AppConfig>{app("app1", {target("http://a/", {"channel_occupied"})})};
    apps[0].webhookRetryWindowMs = 60000;
    auto make = [&](std::shared_ptr<PostLog> log) {
        DispatcherOptions options;
        options.spoolDir = dir.path.string();
        options.initialRetryDelay = milliseconds(20);
        options.stopDrain = milliseconds(200);
        options.posterFactory = [log](const config::WebhookTarget&) {
            return std::make_unique<FakePoster>(log);
        };
        auto dispatcher = std::make_unique<WebhookDispatcher>(apps, options);
        dispatcher->start();
        return dispatcher;
    };
    auto refused = std::make_shared<PostLog>();
    refused->status = [](std::size_t) { return 503; };
    {
        auto first = make(refused);
        for (int i = 0; i < 3; ++i)
            first->emit(apps[0], event(Kind::ChannelOccupied, "c" + std::to_string(i)));
        ASSERT_TRUE(refused->waitFor(3));
        first->stop();
    }
    auto accepted = std::make_shared<PostLog>();
    auto second = make(accepted);
    ASSERT_TRUE(accepted->waitForAccepted(3));
    const auto before = refused->snapshot();
    const auto after = accepted->snapshot();
    for (int i = 0; i < 3; ++i) {
        const std::string channel = "\"c" + std::to_string(i) + "\"";
        const auto find = [&](const std::vector<WebhookRequest>& requests) {
            for (const auto& r : requests)
                if (r.body.find(channel) != std::string::npos) return r.body.substr(r.body.find("\"id\""));
            return std::string("none");
        };
        EXPECT_EQ(find(after), find(before)) << "the same id for " << channel;
    }
    second->stop();
    second.reset();
    auto third = std::make_shared<PostLog>();
    auto last = make(third);
    std::this_thread::sleep_for(milliseconds(200));
    EXPECT_EQ(third->count(), 0u);  // all settled
}

}  // namespace
}  // namespace resound::webhooks::test
