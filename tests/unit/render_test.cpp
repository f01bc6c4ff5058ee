#include <gtest/gtest.h>

#include "kefu/chinese.hpp"
#include "kefu/error.hpp"
#include "kefu/render.hpp"
#include "kefu/template.hpp"

using namespace kefu;

namespace {
std::string r(std::string_view text, const Variables& vars, Locale l = Locale::zh_CN, Channel c = Channel::plain) {
  return render(compile_text(text, "test:1"), vars, l, c).text;
}
}  // namespace

TEST(Render, FillsVariablesAndFallbacks) {
  EXPECT_EQ(r("您好，{{name|亲}}！", {{"name", "王芳"}}), "您好，王芳！");
  EXPECT_EQ(r("您好，{{name|亲}}！", {}), "您好，亲！");
  EXPECT_EQ(r("您好，{{name|亲}}！", {{"name", "  "}}), "您好，亲！");  // blank counts as missing
}

TEST(Render, SectionsNeverLeaveABrokenSentence) {
  const char* t = "您好{{#name}}，{{name}}{{/name}}！{{^order_id}}请问订单号是多少？{{/order_id}}";
  EXPECT_EQ(r(t, {}), "您好！请问订单号是多少？");
  EXPECT_EQ(r(t, {{"name", "王芳"}, {"order_id", "1"}}), "您好，王芳！");
  EXPECT_EQ(r("{{#color}}{{color}}{{#size}} {{size}}码{{/size}}{{/color}}", {{"color", "藏青"}, {"size", "XL"}}), "藏青 XL码");
}

TEST(Render, MissingRequiredVariableBecomesAVisiblePlaceholder) {
  auto out = render(compile_text("订单{{order_id}}已发货", "t:1"), {}, Locale::zh_CN, Channel::plain);
  EXPECT_EQ(out.text, "订单【订单号】已发货");
  ASSERT_EQ(out.missing.size(), 1u);
  EXPECT_EQ(out.missing[0], "order_id");
  EXPECT_EQ(r("Order {{order_id}} shipped", {}, Locale::en), "Order [order number] shipped");
  ChineseConverters cc;
  EXPECT_EQ(render(compile_text("订单{{order_id}}", "t:1"), {}, Locale::zh_TW, Channel::plain, &cc).text, "订单【訂單號】");  // placeholder localised; the text comes localised from the library
}

TEST(Render, SalutationFromNameAndTitle) {
  EXPECT_EQ(make_salutation("王芳", "女士", Locale::zh_CN), "王女士");
  EXPECT_EQ(make_salutation("欧阳娜娜", "女士", Locale::zh_CN), "欧阳女士");
  EXPECT_EQ(make_salutation("王芳", "亲", Locale::zh_CN), "亲");
  EXPECT_EQ(make_salutation("Jane Doe", "Ms.", Locale::en), "Ms. Doe");
  EXPECT_EQ(make_salutation("Jane Doe", "女士", Locale::en), "Ms. Doe");
  EXPECT_EQ(make_salutation("", "Ms.", Locale::en), "");
  EXPECT_EQ(r("{{salutation|亲}}，您好", {{"name", "李雷"}, {"title", "先生"}}), "李先生，您好");
}

TEST(Render, EscapesValuesPerChannel) {
  Variables hostile{{"name", "<script>alert('x')</script>"}};
  EXPECT_EQ(r("Hi {{name}}", hostile, Locale::en, Channel::html), "Hi &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
  EXPECT_EQ(r("Hi {{name}}\nbye", {{"name", "a*b_[c]"}}, Locale::en, Channel::markdown), "Hi a\\*b\\_\\[c\\]\nbye");
  EXPECT_EQ(r("a < b\nc", {}, Locale::en, Channel::html), "a &lt; b<br>c");
  EXPECT_EQ(r("Hi {{name}}", hostile, Locale::en, Channel::plain), "Hi <script>alert('x')</script>");
}

TEST(Render, CompileErrorsNameTheProblem) {
  auto expect_parse = [](std::string_view text, std::string_view needle) {
    try {
      compile_text(text, "pack.yaml:7");
      ADD_FAILURE() << "no error for " << text;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::parse);
      std::string msg = e.what();
      EXPECT_EQ(msg.rfind("pack.yaml:7: ", 0), 0u) << msg;
      EXPECT_NE(msg.find(needle), std::string::npos) << msg;
    }
  };
  expect_parse("{{#name}}x", "not closed");
  expect_parse("x{{/name}}", "closes no section");
  expect_parse("{{nope}}", "unknown variable 'nope'");
  expect_parse("{{name", "without a closing");
  expect_parse("{{#name}}{{#size}}{{/name}}{{/size}}", "closes section 'size'");
}
