// kefu sidebar: profile card, care reminders, ranked suggestions (copy / insert) and the agent's draft
// with tone findings highlighted, in the agent's language. No framework; it talks to `kefu serve`.
//
// Hosts:
//  - Chatwoot Dashboard App: Chatwoot posts the conversation as a JSON string
//    {"event": "appContext", "data": {"conversation", "contact", "currentAgent"}}; the page asks for it
//    with window.parent.postMessage('chatwoot-dashboard-app:fetch-info', '*').
//    https://www.chatwoot.com/hc/user-guide/articles/1677691702-how-to-use-dashboard-apps
//  - Zendesk ticket_sidebar app (adapters/zendesk-app): the ZAF client gives the ticket, the requester,
//    the agent's draft (comment.text, comment.text.changed) and inserts with comment.appendText.
//    https://developer.zendesk.com/api-reference/apps/apps-support-api/ticket_sidebar/
//  - Anywhere else: ?text=<customer message> shows suggestions for it.
// Settings come from the URL fragment (never sent to a server): #token=<kefu token>&lang=zh-CN&api=<base>.
(function () {
  "use strict";

  const params = new URLSearchParams(location.search.slice(1));
  new URLSearchParams(location.hash.slice(1)).forEach((v, k) => params.set(k, v));
  const token = params.get("token") || "";
  const api = (params.get("api") || "").replace(/\/+$/, "");
  const $ = (id) => document.getElementById(id);

  const state = { strings: {}, lang: "zh-CN", capabilities: {}, customerText: "", customerLocale: null,
                  customer: null, host: "standalone", insert: null, toneSeq: 0 };

  function normLang(tag) {
    const t = String(tag || "").replace("_", "-").toLowerCase();
    if (t.startsWith("en")) return "en";
    if (t.startsWith("zh")) {
      if (t.includes("hk") || t.includes("mo")) return "zh-HK";
      if (t.includes("tw") || t.includes("hant")) return "zh-TW";
      return "zh-CN";
    }
    return t ? "en" : "zh-CN";
  }

  function t(key) { return state.strings[key] || key; }

  async function setLanguage(lang) {
    state.lang = normLang(lang);
    document.documentElement.lang = state.lang;
    try {
      const base = api ? `${api}/sidebar/` : "";
      const res = await fetch(`${base}i18n/${state.lang}.json`, { cache: "no-cache" });
      state.strings = await res.json();
    } catch (e) { state.strings = {}; }
    document.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
    document.querySelectorAll("[data-i18n-placeholder]").forEach((el) => { el.placeholder = t(el.dataset.i18nPlaceholder); });
  }

  function status(text, isError) {
    const el = $("status");
    el.textContent = text || "";
    el.classList.toggle("error", !!isError);
  }

  async function call(path, body) {
    const res = await fetch(api + path, {
      method: "POST",
      headers: { "Authorization": "Bearer " + token, "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    const data = await res.json().catch(() => ({}));
    if (!res.ok) {
      const err = new Error((data.error && data.error.message) || res.statusText);
      err.status = res.status;
      throw err;
    }
    return data;
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") node.className = v;
      else if (k === "text") node.textContent = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v);
    }
    for (const c of children) if (c != null) node.append(c);
    return node;
  }

  // ---- profile card and reminders ----
  function renderProfile(customer, card, reminders) {
    const body = $("profile-body");
    body.replaceChildren();
    const who = (card && card.name) || (customer && customer.name) || "";
    if (!who && !card && !(customer && (customer.email || customer.phone))) { $("profile").hidden = true; return; }
    $("profile").hidden = false;
    body.append(el("div", { class: "who", text: who }));
    const title = card && card.title;
    if (title) body.lastChild.append(" " + title);
    const kv = (label, value) => { if (value) body.append(el("div", { class: "kv" }, t(label) + ": ", el("b", { text: String(value) }))); };
    kv("email", (card && card.email) || (customer && customer.email));
    kv("phone", (card && card.phone) || (customer && customer.phone));
    if (card) {
      const marks = [].concat(card.types || [], card.tags || []).filter(Boolean);
      if (marks.length) {
        const line = el("div", { class: "kv" });
        for (const m of [...new Set(marks)]) {
          const label = state.strings["tag_" + m] || String(m);
          line.append(el("span", { class: "tag", "data-tag": String(m), text: label }));
        }
        body.append(line);
      }
      const text = (v) => (v && typeof v === "object") ? (v.summary || v.items || v.order_id || v.text || JSON.stringify(v)) : v;
      kv("last_purchase", text(card.last_purchase));
      kv("open_problems", Array.isArray(card.open_problems) ? card.open_problems.map(text).join("; ") : text(card.open_problems));
      kv("last_complaint", text(card.last_complaint));
      kv("satisfaction", text(card.satisfaction_trend));
    } else if (state.capabilities.customers) {
      body.append(el("div", { class: "note", text: t("unknown_customer") }));
    }
    const list = $("reminder-list");
    list.replaceChildren();
    for (const r of reminders || []) {
      if (typeof r === "string") { list.append(el("li", { text: r })); continue; }
      // {"kind": "birthday", "days": 3, "due": "2026-11-26", "template_id": "care.birthday_member", ...}
      const parts = [t("care_" + r.kind)];
      if (typeof r.days === "number") parts.push(r.days === 0 ? t("today") : t("in_days").replace("{n}", r.days));
      if (r.due) parts.push(r.due);
      if (r.detail) parts.push(r.detail);
      const item = el("li", { "data-kind": r.kind || "", text: parts.join(" · ") });
      if (r.template_id) item.append(" · " + t("use_template") + " ", el("code", { text: r.template_id }));
      list.append(item);
    }
    $("reminders").hidden = !list.children.length;
  }

  // ---- the customer's message, its analysis and the suggestions ----
  function renderSuggestions(result) {
    $("message").hidden = false;
    $("message-text").textContent = state.customerText;
    const chips = $("analysis");
    chips.replaceChildren(
      el("span", { class: "intent", text: `${t("intent")}: ${t("intent_" + result.intent)}` }),
      el("span", { class: "emotion-" + result.emotion, text: `${t("emotion")}: ${t("emotion_" + result.emotion)}` }),
      el("span", { class: "stage", text: `${t("stage")}: ${t("stage_" + result.stage)}` }));
    const list = $("suggestion-list");
    list.replaceChildren();
    for (const s of result.suggestions || []) {
      const item = el("li", { class: "suggestion", "data-template": s.template_id },
        el("div", { class: "text", text: s.text }),
        el("div", { class: "meta" },
          el("span", { class: "bar", style: `width:${Math.round((s.score || 0) * 60)}px` }),
          `${s.template_id}${s.shortcut ? " · " + s.shortcut : ""} · ${Math.round((s.score || 0) * 100)}`));
      if (s.missing && s.missing.length)
        item.append(el("div", { class: "missing", text: `${t("fill_in")}: ${s.missing.join(", ")}` }));
      const copy = el("button", { class: "copy", type: "button", text: t("copy") });
      copy.addEventListener("click", async () => { await copyText(s.text); copy.textContent = t("copied"); });
      const insert = el("button", { class: "insert", type: "button", text: t("insert") });
      insert.addEventListener("click", async () => { await insertText(s.text); insert.textContent = t("inserted"); });
      item.append(el("div", {}, copy, insert));
      list.append(item);
    }
    if (!list.children.length) list.append(el("li", { class: "note", text: t("no_suggestions") }));
    $("suggestions").hidden = false;
  }

  async function copyText(text) {
    try { await navigator.clipboard.writeText(text); return; } catch (e) { /* framed pages may not have it */ }
    const area = el("textarea", { style: "position:fixed;opacity:0" });
    area.value = text;
    document.body.append(area);
    area.select();
    try { document.execCommand("copy"); } catch (e) { /* nothing else to try */ }
    area.remove();
  }

  async function insertText(text) {
    if (state.insert) return state.insert(text);
    const draft = $("draft-input");
    draft.value = draft.value ? draft.value.replace(/\s*$/, "\n") + text : text;
    draft.dispatchEvent(new Event("input"));
    await copyText(text);
  }

  // ---- the agent's draft and its tone findings ----
  function renderTone(draft, report) {
    $("tone").hidden = false;
    $("tone-score").textContent = Math.round(report.score);
    const preview = $("draft-preview");
    preview.replaceChildren();
    const findings = (report.findings || []).slice().sort((a, b) => a.start_utf16 - b.start_utf16);
    // Findings about the whole draft (no apology, no polite word) are listed, not underlined; of
    // overlapping spans the narrowest and most severe is underlined.
    const rank = { error: 0, warning: 1, info: 2 };
    const inline = findings.filter((f) => !(f.start_utf16 === 0 && f.end_utf16 >= draft.length))
      .sort((a, b) => (a.end_utf16 - a.start_utf16) - (b.end_utf16 - b.start_utf16) || rank[a.severity] - rank[b.severity]);
    const chosen = [];
    for (const f of inline)
      if (chosen.every((c) => f.end_utf16 <= c.start_utf16 || f.start_utf16 >= c.end_utf16)) chosen.push(f);
    chosen.sort((a, b) => a.start_utf16 - b.start_utf16);
    let pos = 0;
    for (const f of chosen) {
      preview.append(draft.slice(pos, f.start_utf16));
      preview.append(el("mark", { class: "sev-" + f.severity, title: f.message, "data-rule": f.rule,
                                  "data-category": f.category, text: draft.slice(f.start_utf16, f.end_utf16) }));
      pos = f.end_utf16;
    }
    preview.append(draft.slice(pos));
    const list = $("finding-list");
    list.replaceChildren();
    for (const f of findings) {
      const item = el("li", { "data-category": f.category },
        el("span", { class: "sev sev-" + f.severity, text: t("severity_" + f.severity) }),
        ` 「${draft.slice(f.start_utf16, f.end_utf16)}」 ${f.message}`);
      if (f.suggestions && f.suggestions.length) item.append(` — ${t("replace_with")}: ${f.suggestions.join(" / ")}`);
      list.append(item);
    }
    if (!findings.length) list.append(el("li", { class: "note", text: t("no_findings") }));
  }

  async function checkDraft(draft) {
    const seq = ++state.toneSeq;
    if (!draft.trim()) { $("tone").hidden = true; return; }
    if (!state.capabilities.tone) {
      $("tone-note").hidden = false;
      $("tone-note").textContent = t("tone_unavailable");
      return;
    }
    const body = { text: draft };
    if (state.customerText) body.customer = state.customerText;
    try {
      const report = await call("/v1/tone", body);
      if (seq === state.toneSeq) renderTone(draft, report);
    } catch (e) { status(`${t("error")}: ${e.message}`, true); }
  }

  let toneTimer = null;
  function draftChanged(draft) {
    clearTimeout(toneTimer);
    toneTimer = setTimeout(() => checkDraft(draft), 200);
  }

  // ---- one conversation ----
  async function show(customer, text, locale) {
    state.customer = customer;
    state.customerText = text || "";
    state.customerLocale = locale || null;
    status("");
    renderProfile(customer, null, []);
    const jobs = [];
    const suggest = (ctx) => {
      if (!state.customerText) return Promise.resolve();
      const req = { text: state.customerText };
      if (locale) req.locale = locale;
      if (ctx && Object.keys(ctx).length) req.customer = ctx;
      return call("/v1/suggest", req).then(renderSuggestions).catch((e) => status(`${t("error")}: ${e.message}`, true));
    };
    jobs.push(suggest(customer && customer.name ? { name: customer.name } : null));
    if (state.capabilities.customers && customer) {
      // The archive answers more slowly; when it knows the customer's type, rank again with it.
      jobs.push(call("/v1/profile", customer).then(async (p) => {
        renderProfile(customer, p.customer, p.reminders);
        const card = p.customer;
        if (!card) return;
        const ctx = { name: card.name || customer.name };
        if (card.customer && card.customer.title) ctx.title = card.customer.title;
        const types = (card.types || []).filter((x) => ["price_sensitive", "quality_seeking", "health_beauty"].includes(x));
        if (types.length) ctx.types = types;
        if (card.tags && card.tags.length) ctx.tags = card.tags;
        await jobs[0];
        await suggest(ctx);
      }).catch((e) => status(`${t("error")}: ${e.message}`, true)));
    }
    await Promise.all(jobs);
    document.body.dataset.ready = "1";
  }

  // Chatwoot: the conversation's messages carry message_type 0 for incoming (the customer's).
  function onChatwootContext(data) {
    const conv = data.conversation || {};
    const contact = data.contact || (conv.meta && conv.meta.sender) || {};
    const incoming = (conv.messages || []).filter((m) => (m.message_type === 0 || m.message_type === "incoming")
                                                       && !m.private && m.content);
    const last = incoming[incoming.length - 1];
    const customer = { name: contact.name || "", email: contact.email || "", phone: contact.phone_number || "",
                       external_ids: contact.id != null ? ["chatwoot:" + contact.id] : [] };
    show(customer, last ? last.content : "");
  }

  async function startZendesk() {
    const client = window.ZAFClient.init();
    state.host = "zendesk";
    state.insert = (text) => client.invoke("comment.appendText", text);
    const data = await client.get(["currentUser.locale", "ticket.requester", "ticket.comments", "comment.text"]);
    if (!params.get("lang")) await setLanguage(data["currentUser.locale"]);
    const requester = data["ticket.requester"] || {};
    const comments = (data["ticket.comments"] || []).filter((c) => c.author && c.author.id === requester.id);
    const last = comments[comments.length - 1];
    const text = last ? (last.value || "").replace(/<[^>]+>/g, " ").replace(/\s+/g, " ").trim() : "";
    const customer = { name: requester.name || "", email: requester.email || "",
                       external_ids: requester.id != null ? ["zendesk:" + requester.id] : [] };
    await show(customer, text);
    $("draft-input").hidden = true;  // the draft is Zendesk's own reply box
    client.on("comment.text.changed", (draft) => draftChanged(String(draft || "").replace(/<[^>]+>/g, "")));
    if (data["comment.text"]) draftChanged(String(data["comment.text"]).replace(/<[^>]+>/g, ""));
  }

  async function start() {
    await setLanguage(params.get("lang") || navigator.language);
    if (!token) { status(t("no_token"), true); return; }
    status(t("waiting"));
    try {
      const health = await (await fetch(api + "/healthz")).json();
      state.capabilities = health.capabilities || {};
    } catch (e) { status(`${t("error")}: ${e.message}`, true); return; }
    $("draft-input").addEventListener("input", (e) => draftChanged(e.target.value));
    if (window.ZAFClient && params.get("origin")) return startZendesk();
    window.addEventListener("message", (event) => {
      let data = event.data;
      if (typeof data === "string") { try { data = JSON.parse(data); } catch (e) { return; } }
      if (data && data.event === "appContext" && data.data) { state.host = "chatwoot"; onChatwootContext(data.data); }
    });
    if (params.get("text")) show(null, params.get("text"), params.get("locale"));
    else if (window.parent !== window) window.parent.postMessage("chatwoot-dashboard-app:fetch-info", "*");
  }

  start();
})();
