#include <gtest/gtest.h>

#include "kefu/engine.hpp"
#include "kefu/error.hpp"

using namespace kefu;

namespace {
const Engine& engine() {
  static Engine e;
  return e;
}
}  // namespace

TEST(Engine, LoadsBundledPacks) {
  EXPECT_GT(engine().templates().of_locale(Locale::zh_CN).size(), 50u);
  EXPECT_GT(engine().templates().of_locale(Locale::en).size(), 50u);
}

TEST(Engine, AnalyzesChineseNegation) {
  auto a = engine().analyze("不是要退货，就问下怎么洗", Locale::zh_CN);
  EXPECT_EQ(to_string(a.intent), "product_info");
}

TEST(Engine, SuggestsRenderedTemplates) {
  SuggestRequest req;
  req.locale = Locale::zh_CN;
  auto r = engine().suggest("我要退款", req);
  ASSERT_FALSE(r.suggestions.empty());
  EXPECT_EQ(r.analysis.intent, Intent::refund);
  EXPECT_EQ(r.suggestions.front().text.find("{{"), std::string::npos);
}
