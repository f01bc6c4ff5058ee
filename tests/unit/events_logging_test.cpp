#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "kefu/engine.hpp"
#include "kefu/error.hpp"
#include "kefu/events.hpp"

using namespace kefu;

TEST(EventBus, DeliversByNameAndWildcardAndUnsubscribes) {
  EventBus bus;
  std::vector<std::string> seen;
  auto a = bus.subscribe("note_added", [&](std::string_view e, std::string_view j) { seen.push_back(std::string(e) + std::string(j)); });
  auto b = bus.subscribe("*", [&](std::string_view e, std::string_view) { seen.push_back("*" + std::string(e)); });
  EXPECT_TRUE(bus.has_subscribers("anything"));
  bus.publish("note_added", "{}");
  bus.publish("other", "{}");
  EXPECT_EQ(seen, (std::vector<std::string>{"note_added{}", "*note_added", "*other"}));
  EXPECT_TRUE(bus.unsubscribe(a));
  EXPECT_FALSE(bus.unsubscribe(a));
  EXPECT_TRUE(bus.unsubscribe(b));
  EXPECT_FALSE(bus.has_subscribers("note_added"));
}

TEST(EventBus, AThrowingHandlerDoesNotStopOthers) {
  EventBus bus;
  int calls = 0;
  bus.subscribe("x", [](std::string_view, std::string_view) { throw std::runtime_error("boom"); });
  bus.subscribe("x", [&](std::string_view, std::string_view) { ++calls; });
  EXPECT_NO_THROW(bus.publish("x", "{}"));
  EXPECT_EQ(calls, 1);
}

TEST(Engine, PublishesAnalysisAndSuggestionEvents) {
  Engine engine;
  std::vector<std::string> events;
  std::string payload;
  engine.events().subscribe("*", [&](std::string_view e, std::string_view j) {
    events.emplace_back(e);
    if (e == "suggestions_ready") payload = std::string(j);
  });
  SuggestRequest req;
  req.locale = Locale::en;
  engine.suggest("where is my parcel?", req);
  EXPECT_EQ(events, (std::vector<std::string>{"message_analyzed", "suggestions_ready"}));
  EXPECT_NE(payload.find("\"suggestions\""), std::string::npos);
}

TEST(Engine, LogsThroughTheHostHandlerWithoutCustomerText) {
  Engine engine;
  std::vector<std::pair<LogLevel, std::string>> logs;
  engine.set_log_handler([&](LogLevel l, std::string_view m) { logs.emplace_back(l, std::string(m)); });
  engine.set_log_level(LogLevel::trace);
  const std::string secret = "我叫张三手机13812345678要退款";
  engine.analyze(secret, Locale::zh_CN);
  ASSERT_FALSE(logs.empty());
  for (const auto& [level, msg] : logs) {
    EXPECT_EQ(msg.find("13812345678"), std::string::npos) << msg;
    if (level >= LogLevel::info) EXPECT_EQ(msg.find("张三"), std::string::npos) << msg;
  }
  engine.set_log_handler(nullptr);
}

TEST(Engine, IsSafeToShareBetweenThreads) {
  Engine engine;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        SuggestRequest req;
        req.locale = t % 2 ? Locale::zh_TW : Locale::en;
        auto r = engine.suggest(t % 2 ? "請問什麼時候出貨" : "when will my order ship", req);
        if (!r.suggestions.empty() && r.analysis.intent == Intent::shipping) ++ok;
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 200);
}

TEST(Engine, RejectsBadInputClearly) {
  EngineOptions o;
  o.max_text_bytes = 1000;
  Engine engine(o);
  EXPECT_THROW(engine.analyze("\xc3\x28"), Error);
  EXPECT_THROW(engine.analyze(""), Error);
  EXPECT_THROW(engine.analyze(std::string(1001, 'a')), Error);
  EXPECT_THROW(engine.render("no.such.template", {}, Locale::en), Error);
  EXPECT_THROW(engine.render("/nosuchshortcut", {}, Locale::en), Error);
  EngineOptions bad;
  bad.template_dir = std::string(KEFU_SOURCE_DIR) + "/tests/data/bad_packs";
  try {
    Engine e(bad);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::parse);
    EXPECT_NE(std::string(e.what()).find("broken.yaml:5:"), std::string::npos) << e.what();
  }
}
