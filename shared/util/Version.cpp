#include "util/Version.h"
