#pragma once
// The receive side of Redis pub/sub: one thread with its own connection (non-blocking socket, our
// RESP parser, poll() with an eventfd wake-up written once per batch of callers), reference-counted
// topic interest, batched SUBSCRIBE/UNSUBSCRIBE (the confirmations of one read are settled together),
// keep-alive PINGs, reconnect with backoff and re-SUBSCRIBE of everything wanted. add()/remove() may be
// called from any thread; the handler runs on the subscriber thread.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "redis/ConnectionOptions.h"
#include "redis/RedisConnection.h"

namespace resound::redis {

struct SubscriberOptions {
    // Topics subscribed for the subscriber's whole life (e.g. control channels).
    std::vector<std::string> permanentTopics;
    // Idle this long -> PING; no answer (nor any other byte) within pingTimeout -> reconnect. Bounds
    // how long a hung Redis goes unnoticed: pingInterval + pingTimeout.
    std::chrono::milliseconds pingInterval{1000};
    std::chrono::milliseconds pingTimeout{1000};
    // How long add() waits for Redis to confirm a new SUBSCRIBE (0: do not wait).
    std::chrono::milliseconds confirmWait{500};
};

class Subscriber {
  public:
    // Receives (topic, payload) for every pub/sub message; the payload may be moved from.
    using Handler = std::function<void(std::string_view topic, std::string&& payload)>;

    Subscriber(ConnectionOptions connection, SubscriberOptions options, Handler handler);
    ~Subscriber();
    Subscriber(const Subscriber&) = delete;
    Subscriber& operator=(const Subscriber&) = delete;

    // Reference-counted interest: SUBSCRIBE on 0 -> 1, UNSUBSCRIBE on 1 -> 0, sent in batches by the
    // subscriber thread. add() returns once Redis confirmed the subscription (messages published
    // afterwards will arrive), or after confirmWait, or at once during an outage or when
    // waitForConfirmation is false (the caller knows Redis is unreachable).
    void add(const std::string& topic, bool waitForConfirmation = true);
    // The same without waiting: `confirmed` runs once Redis confirmed the subscription, or the
    // subscriber lost (or cannot reach) Redis, or the topic was removed again, or confirmWait passed;
    // at once (on the calling thread) if one of those is already true, else on the subscriber thread.
    void add(const std::string& topic, std::function<void()> confirmed);
    void remove(const std::string& topic);

    // Connected and every wanted topic confirmed by Redis.
    bool connected() const { return connected_.load(std::memory_order_acquire); }
    std::uint64_t reconnects() const { return reconnects_.load(std::memory_order_relaxed); }
    std::size_t topicCount() const;

  private:
    using Clock = std::chrono::steady_clock;

    struct Interest {
        std::size_t references = 0;
        bool confirmed = false;
        struct Waiter {
            Clock::time_point deadline;
            std::function<void()> confirmed;
        };
        std::vector<Waiter> waiters;  // add(topic, confirmed) callers
    };
    using Waiters = std::vector<std::function<void()>>;
    // Moves out the waiters of one topic / of every topic (under mutex_); the caller runs them unlocked.
    static void takeWaiters(Interest& interest, Waiters& out);
    // Under mutex_: one more reference to `topic`; the first one marks it for SUBSCRIBE.
    Interest& reference(const std::string& topic);
    void takeAllWaitersLocked(Waiters& out);
    static void run(Waiters& waiters);
    // Runs the waiters whose confirmWait passed; returns the next deadline (max() if none).
    Clock::time_point expireWaiters(Clock::time_point now);
    // What the thread has asked Redis for (thread-owned).
    struct ServerTopic {
        bool subscribed = false;
        int pendingSubscribes = 0;
    };

    void run();
    bool connect();
    void disconnect(const std::string& reason);
    // Sends SUBSCRIBE/UNSUBSCRIBE for what changed (or, after connecting, for everything wanted).
    void syncInterest(bool everything);
    bool flushOutput();
    bool readInput();
    bool onReply(RespValue& reply);
    // Notes a topic Redis confirmed; settleConfirmed() then marks every topic confirmed by one read
    // under one lock and runs their waiters together.
    void onSubscribed(const std::string& topic);
    void settleConfirmed();
    void onPong();
    void sendPing();
    // Under mutex_: wakes the subscriber thread unless a wake-up is already pending.
    void wakeLocked();
    // Subscriber thread: consumes the pending wake-up (after which the next wakeLocked() writes again).
    void drainWake();
    void sleepUntil(Clock::time_point until);

    const ConnectionOptions connection_;
    const SubscriberOptions options_;
    const Handler handler_;
    int wakeFd_ = -1;

    mutable std::mutex mutex_;
    std::condition_variable confirmedCv_;
    std::unordered_map<std::string, Interest> interest_;
    std::vector<std::string> dirty_;
    // (deadline, topic) of every waiter, in deadline order (confirmWait is constant).
    std::deque<std::pair<Clock::time_point, std::string>> waiterDeadlines_;
    bool linkUp_ = false;
    bool wakePending_ = false;  // the eventfd was written and the thread has not drained it yet
    // A connect attempt failed or the link was lost, and no connection was confirmed since: add() does
    // not wait then. Before the very first attempt it is false, so early add()s wait for it (bounded).
    bool outage_ = false;
    bool stopping_ = false;

    // Subscriber thread only.
    std::unique_ptr<RedisConnection> link_;
    std::unordered_map<std::string, ServerTopic> server_;
    std::unordered_set<std::string> permanent_;
    std::string output_;
    std::vector<char> input_;
    std::vector<RespValue> replies_;
    std::vector<std::string> confirmedTopics_;  // confirmed by the read being processed
    // The PING sent after the initial SUBSCRIBE batch: its answer means every topic is confirmed.
    bool confirming_ = false;
    Clock::time_point lastInput_{};
    Clock::time_point pingSentAt_{};
    bool pingOutstanding_ = false;
    std::chrono::milliseconds backoff_{0};  // the wait before the next connect attempt
    ReconnectBackoff reconnectBackoff_{connection_.backoff()};
    Clock::time_point downSince_{};
    bool everConnected_ = false;
    bool loggedDown_ = false;

    std::atomic<bool> connected_{false};
    std::atomic<std::uint64_t> reconnects_{0};
    std::thread thread_;
};

}  // namespace resound::redis
