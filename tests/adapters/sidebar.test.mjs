// The sidebar in real headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core):
// a parent page plays Chatwoot — it frames the sidebar from `kefu serve` (another origin) and answers
// the sidebar's 'chatwoot-dashboard-app:fetch-info' with Chatwoot's appContext — and the test checks
// what the agent sees: the profile card, the customer's message with its analysis, ranked suggestions
// with copy and insert, the draft's tone findings highlighted, all in the agent's language; and it saves
// screenshots (KEFU_SCREENSHOT_DIR).
//
//   node --test tests/adapters/sidebar.test.mjs     (KEFU_CLI, PYTHONPATH set by ctest)
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import http from "node:http";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const source = process.env.KEFU_SOURCE_DIR || path.resolve(here, "../..");
const require = createRequire(path.join(source, "adapters", "package.json"));
const CHROMIUM = process.env.KEFU_CHROMIUM || "/usr/bin/chromium";

// ./setup.sh test installs Chromium and runs `npm ci` in adapters/; elsewhere the test says what is missing.
let chromium = null, missing = "";
try { ({ chromium } = require("playwright-core")); } catch (e) { missing = "playwright-core (npm ci --prefix adapters)"; }
if (!fs.existsSync(CHROMIUM)) missing = `${CHROMIUM} (Debian package chromium)`;
if (missing && process.env.CI) throw new Error(`the sidebar test needs ${missing}`);
const skip = missing ? `not installed: ${missing}` : false;
const TOKEN = "sidebar-test-token";
const shots = process.env.KEFU_SCREENSHOT_DIR || os.tmpdir();

let kefu, kefuUrl, parent, parentUrl, browser;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "kefu-sidebar-"));

function startKefu() {
  const cli = process.env.KEFU_CLI;
  const args = cli ? [cli, ["serve", "--port", "0", "--token", TOKEN]]
                   : ["/usr/bin/python3", ["-m", "kefu_serve", "serve", "--port", "0", "--token", TOKEN]];
  const child = spawn(args[0], args[1], { env: { ...process.env, KEFU_DB: path.join(tmp, "kefu.db") },
                                          stdio: ["ignore", "ignore", "pipe"] });
  return new Promise((resolve, reject) => {
    let err = "";
    const timer = setTimeout(() => reject(new Error("kefu serve did not start: " + err)), 60000);
    child.stderr.on("data", (d) => {
      err += d;
      const m = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(err);
      if (m) { clearTimeout(timer); resolve([child, `http://127.0.0.1:${m[1]}`]); }
    });
    child.on("exit", (code) => reject(new Error(`kefu serve exited ${code}: ${err}`)));
  });
}

async function waitHealthy(url) {
  for (let i = 0; i < 600; i++) {
    try { if ((await fetch(url + "/healthz")).ok) return (await (await fetch(url + "/healthz")).json()); } catch (e) { /* starting */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("kefu serve did not answer");
}

// Chatwoot's dashboard: frames the app and answers fetch-info with the conversation (appContext).
function chatwootParent(appContext, src) {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Chatwoot (stand-in)</title>
  <style>body{margin:0;font-family:sans-serif;display:flex;height:100vh}
  main{flex:1;padding:16px;background:#f8fafc} iframe{width:420px;border:0;border-left:1px solid #ddd;height:100vh}</style></head>
  <body><main><h3>Conversation #10</h3><p>${appContext.data.conversation.messages.map((m) => m.content).join("<br>")}</p></main>
  <iframe id="app" src="${src}"></iframe>
  <script>
    const ctx = ${JSON.stringify(JSON.stringify(appContext))};
    window.fetchInfoRequests = 0;
    window.addEventListener("message", (e) => {
      if (e.data === "chatwoot-dashboard-app:fetch-info") {
        window.fetchInfoRequests++;
        document.getElementById("app").contentWindow.postMessage(ctx, "*");
      }
    });
  </script></body></html>`;
}

const appContext = {
  event: "appContext",
  data: {
    conversation: {
      id: 10, inbox_id: 1, status: "open", account_id: 1,
      meta: { sender: { id: 14, name: "王芳", email: "wangfang@example.com", phone_number: "+8613800138000", type: "contact" },
              assignee: { id: 1, name: "小美", type: "user" }, channel: "Channel::WebWidget" },
      messages: [
        { id: 117, content: "在吗？", message_type: 0, private: false, sender_type: "Contact" },
        { id: 118, content: "您好，在的，请问有什么可以帮您？", message_type: 1, private: false, sender_type: "User" },
        { id: 119, content: "我的快递怎么还没到？都一个星期了", message_type: 0, private: false, sender_type: "Contact" },
      ],
    },
    contact: { id: 14, name: "王芳", email: "wangfang@example.com", phone_number: "+8613800138000" },
    currentAgent: { id: 1, name: "小美", email: "xiaomei@example.com" },
  },
};

// The customer is in kefu's archive, with a birthday in three days (a care reminder).
function seedArchive() {
  if (!process.env.KEFU_CLI) return false;
  const soon = new Date(Date.now() + 3 * 86400e3);
  const md = `${String(soon.getMonth() + 1).padStart(2, "0")}-${String(soon.getDate()).padStart(2, "0")}`;
  const csv = path.join(tmp, "customers.csv");
  fs.writeFileSync(csv, "external_id,name,phone,email,birthday,tags\n" +
                        `chatwoot:14,王芳,+86 138-0013-8000,wangfang@example.com,1990-${md},vip;price_sensitive\n`);
  const db = ["--db", path.join(tmp, "kefu.db")];
  for (const args of [[...db, "customers", "import", csv], [...db, "notes", "add", "chatwoot:14", "上次买的羊毛衫起球，已补发"]]) {
    const r = spawnSync(process.env.KEFU_CLI, args, { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
  }
  return true;
}
let archived = false;

before(async () => {
  if (skip) return;
  archived = seedArchive();
  [kefu, kefuUrl] = await startKefu();
  await waitHealthy(kefuUrl);
  parent = http.createServer((req, res) => {
    const u = new URL(req.url, "http://x");
    const lang = u.searchParams.get("lang") || "zh-CN";
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
    res.end(chatwootParent(appContext, `${kefuUrl}/sidebar/#token=${TOKEN}&lang=${lang}`));
  });
  await new Promise((r) => parent.listen(0, "127.0.0.1", r));
  parentUrl = `http://127.0.0.1:${parent.address().port}`;  // another origin than the sidebar
  browser = await chromium.launch({
    executablePath: CHROMIUM, headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
           "--disable-component-update", "--disable-default-apps", "--disable-sync", "--no-first-run",
           "--metrics-recording-only", "--disable-extensions", "--mute-audio"],
  });
});

after(async () => {
  if (browser) await browser.close();
  if (parent) parent.close();
  if (kefu) kefu.kill("SIGTERM");
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function openSidebar(lang) {
  const context = await browser.newContext({ viewport: { width: 1000, height: 900 }, locale: lang });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(`${parentUrl}/?lang=${lang}`);
  const frame = page.frameLocator("#app");
  await frame.locator("body[data-ready='1']").waitFor({ timeout: 30000 });
  return { context, page, frame, errors };
}

test("Chatwoot appContext → profile, analysis and ranked suggestions in Chinese", { skip }, async () => {
  const { context, page, frame, errors } = await openSidebar("zh-CN");
  assert.ok(await page.evaluate(() => window.fetchInfoRequests) >= 1, "the sidebar asked Chatwoot for the context");
  // Labels in the agent's language.
  assert.equal(await frame.locator("#suggestions h2").textContent(), "推荐回复");
  // Profile card from the contact.
  assert.match(await frame.locator("#profile .who").textContent(), /王芳/);
  assert.match(await frame.locator("#profile-body").textContent(), /wangfang@example\.com/);
  if (archived) {
    // From kefu's archive: tags and the birthday reminder, in Chinese.
    await frame.locator("#profile .tag").first().waitFor({ timeout: 15000 });
    const tags = await frame.locator("#profile .tag").evaluateAll((ts) => ts.map((x) => [x.dataset.tag, x.textContent]));
    assert.ok(tags.some(([k]) => k === "vip") && tags.some(([k, v]) => k === "price_sensitive" && v === "价格敏感"),
              JSON.stringify(tags));
    assert.match(await frame.locator("#reminder-list li[data-kind='birthday']").textContent(), /生日 · 3 天后/);
    assert.match(await frame.locator("#reminder-list").textContent(), /care\.birthday/);
  }
  // The last incoming message, not the agent's.
  assert.equal(await frame.locator("#message-text").textContent(), "我的快递怎么还没到？都一个星期了");
  assert.match(await frame.locator("#analysis").textContent(), /物流/);
  // Ranked suggestions, the same ones the service ranks for this message.
  // (with the archive's customer type when the archive knows her)
  const customer = archived ? { name: "王芳", types: ["price_sensitive"], tags: ["vip", "price_sensitive"] } : { name: "王芳" };
  const expected = await (await fetch(kefuUrl + "/v1/suggest", {
    method: "POST", headers: { Authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify({ text: "我的快递怎么还没到？都一个星期了", customer }) })).json();
  const items = frame.locator("li.suggestion");
  assert.equal(await items.count(), expected.suggestions.length);
  for (let i = 0; i < expected.suggestions.length; i++) {
    assert.equal(await items.nth(i).getAttribute("data-template"), expected.suggestions[i].template_id);
    assert.equal(await items.nth(i).locator(".text").textContent(), expected.suggestions[i].text);
  }
  assert.equal(await items.first().locator("button.copy").textContent(), "复制");
  await page.screenshot({ path: path.join(shots, "sidebar-chatwoot-zh-CN.png") });
  assert.deepEqual(errors, []);
  await context.close();
});

test("insert puts a suggestion into the draft, whose tone findings are highlighted", { skip }, async () => {
  const { context, page, frame, errors } = await openSidebar("zh-CN");
  const health = await (await fetch(kefuUrl + "/healthz")).json();
  const first = frame.locator("li.suggestion").first();
  const text = await first.locator(".text").textContent();
  await first.locator("button.insert").click();
  assert.equal(await first.locator("button.insert").textContent(), "已插入");
  assert.equal(await frame.locator("#draft-input").inputValue(), text);
  if (!health.capabilities.tone) { await context.close(); return; }
  // A polite template: no findings.
  await frame.locator("#tone:not([hidden])").waitFor({ timeout: 15000 });
  await frame.locator("#finding-list li.note").waitFor({ timeout: 15000 });
  // The agent types something cold instead: findings are highlighted in the draft.
  const draft = "不知道，你自己看吧！！！";
  await frame.locator("#draft-input").fill(draft);
  await frame.locator("#draft-preview mark").first().waitFor({ timeout: 15000 });
  const marks = await frame.locator("#draft-preview mark").evaluateAll((ms) => ms.map((m) => ({ text: m.textContent, cls: m.className, category: m.dataset.category })));
  assert.ok(marks.some((m) => m.text === "不知道" && m.category === "cold"), JSON.stringify(marks));
  assert.ok(marks.some((m) => m.text === "！！！" && m.category === "shouting"), JSON.stringify(marks));
  // The preview shows the whole draft, marks in place.
  assert.equal(await frame.locator("#draft-preview").textContent(), draft);
  const score = Number(await frame.locator("#tone-score").textContent());
  assert.ok(score < 80, `score ${score}`);
  assert.match(await frame.locator("#finding-list").textContent(), /我帮您查一下/);  // a suggested replacement
  await page.screenshot({ path: path.join(shots, "sidebar-tone-zh-CN.png") });
  assert.deepEqual(errors, []);
  await context.close();
});

test("an English-speaking agent sees English labels", { skip }, async () => {
  const { context, page, frame, errors } = await openSidebar("en");
  assert.equal(await frame.locator("#suggestions h2").textContent(), "Suggested replies");
  assert.equal(await frame.locator("li.suggestion button.copy").first().textContent(), "Copy");
  assert.match(await frame.locator("#analysis").textContent(), /shipping/);
  await page.screenshot({ path: path.join(shots, "sidebar-chatwoot-en.png") });
  assert.deepEqual(errors, []);
  await context.close();
});

test("a Hong Kong agent sees Traditional Chinese labels (made with OpenCC)", { skip }, async () => {
  const { context, frame, errors } = await openSidebar("zh-HK");
  assert.equal(await frame.locator("#suggestions h2").textContent(), "推薦回覆");
  assert.deepEqual(errors, []);
  await context.close();
});

// Zendesk's ticket sidebar: a stand-in for the ZAF client (what ZAFClient.init() returns in Zendesk)
// gives the ticket, the requester's comments and the agent's reply draft, and records what the app invokes.
test("Zendesk ticket sidebar: checks the reply draft as it changes and inserts into the reply", { skip }, async () => {
  const context = await browser.newContext({ viewport: { width: 420, height: 1100 } });
  await context.addInitScript(() => {
    const handlers = {};
    window.zafInvoked = [];
    window.zafEmit = (name, value) => (handlers[name] || []).forEach((fn) => fn(value));
    window.ZAFClient = { init: () => ({
      get: async (keys) => ({
        "currentUser.locale": "en-US",
        "ticket.requester": { id: 8447388090494, name: "Jane Doe", email: "jane@example.com" },
        "ticket.comments": [
          { author: { id: 8447388090494 }, value: "<p>The jacket I received has a broken zipper. This is ridiculous!</p>" },
          { author: { id: 1 }, value: "<p>Sorry to hear that, let me check.</p>" }],
        "comment.text": "",
      }),
      on: (name, fn) => { (handlers[name] = handlers[name] || []).push(fn); },
      invoke: async (name, ...args) => { window.zafInvoked.push([name, ...args]); },
      metadata: async () => ({ settings: {} }),
    }) };
  });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(`${kefuUrl}/sidebar/?origin=https%3A%2F%2Fshop.zendesk.com&app_guid=1#token=${TOKEN}`);
  await page.locator("body[data-ready='1']").waitFor({ timeout: 30000 });
  // The agent's language comes from Zendesk (currentUser.locale), the message from the requester's last comment.
  assert.equal(await page.locator("#suggestions h2").textContent(), "Suggested replies");
  assert.equal(await page.locator("#message-text").textContent(), "The jacket I received has a broken zipper. This is ridiculous!");
  assert.ok(await page.locator("#draft-input").isHidden(), "the draft is Zendesk's own reply box");
  // Insert goes into Zendesk's reply.
  const first = page.locator("li.suggestion").first();
  const text = await first.locator(".text").textContent();
  await first.locator("button.insert").click();
  await page.waitForFunction(() => window.zafInvoked.length > 0);
  assert.deepEqual(await page.evaluate(() => window.zafInvoked[0]), ["comment.appendText", text]);
  const health = await (await fetch(kefuUrl + "/healthz")).json();
  if (health.capabilities.tone) {
    // The agent types in Zendesk's reply box: the draft is checked as it changes.
    await page.evaluate(() => window.zafEmit("comment.text.changed", "<p>No idea. Whatever, not my problem!!!</p>"));
    await page.locator("#draft-preview mark").first().waitFor({ timeout: 15000 });
    assert.equal(await page.locator("#draft-preview").textContent(), "No idea. Whatever, not my problem!!!");
    const categories = await page.locator("#draft-preview mark").evaluateAll((ms) => ms.map((m) => m.dataset.category));
    assert.ok(categories.includes("cold"), JSON.stringify(categories));
    await page.screenshot({ path: path.join(shots, "sidebar-zendesk-en.png"), fullPage: true });
  }
  assert.deepEqual(errors, []);
  await context.close();
});

test("without the token the sidebar says so and shows nothing", { skip }, async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${kefuUrl}/sidebar/#lang=en`);
  await page.locator("#status.error").waitFor({ timeout: 15000 });
  assert.match(await page.locator("#status").textContent(), /token/);
  assert.equal(await page.locator("li.suggestion").count(), 0);
  await context.close();
});
