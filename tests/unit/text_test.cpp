#include <gtest/gtest.h>

#include <algorithm>

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

TEST(Text, OffsetsOfChosenCodePointsMatchTheTable) {
  const std::string s = "a😀中b😀";
  auto table = offset_table(s);
  std::vector<TextOffsets> got;
  offsets_of(s, {0, 2, 3, 5}, got);
  ASSERT_EQ(got.size(), 4u);
  for (std::size_t k = 0; k < 4; ++k) {
    std::size_t cp = std::vector<std::size_t>{0, 2, 3, 5}[k];
    EXPECT_EQ(got[k].byte, table[cp].byte) << cp;
    EXPECT_EQ(got[k].utf16, table[cp].utf16) << cp;
  }
}

TEST(Text, NormalizeIntoMapsEveryByteToItsCodePoint) {
  ChineseConverters cc;
  NormalizedText n;
  std::string utf8;
  std::vector<std::uint32_t> cp_of_byte;
  normalize_text_into("ＸＬ號碼，Ｕ㈱", &cc.to_simplified(), n, utf8, cp_of_byte);
  EXPECT_EQ(utf8, n.utf8());
  EXPECT_EQ(utf8, normalize_text("ＸＬ號碼，Ｕ㈱", &cc.to_simplified()).utf8());
  ASSERT_EQ(cp_of_byte.size(), utf8.size() + 1);
  EXPECT_EQ(cp_of_byte.back(), n.text.size());
  for (std::size_t b = 0, cp = 0; b < utf8.size(); ++cp) {
    std::string one;
    append_utf8(one, n.text[cp]);
    for (std::size_t k = 0; k < one.size(); ++k) EXPECT_EQ(cp_of_byte[b + k], cp);
    b += one.size();
  }
  normalize_text_into("ab", nullptr, n, utf8, cp_of_byte);  // reused storage is overwritten
  EXPECT_EQ(utf8, "ab");
  EXPECT_EQ(n.origin.size(), 2u);
}

TEST(Text, NormalizeIntoTellsWhereEachCodePointCameFromAndTheFirstBadByte) {
  ChineseConverters cc;
  NormalizedText n;
  std::string utf8;
  std::vector<std::uint32_t> cp_of_byte;
  Origins origins;
  std::string zh;
  for (int k = 0; k < 60; ++k) zh += "您好，這款ＸＬ號 in STOCK! ";
  const std::vector<std::pair<std::string, std::size_t>> cases = {
      {"plain ASCII, longer than eight bytes", std::string::npos},
      {zh, std::string::npos},
      {"ab\xff" "cd" + zh, 2},
      {"\x80\x80\x80" + zh, 0},            // stray continuation bytes first: one U+FFFD each
      {zh + "\xe4\xb8", zh.size()},        // a cut-off ideograph at the end
      {"ﬁ😀𠀀…ｱ" + zh + "\xed\xa0\x80", zh.size() + 17},  // ligature, astral, a surrogate at the end
  };
  for (const auto& [text, bad] : cases) {
    normalize_text_into(text, &cc.to_simplified(), n, utf8, cp_of_byte, &origins);
    EXPECT_EQ(origins.first_invalid, bad);
    EXPECT_EQ(utf8, normalize_text(text, &cc.to_simplified()).utf8());
    EXPECT_EQ(utf8, n.utf8());
    // Each normalised code point knows the byte where its original starts.
    auto table = offset_table(text);
    std::size_t astral = 0;
    for (std::size_t cp = 0; cp + 1 < table.size(); ++cp) astral += table[cp + 1].utf16 - table[cp].utf16 == 2;
    if (bad == std::string::npos) EXPECT_EQ(origins.astral, astral);
    if (bad == std::string::npos) EXPECT_EQ(count_code_points(text), table.size() - 1);
    EXPECT_EQ(origins.capitals, static_cast<std::size_t>(std::count_if(
                                    text.begin(), text.end(), [](char c) { return c >= 'A' && c <= 'Z'; })));
    ASSERT_EQ(origins.byte.size(), n.text.size());
    EXPECT_EQ(origins.size, text.size());
    for (std::size_t k = 0; k < n.text.size() && bad == std::string::npos; ++k)
      EXPECT_EQ(origins.byte[k], table[n.origin[k]].byte) << k;
  }
}
