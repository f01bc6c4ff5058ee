// Internal: the features the analyser and the ranker share — hashed character unigrams and bigrams
// for Chinese, stemmed words and word bigrams for English — over normalised text.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kefu {

using Feature = std::uint64_t;

/// Features of normalised text (see normalize_text). Repeats are kept (term frequency).
std::vector<Feature> text_features(std::u32string_view normalized);
/// The same, appended to `out`; when `at` is given, at[i] is the code point index where feature i
/// ends (one past its last character), so callers can weight features by clause.
void text_features(std::u32string_view normalized, std::vector<Feature>& out, std::vector<std::uint32_t>* at);

/// Light English stemmer: "orders"→"order", "cancelling"→"cancel", "delivered"→"deliver".
std::string stem_word(std::string word);

}  // namespace kefu
