// The JSON forms of results: the bytes nlohmann::json::dump prints for the documented shape, whatever
// the strings hold (quotes, control characters, invalid UTF-8) and whatever the numbers are.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "kefu/json.hpp"

using namespace kefu;
using nlohmann::json;

namespace {

std::string dumped(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

json analysis_json(const Analysis& a, std::size_t top) {
  json intents = json::array();
  for (std::size_t i = 0; i < a.intents.size() && i < top; ++i)
    intents.push_back({{"intent", to_string(a.intents[i].intent)}, {"score", a.intents[i].score}});
  return {{"intent", to_string(a.intent)},     {"confidence", a.confidence}, {"emotion", to_string(a.emotion)},
          {"emotion_score", a.emotion_score}, {"stage", to_string(a.stage)}, {"locale", locale_name(a.locale)},
          {"intents", intents}};
}

const std::vector<std::string> kAwkward = {
    "plain", "引号\"和\\反斜杠", "line\nbreak\ttab\r\b\f", std::string("nul\0byte\x01\x1f", sizeof "nul\0byte\x01\x1f" - 1),
    "bad \xff\xfe utf-8 \xe4\xbd", "overlong \xc0\xaf and surrogate \xed\xa0\x80", "\x7f delete", "",
    "emoji 😀 and 繁體"};

Analysis awkward_analysis() {
  Analysis a;
  a.intent = Intent::refund;
  a.confidence = 1.0;
  a.emotion_score = std::numeric_limits<double>::quiet_NaN();
  a.intents = {{Intent::refund, 0.1 + 0.2}, {Intent::shipping, 1e-300}, {Intent::other, 2.5e-06},
               {Intent::other, 123456789012345678.0}, {Intent::other, -0.0}, {Intent::other, 1e21}};
  a.cues = kAwkward;
  return a;
}

}  // namespace

TEST(Json, SuggestIsWhatJsonDumpPrints) {
  SuggestResult r;
  r.analysis = awkward_analysis();
  for (const auto& s : kAwkward)
    r.suggestions.push_back({s, Intent::refund, s, std::numeric_limits<double>::infinity(), kAwkward, s, {s}});
  r.suggestions.push_back({"id", Intent::shipping, "text", 0.75, {}, "", {}});

  json expected = analysis_json(r.analysis, 3);
  json list = json::array();
  for (const auto& s : r.suggestions)
    list.push_back({{"template_id", s.template_id}, {"intent", to_string(s.intent)}, {"text", s.text},
                    {"score", s.score}, {"missing", s.missing}, {"shortcut", s.shortcut}, {"tags", s.tags}});
  expected["suggestions"] = list;
  EXPECT_EQ(suggest_to_json(r), dumped(expected));
}

TEST(Json, AnalysisIsWhatJsonDumpPrints) {
  Analysis a = awkward_analysis();
  json expected = analysis_json(a, 5);
  expected["cues"] = a.cues;
  EXPECT_EQ(analysis_to_json(a), dumped(expected));
}
