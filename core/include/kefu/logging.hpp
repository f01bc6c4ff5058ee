// kefu/logging.hpp — each engine's own spdlog logger (never the global registry), with a host callback.
// Customer data is logged at debug level or below only.
#pragma once
#include <functional>
#include <memory>
#include <string_view>

namespace spdlog { class logger; }

namespace kefu {

enum class LogLevel { trace = 0, debug = 1, info = 2, warn = 3, error = 4, off = 6 };

/// Receives every message at or above the logger's level.
using LogHandler = std::function<void(LogLevel level, std::string_view message)>;

/// Makes an unregistered logger named `name` at `level`. With no handler, messages at warn and above
/// go to stderr; a handler replaces that.
std::shared_ptr<spdlog::logger> make_logger(const std::string& name, LogLevel level);
/// Routes the logger to `handler` (nullptr: back to stderr).
void set_log_handler(spdlog::logger& logger, LogHandler handler);
void set_log_level(spdlog::logger& logger, LogLevel level);

}  // namespace kefu
