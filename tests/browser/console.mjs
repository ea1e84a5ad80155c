// Drives the Injector console in Debian's headless Chromium: node console.mjs BASE_URL SCREENSHOT_DIR HASH POD
// Prints one JSON line {"passed": [...], "failed": [{"flow", "error"}]} and exits 1 when a flow failed.
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";
import { join } from "node:path";

const [base, shots, expectedHash, decidedPod] = process.argv.slice(2);
mkdirSync(shots, { recursive: true });
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
  timeout: 60_000,
});
const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
page.setDefaultTimeout(15_000);
const passed = [], failed = [];
const pageErrors = [];
page.on("pageerror", (e) => pageErrors.push(String(e)));

async function flow(name, body) {
  try {
    await body();
    passed.push(name);
  } catch (e) {
    failed.push({ flow: name, error: String(e).slice(0, 500) });
  }
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true }).catch(() => {});
}

await page.goto(base);

await flow("preview", async () => {
  await page.fill("#ns-labels", "istio-injection=enabled");
  await page.click("#run-preview");
  await page.waitForSelector('.explanation[data-outcome="injected"]');
  const heading = await page.textContent(".explanation h3");
  if (!heading.includes("injected (policy-enabled)")) throw new Error(`heading: ${heading}`);
  await page.waitForFunction(() => document.getElementById("injected").textContent.includes("name: istio-proxy"));
  if ((await page.locator("#diff .added").count()) === 0) throw new Error("the diff shows no added line");
});

await flow("preview-not-called", async () => {
  await page.fill("#ns-labels", "");
  await page.click("#run-preview");
  await page.waitForSelector('.explanation[data-outcome="not-called"]');
  const text = await page.textContent(".explanation");
  if (!text.includes("istio-injection=enabled")) throw new Error("no hint on how to inject");
});

await flow("configure", async () => {
  await page.click("#nav-configure");
  await page.waitForSelector("#configure:not([hidden])");
  await page.fill("#set-cpu", "250m");
  await page.selectOption("#set-hold", "true");
  await page.click("#apply-settings");
  await page.waitForFunction(() => document.getElementById("manifest").value.includes("sidecar.istio.io/proxyCPU: 250m"));
  const manifest = await page.inputValue("#manifest");
  if (!manifest.includes("holdApplicationUntilProxyStarts: true")) throw new Error("proxy.istio.io/config not written");
});

await flow("configure-invalid", async () => {
  await page.fill("#set-in-exclude", "80,eighty");
  await page.waitForFunction(() => document.getElementById("settings-error").textContent.includes("eighty"));
  const marked = await page.textContent("#settings-error mark");
  if (marked !== "'traffic.sidecar.istio.io/excludeInboundPorts'") throw new Error(`marked: ${marked}`);
});

await flow("configure-fixed", async () => {
  await page.fill("#set-in-exclude", "8080");
  await page.waitForFunction(() => document.getElementById("settings-error").textContent === "");
});

await flow("configuration", async () => {
  // Keyboard: the nav links are reachable and follow Enter.
  await page.focus("#nav-configuration");
  await page.keyboard.press("Enter");
  await page.waitForSelector("#configuration:not([hidden])");
  await page.waitForFunction((hash) => document.querySelector('dd[data-key="Hash"]')?.textContent === hash, expectedHash);
  const cert = await page.textContent('dd[data-key="Serving certificate"]');
  if (!cert.includes("expires")) throw new Error(`certificate: ${cert}`);
});

await flow("decisions", async () => {
  await page.click("#nav-decisions");
  await page.waitForFunction((pod) => [...document.querySelectorAll("#decision-rows td")].some((td) => td.textContent === pod), decidedPod);
  const row = await page.textContent("#decision-rows tr");
  if (!row.includes("Injected") || !row.includes("policy-enabled")) throw new Error(`row: ${row}`);
});

if (pageErrors.length) failed.push({ flow: "page-errors", error: pageErrors.join(" | ").slice(0, 500) });
await browser.close();
console.log(JSON.stringify({ passed, failed }));
process.exit(failed.length ? 1 : 0);
