#include "kefu/chinese.hpp"

#include <opencc/Lexicon.hpp>
#include <opencc/MarisaDict.hpp>
#include <opencc/SerializableDict.hpp>
#include <opencc/SimpleConverter.hpp>

#include <mutex>
#include <unordered_map>
#include <vector>

#include "kefu/error.hpp"
#include "kefu/text.hpp"

#ifndef OPENCC_DATA_DIR
#define OPENCC_DATA_DIR "/usr/share/opencc"
#endif

namespace kefu {

struct ChineseConverter::Impl {
  std::unique_ptr<opencc::SimpleConverter> converter;
  // Character table for convert_chars, built on first use from every BMP ideograph (or loaded from
  // an OpenCC character dictionary): `table` as OpenCC gives it while it is built, then `map`.
  mutable std::once_flag table_once;
  mutable std::unordered_map<char32_t, char32_t> table;
  mutable CharMap map;

  // Moves `table` into `map` (once, after the table is complete).
  void index_table() const {
    if (table.empty()) return;
    map.dense.resize(CharMap::kDenseTo - CharMap::kDenseFrom);
    for (char32_t cp = CharMap::kDenseFrom; cp < CharMap::kDenseTo; ++cp) map.dense[cp - CharMap::kDenseFrom] = cp;
    map.changes.assign((map.dense.size() + 63) / 64, 0);
    for (const auto& [from, to] : table) {
      if (from >= CharMap::kDenseFrom && from < CharMap::kDenseTo) {
        const std::size_t k = from - CharMap::kDenseFrom;
        map.dense[k] = to;
        if (to != from) map.changes[k / 64] |= std::uint64_t{1} << (k % 64);
      } else {
        map.sparse.emplace(from, to);
      }
    }
    table.clear();
  }
};

ChineseConverter::ChineseConverter(const std::string& config) : impl_(std::make_unique<Impl>()) {
  try {
    impl_->converter = std::make_unique<opencc::SimpleConverter>(config);
  } catch (const std::exception& e) {
    throw Error(ErrorCode::io, "cannot load OpenCC config " + config + " (is libopencc-data installed?): " + e.what());
  }
}
ChineseConverter::~ChineseConverter() = default;

std::string ChineseConverter::convert(std::string_view utf8) const {
  if (utf8.empty()) return {};
  return impl_->converter->Convert(utf8.data(), utf8.size());
}

std::u32string ChineseConverter::convert_chars(std::u32string_view text) const {
  const CharMap& map = char_map();
  std::u32string out(text);
  for (char32_t& cp : out) cp = map(cp);
  return out;
}

const ChineseConverter::CharMap& ChineseConverter::char_map() const {
  std::call_once(impl_->table_once, [this] {
    // One ideograph per line so that no phrase rule joins neighbours: the table stays 1:1.
    // (Converters built by ChineseConverters::to_simplified() fill the table from OpenCC's
    // character dictionary instead, which is much faster; see there.)
    std::string block;
    for (char32_t c = 0x3400; c <= 0x9FFF; ++c) {
      if (c > 0x4DBF && c < 0x4E00) continue;
      append_utf8(block, c);
      block.push_back('\n');
    }
    std::u32string in = decode_utf8(block), out = decode_utf8(convert(block));
    if (in.size() == out.size())  // else a config that is not 1:1 per character: leave text as it is
      for (std::size_t i = 0; i < in.size(); ++i)
        if (in[i] != out[i]) impl_->table.emplace(in[i], out[i]);
    impl_->index_table();
  });
  return impl_->map;
}

void ChineseConverter::load_char_table(const std::string& ocd2_path) {
  std::call_once(impl_->table_once, [&] {
    try {
      auto dict = opencc::SerializableDict::NewFromFile<opencc::MarisaDict>(ocd2_path);
      for (const auto& entry : *dict->GetLexicon()) {
        std::u32string key = decode_utf8(entry->Key()), value = decode_utf8(entry->GetDefault());
        if (key.size() == 1 && value.size() == 1 && key != value) impl_->table.emplace(key[0], value[0]);
      }
    } catch (const std::exception&) {
      impl_->table.clear();
    }
    impl_->index_table();
  });
}

struct ChineseConverters::Impl {
  mutable std::once_flag t2s_once, tw_once, hk_once;
  mutable std::unique_ptr<ChineseConverter> t2s, tw, hk;
};

ChineseConverters::ChineseConverters() : impl_(std::make_unique<Impl>()) {}
ChineseConverters::~ChineseConverters() = default;

const ChineseConverter& ChineseConverters::to_simplified() const {
  std::call_once(impl_->t2s_once, [this] {
    impl_->t2s = std::make_unique<ChineseConverter>("t2s.json");
    // t2s.json is TSPhrases + TSCharacters: per character, TSCharacters is the whole story.
    impl_->t2s->load_char_table(std::string(OPENCC_DATA_DIR) + "/TSCharacters.ocd2");
  });
  return *impl_->t2s;
}

const ChineseConverter* ChineseConverters::from_simplified(Locale locale) const {
  if (locale == Locale::zh_TW) {
    std::call_once(impl_->tw_once, [this] { impl_->tw = std::make_unique<ChineseConverter>("s2twp.json"); });
    return impl_->tw.get();
  }
  if (locale == Locale::zh_HK) {
    std::call_once(impl_->hk_once, [this] { impl_->hk = std::make_unique<ChineseConverter>("s2hk.json"); });
    return impl_->hk.get();
  }
  return nullptr;
}

std::string ChineseConverters::localize(std::string_view text, Locale locale) const {
  const ChineseConverter* c = from_simplified(locale);
  return c ? c->convert(text) : std::string(text);
}

}  // namespace kefu
