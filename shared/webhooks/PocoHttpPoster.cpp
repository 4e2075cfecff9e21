#include "webhooks/PocoHttpPoster.h"

#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPBasicCredentials.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/RejectCertificateHandler.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/URI.h>

#include <istream>
#include <ostream>

#include "util/Version.h"

namespace resound::webhooks {
namespace {

constexpr std::streamsize kMaxResponseBody =
    1 << 20;  // read and discarded; beyond it the connection is dropped

// One TLS client context for every https target, created on first use: the peer's chain is verified
// against the system CA store (OpenSSL's default paths, so SSL_CERT_FILE / SSL_CERT_DIR apply) and its
// name against the URL's host. A certificate that fails either is refused, never accepted: the
// SSLManager gets a RejectCertificateHandler, because without one Poco would try to build a handler
// from an application configuration this process does not have.
Poco::Net::Context::Ptr clientContext() {
    static const Poco::Net::Context::Ptr context = [] {
        Poco::Net::initializeSSL();
        Poco::Net::Context::Ptr created(new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "", "",
                                                               Poco::Net::Context::VERIFY_STRICT, 9, true));
        Poco::Net::SSLManager::instance().initializeClient(
            nullptr, new Poco::Net::RejectCertificateHandler(false), created);
        return created;
    }();
    return context;
}

}  // namespace

PocoHttpPoster::PocoHttpPoster(std::chrono::milliseconds timeout) : timeout_(timeout) {}

PocoHttpPoster::~PocoHttpPoster() = default;

void PocoHttpPoster::openSession(const std::string& scheme, const std::string& host, unsigned short port) {
    std::unique_ptr<Poco::Net::HTTPClientSession> session;
    if (scheme == "https") {
        session = std::make_unique<Poco::Net::HTTPSClientSession>(host, port, clientContext());
    } else {
        session = std::make_unique<Poco::Net::HTTPClientSession>(host, port);
    }
    session->setTimeout(Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(timeout_.count()) * 1000));
    session->setKeepAlive(true);
    std::lock_guard lock(sessionMutex_);
    session_ = std::move(session);
}

PostResult PocoHttpPoster::post(const WebhookRequest& request) {
    try {
        return attempt(request);
    } catch (const Poco::Exception& e) {
        std::lock_guard lock(sessionMutex_);
        session_.reset();  // a fresh connection next time
        return PostResult{0, e.displayText()};
    } catch (const std::exception& e) {
        std::lock_guard lock(sessionMutex_);
        session_.reset();
        return PostResult{0, e.what()};
    }
}

PostResult PocoHttpPoster::attempt(const WebhookRequest& request) {
    const Poco::URI uri(request.url);
    const std::string origin = uri.getScheme() + "://" + uri.getHost() + ":" + std::to_string(uri.getPort());
    {
        std::lock_guard lock(sessionMutex_);
        if (aborted_) return PostResult{0, "shutting down"};
    }
    if (!session_ || origin != sessionOrigin_) {
        openSession(uri.getScheme(), uri.getHost(), uri.getPort());
        sessionOrigin_ = origin;
    }
    const std::string path = uri.getPathAndQuery();
    Poco::Net::HTTPRequest http(Poco::Net::HTTPRequest::HTTP_POST, path.empty() ? "/" : path,
                                Poco::Net::HTTPMessage::HTTP_1_1);
    http.setKeepAlive(true);
    http.set("User-Agent", std::string("Resound-Webhooks/") + kVersion);
    if (const std::string userInfo = uri.getUserInfo(); !userInfo.empty()) {
        const std::size_t colon = userInfo.find(':');
        Poco::Net::HTTPBasicCredentials(userInfo.substr(0, colon),
                                        colon == std::string::npos ? "" : userInfo.substr(colon + 1))
            .authenticate(http);
    }
    for (const auto& [name, value] : request.headers) http.set(name, value);
    http.setContentLength(static_cast<std::streamsize>(request.body.size()));

    std::ostream& out = session_->sendRequest(http);
    out.write(request.body.data(), static_cast<std::streamsize>(request.body.size()));
    out.flush();
    Poco::Net::HTTPResponse response;
    std::istream& in = session_->receiveResponse(response);
    char buffer[4096];
    std::streamsize total = 0;
    while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
        total += in.gcount();
        if (total > kMaxResponseBody) {
            std::lock_guard lock(sessionMutex_);
            session_.reset();
            break;
        }
    }
    if (session_ && !response.getKeepAlive()) {
        std::lock_guard lock(sessionMutex_);
        session_.reset();
    }
    return PostResult{static_cast<int>(response.getStatus()), {}};
}

void PocoHttpPoster::abort() {
    std::lock_guard lock(sessionMutex_);
    aborted_ = true;
    if (!session_) return;
    try {
        session_->socket().shutdown();  // wakes a blocked send/receive; the owner thread closes it
    } catch (const Poco::Exception&) {
        // Not connected: nothing is blocked on it.
    }
}

}  // namespace resound::webhooks
