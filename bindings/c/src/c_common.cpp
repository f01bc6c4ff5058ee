#include "c_common.hpp"

#include <cstdlib>

namespace kefu::c {
namespace {
thread_local kefu_error last_error{KEFU_OK, ""};
thread_local std::string last_message;
thread_local bool has_error = false;
}  // namespace

int set_error(int code, std::string message) noexcept {
  try {
    last_message = std::move(message);
  } catch (...) {
    last_message.clear();
  }
  last_error.code = code;
  last_error.message = last_message.c_str();
  has_error = true;
  return code;
}

void clear_error() noexcept {
  has_error = false;
  last_message.clear();
  last_error = {KEFU_OK, ""};
}

const kefu_error* last() noexcept { return has_error ? &last_error : nullptr; }

void fill(kefu_buf* out, const std::string& s) {
  char* p = static_cast<char*>(std::malloc(s.size() + 1));
  if (!p) throw std::bad_alloc();
  std::memcpy(p, s.data(), s.size());
  p[s.size()] = '\0';
  out->ptr = p;
  out->size = s.size();
}

std::optional<kefu::Locale> locale_arg(const char* name) {
  if (!name || !*name) return std::nullopt;
  return kefu::parse_locale(name);
}

}  // namespace kefu::c

extern "C" {

const kefu_error* kefu_error_last(void) { return kefu::c::last(); }
void kefu_error_clear(void) { kefu::c::clear_error(); }

void kefu_buf_dispose(kefu_buf* buf) {
  if (!buf) return;
  std::free(buf->ptr);
  buf->ptr = nullptr;
  buf->size = 0;
}

int kefu_version(int* major, int* minor, int* patch) {
  if (major) *major = KEFU_VERSION_MAJOR;
  if (minor) *minor = KEFU_VERSION_MINOR;
  if (patch) *patch = KEFU_VERSION_PATCH;
  return KEFU_OK;
}

const char* kefu_version_string(void) { return kefu::version_string(); }

}  // extern "C"
