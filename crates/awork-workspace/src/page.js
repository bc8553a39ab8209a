"use strict";
// The settings page: plain JavaScript, no build step, nothing from the web. It polls the API
// (every 2 s; `?poll=MS` in the page's URL changes that) and updates what changed in place, so
// an open body stays open, the scroll position and the form's input are kept.
const GROUPS = /*EVENT_GROUPS*/[];
const POLL_MS = Math.min(60000, Math.max(100, Number(new URLSearchParams(location.search).get("poll")) || 2000));
const LOG_PAGE = 100;
const state = {
  editing: null, logOf: null, logFilter: "all", hooks: new Map(), cards: new Map(),
  logRows: new Map(), logLoaded: false, logPolls: 0, status: null, updates: 0, timer: null, kept: null,
};
const $ = (id) => document.getElementById(id);
const SVG = "http://www.w3.org/2000/svg";

function el(tag, text, cls) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (cls) node.className = cls;
  return node;
}
function setText(node, text) { if (node.textContent !== text) node.textContent = text; }
function button(text, cls, action) {
  const b = el("button", text, cls); b.type = "button"; b.addEventListener("click", action); return b;
}
/** A result next to the control that caused it. */
function show(node, text, ok) { node.textContent = text; node.className = "result " + (ok ? "ok" : "error"); }

// Names in words: `taskassignment_added` is "Task assignment added".
const WORDS = { taskassignment: "task assignment", tasklist: "task list", projectmember: "project member", timetracking: "time tracking" };
function words(name) {
  const text = name.split("_").map((part) => WORDS[part] || part).join(" ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}
/** An API name that breaks only after its underscores. */
function apiName(name, cls) {
  const code = el("code", null, cls);
  name.split("_").forEach((part, index, parts) => {
    code.appendChild(document.createTextNode(part + (index < parts.length - 1 ? "_" : "")));
    if (index < parts.length - 1) code.appendChild(document.createElement("wbr"));
  });
  return code;
}

// Times: the local clock with its zone; the exact time (and UTC) on hover.
const ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone || "local time";
function clock(iso, withZone) {
  return new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false, timeZoneName: withZone ? "short" : undefined });
}
/** The zone's short name at that time (`CET`, `GMT+2`, `UTC`). */
function zoneOf(iso) {
  const part = new Intl.DateTimeFormat([], { timeZoneName: "short" }).formatToParts(new Date(iso)).find((p) => p.type === "timeZoneName");
  return part ? part.value : ZONE;
}
function exact(iso) { return new Date(iso).toLocaleString([], { dateStyle: "medium", timeStyle: "medium" }) + " (" + ZONE + ") · " + iso; }
function inWords(ms) {
  const s = Math.round(ms / 1000);
  if (s <= 0) return "now";
  if (s < 90) return "in " + s + " s";
  if (s < 5400) return "in " + Math.round(s / 60) + " min";
  return "in " + Math.round(s / 3600) + " h";
}
function plural(n, one, many) { return n + " " + (n === 1 ? one : many || one + "s"); }

/** An error of a call, in the user's words; `status` and `data` as answered. */
class CallError extends Error {
  constructor(message, status, data) { super(message); this.status = status; this.data = data; }
}
function key() { return sessionStorage.getItem("awork-sim-key") || "local-page"; }

async function call(method, path, body) {
  const headers = { "Authorization": "Bearer " + key() };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (failure) {
    offline(true);
    throw new CallError("awork-sim serve does not answer: is it still running?", 0, null);
  }
  offline(false);
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch (failure) { data = null; }
  if (response.status === 401) {
    askForKey();
    throw new CallError("This workspace needs its API key: enter it in the API key box at the top.", 401, data);
  }
  if (!response.ok) {
    const described = data && data.description ? data.description : "serve answered " + response.status + ".";
    const message = response.status === 404 && path.startsWith("/api/v1/webhooks/")
      ? "This webhook no longer exists: it was deleted, here or through the API."
      : response.status >= 500 ? "serve could not do it: " + described : described;
    throw new CallError(message, response.status, data);
  }
  return data;
}

function offline(down) {
  const banner = $("offline");
  if (down) {
    setText(banner, "awork-sim serve does not answer at " + location.origin + ": it may have stopped. This page keeps trying and catches up when it is back.");
    banner.hidden = false;
  } else if (!banner.hidden) {
    banner.hidden = true;
  }
}
function askForKey() {
  const section = $("key-section");
  if (section.hidden) { section.hidden = false; }
  if (sessionStorage.getItem("awork-sim-key")) show($("key-result"), "That key was not accepted: check it and try again.", false);
}
function keyWorks() {
  if (!$("key-section").hidden) { $("key-section").hidden = true; $("key-result").textContent = ""; }
}

// The event picker: per entity, with "all" and "none" and a toggle per entity.
function renderGroups() {
  const box = $("event-groups");
  const select = $("event-type");
  for (const group of GROUPS) {
    const set = el("fieldset", null, "group");
    const legend = el("legend");
    const toggle = el("label", null, "toggle");
    const all = el("input"); all.type = "checkbox"; all.className = "group-toggle";
    toggle.appendChild(all); toggle.appendChild(document.createTextNode(" " + words(group.entity)));
    legend.appendChild(toggle);
    set.appendChild(legend);
    const optgroup = el("optgroup"); optgroup.label = words(group.entity);
    for (const name of group.events) {
      const label = el("label", null, "event");
      const box = el("input");
      box.type = "checkbox"; box.name = "event"; box.value = name;
      const text = el("span", null, "text");
      text.append(el("span", words(name), "words"), " ", apiName(name));
      label.append(box, text);
      set.appendChild(label);
      const option = el("option", words(name) + " (" + name + ")"); option.value = name; optgroup.appendChild(option);
    }
    all.addEventListener("change", () => { for (const b of set.querySelectorAll("input[name=event]")) b.checked = all.checked; pickerChanged(); });
    set.addEventListener("change", (event) => { if (event.target.name === "event") pickerChanged(); });
    box.appendChild(set);
    select.appendChild(optgroup);
  }
  $("events-all").addEventListener("click", () => pickAll(true));
  $("events-none").addEventListener("click", () => pickAll(false));
  pickerChanged();
}
function pickAll(on) { for (const b of document.querySelectorAll("input[name=event]")) b.checked = on; pickerChanged(); }
function pickerChanged() {
  for (const set of document.querySelectorAll("#event-groups fieldset")) {
    const boxes = [...set.querySelectorAll("input[name=event]")];
    const on = boxes.filter((b) => b.checked).length;
    const all = set.querySelector(".group-toggle");
    all.checked = on === boxes.length; all.indeterminate = on > 0 && on < boxes.length;
  }
  const chosen = document.querySelectorAll("input[name=event]:checked").length;
  setText($("events-count"), chosen + " of " + document.querySelectorAll("input[name=event]").length + " chosen");
  if (chosen) setText($("events-error"), "");
}

// The webhooks, each a card updated in place.
function card(hook) {
  const root = el("article", null, "webhook"); root.dataset.id = hook.id;
  const main = el("div", null, "wh-main");
  const title = el("div", null, "wh-title");
  const parts = { root, name: el("span", null, "name"), badge: el("span", null, "badge"), uri: el("div", null, "uri"),
    state: el("p", null, "state"), counts: el("p", null, "counts"), meta: el("p", null, "meta") };
  title.appendChild(parts.name); title.appendChild(parts.badge);
  main.append(title, parts.uri, parts.state, parts.counts, parts.meta);
  const chart = el("figure", null, "wh-chart");
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 240 44"); svg.setAttribute("role", "img");
  parts.bars = [];
  for (let minute = 0; minute < 60; minute++) {
    const g = document.createElementNS(SVG, "g");
    const hover = document.createElementNS(SVG, "title");
    const ok = document.createElementNS(SVG, "rect"); ok.setAttribute("class", "bar-ok");
    const bad = document.createElementNS(SVG, "rect"); bad.setAttribute("class", "bar-failed");
    for (const rect of [ok, bad]) { rect.setAttribute("x", String(minute * 4)); rect.setAttribute("width", "3"); rect.setAttribute("y", "40"); rect.setAttribute("height", "0"); }
    g.append(hover, ok, bad); svg.appendChild(g);
    parts.bars.push({ hover, ok, bad });
  }
  const axis = document.createElementNS(SVG, "line");
  axis.setAttribute("x1", "0"); axis.setAttribute("x2", "240"); axis.setAttribute("y1", "40.5"); axis.setAttribute("y2", "40.5"); axis.setAttribute("class", "axis");
  svg.appendChild(axis);
  parts.svg = svg;
  parts.caption = el("figcaption");
  chart.append(svg, parts.caption);
  const actions = el("div", null, "wh-actions");
  parts.result = el("span", null, "result"); parts.result.setAttribute("role", "status");
  const act = (work) => async () => {
    const hook = state.hooks.get(root.dataset.id);
    if (hook) await work(hook, parts.result);
  };
  parts.retry = button("Retry now", "retry", act(retryNow));
  parts.enable = button("Enable", "enable", act(enable));
  parts.log = button("Log", "logs", act(showLog));
  parts.buttons = [parts.log, button("Send test event", "test", act(sendTest)), parts.retry, parts.enable,
    button("Edit", "edit", act(edit)), button("Delete", "delete", act(remove))];
  actions.append(...parts.buttons, parts.result);
  root.append(main, chart, actions);
  return parts;
}

function describe(hook, status, settings) {
  const c = status || {};
  const pending = c.pending || 0;
  const failures = c.consecutiveFailures || 0;
  if (!hook.isActive) {
    const since = c.pausedAt ? " since " + clock(c.pausedAt, true) : "";
    const failed = /^paused after (\d+) consecutive failed attempts; the last: (.*)$/.exec(hook.lastFailureReason || "");
    // Enabling resets the count: a reason of failures with none in a row now is an old one, and
    // this pause was made by hand.
    const why = failed && failures > 0 ? " after " + failed[1] + " failed attempts in a row; the last: " + failed[2]
      : hook.lastFailureReason && !failed ? ": " + hook.lastFailureReason : " (set inactive)";
    const kept = pending === 1 ? " Its kept event is sent when you enable it."
      : pending ? " Its " + pending + " kept events are sent, in order, when you enable it." : "";
    return { badge: "Paused", cls: "paused", text: "Paused" + since + why + "." + kept };
  }
  if (failures > 0 && pending > 0) {
    const left = settings.pauseAfter + 1 - failures;
    const next = c.nextAttemptAt
      ? "next attempt at " + clock(c.nextAttemptAt, true) + " (" + inWords(Date.parse(c.nextAttemptAt) - Date.now()) + ")"
      : "next attempt soon";
    const pauses = left > 0 ? "it pauses after " + plural(left, "more failure") : "it pauses if this one fails";
    return { badge: "Retrying", cls: "retrying", text: "Retrying: " + failures + " failed in a row; " + next + "; " + pauses + "." };
  }
  if (failures > 0) {
    const last = failures === 1 ? "the last attempt failed" : "the last " + failures + " attempts failed in a row";
    return { badge: "Failing", cls: "retrying", text: "Failing: " + last + "; nothing is waiting to be sent." };
  }
  if (pending > 0) return { badge: "Active", cls: "active", text: "Delivering: " + plural(pending, "event") + " to send." };
  return { badge: "Active", cls: "active", text: (c.delivered ? "Up to date: every event was delivered." : "Active: waiting for events.") };
}

function eventsSummary(events) {
  const names = events.split(",").filter(Boolean);
  if (names.length === GROUPS.reduce((n, g) => n + g.events.length, 0)) return "Events: all " + names.length;
  const shown = names.slice(0, 3).map(words).join(", ");
  return "Events: " + shown + (names.length > 3 ? " and " + (names.length - 3) + " more" : "");
}

function updateCard(parts, hook, status, settings) {
  const c = status || {};
  if (parts.name.textContent !== hook.name) {
    // Which webhook a card and its buttons are about, for screen readers.
    parts.root.setAttribute("aria-label", hook.name);
    for (const b of parts.buttons) b.setAttribute("aria-label", b.textContent + ": " + hook.name);
  }
  setText(parts.name, hook.name);
  setText(parts.uri, hook.uri);
  const said = describe(hook, status, settings);
  setText(parts.badge, said.badge);
  parts.badge.className = "badge " + said.cls;
  parts.root.className = "webhook " + said.cls;
  setText(parts.state, said.text);
  const counts = (c.pending || 0) + " pending · " + (c.delivered || 0) + " delivered · " + (c.failed || 0) + " failed" + (c.dropped ? " · " + c.dropped + " dropped" : "");
  setText(parts.counts, counts);
  const auth = hook.authenticationType === "header" && hook.authentication ? " · auth header " + hook.authentication.split("=")[0] : "";
  setText(parts.meta, eventsSummary(hook.events) + auth);
  parts.meta.title = hook.events.split(",").join(", ");
  parts.retry.hidden = !(hook.isActive && (c.consecutiveFailures || 0) > 0 && (c.pending || 0) > 0);
  parts.enable.hidden = hook.isActive;
  drawChart(parts, c.lastHour);
}

/** The 60 minutes of an hour from `from` (ms), as the chart's labels show them: formatted once per
 * hour shown, not once per card and poll (with hundreds of webhooks that was most of the page's time). */
const minuteCache = { from: null, labels: [] };
function minuteLabels(from) {
  if (minuteCache.from !== from) {
    minuteCache.from = from;
    minuteCache.labels = Array.from({ length: 60 }, (_, minute) => clock(new Date(from + minute * 60000).toISOString()).slice(0, 5));
  }
  return minuteCache.labels;
}

function drawChart(parts, hour) {
  if (!hour) return;
  const totals = hour.delivered.map((d, i) => d + hour.failed[i]);
  const top = Math.max(1, ...totals);
  const from = Date.parse(hour.from);
  for (let minute = 0; minute < 60; minute++) {
    const bar = parts.bars[minute];
    const d = hour.delivered[minute], f = hour.failed[minute];
    const okHeight = Math.round((d / top) * 38 * 10) / 10, badHeight = Math.round((f / top) * 38 * 10) / 10;
    bar.ok.setAttribute("y", String(40 - okHeight)); bar.ok.setAttribute("height", String(okHeight));
    bar.bad.setAttribute("y", String(40 - okHeight - badHeight)); bar.bad.setAttribute("height", String(badHeight));
    const label = minuteLabels(from)[minute] + ": " + d + " delivered, " + f + " failed";
    if (bar.hover.textContent !== label) bar.hover.textContent = label;
  }
  const delivered = hour.delivered.reduce((a, b) => a + b, 0), failed = hour.failed.reduce((a, b) => a + b, 0);
  const caption = "Attempts per minute, last hour: " + delivered + " delivered, " + failed + " failed";
  setText(parts.caption, caption);
  parts.svg.setAttribute("aria-label", caption);
}

function renderHooks(hooks, status) {
  const byId = new Map(status.webhooks.map((w) => [w.id, w]));
  const list = $("webhooks");
  state.hooks = new Map(hooks.map((h) => [h.id, h]));
  for (const [id, parts] of state.cards) {
    if (!state.hooks.has(id)) { parts.root.remove(); state.cards.delete(id); }
  }
  let previous = null;
  for (const hook of hooks) {
    let parts = state.cards.get(hook.id);
    if (!parts) { parts = card(hook); state.cards.set(hook.id, parts); }
    updateCard(parts, hook, byId.get(hook.id), status);
    const expected = previous ? previous.nextSibling : list.firstChild;
    if (expected !== parts.root) list.insertBefore(parts.root, expected);
    previous = parts.root;
  }
  $("no-webhooks").hidden = hooks.length > 0;
  setText($("semantics"), "Delivery: " + status.semantics + ". While paused: " + status.whilePaused + ": " + status.whilePausedNote + ".");
}

// One poll: the webhooks, their status and the open log, fetched, then updated in place at once.
async function tick() {
  clearTimeout(state.timer);
  try {
    const of = state.logOf, filter = state.logFilter;
    // The log's own failure (its webhook deleted elsewhere) does not stop the rest updating.
    // Once the log is shown, only its newer lines are asked for, not every body again; every
    // 15th poll reads it whole, for the lines serve has let go past its --log-cap meanwhile.
    state.logPolls += 1;
    const after = state.logLoaded && state.logPolls % 15 !== 0 ? logTop() : 0;
    const [hooks, status, logs] = await Promise.all([
      allWebhooks(), call("GET", "/sim/status"), of ? fetchLog(of, filter, after).catch((failure) => ({ failure })) : null,
    ]);
    keyWorks();
    state.status = status;
    const anchor = logAnchor();
    renderHooks(hooks, status);
    if (logs && logs.failure && state.logOf === of) {
      if (logs.failure.status === 404) {
        closeLog();
        show($("list-result"), "The webhook whose log was open no longer exists: it was deleted, here or through the API.", false);
      } else setText($("log-note"), logs.failure.message);
    } else if (logs && state.logOf === of && state.logFilter === filter && (after === 0 || logTop() === after)) renderLog(logs, after > 0);
    if (state.logOf && state.hooks.has(state.logOf)) setText($("log-name"), state.hooks.get(state.logOf).name);
    keepInPlace(anchor);
    state.updates += 1;
    const live = $("live");
    live.dataset.updates = String(state.updates);
    setText(live, "Live · updated " + clock(new Date().toISOString(), true));
    live.className = "live";
  } catch (error) {
    const live = $("live");
    setText(live, error.status === 401 ? "Waiting for the API key" : "Not connected");
    live.className = "live stale";
  }
  // Actions call tick too: one timer at a time.
  clearTimeout(state.timer);
  state.timer = setTimeout(tick, POLL_MS);
}

/** Every webhook, page by page (the API gives at most 1,000 a page). */
async function allWebhooks() {
  const hooks = [];
  for (let page = 1; ; page++) {
    const got = await call("GET", "/api/v1/webhooks?pageSize=1000&page=" + page);
    hooks.push(...got);
    if (got.length < 1000) return hooks;
  }
}

/** The webhook's whole form, as a `PUT` replaces it: what the page does not edit (`language`,
 * `onlyTriggerForMainEntityChanges`) goes back as it was. */
function formOf(hook) {
  const form = {
    name: hook.name, uri: hook.uri, events: hook.events, isActive: hook.isActive,
    authenticationType: hook.authenticationType, authentication: hook.authentication,
  };
  for (const kept of ["language", "onlyTriggerForMainEntityChanges"]) {
    if (hook[kept] !== undefined && hook[kept] !== null) form[kept] = hook[kept];
  }
  return form;
}

async function enable(hook, result) {
  try {
    await call("PUT", "/api/v1/webhooks/" + hook.id, { ...formOf(hook), isActive: true });
    const kept = ((state.status && state.status.webhooks.find((w) => w.id === hook.id)) || {}).pending || 0;
    show(result, kept ? "Enabled: its " + plural(kept, "kept event") + " " + (kept === 1 ? "is" : "are") + " being sent, in order." : "Enabled.", true);
  } catch (error) { show(result, error.message, false); }
  tick();
}
async function retryNow(hook, result) {
  try {
    const answer = await call("POST", "/sim/webhooks/" + hook.id + "/retry");
    show(result, "Retrying now (" + clock(answer.nextAttemptAt) + "): the outcome shows in its state and log.", true);
  } catch (error) { show(result, error.message, false); }
  tick();
}
async function remove(hook, result) {
  if (!confirm("Delete the webhook " + hook.name + "? Its undelivered events and its log go with it.")) return;
  try {
    await call("DELETE", "/api/v1/webhooks/" + hook.id);
    if (state.logOf === hook.id) closeLog();
    if (state.editing && state.editing.id === hook.id) resetForm();
    show($("list-result"), "Deleted " + hook.name + ".", true);
    $("webhooks-title").focus();
  } catch (error) { show(result, error.message, false); }
  tick();
}
async function sendTest(hook, result) {
  show(result, "Sending a test event…", true);
  try {
    const answer = await call("POST", "/sim/webhooks/" + hook.id + "/test");
    show(result, "Test event " + (answer.isSuccessful ? "delivered (" + answer.responseCode + ")." : "failed: " + answer.reason + "."), answer.isSuccessful);
  } catch (error) { show(result, error.message, false); }
  tick();
}

// The form.
const FIELDS = ["name", "uri", "auth-name", "auth-value", "events"];
function clearErrors() {
  for (const field of FIELDS) { setText($(field + "-error"), ""); if (field !== "events") $(field).removeAttribute("aria-invalid"); }
}
for (const field of ["name", "uri", "auth-name", "auth-value"]) {
  $(field).addEventListener("input", () => { setText($(field + "-error"), ""); $(field).removeAttribute("aria-invalid"); });
}
function headerOf(hook) { return hook && hook.authenticationType === "header" && hook.authentication ? hook.authentication.split("=")[0] : ""; }

function edit(hook) {
  state.editing = hook;
  clearErrors();
  setText($("form-result"), "");
  $("form-title").textContent = "Edit " + hook.name;
  $("name").value = hook.name; $("uri").value = hook.uri;
  $("is-active").checked = hook.isActive;
  const header = headerOf(hook);
  $("auth-name").value = header; $("auth-value").value = "";
  $("auth-value").placeholder = header ? "unchanged (the value is never shown)" : "";
  const chosen = new Set(hook.events.split(","));
  for (const box of document.querySelectorAll("input[name=event]")) box.checked = chosen.has(box.value);
  pickerChanged();
  $("cancel-edit").hidden = false;
  $("form-section").scrollIntoView({ block: "start" });
  $("name").focus({ preventScroll: true });
}
function resetForm() {
  state.editing = null; $("webhook-form").reset(); $("form-title").textContent = "Add a webhook";
  $("auth-value").placeholder = ""; $("cancel-edit").hidden = true;
  clearErrors(); pickerChanged();
}
$("cancel-edit").addEventListener("click", () => {
  const of = state.editing && state.cards.get(state.editing.id);
  resetForm(); setText($("form-result"), "");
  if (of) of.buttons.find((b) => b.className === "edit").focus();
});
$("add").addEventListener("click", () => {
  if (state.editing) resetForm();
  $("form-section").scrollIntoView({ block: "start" });
  $("name").focus({ preventScroll: true });
});

/** What is wrong with the form before it is sent: `[field, message]`. */
function checkForm(form, header, value) {
  const wrong = [];
  if (!form.name.trim()) wrong.push(["name", "Enter a name."]);
  if (!form.uri.trim()) wrong.push(["uri", "Enter the URL your receiver listens on."]);
  else if (/\s/.test(form.uri.trim())) wrong.push(["uri", "A URL has no spaces: remove them (or write them as %20)."]);
  else if (!/^https?:\/\/\S/i.test(form.uri.trim())) wrong.push(["uri", "Start the URL with http:// or https://."]);
  if (!header && value) wrong.push(["auth-name", "Enter the header's name too, or clear its value."]);
  // A field name is a token (RFC 9110 §5.1); `=` would split it from the value where the API reads `Name=value`.
  if (header && !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(header)) wrong.push(["auth-name", "A header name has no spaces, colons, = or other separators (X-Api-Key)."]);
  const keeps = state.editing && headerOf(state.editing) === header;
  if (header && !value && !keeps) wrong.push(["auth-value", "Enter the header's value, or clear the header name."]);
  if (!form.events) wrong.push(["events", "Pick at least one event."]);
  return wrong;
}
/** The form to save: what the user changed since the form opened (`opened`) over the webhook as
 * it is now (`now`), so that a save does not undo what changed meanwhile (a pause after
 * failures, another tab's edit). */
function changesOver(form, opened, now, header, value) {
  if (!now) return form;
  const merged = formOf(now);
  const before = formOf(opened);
  for (const field of ["name", "uri", "events", "isActive"]) {
    if (form[field] !== before[field]) merged[field] = form[field];
  }
  if (header !== headerOf(opened) || value) {
    merged.authenticationType = form.authenticationType;
    merged.authentication = form.authentication;
    if (!header) delete merged.authentication;
  }
  return merged;
}

/** A refusal of the API, as `[field, message]` in the form's words. */
function fieldOf(error) {
  const message = String(error.message || "");
  switch (String(error.property || "").toLowerCase()) {
    case "name": return ["name", /required/.test(message) ? "Enter a name." : message];
    case "uri": {
      const bad = /^invalid webhook url `[^`]*`: (.*)$/.exec(message);
      return ["uri", bad ? "This URL cannot be used: " + bad[1] : message.replace(/\bURI\b/g, "URL")];
    }
    case "events": return ["events", /required/.test(message) ? "Pick at least one event." : message];
    case "authentication":
      if (/value is empty|headername=headervalue|needs the header's value/.test(message)) return ["auth-value", "Enter the header's value, or clear the header name."];
      if (/masked value/.test(message)) return ["auth-value", "You changed the header name: enter its value too."];
      if (/invalid auth header name/.test(message)) return ["auth-name", "A header name has letters, digits and - only (no spaces or colons)."];
      if (/invalid auth header value/.test(message)) return ["auth-value", "The value cannot contain line breaks or control characters."];
      return ["auth-name", message];
    default: return [null, message];
  }
}
function showErrors(wrong) {
  let first = null;
  const rest = [];
  for (const [field, message] of wrong) {
    if (!field) { rest.push(message); continue; }
    setText($(field + "-error"), message);
    if (field !== "events") $(field).setAttribute("aria-invalid", "true");
    first = first || field;
  }
  show($("form-result"), "Not saved: " + (rest.length ? rest.join(" ") : "see the " + (wrong.length === 1 ? "message" : "messages") + " by the fields."), false);
  if (first) {
    const target = first === "events" ? $("events-error") : $(first);
    target.closest(".field, fieldset").scrollIntoView({ block: "center" });
    if (first !== "events") $(first).focus({ preventScroll: true });
  }
}

$("webhook-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  clearErrors();
  const events = [...document.querySelectorAll("input[name=event]:checked")].map((box) => box.value);
  const header = $("auth-name").value.trim();
  const value = $("auth-value").value;
  let form = { name: $("name").value, uri: $("uri").value.trim(), events: events.join(","), isActive: $("is-active").checked, authenticationType: header ? "header" : "none" };
  if (header) form.authentication = header + "=" + (value || (state.editing ? "***" : ""));
  const wrong = checkForm(form, header, value);
  if (state.editing && !wrong.length) form = changesOver(form, state.editing, state.hooks.get(state.editing.id), header, value);
  if (wrong.length) { showErrors(wrong); return; }
  show($("form-result"), "Saving…", true);
  try {
    const saved = state.editing
      ? await call("PUT", "/api/v1/webhooks/" + state.editing.id, form)
      : await call("POST", "/api/v1/webhooks", form);
    resetForm();
    show($("form-result"), "Saved " + saved.name + ": it is in the list above.", true);
  } catch (error) {
    const refused = error.data && error.data.validationErrors;
    if (error.status === 400 && refused && refused.length) showErrors(refused.map(fieldOf));
    else show($("form-result"), "Not saved: " + error.message, false);
  }
  tick();
});

// The delivery log: newest first, new lines added on top, open bodies left open.
async function showLog(hook) {
  if (state.logOf !== hook.id) { clearLog(); state.logOf = hook.id; }
  $("log-name").textContent = hook.name;
  setText($("log-note"), "The newest " + LOG_PAGE + " attempts, live. Times are in " + ZONE + "; hover one for the exact time.");
  $("log-section").hidden = false;
  try { await loadLog(); } catch (error) { setText($("log-note"), error.message); }
  $("log-section").scrollIntoView({ block: "start" });
  $("log-title").focus({ preventScroll: true });
}
function clearLog() { $("logs").replaceChildren(); state.logRows = new Map(); state.logLoaded = false; }
/** The number of the newest line shown (0 for none). */
function logTop() { return Math.max(0, ...state.logRows.keys()); }
function closeLog() { state.logOf = null; clearLog(); $("log-section").hidden = true; }
$("close-log").addEventListener("click", () => {
  const of = state.logOf;
  closeLog();
  const parts = state.cards.get(of);
  (parts ? parts.log : $("webhooks-title")).focus();
});
$("log-filter").addEventListener("change", () => {
  state.logFilter = $("log-filter").value; clearLog();
  loadLog().catch((error) => setText($("log-note"), error.message));
});

/** `test task_added TRACE`, `resend task_added TRACE` or `task_added TRACE`. */
function labelParts(label) {
  const parts = label.split(" ");
  const kind = parts[0] === "test" || parts[0] === "resend" ? parts.shift() : "";
  return { kind, event: parts[0] || "", trace: parts[1] && parts[1] !== "-" ? parts[1] : "" };
}

function logRow(log) {
  const row = el("tr", null, "log-row"); row.dataset.seq = String(log.seq);
  const time = el("td", clock(log.createdOn), "time"); time.title = exact(log.createdOn);
  time.appendChild(el("span", zoneOf(log.createdOn), "zone"));
  const { kind, event, trace } = labelParts(log.event);
  const eventCell = el("td", null, "event");
  if (kind) eventCell.appendChild(el("span", kind, "kind " + kind));
  eventCell.appendChild(apiName(event));
  const traceCell = el("td", null, "trace");
  if (trace) { const code = el("code", trace); code.title = trace; traceCell.appendChild(code); }
  const attempt = el("td", log.attempt ? String(log.attempt) : "–", "attempt");
  if (!log.attempt) attempt.title = "not an attempt: a note";
  const result = el("td", null, "outcome");
  const code = log.responseCode === undefined ? (log.attempt ? "no answer" : "note") : String(log.responseCode);
  result.appendChild(el("span", code, "code " + (log.isSuccessful ? "ok" : "failed")));
  if (log.reason) result.appendChild(el("div", log.reason, "reason"));
  const latency = el("td", log.attempt ? (log.latencyMs < 10 ? log.latencyMs.toFixed(1) : Math.round(log.latencyMs)) + " ms" : "", "latency");
  const actions = el("td", null, "log-actions");
  const entry = { row, open: null, log };
  const note = el("span", null, "result"); note.setAttribute("role", "status");
  if (log.message !== null && log.message !== undefined) {
    actions.appendChild(button("Body", "body", () => toggleBody(entry, log)));
    actions.appendChild(button("Resend", "resend", () => resend(log, note)));
  }
  actions.appendChild(note);
  row.append(time, eventCell, traceCell, attempt, result, latency, actions);
  return entry;
}

function toggleBody(entry, log) {
  if (entry.open) { entry.open.remove(); entry.open = null; return; }
  const row = el("tr", null, "body-row");
  const cell = el("td"); cell.colSpan = 7;
  const tools = el("div", null, "row");
  const copied = el("span", null, "result"); copied.setAttribute("role", "status");
  tools.appendChild(button("Copy body", "copy", async () => {
    try { await navigator.clipboard.writeText(log.message); show(copied, "Copied (the body exactly as sent).", true); }
    catch (failure) { show(copied, "The browser did not allow copying: select the text instead.", false); }
  }));
  const { trace } = labelParts(log.event);
  if (trace) tools.appendChild(el("span", "traceId " + trace, "note"));
  tools.appendChild(copied);
  const pretty = indented(log.message);
  cell.append(tools, el("pre", pretty, "body"));
  row.appendChild(cell);
  entry.row.after(row);
  entry.open = row;
}

/** JSON `text` indented by two spaces, every token as it was sent (numbers, escapes, a key given
 * twice: `JSON.parse` would change them), or `text` itself when it is not one JSON value's shape. */
function indented(text) {
  let out = "", depth = 0, inString = false, escaped = false;
  const line = () => "\n" + "  ".repeat(depth);
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      out += c;
      if (escaped) escaped = false;
      else if (c === "\\") escaped = true;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === " " || c === "\t" || c === "\n" || c === "\r") continue;
    if (c === '"') { inString = true; out += c; continue; }
    if (c === "{" || c === "[") {
      const close = c === "{" ? "}" : "]";
      let next = i + 1;
      while (" \t\n\r".includes(text[next] || "x")) next++;
      if (text[next] === close) { out += c + close; i = next; continue; }
      depth++; out += c + line(); continue;
    }
    if (c === "}" || c === "]") { depth = Math.max(0, depth - 1); out += line() + c; continue; }
    if (c === ",") { out += "," + line(); continue; }
    if (c === ":") { out += ": "; continue; }
    out += c;
  }
  return inString || depth !== 0 ? text : out;
}

function fetchLog(of, filter, after) {
  return call("GET", "/sim/webhooks/" + of + "/logs?pageSize=" + LOG_PAGE + (filter === "failed" ? "&outcome=failed" : "") + (after ? "&afterSeq=" + after : ""));
}
async function loadLog() {
  const of = state.logOf, filter = state.logFilter;
  const logs = await fetchLog(of, filter);
  if (state.logOf === of && state.logFilter === filter) {
    const anchor = logAnchor();
    renderLog(logs);
    keepInPlace(anchor);
  }
}

/** What the user is looking at in the log, to keep in place while lines are added above it: an
 * open body in view, or the first line in view once the log's head is scrolled past. */
function logAnchor() {
  if (!state.logOf) return null;
  const at = (node) => {
    const top = node.getBoundingClientRect().top;
    // Scrolling moves by whole pixels: the place kept last time, less what rounding left.
    const kept = state.kept && state.kept.node === node && Math.abs(state.kept.top - top) < 1;
    return { node, top: kept ? state.kept.top : top };
  };
  for (const entry of state.logRows.values()) {
    const r = entry.open && entry.open.getBoundingClientRect();
    if (r && r.bottom > 0 && r.top < innerHeight) return at(entry.open);
  }
  if (document.querySelector("table.log thead").getBoundingClientRect().bottom >= 0) return null;
  for (const row of $("logs").children) {
    if (row.getBoundingClientRect().bottom > 0) return at(row);
  }
  return null;
}
function keepInPlace(anchor) {
  state.kept = anchor;
  if (!anchor || !anchor.node.isConnected) return;
  const moved = anchor.node.getBoundingClientRect().top - anchor.top;
  if (Math.abs(moved) >= 1) window.scrollBy(0, moved);
}

/** Shows `logs` (newest first): the whole list, or with `newer`, lines to add above those shown,
 * the oldest then dropped past the page's `LOG_PAGE`. */
function renderLog(logs, newer) {
  const body = $("logs");
  // The lines shown are kept newest first (by their number), whatever order they were added in.
  if (newer) logs = logs.concat([...state.logRows.values()].map((entry) => entry.log).sort((a, b) => b.seq - a.seq)).slice(0, LOG_PAGE);
  const seen = new Set();
  let previous = null;
  for (const log of logs) {
    seen.add(log.seq);
    let entry = state.logRows.get(log.seq);
    if (!entry) {
      entry = logRow(log);
      if (state.logLoaded) entry.row.classList.add("fresh");
      state.logRows.set(log.seq, entry);
    }
    const expected = previous ? previous.nextSibling : body.firstChild;
    if (expected !== entry.row) body.insertBefore(entry.row, expected);
    if (entry.open && entry.row.nextSibling !== entry.open) entry.row.after(entry.open);
    previous = entry.open || entry.row;
  }
  for (const [seq, entry] of state.logRows) {
    if (!seen.has(seq)) { entry.row.remove(); if (entry.open) entry.open.remove(); state.logRows.delete(seq); }
  }
  let empty = body.querySelector("tr.empty");
  if (!logs.length && !empty) {
    empty = el("tr", null, "empty");
    const cell = el("td", state.logFilter === "failed" ? "No failed attempts." : "No attempts yet.", "note"); cell.colSpan = 7;
    empty.appendChild(cell); body.appendChild(empty);
  } else if (logs.length && empty) empty.remove();
  state.logLoaded = true;
}

async function resend(log, note) {
  show(note, "Sending…", true);
  try {
    const answer = await call("POST", "/sim/webhooks/" + log.webhookId + "/logs/" + log.seq + "/resend");
    show(note, answer.isSuccessful ? "Resent: delivered (" + answer.responseCode + "), the new line is on top." : "Resent: failed, " + answer.reason + ".", answer.isSuccessful);
  } catch (error) { show(note, error.message, false); }
  tick();
}

// Events on demand.
async function make(body) {
  show($("made"), "Making…", true);
  try {
    const made = await call("POST", "/sim/events", body);
    const to = made.events.reduce((n, e) => n + e.webhooks, 0);
    const kinds = [...new Set(made.events.map((e) => words(e.eventType)))];
    show($("made"), "Made " + plural(made.events.length, "event") + " (" + kinds.join(", ") + "), queued " + plural(to, "time") + " for the webhooks that subscribe.", true);
  } catch (error) { show($("made"), error.message, false); }
  tick();
}
$("make-event").addEventListener("click", () => make({ eventType: $("event-type").value, count: 1 }));
$("make-story").addEventListener("click", () => make({ count: 10 }));

$("api-key").addEventListener("keydown", (event) => { if (event.key === "Enter") $("save-key").click(); });
$("save-key").addEventListener("click", () => {
  sessionStorage.setItem("awork-sim-key", $("api-key").value);
  $("api-key").value = "";
  show($("key-result"), "Checking…", true);
  tick();
});

$("base-url").textContent = location.origin + "/api/v1";
renderGroups();
tick();
