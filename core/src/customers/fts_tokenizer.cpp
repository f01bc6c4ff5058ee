// The "kefu" FTS5 tokenizer. Text is folded the way every kefu matcher folds it (normalize_text:
// NFKC, case, full-width forms, Traditional → Simplified), so "退貨" finds "退货" and "ＸＬ" finds
// "xl"; then it is cut as Lucene's CJK analyzer cuts it (fts_runs.hpp): Chinese runs into
// overlapping bigrams (a lone character into its unigram), letters and digits into whole words.
// A Chinese word or phrase of two or more characters is a phrase of bigrams; an English word is
// one token, searched as a word or a prefix (search.cpp). Queries go through the same tokenizer,
// so they are folded the same way.
//
// (Schema version 2 used 'kefu bigrams': SQLite's trigram tokenizer plus a bigram per position,
// about two tokens per character. The argument is still accepted so that the migration can drop
// those tables; it changes nothing.)
#include <cstring>
#include <new>
#include <optional>
#include <string_view>
#include <string>
#include <vector>

#include "fts_runs.hpp"
#include "kefu/chinese.hpp"
#include "kefu/text.hpp"
#include "sqlite_db.hpp"

namespace kefu::sql {
namespace {

thread_local FoldedTexts* t_folded = nullptr;  // UseFoldedTexts

struct Module {
  const ChineseConverter* to_simplified = nullptr;
};

struct Instance {
  Module* module = nullptr;
};

int create(void* data, const char** args, int nargs, Fts5Tokenizer** out) {
  for (int i = 0; i < nargs; ++i)
    if (std::strcmp(args[i], "bigrams") != 0) return SQLITE_ERROR;  // the legacy argument only
  auto* inst = new (std::nothrow) Instance;
  if (!inst) return SQLITE_NOMEM;
  inst->module = static_cast<Module*>(data);
  *out = reinterpret_cast<Fts5Tokenizer*>(inst);
  return SQLITE_OK;
}

void destroy_instance(Fts5Tokenizer* t) { delete reinterpret_cast<Instance*>(t); }

int tokenize(Fts5Tokenizer* t, void* ctx, int flags, const char* text, int n,
             int (*token)(void*, int, const char*, int, int, int)) {
  auto* inst = reinterpret_cast<Instance*>(t);
  try {
    std::string_view in(text ? text : "", static_cast<std::size_t>(n > 0 ? n : 0));
    std::vector<int> map;  // highlight(), snippet(): folded byte → byte of the original
    std::string own;
    std::optional<std::string_view> found;
    if (flags == FTS5_TOKENIZE_DOCUMENT && t_folded)
      if (const std::string_view* folded = t_folded->take(in)) found = *folded;
    if (flags & FTS5_TOKENIZE_AUX) {
      NormalizedText folded = normalize_text(in, inst->module->to_simplified);
      own = folded.utf8();
      auto original = offset_table(in);
      map.assign(own.size() + 1, static_cast<int>(in.size()));
      std::size_t byte = 0;
      for (std::size_t i = 0; i < folded.text.size(); ++i) {
        std::string one;
        append_utf8(one, folded.text[i]);
        for (std::size_t k = 0; k < one.size(); ++k) map[byte + k] = static_cast<int>(original[folded.origin[i]].byte);
        byte += one.size();
      }
    } else if (!found) {
      own = fold_for_index(in, inst->module->to_simplified);
    }
    std::string_view utf8 = found ? *found : std::string_view(own);
    int rc = SQLITE_OK;
    for_each_run(utf8, [&](const FtsRun& run) {
      return for_each_token(utf8, run, [&](std::size_t b, std::size_t e) {
        int start = static_cast<int>(b), end = static_cast<int>(e);
        if (!map.empty()) start = map[b], end = map[e];
        rc = token(ctx, 0, utf8.data() + b, static_cast<int>(e - b), start, end);
        return rc == SQLITE_OK;
      });
    });
    return rc;
  } catch (const std::bad_alloc&) {
    return SQLITE_NOMEM;
  } catch (...) {
    return SQLITE_ERROR;
  }
}

void destroy_module(void* data) { delete static_cast<Module*>(data); }

fts5_api* fts5(sqlite3* db) {
  fts5_api* api = nullptr;
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, nullptr) != SQLITE_OK) return nullptr;
  sqlite3_bind_pointer(st, 1, &api, "fts5_api_ptr", nullptr);
  sqlite3_step(st);
  sqlite3_finalize(st);
  return api;
}

}  // namespace

std::string fold_for_index(std::string_view text, const ChineseConverter* to_simplified) {
  return normalize_text(text, to_simplified).utf8();
}

UseFoldedTexts::UseFoldedTexts(FoldedTexts& texts) : previous_(t_folded) { t_folded = &texts; }
UseFoldedTexts::~UseFoldedTexts() { t_folded = previous_; }

void register_tokenizer(sqlite3* db, const ChineseConverter* to_simplified) {
  fts5_api* api = fts5(db);
  if (!api) throw Error(ErrorCode::storage, "customer database: this SQLite has no FTS5 full-text search");
  auto* m = new Module;
  m->to_simplified = to_simplified;
  fts5_tokenizer tok{create, destroy_instance, tokenize};
  if (api->xCreateTokenizer(api, "kefu", m, &tok, destroy_module) != SQLITE_OK) {
    delete m;
    throw Error(ErrorCode::storage, "customer database: cannot register the full-text tokenizer");
  }
}

}  // namespace kefu::sql
