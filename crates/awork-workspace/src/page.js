"use strict";
const GROUPS = /*EVENT_GROUPS*/[];
const state = { editing: null, logOf: null, webhooks: [] };
const $ = (id) => document.getElementById(id);
$("base-url").textContent = location.origin + "/api/v1";

function el(tag, text, cls) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (cls) node.className = cls;
  return node;
}
function say(text, ok) { const m = $("message"); m.textContent = text; m.className = ok ? "ok" : "error"; }

async function call(method, path, body) {
  const headers = { "Authorization": "Bearer " + (sessionStorage.getItem("awork-sim-key") || "local-page") };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (response.status === 401) { $("key-section").hidden = false; throw new Error("the API key is needed (401)"); }
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok) {
    const details = (data && data.validationErrors || []).map((e) => (e.property ? e.property + ": " : "") + e.message);
    throw new Error((data && data.description || response.status) + (details.length ? " " + details.join(" ") : ""));
  }
  return data;
}

function renderGroups() {
  const box = $("event-groups");
  for (const group of GROUPS) {
    const set = el("fieldset");
    set.appendChild(el("legend", group.entity));
    for (const name of group.events) {
      const label = el("label");
      const box = el("input");
      box.type = "checkbox"; box.name = "event"; box.value = name;
      label.appendChild(box); label.appendChild(document.createTextNode(" " + name));
      set.appendChild(label);
      const option = el("option", name); option.value = name; $("event-type").appendChild(option);
    }
    box.appendChild(set);
  }
}

async function refresh() {
  try {
    const [hooks, status] = await Promise.all([call("GET", "/api/v1/webhooks?pageSize=1000"), call("GET", "/sim/status")]);
    state.webhooks = hooks;
    $("semantics").textContent = "Delivery: " + status.semantics + ". While paused: " + status.whilePaused + " — " + status.whilePausedNote + ".";
    const counts = Object.fromEntries(status.webhooks.map((w) => [w.id, w]));
    const body = $("webhooks");
    body.replaceChildren();
    $("no-webhooks").hidden = hooks.length > 0;
    for (const hook of hooks) {
      const row = el("tr"); row.className = "webhook"; row.dataset.id = hook.id;
      row.appendChild(el("td", hook.name, "name"));
      row.appendChild(el("td", hook.uri));
      row.appendChild(el("td", hook.events.split(",").join(", "), "events"));
      const status = el("td");
      status.appendChild(el("div", hook.isActive ? "Active" : "Paused", hook.isActive ? "active" : "paused"));
      if (!hook.isActive && hook.lastFailureReason) status.appendChild(el("div", hook.lastFailureReason, "reason"));
      if (hook.authenticationType === "header" && hook.authentication) status.appendChild(el("div", "auth header " + hook.authentication.split("=")[0], "reason"));
      row.appendChild(status);
      const c = counts[hook.id] || {};
      row.appendChild(el("td", (c.pending || 0) + " pending, " + (c.delivered || 0) + " delivered, " + (c.failed || 0) + " failed" + (c.dropped ? ", " + c.dropped + " dropped" : ""), "reason"));
      const actions = el("td");
      const button = (text, cls, action) => { const b = el("button", text, cls); b.type = "button"; b.addEventListener("click", action); actions.appendChild(b); };
      button("Log", "logs", () => showLog(hook));
      button("Send test event", "test", () => sendTest(hook));
      if (!hook.isActive) button("Enable", "enable", () => enable(hook));
      button("Edit", "edit", () => edit(hook));
      button("Delete", "delete", () => remove(hook));
      row.appendChild(actions);
      body.appendChild(row);
    }
    if (state.logOf) await loadLog();
  } catch (error) { say(error.message); }
}

function formOf(hook) {
  return {
    name: hook.name, uri: hook.uri, events: hook.events, isActive: hook.isActive,
    authenticationType: hook.authenticationType, authentication: hook.authentication,
  };
}

async function enable(hook) {
  try { await call("PUT", "/api/v1/webhooks/" + hook.id, { ...formOf(hook), isActive: true }); say("Enabled " + hook.name + ": its kept events are being sent in order.", true); }
  catch (error) { say(error.message); }
  refresh();
}
async function remove(hook) {
  if (!confirm("Delete the webhook " + hook.name + "?")) return;
  try { await call("DELETE", "/api/v1/webhooks/" + hook.id); say("Deleted " + hook.name + ".", true); if (state.logOf === hook.id) { state.logOf = null; $("log-section").hidden = true; } }
  catch (error) { say(error.message); }
  refresh();
}
async function sendTest(hook) {
  try {
    const result = await call("POST", "/sim/webhooks/" + hook.id + "/test");
    say("Test event to " + hook.name + ": " + (result.isSuccessful ? "delivered (" + result.responseCode + ")" : "failed: " + result.reason), result.isSuccessful);
  } catch (error) { say(error.message); }
  refresh();
}
function edit(hook) {
  state.editing = hook;
  $("form-title").textContent = "Edit " + hook.name;
  $("name").value = hook.name; $("uri").value = hook.uri;
  $("is-active").checked = hook.isActive;
  const header = hook.authenticationType === "header" && hook.authentication ? hook.authentication.split("=")[0] : "";
  $("auth-name").value = header; $("auth-value").value = "";
  $("auth-value").placeholder = header ? "unchanged (the value is never shown)" : "";
  const chosen = new Set(hook.events.split(","));
  for (const box of document.querySelectorAll("input[name=event]")) box.checked = chosen.has(box.value);
  $("cancel-edit").hidden = false;
}
function resetForm() {
  state.editing = null; $("webhook-form").reset(); $("form-title").textContent = "Add a webhook";
  $("auth-value").placeholder = ""; $("cancel-edit").hidden = true;
}
$("cancel-edit").addEventListener("click", resetForm);

$("webhook-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const events = [...document.querySelectorAll("input[name=event]:checked")].map((box) => box.value);
  const header = $("auth-name").value.trim();
  const value = $("auth-value").value;
  const form = { name: $("name").value, uri: $("uri").value, events: events.join(","), isActive: $("is-active").checked, authenticationType: header ? "header" : "none" };
  if (header) form.authentication = header + "=" + (value || (state.editing ? "***" : ""));
  try {
    if (state.editing) await call("PUT", "/api/v1/webhooks/" + state.editing.id, form);
    else await call("POST", "/api/v1/webhooks", form);
    say("Saved " + form.name + ".", true);
    resetForm();
  } catch (error) { say(error.message); }
  refresh();
});

async function showLog(hook) { state.logOf = hook.id; $("log-name").textContent = hook.name; $("log-section").hidden = false; await loadLog(); }
async function loadLog() {
  try {
    const rows = await call("GET", "/sim/webhooks/" + state.logOf + "/logs?pageSize=100");
    const body = $("logs"); body.replaceChildren();
    for (const log of rows) {
      const row = el("tr"); row.className = "log-row";
      row.appendChild(el("td", new Date(log.createdOn).toLocaleString()));
      row.appendChild(el("td", log.event, "events"));
      row.appendChild(el("td", log.attempt));
      row.appendChild(el("td", log.responseCode === undefined ? "no answer" : log.responseCode, log.isSuccessful ? "active status" : "paused status"));
      row.appendChild(el("td", log.latencyMs.toFixed(1) + " ms"));
      row.appendChild(el("td", log.reason || "", "reason"));
      const cell = el("td"); const toggle = el("button", "Body"); toggle.type = "button";
      const pre = el("pre", log.message); pre.hidden = true;
      toggle.addEventListener("click", () => { pre.hidden = !pre.hidden; });
      cell.appendChild(toggle); cell.appendChild(pre); row.appendChild(cell);
      body.appendChild(row);
    }
    if (!rows.length) { const row = el("tr"); row.appendChild(el("td", "No attempts yet.", "note")); body.appendChild(row); }
  } catch (error) { say(error.message); }
}
$("refresh-log").addEventListener("click", loadLog);

async function make(body) {
  try {
    const made = await call("POST", "/sim/events", body);
    $("made").textContent = "Made " + made.events.map((e) => e.eventType + " (to " + e.webhooks + " webhook" + (e.webhooks === 1 ? "" : "s") + ")").join(", ") + ".";
  } catch (error) { say(error.message); }
  refresh();
}
$("make-event").addEventListener("click", () => make({ eventType: $("event-type").value, count: 1 }));
$("make-story").addEventListener("click", () => make({ count: 10 }));
$("save-key").addEventListener("click", () => { sessionStorage.setItem("awork-sim-key", $("api-key").value); $("key-section").hidden = true; refresh(); });

renderGroups();
refresh();
setInterval(refresh, 2000);
