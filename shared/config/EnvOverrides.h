#pragma once
// Applies environment variables (Reverb's names where Reverb has one) over a Config read from YAML or
// built from defaults. Start-up only.
#include "config/Config.h"
#include "config/ConfigLoader.h"

namespace resound::config::detail {

// True when any of REVERB_APP_ID, REVERB_APP_KEY, REVERB_APP_SECRET is set.
bool envDefinesApp(const EnvLookup& env);

// Server variables apply to `server`; REVERB_APP_* / RESOUND_APP_* apply to apps[0]. When `apps` is
// empty and envDefinesApp(), the variables create the app and ID, KEY and SECRET are all required.
// Values are trimmed; an empty value counts as unset. Errors name the variable.
void applyEnvironment(Config& config, const EnvLookup& env);

}  // namespace resound::config::detail
