#pragma once
// One accepted TCP connection on an event loop: first HTTP (API requests, health, metrics, or the
// WebSocket upgrade), then WebSocket frames carrying the Pusher protocol. Holds only what an idle
// connection needs: parsers are allocated while in use (the WebSocket decoder only while a frame is
// cut by a read), the outgoing queue holds shared frames and, once idle, no storage.
// Owned and touched only by its IoThread.
#include <sys/uio.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "edge/AddressLimiter.h"
#include "edge/SendQueue.h"
#include "httpserver/RequestIntake.h"
#include "loop/EventLoop.h"
#include "pusher/Peer.h"
#include "pusher/SharedFrame.h"
#include "websocket/FrameDecoder.h"

namespace resound::edge {

class IoThread;
class Connection;

class Connection final : public pusher::Peer, public loop::IoHandler {
  public:
    enum class Mode : std::uint8_t {
        Http,       // reading HTTP requests
        WebSocket,  // upgraded
        Draining,   // nothing more is read into the protocol; flush what is queued, then close
        Closed,     // fd closed; waiting to be freed at the end of the loop iteration
    };

    Connection(IoThread& owner, int fd, std::uint32_t now) : owner_(owner), fd(fd), lastBytesAt(now) {}
    void onIoEvent(std::uint32_t events) override;

    IoThread& owner_;
    int fd;
    Mode mode = Mode::Http;
    std::uint8_t flushMarks = 0;  // owned by the IoThread's FlushQueue
    bool upgraded = false;        // a WebSocket: protocol.closed() is due at teardown
    bool addressCounted = false;  // holds a slot in the AddressLimiter
    bool readPaused = false;      // HTTP answers over the queue cap: the socket is not read until they drain
    AddressKey address{};
    std::uint32_t connectionIndex = 0;  // position in IoThread's connection list
    std::uint32_t lastBytesAt;          // loop seconds: last bytes received (HTTP idle / drain timer)
    std::uint32_t pollEvents = EPOLLIN | EPOLLRDHUP;  // what the loop is registered to report
    std::uint32_t maxMessageSize = 0;  // WebSocket: the app's limit for one message (close 1009)
    // HTTP: non-zero while the current request's answer waits for the loop's backend (Redis). Later
    // pipelined requests are held (not read from the socket, their bytes already read kept in
    // unparsedInput) so answers leave in order; the socket leaves the poll set only if bytes arrive. The
    // IoThread maps the ticket back to this connection for as long as it lives, so an answer arriving after
    // it went finds nothing.
    std::uint32_t awaitedTicket = 0;
    SendQueue queue;  // bytes to write, shared frames
    // HTTP bytes read before reading paused (at most one read), parsed on resume; null otherwise.
    std::unique_ptr<std::string> unparsedInput;
    httpserver::RequestIntake intake;  // HTTP request reading (until upgraded)
    // WebSocket: only while a frame or fragmented message is cut by a read boundary. Between messages
    // the loop decodes with a fresh decoder on its stack (ws::feedKeepingDecoderOnlyMidMessage).
    std::unique_ptr<ws::FrameDecoder> decoder;

    bool readingHeld() const { return readPaused || awaitedTicket != 0; }
};

// Every open connection pays this (plus its subscriptions): see bench/README.md, "Memory per connection".
static_assert(sizeof(Connection) <= 216, "a Connection lives in every socket: keep it small");

}  // namespace resound::edge
