/*
 * version.cpp — a C++ program linked with libfanwen: fw_version() and
 * fw_version_number() of the library it runs with equal the header's
 * FW_VERSION_STRING and FW_VERSION_NUMBER (and the link itself proves the
 * declarations have C linkage in C++).
 */
#include "fanwen.h"

#include <cstdio>
#include <cstring>

int main()
{
    const char *version = fw_version();
    if (version == nullptr || std::strcmp(version, FW_VERSION_STRING) != 0) {
        std::fprintf(stderr, "fw_version() is \"%s\", the header says \"%s\"\n",
                     version ? version : "(null)", FW_VERSION_STRING);
        return 1;
    }
    if (fw_version_number() != FW_VERSION_NUMBER) {
        std::fprintf(stderr, "fw_version_number() is %u, the header says %u\n",
                     fw_version_number(), static_cast<unsigned>(FW_VERSION_NUMBER));
        return 1;
    }
    std::printf("fanwen %s (%u)\n", version, fw_version_number());
    return 0;
}
