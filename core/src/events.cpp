#include "kefu/events.hpp"

#include <boost/signals2.hpp>

#include <atomic>
#include <map>
#include <mutex>

namespace kefu {

using Signal = boost::signals2::signal<void(std::string_view, std::string_view)>;

struct EventBus::Impl {
  mutable std::mutex mutex;
  std::map<std::string, std::shared_ptr<Signal>, std::less<>> signals;  // by event name, "*" for all
  std::map<std::uint64_t, boost::signals2::connection> connections;
  std::uint64_t next_id = 1;
  // Connections made and not yet undone: with none (the usual case), asking costs no lock.
  std::atomic<std::size_t> connected{0};

  std::shared_ptr<Signal> find(std::string_view name) const {
    std::lock_guard<std::mutex> lock(mutex);
    auto it = signals.find(name);
    return it == signals.end() ? nullptr : it->second;
  }
};

EventBus::EventBus() : impl_(std::make_unique<Impl>()) {}
EventBus::~EventBus() = default;

std::uint64_t EventBus::subscribe(std::string event, EventHandler handler) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  auto& sig = impl_->signals[event];
  if (!sig) sig = std::make_shared<Signal>();
  // Each slot guards itself: an exception from one handler must not stop the others or reach the publisher.
  auto guarded = [h = std::move(handler)](std::string_view name, std::string_view json) {
    try {
      h(name, json);
    } catch (...) {
    }
  };
  std::uint64_t id = impl_->next_id++;
  impl_->connections.emplace(id, sig->connect(std::move(guarded)));
  impl_->connected.fetch_add(1, std::memory_order_relaxed);
  return id;
}

bool EventBus::unsubscribe(std::uint64_t id) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  auto it = impl_->connections.find(id);
  if (it == impl_->connections.end()) return false;
  it->second.disconnect();
  impl_->connections.erase(it);
  impl_->connected.fetch_sub(1, std::memory_order_relaxed);
  return true;
}

bool EventBus::has_subscribers(std::string_view event) const {
  if (impl_->connected.load(std::memory_order_relaxed) == 0) return false;
  auto named = impl_->find(event);
  auto all = impl_->find("*");
  return (named && !named->empty()) || (all && !all->empty());
}

void EventBus::publish(std::string_view event, std::string_view json) const {
  if (auto sig = impl_->find(event)) (*sig)(event, json);
  if (auto all = impl_->find("*")) (*all)(event, json);
}

}  // namespace kefu
