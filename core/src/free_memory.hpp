// Internal: hands the memory malloc holds freed (in every arena) back to the system, after a burst
// of temporary allocations such as an engine's load or an import. A no-op where malloc cannot.
#pragma once
#ifdef __GLIBC__
#include <malloc.h>
#endif

namespace kefu {

inline void return_freed_memory() noexcept {
#ifdef __GLIBC__
  malloc_trim(0);
#endif
}

}  // namespace kefu
