// PocoHttpPoster over https against an in-process TLS server with throwaway certificates made by the
// openssl CLI: a certificate from the trusted store with the right name is accepted; a self-signed one
// that is not trusted, or a trusted one for another host name, fails the attempt (never accepted).
// The trusted store is SSL_CERT_FILE, set once for the whole process before the first https call.
// Skipped when the openssl CLI is missing.
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/StreamCopier.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "webhooks/PocoHttpPoster.h"

namespace resound::webhooks::test {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

const fs::path& certDir() {
    static const fs::path dir =
        fs::temp_directory_path() / ("resound-https-test-" + std::to_string(::getpid()));
    return dir;
}

// A self-signed certificate (EC P-256) for `subjectAltName`, e.g. "DNS:localhost,IP:127.0.0.1".
bool makeCertificate(const std::string& name, const std::string& subjectAltName) {
    const fs::path key = certDir() / (name + ".key");
    const fs::path cert = certDir() / (name + ".pem");
    const std::string command =
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 "
        "-subj /CN=" +
        name + " -addext subjectAltName=" + subjectAltName + " -keyout " + key.string() + " -out " +
        cert.string() + " >/dev/null 2>&1";
    return std::system(command.c_str()) == 0;
}

// Makes the certificates and the trusted store once per process: `trusted` and `misnamed` are in it,
// `stranger` is not.
class Certificates : public ::testing::Environment {
  public:
    void SetUp() override {
        fs::create_directories(certDir());
        ready = makeCertificate("trusted", "DNS:localhost,IP:127.0.0.1") &&
                makeCertificate("misnamed", "DNS:other.invalid") &&
                makeCertificate("stranger", "DNS:localhost,IP:127.0.0.1");
        if (!ready) return;
        std::ofstream store(certDir() / "store.pem");
        for (const char* name : {"trusted", "misnamed"}) {
            std::ifstream in(certDir() / (std::string(name) + ".pem"));
            store << in.rdbuf();
        }
        ::setenv("SSL_CERT_FILE", (certDir() / "store.pem").c_str(), 1);
    }
    void TearDown() override { fs::remove_all(certDir()); }
    static inline bool ready = false;
};
const auto* const certificates = ::testing::AddGlobalTestEnvironment(new Certificates);

class Recorder final : public Poco::Net::HTTPRequestHandler {
  public:
    explicit Recorder(std::shared_ptr<std::string> body) : body_(std::move(body)) {}
    void handleRequest(Poco::Net::HTTPServerRequest& request,
                       Poco::Net::HTTPServerResponse& response) override {
        std::ostringstream body;
        Poco::StreamCopier::copyStream(request.stream(), body);
        *body_ = body.str();
        response.setStatus(Poco::Net::HTTPResponse::HTTP_OK);
        response.setContentLength(2);
        response.send() << "ok";
    }

  private:
    std::shared_ptr<std::string> body_;
};

class RecorderFactory final : public Poco::Net::HTTPRequestHandlerFactory {
  public:
    explicit RecorderFactory(std::shared_ptr<std::string> body) : body_(std::move(body)) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
        return new Recorder(body_);
    }

  private:
    std::shared_ptr<std::string> body_;
};

// An https server on 127.0.0.1 presenting certificate `name`.
class TlsServer {
  public:
    explicit TlsServer(const std::string& name) {
        Poco::Net::Context::Ptr context(new Poco::Net::Context(
            Poco::Net::Context::TLS_SERVER_USE, (certDir() / (name + ".key")).string(),
            (certDir() / (name + ".pem")).string(), "", Poco::Net::Context::VERIFY_NONE));
        Poco::Net::SecureServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0), 16, context);
        port_ = socket.address().port();
        server_ = std::make_unique<Poco::Net::HTTPServer>(new RecorderFactory(body_), socket,
                                                          new Poco::Net::HTTPServerParams);
        server_->start();
    }
    ~TlsServer() { server_->stopAll(true); }

    std::string url(const std::string& host) const {
        return "https://" + host + ":" + std::to_string(port_) + "/hook";
    }
    const std::string& body() const { return *body_; }

  private:
    std::shared_ptr<std::string> body_ = std::make_shared<std::string>();
    std::uint16_t port_ = 0;
    std::unique_ptr<Poco::Net::HTTPServer> server_;
};

WebhookRequest request(const std::string& url) {
    WebhookRequest r;
    r.url = url;
    r.body = R"({"time_ms":1,"events":[]})";
    r.headers.emplace_back("Content-Type", "application/json");
    return r;
}

TEST(HttpsPoster, DeliversToATrustedCertificateForTheHost) {
    if (!Certificates::ready) GTEST_SKIP() << "openssl CLI missing or failed";
    TlsServer server("trusted");
    PocoHttpPoster poster(milliseconds(3000));
    const PostResult result = poster.post(request(server.url("127.0.0.1")));
    EXPECT_EQ(result.status, 200) << result.error;
    EXPECT_EQ(server.body(), R"({"time_ms":1,"events":[]})");
}

TEST(HttpsPoster, RefusesAnUntrustedCertificate) {
    if (!Certificates::ready) GTEST_SKIP() << "openssl CLI missing or failed";
    TlsServer server("stranger");
    PocoHttpPoster poster(milliseconds(3000));
    const PostResult result = poster.post(request(server.url("127.0.0.1")));
    EXPECT_EQ(result.status, 0);
    EXPECT_FALSE(result.error.empty());
    EXPECT_EQ(server.body(), "");
}

TEST(HttpsPoster, RefusesATrustedCertificateForAnotherName) {
    if (!Certificates::ready) GTEST_SKIP() << "openssl CLI missing or failed";
    TlsServer server("misnamed");
    PocoHttpPoster poster(milliseconds(3000));
    const PostResult result = poster.post(request(server.url("127.0.0.1")));
    EXPECT_EQ(result.status, 0);
    EXPECT_FALSE(result.error.empty());
    EXPECT_EQ(server.body(), "");
}

}  // namespace
}  // namespace resound::webhooks::test
