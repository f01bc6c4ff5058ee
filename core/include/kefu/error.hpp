// kefu/error.hpp — the one exception type the C++ core throws, and its codes.
// The C ABI turns an Error into its code plus kefu_error_last(); codes match KEFU_E* in kefu.h.
#pragma once
#include <stdexcept>
#include <string>

namespace kefu {

enum class ErrorCode : int {
  ok = 0,
  invalid_argument = -1,  ///< a NULL or out-of-range argument, an unknown name
  invalid_utf8 = -2,      ///< text that is not valid UTF-8
  not_found = -3,         ///< no such template, customer, rule...
  parse = -4,             ///< a malformed pack, rule file, JSON or CSV (message names file:line)
  io = -5,                ///< a file could not be read or written
  too_large = -6,         ///< input over the configured limit
  storage = -7,           ///< the customer database failed
  empty = -8,             ///< text that is empty or only white space
  unsupported = -9,       ///< a locale, channel or version this build does not know
  internal = -99,         ///< a bug: please report it
};

/// Stable lowercase name of a code ("invalid_utf8").
const char* error_code_name(ErrorCode code) noexcept;

class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ErrorCode code() const noexcept { return code_; }

 private:
  ErrorCode code_;
};

}  // namespace kefu
