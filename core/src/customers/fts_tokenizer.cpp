// The "kefu" FTS5 tokenizer: SQLite's own trigram tokenizer, fed text folded the way every kefu
// matcher folds it (normalize_text: NFKC, case, full-width forms, Traditional → Simplified). So
// "退貨" finds "退货", "ＸＬ" finds "xl", and any substring of three or more characters matches.
// Queries go through the same tokenizer, so they are folded the same way.
//
// With the argument "bigrams" (tokenize='kefu bigrams') each trigram also brings its first two
// characters as a colocated token, and the text's last two characters are added: two-character
// queries — most Chinese words — then use the index too instead of scanning every note. It costs
// index space; tests/bench/bench_customers measures both.
#include <cstring>
#include <new>
#include <optional>
#include <string_view>
#include <string>
#include <vector>

#include "kefu/chinese.hpp"
#include "kefu/text.hpp"
#include "sqlite_db.hpp"

namespace kefu::sql {
namespace {

thread_local const FoldedTexts* t_folded = nullptr;  // UseFoldedTexts

struct Module {
  const ChineseConverter* to_simplified = nullptr;
  fts5_tokenizer trigram{};
  void* trigram_data = nullptr;
};

struct Instance {
  Module* module = nullptr;
  Fts5Tokenizer* inner = nullptr;
  bool bigrams = false;
};

// Length of the UTF-8 sequence starting with byte c.
int seq_len(unsigned char c) { return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4; }

// Byte offset where the last `n` characters of valid UTF-8 `s` start; npos if it has fewer.
std::size_t last_chars(std::string_view s, int n) {
  std::size_t at = s.size();
  for (int k = 0; k < n; ++k) {
    if (at == 0) return std::string_view::npos;
    do --at;
    while (at > 0 && (static_cast<unsigned char>(s[at]) & 0xC0) == 0x80);
  }
  return at;
}

// Byte length of the first two characters of `s` (n bytes), or 0 if it has fewer or one is white space.
int two_chars(const char* s, int n) {
  int a = seq_len(static_cast<unsigned char>(s[0]));
  if (a >= n) return 0;
  int b = seq_len(static_cast<unsigned char>(s[a]));
  if (a + b > n) return 0;
  for (int i : {0, a})
    if (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') return 0;
  return a + b;
}

struct Forward {
  void* ctx;
  int (*token)(void*, int, const char*, int, int, int);
  // Byte offsets of the folded text mapped back to the original (only when SQLite asks for them).
  const std::vector<int>* folded_byte_to_original = nullptr;
  bool bigrams = false;  // documents: emit the colocated bigram of each trigram
  int count = 0;
};

int emit(Forward* f, int tflags, const char* token, int n, int start, int end) {
  if (f->folded_byte_to_original) {
    const auto& map = *f->folded_byte_to_original;
    start = map[static_cast<std::size_t>(start)];
    end = map[static_cast<std::size_t>(end)];
  }
  ++f->count;
  return f->token(f->ctx, tflags, token, n, start, end);
}

int forward_token(void* p, int tflags, const char* token, int n, int start, int end) {
  auto* f = static_cast<Forward*>(p);
  int rc = emit(f, tflags, token, n, start, end);
  if (rc != SQLITE_OK || !f->bigrams) return rc;
  if (int b = two_chars(token, n)) rc = emit(f, FTS5_TOKEN_COLOCATED, token, b, start, start + b);
  return rc;
}

int create(void* data, const char** args, int nargs, Fts5Tokenizer** out) {
  auto* m = static_cast<Module*>(data);
  auto* inst = new (std::nothrow) Instance;
  if (!inst) return SQLITE_NOMEM;
  inst->module = m;
  for (int i = 0; i < nargs; ++i) {
    if (std::strcmp(args[i], "bigrams") == 0) {
      inst->bigrams = true;
    } else {
      delete inst;
      return SQLITE_ERROR;
    }
  }
  // Text arrives case-folded already.
  const char* trigram_args[] = {"case_sensitive", "1"};
  int rc = m->trigram.xCreate(m->trigram_data, trigram_args, 2, &inst->inner);
  if (rc != SQLITE_OK) {
    delete inst;
    return rc;
  }
  *out = reinterpret_cast<Fts5Tokenizer*>(inst);
  return SQLITE_OK;
}

void destroy_instance(Fts5Tokenizer* t) {
  auto* inst = reinterpret_cast<Instance*>(t);
  if (inst->inner) inst->module->trigram.xDelete(inst->inner);
  delete inst;
}

int tokenize(Fts5Tokenizer* t, void* ctx, int flags, const char* text, int n,
             int (*token)(void*, int, const char*, int, int, int)) {
  auto* inst = reinterpret_cast<Instance*>(t);
  try {
    std::string_view in(text ? text : "", static_cast<std::size_t>(n > 0 ? n : 0));
    Forward fwd{ctx, token};
    std::vector<int> map;
    std::string own;
    std::optional<std::string_view> found;
    if (flags == FTS5_TOKENIZE_DOCUMENT && t_folded)
      if (auto it = t_folded->find(in); it != t_folded->end()) found = it->second;
    if (!found && !(flags & FTS5_TOKENIZE_AUX)) own = fold_for_index(in, inst->module->to_simplified);
    if (flags & FTS5_TOKENIZE_AUX) {  // highlight(), snippet(): offsets must point into the original
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
      fwd.folded_byte_to_original = &map;
    }
    std::string_view utf8 = found ? *found : std::string_view(own);
    bool query = (flags & FTS5_TOKENIZE_QUERY) != 0;
    fwd.bigrams = inst->bigrams && !query;
    int rc = inst->module->trigram.xTokenize(inst->inner, &fwd, flags, utf8.data(), static_cast<int>(utf8.size()),
                                             forward_token);
    if (rc != SQLITE_OK || !inst->bigrams) return rc;
    // The last two characters (no trigram starts with them), or a two-character query.
    std::size_t at = last_chars(utf8, 2);
    if (at == std::string::npos) return rc;
    if (query && (at != 0 || fwd.count != 0)) return rc;
    std::string_view tail = utf8.substr(at);
    int b = two_chars(tail.data(), static_cast<int>(tail.size()));
    if (!b) return rc;
    int start = static_cast<int>(at);
    return emit(&fwd, fwd.count > 0 ? FTS5_TOKEN_COLOCATED : 0, tail.data(), b, start, static_cast<int>(utf8.size()));
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

UseFoldedTexts::UseFoldedTexts(const FoldedTexts& texts) : previous_(t_folded) { t_folded = &texts; }
UseFoldedTexts::~UseFoldedTexts() { t_folded = previous_; }

void register_tokenizer(sqlite3* db, const ChineseConverter* to_simplified) {
  fts5_api* api = fts5(db);
  if (!api) throw Error(ErrorCode::storage, "customer database: this SQLite has no FTS5 full-text search");
  auto* m = new Module;
  m->to_simplified = to_simplified;
  if (api->xFindTokenizer(api, "trigram", &m->trigram_data, &m->trigram) != SQLITE_OK) {
    delete m;
    throw Error(ErrorCode::storage, "customer database: this SQLite has no trigram tokenizer (3.34 or later needed)");
  }
  fts5_tokenizer tok{create, destroy_instance, tokenize};
  if (api->xCreateTokenizer(api, "kefu", m, &tok, destroy_module) != SQLITE_OK) {
    delete m;
    throw Error(ErrorCode::storage, "customer database: cannot register the full-text tokenizer");
  }
}

}  // namespace kefu::sql
