#include "kefu/logging.hpp"

#include <spdlog/logger.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <mutex>

namespace kefu {
namespace {

// Sends each formatted message to the host's handler, or to stderr when none is set.
class HostSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  void set_handler(LogHandler handler) {
    std::lock_guard<std::mutex> lock(mutex_);
    handler_ = std::move(handler);
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    if (!handler_) {
      if (msg.level < spdlog::level::warn) return;
      stderr_.log(msg);
      return;
    }
    try {
      handler_(static_cast<LogLevel>(msg.level), std::string_view(msg.payload.data(), msg.payload.size()));
    } catch (...) {
      // A host handler must not take the engine down; the message is dropped.
    }
  }
  void flush_() override {}

 private:
  LogHandler handler_;
  spdlog::sinks::stderr_sink_st stderr_;
};

HostSink* host_sink(spdlog::logger& logger) {
  for (auto& s : logger.sinks())
    if (auto* h = dynamic_cast<HostSink*>(s.get())) return h;
  return nullptr;
}

}  // namespace

std::shared_ptr<spdlog::logger> make_logger(const std::string& name, LogLevel level) {
  auto logger = std::make_shared<spdlog::logger>(name, std::make_shared<HostSink>());
  logger->set_level(static_cast<spdlog::level::level_enum>(level));
  return logger;  // deliberately not registered: the host's own spdlog registry stays untouched
}

void set_log_handler(spdlog::logger& logger, LogHandler handler) {
  if (auto* sink = host_sink(logger)) sink->set_handler(std::move(handler));
}

void set_log_level(spdlog::logger& logger, LogLevel level) {
  logger.set_level(static_cast<spdlog::level::level_enum>(level));
}

}  // namespace kefu
