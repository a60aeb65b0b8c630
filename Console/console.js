// Lakehouse console: plain JavaScript over the gateway's /v1 API (nothing fetched from elsewhere).
"use strict";

const $ = (selector) => document.querySelector(selector);
const text = (value) => document.createTextNode(value == null ? "" : String(value));

function element(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, value);
  for (const child of children) node.append(typeof child === "object" && child !== null ? child : text(child));
  return node;
}

function showError(message) {
  const box = $("#error");
  box.textContent = message;
  box.hidden = !message;
}

// One call to the gateway with the session's key; a non-2xx answer becomes an Error in words.
async function call(method, path, body) {
  const headers = {};
  const key = sessionStorage.getItem("lakehouse-api-key");
  if (key) headers["Authorization"] = "Bearer " + key;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (failure) {
    throw new Error("The gateway cannot be reached (" + failure.message + ").");
  }
  const raw = await response.text();
  let answer = null;
  try { answer = raw ? JSON.parse(raw) : null; } catch (_) { answer = null; }
  if (!response.ok) {
    if (response.status === 401) $("#key-form").hidden = false;
    const envelope = answer && answer.error;
    const words = envelope ? envelope.message + " (" + envelope.code + ", HTTP " + response.status + ", request " + envelope.request_id + ")"
                           : "HTTP " + response.status + ": " + raw.slice(0, 200);
    throw new Error(response.status === 401 ? "The API key is missing or wrong: " + words : words);
  }
  return answer;
}

// Views ---------------------------------------------------------------------------------------
let fleetTimer = null;
function show(view) {
  for (const button of document.querySelectorAll("nav button")) {
    if (button.dataset.view === view) button.setAttribute("aria-current", "page"); else button.removeAttribute("aria-current");
  }
  for (const section of document.querySelectorAll("main > section")) section.hidden = section.id !== "view-" + view;
  clearInterval(fleetTimer);
  if (view === "fleet") { refreshFleet(); fleetTimer = setInterval(refreshFleet, 2000); }
  location.hash = view;
}

// Fill ----------------------------------------------------------------------------------------
async function fill(event) {
  event.preventDefault();
  showError("");
  const result = $("#fill-result");
  result.textContent = "Filling…";
  const command = { query: $("#fill-query").value };
  const count = parseInt($("#fill-count").value, 10);
  if (count > 0) command.count = count;
  try {
    const answer = await call("POST", "/v1/fill", command);
    result.replaceChildren(renderFill(answer));
  } catch (failure) {
    result.textContent = "";
    showError(failure.message);
  }
}

function renderFill(answer) {
  const card = element("div", { id: "fill-answer" });
  const timings = Object.entries(answer.timings_ms || {}).map(([stage, ms]) => stage + " " + Number(ms).toFixed(1) + " ms").join(", ");
  card.append(element("p", {}, (answer.valid ? "Valid" : "NOT valid") + " after " + answer.attempts.length + " attempt(s). Run id: ",
                      element("code", { id: "run-id" }, answer.run_id)));
  if ((answer.corrected || []).length) card.append(element("p", {}, "Corrected: " + answer.corrected.join(", ")));
  card.append(element("p", {}, "Timings: " + timings));
  const candidates = element("table", { id: "candidates" }, element("thead", {}, element("tr", {}, element("th", {}, "Worker"), element("th", {}, "Name"), element("th", {}, "Reason"))));
  const rows = element("tbody");
  for (const candidate of (answer.fill && answer.fill.candidates) || []) {
    rows.append(element("tr", { class: "candidate" }, element("td", {}, candidate.worker_id), element("td", {}, candidate.name), element("td", {}, candidate.reason)));
  }
  candidates.append(rows);
  card.append(element("h3", {}, "Candidates"), candidates);
  if (answer.email) {
    card.append(element("h3", {}, "E-mail"), element("div", { class: "card", id: "email" }, element("p", {}, element("strong", {}, "Subject: "), answer.email.subject), element("pre", {}, answer.email.body)));
  }
  const attempts = element("ol", { id: "attempts" });
  for (const attempt of answer.attempts || []) {
    const violations = (attempt.violations || []).map((v) => v.rule + " (" + v.severity + ") at " + v.path + ": " + v.message);
    attempts.append(element("li", {}, (attempt.valid ? "passed" : "failed") + " [" + attempt.provider + "]" + (violations.length ? " — " + violations.join("; ") : "")));
  }
  card.append(element("h3", {}, "Attempts"), attempts);
  const standing = (answer.violations || []).map((v) => v.rule + ": " + v.message);
  if (standing.length) card.append(element("p", {}, "Still standing: " + standing.join("; ")));
  return card;
}

// Fleet ---------------------------------------------------------------------------------------
async function refreshFleet() {
  const body = $("#fleet-table tbody");
  try {
    const view = await call("GET", "/v1/fleet");
    body.replaceChildren(...view.daemons.map((d) => element("tr", { "data-daemon": d.daemon },
      element("td", {}, d.daemon),
      element("td", { class: d.status === "ok" ? "ok" : "down" }, d.status === "ok" ? "up" : d.status + (d.error ? " — " + d.error : "")),
      element("td", {}, d.version || "-"),
      element("td", {}, d.uptime_s == null ? "-" : Math.round(d.uptime_s) + " s"),
      element("td", {}, d.rss_bytes == null ? "-" : (d.rss_bytes / 1048576).toFixed(1) + " MiB"))));
    $("#fleet-updated").textContent = "Last update " + new Date().toLocaleTimeString() + ": " + view.up + " up, " + view.down.length + " down.";
    showError("");
  } catch (failure) {
    $("#fleet-updated").textContent = "";
    showError("Fleet view unavailable: " + failure.message);
  }
}

// Journal -------------------------------------------------------------------------------------
async function findEvents(event) {
  event.preventDefault();
  showError("");
  const query = new URLSearchParams({ limit: "200" });
  for (const [field, input] of [["trace_id", "#journal-trace"], ["type", "#journal-type"], ["subject", "#journal-subject"]]) {
    if ($(input).value) query.set(field, $(input).value);
  }
  try {
    const [page, checkpoint] = await Promise.all([call("GET", "/v1/events?" + query), call("GET", "/v1/checkpoint")]);
    $("#journal-table tbody").replaceChildren(...page.events.map((e) => element("tr", {},
      element("td", {}, e.seq), element("td", {}, e.ts), element("td", {}, e.type), element("td", {}, e.trace_id), element("td", {}, e.subject || ""))));
    $("#journal-status").textContent = page.events.length + " event(s). Checkpoint: " + checkpoint.size + " events, root " + checkpoint.root + ".";
  } catch (failure) { showError(failure.message); }
}

async function verifyJournal() {
  showError("");
  $("#journal-status").textContent = "Verifying…";
  try {
    const result = await call("GET", "/v1/verify");
    $("#journal-status").textContent = result.ok ? "Verified: " + result.size + " events, root " + result.root + "."
      : "BROKEN at seq " + result.broken.seq + " (" + result.broken.segment + " offset " + result.broken.offset + "): " + result.broken.reason;
  } catch (failure) { $("#journal-status").textContent = ""; showError(failure.message); }
}

// Audit and exports ---------------------------------------------------------------------------
async function post(button) {
  showError("");
  const out = $("#audit-result");
  out.textContent = button.textContent + "…";
  try {
    const answer = await call("POST", button.dataset.post, button.dataset.body ? JSON.parse(button.dataset.body) : {});
    const card = element("div", { class: "card" }, element("h3", {}, button.textContent));
    if (answer.phases) {
      card.append(element("p", {}, "Audit " + answer.audit_id + ": " + answer.status));
      const table = element("table", {}, element("thead", {}, element("tr", {}, element("th", {}, "Phase"), element("th", {}, "Status"), element("th", {}, "Detail"))));
      table.append(element("tbody", {}, ...answer.phases.map((p) => element("tr", {}, element("td", {}, p.phase + " " + p.name), element("td", { class: p.status === "pass" ? "ok" : "down" }, p.status), element("td", {}, p.detail)))));
      card.append(table);
    } else if (answer.runs) {
      card.append(element("p", {}, "Verdicts: " + JSON.stringify(answer.counts)));
      card.append(element("ul", {}, ...answer.runs.map((r) => element("li", {}, r.run_id + ": " + r.verdict + " — " + r.reason))));
    } else {
      card.append(element("pre", {}, JSON.stringify(answer, null, 2)));
    }
    out.replaceChildren(card);
  } catch (failure) { out.textContent = ""; showError(failure.message); }
}

// Wiring --------------------------------------------------------------------------------------
for (const button of document.querySelectorAll("nav button")) button.addEventListener("click", () => show(button.dataset.view));
for (const button of document.querySelectorAll("[data-post]")) button.addEventListener("click", () => post(button));
$("#fill-form").addEventListener("submit", fill);
$("#journal-form").addEventListener("submit", findEvents);
$("#journal-verify").addEventListener("click", verifyJournal);
$("#key-form").addEventListener("submit", (event) => {
  event.preventDefault();
  sessionStorage.setItem("lakehouse-api-key", $("#api-key").value);
  $("#key-form").hidden = true;
  showError("");
});
show(["fill", "fleet", "journal", "audit"].includes(location.hash.slice(1)) ? location.hash.slice(1) : "fill");
