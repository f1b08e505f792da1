/* version.c — the version the library was built as (fanwen.h's three
 * numbers), for programs that need to know what they run with. */
#include "fanwen.h"

const char *fw_version(void) { return FW_VERSION_STRING; }

unsigned fw_version_number(void) { return FW_VERSION_NUMBER; }
