#pragma once
// The main() of the three event-loop servers: resound (all-in-one), resound-edge (WebSocket) and
// resound-api (HTTP API). They differ only in the roles they serve and whether Redis is required.
#include "edge/HttpRouter.h"

namespace resound::edge {

struct ServerMainOptions {
    ServerRoles roles;
    bool requiresScaling = false;  // edge and api only make sense with Redis
    const char* usage = "";
};

int runServerMain(int argc, char** argv, const ServerMainOptions& options);

}  // namespace resound::edge
