// kefu/events.hpp — engine events for hosts: a name and a JSON payload.
// The bus is Boost.Signals2 inside; this header keeps it out of sight.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace kefu {

/// Event names: "message_analyzed", "suggestions_ready", "draft_checked", "note_added",
/// "customer_updated", "care_due". Payloads are the JSON documented in README.md.
using EventHandler = std::function<void(std::string_view event, std::string_view json)>;

/// Thread-safe publish/subscribe. A handler that throws is logged and disconnected from that call
/// only; publishing never throws.
class EventBus {
 public:
  EventBus();
  ~EventBus();
  EventBus(const EventBus&) = delete;
  EventBus& operator=(const EventBus&) = delete;

  /// Subscribes to one event name, or to every event with "*". Returns an id for unsubscribe().
  std::uint64_t subscribe(std::string event, EventHandler handler);
  /// False if the id is unknown.
  bool unsubscribe(std::uint64_t id);
  /// True when someone listens to `event` (lets callers skip building a payload).
  bool has_subscribers(std::string_view event) const;
  void publish(std::string_view event, std::string_view json) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kefu
