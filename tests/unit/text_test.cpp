#include <gtest/gtest.h>

#include "kefu/chinese.hpp"
#include "kefu/error.hpp"
#include "kefu/text.hpp"

using namespace kefu;

TEST(Text, RejectsInvalidUtf8WithOffset) {
  try {
    check_text("abc\xff", 100);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::invalid_utf8);
    EXPECT_NE(std::string(e.what()).find("offset 3"), std::string::npos);
  }
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));  // surrogate
  EXPECT_FALSE(is_valid_utf8("\xc0\xaf"));      // overlong
  EXPECT_TRUE(is_valid_utf8("亲，在吗😀"));
}

TEST(Text, EmptyAndTooLarge) {
  EXPECT_THROW(check_text("", 100), Error);
  try {
    check_text(" \t\u3000", 100);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::empty);
  }
  try {
    check_text(std::string(1 << 20, 'a'), 65536);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::too_large);
  }
}

TEST(Text, NormalizesWidthCaseAndScript) {
  ChineseConverters cc;
  auto n = normalize_text("ＸＬ號碼，USB", &cc.to_simplified());
  EXPECT_EQ(n.utf8(), "xl号码,usb");
  ASSERT_EQ(n.origin.size(), n.text.size());
  EXPECT_EQ(n.origin[2], 2u);  // 號 stays at code point 2
}

TEST(Text, OffsetTableCountsUtf16Units) {
  auto t = offset_table("a😀中");
  ASSERT_EQ(t.size(), 4u);
  EXPECT_EQ(t[1].byte, 1u);
  EXPECT_EQ(t[2].byte, 5u);
  EXPECT_EQ(t[2].utf16, 3u);
  EXPECT_EQ(t[3].utf16, 4u);
}
