// Internal helpers of the C ABI: the thread-local last error, exception fences, buffers.
#pragma once
#include <cstring>
#include <exception>
#include <new>
#include <optional>
#include <string>

#include "kefu/engine.hpp"
#include "kefu/error.hpp"
#include "kefu/kefu.h"

struct kefu_engine {
  explicit kefu_engine(kefu::EngineOptions opts) : engine(std::move(opts)) {}
  kefu::Engine engine;
};

namespace kefu::c {

int set_error(int code, std::string message) noexcept;
void clear_error() noexcept;
const kefu_error* last() noexcept;

/// Runs `fn` and turns every exception into an error code plus kefu_error_last().
template <class Fn>
int guard(Fn&& fn) noexcept {
  try {
    fn();
    return KEFU_OK;
  } catch (const kefu::Error& e) {
    return set_error(static_cast<int>(e.code()), e.what());
  } catch (const std::bad_alloc&) {
    return set_error(KEFU_EINTERNAL, "out of memory");
  } catch (const std::exception& e) {
    return set_error(KEFU_EINTERNAL, std::string("internal error: ") + e.what());
  } catch (...) {
    return set_error(KEFU_EINTERNAL, "internal error");
  }
}

/// Throws Error(invalid_argument) naming `what` if `p` is NULL.
template <class T>
void require(const T* p, const char* what) {
  if (!p) throw kefu::Error(kefu::ErrorCode::invalid_argument, std::string(what) + " must not be NULL");
}

/// Copies `s` into a fresh caller-owned buffer.
void fill(kefu_buf* out, const std::string& s);

/// Parses an optional locale name; NULL or "" gives `fallback`.
std::optional<kefu::Locale> locale_arg(const char* name);

}  // namespace kefu::c
