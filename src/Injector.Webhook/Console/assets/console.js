"use strict";
// The Injector console: four pages over the JSON API at /api/v1 (same origin only). No framework, no CDN.

const sample = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: example.org/web:1
        ports:
        - containerPort: 8080
        readinessProbe:
          httpGet: {path: /ready, port: 8080}
`;

const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

async function api(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: body ? { "Content-Type": "application/json" } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  let json;
  try {
    json = await response.json();
  } catch {
    json = { error: `the server answered ${response.status} ${response.statusText} without JSON` };
  }
  return { ok: response.ok, status: response.status, json };
}

function namespaceLabels() {
  const labels = {};
  for (const pair of $("ns-labels").value.split(",").map((s) => s.trim()).filter(Boolean)) {
    const eq = pair.indexOf("=");
    if (eq > 0) labels[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return labels;
}

// The annotation names a message quotes ('name') are marked, so the offending setting stands out.
function markAnnotations(message) {
  const node = el("div", {});
  const parts = message.split(/('[a-z0-9.\-]+\/[A-Za-z0-9.\-]+')/);
  for (const part of parts) node.append(/^'[a-z0-9.\-]+\/[A-Za-z0-9.\-]+'$/.test(part) ? el("mark", {}, part) : part);
  return node;
}

// A line diff (longest common subsequence), capped so a huge manifest cannot stall the page.
function diff(before, after) {
  const a = before.split("\n"), b = after.split("\n");
  if (a.length * b.length > 4_000_000) return null;
  const dp = Array.from({ length: a.length + 1 }, () => new Uint32Array(b.length + 1));
  for (let i = a.length - 1; i >= 0; i--)
    for (let j = b.length - 1; j >= 0; j--)
      dp[i][j] = a[i] === b[j] ? dp[i + 1][j + 1] + 1 : Math.max(dp[i + 1][j], dp[i][j + 1]);
  const rows = [];
  let i = 0, j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) { rows.push([a[i], b[j], ""]); i++; j++; }
    else if (j < b.length && (i === a.length || dp[i][j + 1] >= dp[i + 1][j])) { rows.push(["", b[j], "added"]); j++; }
    else { rows.push([a[i], "", "removed"]); i++; }
  }
  return rows;
}

async function preview() {
  const manifest = $("manifest").value;
  $("preview-error").textContent = "";
  for (const id of ["explanations", "warnings", "diff", "injected"]) $(id).replaceChildren();
  const [explained, injected] = await Promise.all([
    api("POST", "/api/v1/explain", { manifest, namespaceLabels: namespaceLabels() }),
    api("POST", "/api/v1/inject", { manifest }),
  ]);
  if (!explained.ok) { $("preview-error").replaceChildren(markAnnotations(explained.json.error)); return; }
  for (const e of explained.json.explanations) {
    const box = el("div", { class: "explanation", "data-outcome": e.outcome });
    box.append(el("h3", { class: "outcome-" + e.outcome }, `${e.pod}: ${e.outcome} (${e.reason})`));
    if (e.message) box.append(el("div", { class: "error" }, markAnnotations(e.message)));
    const list = el("ol", {});
    for (const s of e.steps) list.append(el("li", { class: "step step-" + s.result }, `${s.check}: ${s.detail}`));
    box.append(list);
    if (e.templates.length) box.append(el("p", {}, "templates: " + e.templates.join(", ")));
    $("explanations").append(box);
  }
  if (!injected.ok) { $("preview-error").replaceChildren(markAnnotations(injected.json.error || "the preview failed")); return; }
  if (injected.json.denied) {
    $("preview-error").replaceChildren(markAnnotations(`${injected.json.denied.reason}: ${injected.json.denied.message}`));
    return;
  }
  for (const w of injected.json.warnings || []) $("warnings").append(el("p", { class: "help" }, "warning: " + w));
  const output = injected.json.output || "";
  $("injected").textContent = output;
  const rows = diff(manifest.trimEnd(), output.trimEnd());
  if (rows) for (const [left, right, kind] of rows) {
    $("diff").append(el("div", { class: kind === "removed" ? "removed" : "" }, left), el("div", { class: kind === "added" ? "added" : "" }, right));
  }
}

function wantedAnnotations() {
  const annotations = {};
  for (const field of document.querySelectorAll("#settings [data-annotation]")) {
    annotations[field.dataset.annotation] = field.value.trim() === "" ? null : field.value.trim();
  }
  const proxyConfig = [];
  for (const field of document.querySelectorAll("#settings [data-proxy-config]")) {
    if (field.value !== "") proxyConfig.push(`${field.dataset.proxyConfig}: ${field.value}`);
  }
  annotations["proxy.istio.io/config"] = proxyConfig.length ? proxyConfig.join("\n") : null;
  return annotations;
}

async function applySettings(write) {
  const result = await api("POST", "/api/v1/annotate", { manifest: $("manifest").value, annotations: wantedAnnotations() });
  if (!result.ok) { $("settings-error").replaceChildren(markAnnotations(result.json.error)); return; }
  $("settings-error").textContent = "";
  $("annotated").textContent = result.json.manifest;
  if (write) $("manifest").value = result.json.manifest;
}

async function showConfig() {
  const { json } = await api("GET", "/api/v1/config");
  const rows = [
    ["Revision", json.revision], ["Policy", json.policy], ["Default templates", (json.defaultTemplates || []).join(", ")],
    ["Templates", (json.templates || []).map((t) => `${t} (${(json.templateSources || {})[t] || "?"})`).join(", ")], ["Native sidecars", String(json.nativeSidecars)],
    ["Platform", json.platform || "none"], ["Generation", json.generation ?? "fixed"], ["Hash", json.hash || "-"],
    ["Loaded", json.loadedAt || "-"], ["Files", (json.files || []).join(", ") || "embedded defaults"],
    ["Last refused reload", json.lastRefused ? `${json.lastRefused.at} (${json.lastRefused.hash}): ${json.lastRefused.reason}` : "none"],
    ["Serving certificate", json.certificate ? `${json.certificate.subject}, expires ${json.certificate.notAfter}` : "none loaded"],
  ];
  $("config").replaceChildren(...rows.flatMap(([k, v]) => [el("dt", {}, k), el("dd", { "data-key": k }, v ?? "-")]));
  $("config-values").textContent = JSON.stringify(json.values, null, 2);
  $("config-mesh").textContent = JSON.stringify(json.mesh, null, 2);
}

async function showDecisions() {
  const { json } = await api("GET", "/api/v1/decisions");
  $("decision-rows").replaceChildren(...json.decisions.map((d) =>
    el("tr", {}, el("td", {}, d.time), el("td", {}, d.namespace), el("td", {}, d.pod), el("td", {}, d.outcome),
      el("td", {}, d.reason), el("td", {}, `${d.latencyMs} ms`), el("td", {}, d.dryRun ? "yes" : "no"))));
}

function route() {
  const page = (location.hash || "#preview").slice(1);
  for (const section of document.querySelectorAll("main > section")) section.hidden = section.id !== page;
  for (const link of document.querySelectorAll("nav a")) link.toggleAttribute("aria-current", link.getAttribute("href") === "#" + page);
  for (const link of document.querySelectorAll("nav a[aria-current]")) link.setAttribute("aria-current", "page");
  if (page === "configuration") showConfig();
  if (page === "decisions") showDecisions();
}

let pending;
document.addEventListener("DOMContentLoaded", () => {
  $("manifest").value = sample;
  $("run-preview").addEventListener("click", preview);
  $("upload").addEventListener("change", async (event) => {
    const file = event.target.files[0];
    if (file) $("manifest").value = await file.text();
  });
  $("apply-settings").addEventListener("click", () => applySettings(true));
  // Live validation with the webhook's own rules, a moment after typing stops.
  $("settings").addEventListener("input", () => { clearTimeout(pending); pending = setTimeout(() => applySettings(false), 300); });
  $("copy-manifest").addEventListener("click", () => navigator.clipboard?.writeText($("annotated").textContent || $("manifest").value));
  $("download-manifest").addEventListener("click", () => {
    const link = el("a", { href: URL.createObjectURL(new Blob([$("annotated").textContent || $("manifest").value], { type: "application/yaml" })), download: "manifest.yaml" });
    link.click();
    URL.revokeObjectURL(link.href);
  });
  $("refresh-config").addEventListener("click", showConfig);
  $("refresh-decisions").addEventListener("click", showDecisions);
  window.addEventListener("hashchange", route);
  route();
});
