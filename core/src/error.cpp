#include "kefu/error.hpp"

namespace kefu {

const char* error_code_name(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::ok: return "ok";
    case ErrorCode::invalid_argument: return "invalid_argument";
    case ErrorCode::invalid_utf8: return "invalid_utf8";
    case ErrorCode::not_found: return "not_found";
    case ErrorCode::parse: return "parse";
    case ErrorCode::io: return "io";
    case ErrorCode::too_large: return "too_large";
    case ErrorCode::storage: return "storage";
    case ErrorCode::empty: return "empty";
    case ErrorCode::unsupported: return "unsupported";
    case ErrorCode::internal: return "internal";
  }
  return "unknown";
}

}  // namespace kefu
