/* status.c — descriptions of fw_status codes. */
#include "fanwen.h"

const char *fw_status_str(fw_status status)
{
    switch (status) {
    case FW_OK: return "ok";
    case FW_ERR_NOMEM: return "out of memory";
    case FW_ERR_ARG: return "invalid argument";
    case FW_ERR_IO: return "input/output error";
    case FW_ERR_FORMAT: return "invalid format";
    case FW_ERR_STOPPED: return "stopped";
    }
    return "unknown error";
}
