#include "redis/Subscriber.h"

#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <stdexcept>

#include "redis/RespCommand.h"

namespace resound::redis {
namespace {

constexpr std::size_t kTopicsPerCommand = 256;
constexpr std::size_t kInputBuffer = 64 * 1024;
constexpr int kMaxReadsPerWake = 16;  // then look at the wake-up fd and timers again

int millisecondsUntil(std::chrono::steady_clock::time_point t) {
    const auto left = t - std::chrono::steady_clock::now();
    if (left <= std::chrono::steady_clock::duration::zero()) return 0;
    return static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(left).count());
}

void appendBatched(std::string& out, std::string_view verb, const std::vector<std::string>& topics) {
    for (std::size_t i = 0; i < topics.size(); i += kTopicsPerCommand) {
        std::vector<std::string_view> args{verb};
        const std::size_t end = std::min(topics.size(), i + kTopicsPerCommand);
        for (std::size_t j = i; j < end; ++j) args.push_back(topics[j]);
        appendCommand(out, args);
    }
}

}  // namespace

Subscriber::Subscriber(ConnectionOptions connection, SubscriberOptions options, Handler handler)
    : connection_(std::move(connection)),
      options_(std::move(options)),
      handler_(std::move(handler)),
      permanent_(options_.permanentTopics.begin(), options_.permanentTopics.end()),
      input_(kInputBuffer) {
    wakeFd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (wakeFd_ < 0) throw std::runtime_error("eventfd failed for the Redis subscriber");
    thread_ = std::thread([this] { run(); });
}

Subscriber::~Subscriber() {
    Waiters waiters;
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        takeAllWaitersLocked(waiters);
        wakeLocked();
    }
    run(waiters);
    confirmedCv_.notify_all();
    thread_.join();
    ::close(wakeFd_);
}

void Subscriber::takeWaiters(Interest& interest, Waiters& out) {
    for (auto& waiter : interest.waiters) out.push_back(std::move(waiter.confirmed));
    interest.waiters.clear();
}

Subscriber::Clock::time_point Subscriber::expireWaiters(Clock::time_point now) {
    Waiters due;
    Clock::time_point next = Clock::time_point::max();
    {
        std::lock_guard lock(mutex_);
        while (!waiterDeadlines_.empty() && waiterDeadlines_.front().first <= now) {
            const auto it = interest_.find(waiterDeadlines_.front().second);
            waiterDeadlines_.pop_front();
            if (it == interest_.end()) continue;
            auto& waiters = it->second.waiters;
            for (auto w = waiters.begin(); w != waiters.end();) {
                if (w->deadline > now) {
                    ++w;
                    continue;
                }
                due.push_back(std::move(w->confirmed));
                w = waiters.erase(w);
            }
        }
        if (!waiterDeadlines_.empty()) next = waiterDeadlines_.front().first;
    }
    run(due);
    return next;
}

void Subscriber::takeAllWaitersLocked(Waiters& out) {
    for (auto& [topic, interest] : interest_) takeWaiters(interest, out);
}

void Subscriber::run(Waiters& waiters) {
    for (auto& waiter : waiters) waiter();
    waiters.clear();
}

void Subscriber::add(const std::string& topic, std::function<void()> confirmed) {
    {
        std::lock_guard lock(mutex_);
        Interest& interest = reference(topic);
        if (!interest.confirmed && !outage_ && !stopping_ && options_.confirmWait.count() > 0) {
            const auto deadline = Clock::now() + options_.confirmWait;
            interest.waiters.push_back({deadline, std::move(confirmed)});
            waiterDeadlines_.emplace_back(deadline, topic);
            wakeLocked();  // the subscriber thread's next wait ends by this deadline
            return;
        }
    }
    confirmed();
}

Subscriber::Interest& Subscriber::reference(const std::string& topic) {
    Interest& interest = interest_[topic];
    if (interest.references++ == 0) {
        interest.confirmed = false;
        // While the link is down there is nothing to send: connecting subscribes to everything wanted.
        if (linkUp_) {
            dirty_.push_back(topic);
            wakeLocked();
        }
    }
    return interest;
}

void Subscriber::wakeLocked() {
    // Loops add many new channels per iteration under load: one write until the thread looks.
    if (wakePending_) return;
    wakePending_ = true;
    const std::uint64_t one = 1;
    [[maybe_unused]] ssize_t rc = ::write(wakeFd_, &one, sizeof one);
}

void Subscriber::drainWake() {
    // Read first, then clear the flag. The other order loses wake-ups: a writer between the clear and
    // the read sets the flag again and writes, the read swallows that write, and the flag stays set
    // with nothing in the eventfd, so no later add() writes again (new topics then waited for the
    // next PING, clients were told subscribed by confirmWait before Redis was). A writer between the
    // read and the clear finds the flag still set and does not write, but its topic is already in
    // dirty_, which the caller's syncInterest() after this call sends.
    std::uint64_t count;
    [[maybe_unused]] ssize_t rc = ::read(wakeFd_, &count, sizeof count);
    std::lock_guard lock(mutex_);
    wakePending_ = false;
}

std::size_t Subscriber::topicCount() const {
    std::lock_guard lock(mutex_);
    return interest_.size();
}

void Subscriber::add(const std::string& topic, bool waitForConfirmation) {
    std::unique_lock lock(mutex_);
    reference(topic);
    if (!waitForConfirmation || options_.confirmWait.count() <= 0) return;
    confirmedCv_.wait_for(lock, options_.confirmWait, [&] {
        if (stopping_ || outage_) return true;
        const auto it = interest_.find(topic);
        return it == interest_.end() || it->second.confirmed;
    });
}

void Subscriber::remove(const std::string& topic) {
    Waiters waiters;
    {
        std::lock_guard lock(mutex_);
        const auto it = interest_.find(topic);
        if (it == interest_.end()) return;
        if (--it->second.references > 0) return;
        takeWaiters(it->second, waiters);
        interest_.erase(it);
        if (linkUp_) {
            dirty_.push_back(topic);
            wakeLocked();
        }
    }
    run(waiters);
}

void Subscriber::sleepUntil(Clock::time_point until) {
    for (;;) {
        {
            std::lock_guard lock(mutex_);
            if (stopping_) return;
        }
        const int timeout = millisecondsUntil(until);
        if (timeout == 0) return;
        pollfd p{wakeFd_, POLLIN, 0};
        if (::poll(&p, 1, timeout) > 0) drainWake();
    }
}

void Subscriber::run() {
    for (;;) {
        {
            std::lock_guard lock(mutex_);
            if (stopping_) break;
        }
        if (!link_) {
            if (!connect()) sleepUntil(Clock::now() + backoff_);
            continue;
        }
        // Any byte from Redis proves it alive: a PING queued behind a burst of messages is not late.
        const Clock::time_point timer =
            std::min(pingOutstanding_ ? std::max(pingSentAt_, lastInput_) + options_.pingTimeout
                                      : lastInput_ + options_.pingInterval,
                     expireWaiters(Clock::now()));
        pollfd fds[2] = {
            {link_->fd(), static_cast<short>(POLLIN | (output_.empty() ? 0 : POLLOUT)), 0},
            {wakeFd_, POLLIN, 0},
        };
        const int ready = ::poll(fds, 2, millisecondsUntil(timer));
        if (ready < 0 && errno != EINTR) {
            disconnect("poll failed");
            continue;
        }
        if (ready > 0 && (fds[1].revents & POLLIN)) {
            drainWake();
            syncInterest(false);
        }
        if (ready > 0 && (fds[0].revents & (POLLIN | POLLERR | POLLHUP)) && !readInput()) {
            disconnect(link_->parser().failed() ? "protocol error: " + link_->parser().error()
                                                : std::string("connection closed"));
            continue;
        }
        const auto now = Clock::now();
        if (pingOutstanding_ && now - std::max(pingSentAt_, lastInput_) >= options_.pingTimeout) {
            disconnect("no answer to PING within " + std::to_string(options_.pingTimeout.count()) + " ms");
            continue;
        }
        if (!pingOutstanding_ && now - lastInput_ >= options_.pingInterval) sendPing();
        if (!flushOutput()) disconnect("write failed");
    }
    link_.reset();
}

bool Subscriber::connect() {
    std::string error;
    auto link = RedisConnection::open(connection_, error);
    if (!link) {
        Waiters waiters;
        {
            std::lock_guard lock(mutex_);
            outage_ = true;
            takeAllWaitersLocked(waiters);
        }
        run(waiters);
        confirmedCv_.notify_all();
        if (!loggedDown_) {
            spdlog::warn("redis subscriber cannot reach {}: {}", connection_.describe(), error);
            loggedDown_ = true;
            downSince_ = Clock::now();
        } else {
            spdlog::debug("redis subscriber still cannot reach {}: {}", connection_.describe(), error);
        }
        backoff_ = reconnectBackoff_.next();
        return false;
    }
    link_ = std::move(link);
    server_.clear();
    output_.clear();
    lastInput_ = Clock::now();
    pingOutstanding_ = false;
    syncInterest(true);
    // Replies come in order, so the answer to this PING also means every SUBSCRIBE above was applied.
    sendPing();
    confirming_ = true;
    if (!flushOutput()) {
        disconnect("write failed");
        return false;
    }
    return true;
}

void Subscriber::disconnect(const std::string& reason) {
    const bool wasConfirmed = connected_.load(std::memory_order_relaxed);
    link_.reset();
    server_.clear();
    output_.clear();
    confirmedTopics_.clear();
    pingOutstanding_ = false;
    confirming_ = false;
    connected_.store(false, std::memory_order_release);
    Waiters waiters;
    {
        std::lock_guard lock(mutex_);
        linkUp_ = false;
        outage_ = true;
        dirty_.clear();
        for (auto& [topic, interest] : interest_) interest.confirmed = false;
        takeAllWaitersLocked(waiters);
    }
    run(waiters);
    confirmedCv_.notify_all();
    if (!loggedDown_) {
        spdlog::warn("redis subscriber lost {}: {}", connection_.describe(), reason);
        loggedDown_ = true;
        downSince_ = Clock::now();
    }
    // The first attempt after losing a working link is immediate; a link that never got confirmed (a
    // hung server accepts TCP but never answers) keeps backing off.
    if (wasConfirmed) reconnectBackoff_.reset();
    backoff_ = wasConfirmed ? std::chrono::milliseconds{0} : reconnectBackoff_.next();
}

void Subscriber::syncInterest(bool everything) {
    std::vector<std::string> subscribe, unsubscribe;
    Waiters waiters;
    {
        std::lock_guard lock(mutex_);
        std::vector<std::string> topics;
        if (everything) {
            linkUp_ = true;
            dirty_.clear();
            topics.reserve(permanent_.size() + interest_.size());
            topics.insert(topics.end(), permanent_.begin(), permanent_.end());
            for (const auto& [topic, interest] : interest_) topics.push_back(topic);
        } else {
            topics.swap(dirty_);
        }
        if (!link_) return;
        bool confirmedSome = false;
        for (const std::string& topic : topics) {
            const bool wanted = permanent_.count(topic) > 0 || interest_.count(topic) > 0;
            ServerTopic& state = server_[topic];
            if (wanted && !state.subscribed) {
                state.subscribed = true;
                ++state.pendingSubscribes;
                subscribe.push_back(topic);
            } else if (!wanted && state.subscribed) {
                state.subscribed = false;
                unsubscribe.push_back(topic);
            } else if (wanted && state.pendingSubscribes == 0) {
                // Removed and added again before we looked: still subscribed, already confirmed.
                const auto it = interest_.find(topic);
                if (it != interest_.end() && !it->second.confirmed) {
                    it->second.confirmed = true;
                    takeWaiters(it->second, waiters);
                    confirmedSome = true;
                }
            }
            if (!state.subscribed && state.pendingSubscribes == 0) server_.erase(topic);
        }
        if (confirmedSome) confirmedCv_.notify_all();
    }
    run(waiters);
    appendBatched(output_, "SUBSCRIBE", subscribe);
    appendBatched(output_, "UNSUBSCRIBE", unsubscribe);
}

void Subscriber::sendPing() {
    appendCommand(output_, {"PING"});
    pingOutstanding_ = true;
    pingSentAt_ = Clock::now();
}

bool Subscriber::flushOutput() {
    while (link_ && !output_.empty()) {
        const long sent = link_->sendSome(output_.data(), output_.size());
        if (sent < 0) return false;
        if (sent == 0) break;
        output_.erase(0, static_cast<std::size_t>(sent));
    }
    return true;
}

bool Subscriber::readInput() {
    for (int i = 0; i < kMaxReadsPerWake && link_; ++i) {
        const long got = link_->receiveSome(input_.data(), input_.size());
        if (got < 0) return false;
        if (got == 0) break;
        lastInput_ = Clock::now();
        replies_.clear();
        if (!link_->parser().feed(input_.data(), static_cast<std::size_t>(got), replies_)) return false;
        for (RespValue& reply : replies_) {
            if (!onReply(reply)) return false;
        }
        settleConfirmed();
        if (static_cast<std::size_t>(got) < input_.size()) break;
    }
    return true;
}

bool Subscriber::onReply(RespValue& reply) {
    if (reply.isError()) {
        spdlog::warn("redis subscriber got an error reply: {}", reply.text);
        return false;
    }
    if (reply.type == RespValue::Type::SimpleString && reply.text == "PONG") {  // not yet in pub/sub mode
        onPong();
        return true;
    }
    if (!reply.isArray() || reply.elements.size() < 2 || !reply.elements[0].isString()) return true;
    const std::string& kind = reply.elements[0].text;
    if (kind == "message" && reply.elements.size() == 3) {
        handler_(reply.elements[1].text, std::move(reply.elements[2].text));
    } else if (kind == "subscribe") {
        onSubscribed(reply.elements[1].text);
    } else if (kind == "unsubscribe") {
        const auto it = server_.find(reply.elements[1].text);
        if (it != server_.end() && !it->second.subscribed && it->second.pendingSubscribes == 0)
            server_.erase(it);
    } else if (kind == "pong") {
        onPong();
    }
    return true;
}

void Subscriber::onSubscribed(const std::string& topic) {
    const auto it = server_.find(topic);
    if (it == server_.end()) return;
    ServerTopic& state = it->second;
    if (state.pendingSubscribes > 0) --state.pendingSubscribes;
    if (state.pendingSubscribes > 0) return;
    if (!state.subscribed) {
        server_.erase(it);
        return;
    }
    confirmedTopics_.push_back(topic);
}

void Subscriber::settleConfirmed() {
    if (confirmedTopics_.empty()) return;
    Waiters waiters;
    bool confirmedSome = false;
    {
        std::lock_guard lock(mutex_);
        for (const std::string& topic : confirmedTopics_) {
            const auto interest = interest_.find(topic);
            if (interest == interest_.end() || interest->second.confirmed) continue;
            interest->second.confirmed = true;
            takeWaiters(interest->second, waiters);
            confirmedSome = true;
        }
    }
    confirmedTopics_.clear();
    if (confirmedSome) confirmedCv_.notify_all();
    run(waiters);
}

void Subscriber::onPong() {
    pingOutstanding_ = false;
    if (!confirming_) return;
    confirming_ = false;
    {
        std::lock_guard lock(mutex_);
        outage_ = false;
    }
    connected_.store(true, std::memory_order_release);
    if (everConnected_) reconnects_.fetch_add(1, std::memory_order_relaxed);
    if (loggedDown_) {
        const auto outage = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - downSince_);
        spdlog::info("redis subscriber reconnected to {} after {} ms, {} topics subscribed",
                     connection_.describe(), outage.count(), server_.size());
        loggedDown_ = false;
    }
    everConnected_ = true;
    backoff_ = std::chrono::milliseconds{0};
    reconnectBackoff_.reset();
}

}  // namespace resound::redis
