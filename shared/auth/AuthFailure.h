#pragma once
// Why the auth verifier refused a request: the HTTP status, a stable machine-readable code (also the
// `reason` label of resound_auth_failures_total) and a human-readable message for the JSON body.
#include <string>

namespace resound::auth {

struct AuthFailure {
    int status = 401;
    std::string code;
    std::string message;
};

}  // namespace resound::auth
