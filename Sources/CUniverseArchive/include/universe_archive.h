#ifndef MEMBERAUDIT_UNIVERSE_ARCHIVE_H
#define MEMBERAUDIT_UNIVERSE_ARCHIVE_H

#include <stddef.h>

/// The static data archive (data/sde/universe.jsonl.lz4), embedded in the binary at build time:
/// its first byte and its length.
const unsigned char *memberaudit_universe_archive(void);
size_t memberaudit_universe_archive_size(void);

#endif
