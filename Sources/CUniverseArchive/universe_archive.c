// The archive's bytes, copied into the binary by the compiler (C23 #embed): no generated source,
// no run-time file. The static data is touched only when it is loaded into a database.
#include "universe_archive.h"

#pragma clang diagnostic ignored "-Wc23-extensions"

static const unsigned char archive[] = {
#embed "../../data/sde/universe.jsonl.lz4"
};

const unsigned char *memberaudit_universe_archive(void) { return archive; }
size_t memberaudit_universe_archive_size(void) { return sizeof(archive); }
