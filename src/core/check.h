#pragma once
// SYNOD_CHECK: an impossible state is a bug; stop at once with a message rather than limp on.
#include <cstdio>
#include <cstdlib>

#define SYNOD_CHECK(cond, msg)                                                       \
  do {                                                                               \
    if (!(cond)) {                                                                   \
      std::fprintf(stderr, "%s:%d: check failed: %s: %s\n", __FILE__, __LINE__, #cond, \
                   (msg));                                                           \
      std::abort();                                                                  \
    }                                                                                \
  } while (0)
