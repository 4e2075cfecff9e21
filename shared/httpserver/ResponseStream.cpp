#include "httpserver/ResponseStream.h"

#include "http/Response.h"
#include "httpserver/ServerLoop.h"

namespace resound::httpserver {

bool LoopGate::post(std::function<void()> task) {
    std::lock_guard lock(mutex_);
    if (!loop_) return false;
    loop_->queueTask(std::move(task));
    return true;
}

void LoopGate::cut() {
    std::lock_guard lock(mutex_);
    loop_ = nullptr;
}

ResponseStream::ResponseStream(std::shared_ptr<LoopGate> gate, ServerConnection* connection, bool chunked)
    : gate_(std::move(gate)), connection_(connection), chunked_(chunked) {}

bool ResponseStream::push(std::string_view data) {
    if (!open()) return false;
    if (data.empty()) return true;  // an empty chunk would end a chunked body
    // Framed here, on the producer's thread: the loop only queues the bytes.
    auto bytes = std::make_shared<const std::string>(chunked_ ? http::encodeChunk(data) : std::string(data));
    return gate_->post([self = shared_from_this(), bytes = std::move(bytes)] {
        if (self->connection_) self->connection_->owner.streamChunk(*self, bytes);
    });
}

void ResponseStream::end() {
    if (!open()) return;
    gate_->post([self = shared_from_this()] {
        if (self->connection_) self->connection_->owner.streamEnd(*self);
    });
}

void ResponseStream::closedOnLoop() {
    connection_ = nullptr;
    open_.store(false, std::memory_order_release);
    if (auto onClosed = std::move(onClosed_)) onClosed();
}

}  // namespace resound::httpserver
