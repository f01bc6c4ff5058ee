// Internal: the state of a ToneChecker (compiled packs by data locale).
#pragma once
#include <map>
#include <memory>

#include "tone_internal.hpp"

namespace kefu {

struct ToneChecker::Impl {
  explicit Impl(const ChineseConverters& c) : chinese(c) {}
  const ChineseConverters& chinese;
  std::map<Locale, std::unique_ptr<tone::CompiledPack>> packs;
};

}  // namespace kefu
