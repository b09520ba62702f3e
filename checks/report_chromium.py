#!/usr/bin/env python3
"""The HTML report in headless Chromium, driven over the DevTools protocol.

For each report: open the file, log every network request, console message and exception;
fail on any request other than the file itself and on any console error. Read every figure
the page marks (`data-figure`, `data-policy`, `data-exact`) and compare it with
`compare --format json`. Check that a phone-width viewport needs no sideways scrolling of the
page. Write a full-page screenshot (PNG) as an artefact, print the page to PDF and check its
page count with pdfinfo and its first page with pdftotext (the executive summary alone).

Usage: report_chromium.py MIXCOST WORKDIR
"""
import asyncio
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from decimal import Decimal

import websockets

MIXCOST, WORK = sys.argv[1], os.path.abspath(sys.argv[2])
failures = []


def mixcost(*args):
    return subprocess.run([MIXCOST, *args], check=True, capture_output=True, text=True).stdout


def money(text):
    """`$1,550.00` / `−$1,080.40` → Decimal."""
    text = text.strip().replace("−", "-").replace("$", "").replace(",", "")
    return Decimal(text)


class Page:
    def __init__(self, socket):
        self.socket = socket
        self.next_id = 0
        self.events = []

    async def call(self, method, **params):
        self.next_id += 1
        ident = self.next_id
        await self.socket.send(json.dumps({"id": ident, "method": method, "params": params}))
        while True:
            message = json.loads(await self.socket.recv())
            if message.get("id") == ident:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self.events.append(message)

    async def wait_for(self, method, timeout=30):
        deadline = time.monotonic() + timeout
        for event in self.events:
            if event.get("method") == method:
                return event
        while time.monotonic() < deadline:
            message = json.loads(await asyncio.wait_for(self.socket.recv(), timeout))
            self.events.append(message)
            if message.get("method") == method:
                return message
        raise TimeoutError(method)

    async def evaluate(self, expression):
        result = await self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result["result"].get("value")


def start_chromium(profile):
    process = subprocess.Popen(
        [
            "chromium", "--headless", "--no-sandbox", "--disable-gpu",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--no-first-run", "--disable-default-apps", "--disable-extensions",
            f"--user-data-dir={profile}", "--remote-debugging-port=0", "about:blank",
        ],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    port_file = os.path.join(profile, "DevToolsActivePort")
    for _ in range(300):
        if os.path.exists(port_file) and open(port_file).read().strip():
            port = open(port_file).read().split()[0]
            return process, int(port)
        time.sleep(0.1)
    process.kill()
    raise RuntimeError("chromium did not open its DevTools port")


def page_socket(port):
    for _ in range(100):
        targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list"))
        pages = [t for t in targets if t.get("type") == "page"]
        if pages:
            return pages[0]["webSocketDebuggerUrl"]
        time.sleep(0.1)
    raise RuntimeError("no page target")


async def inspect(port, html, stem, expected):
    url = "file://" + html
    async with websockets.connect(page_socket(port), max_size=None) as socket:
        page = Page(socket)
        for domain in ("Network", "Runtime", "Log", "Page"):
            await page.call(f"{domain}.enable")
        await page.call("Emulation.setDeviceMetricsOverride", width=1280, height=900,
                        deviceScaleFactor=1, mobile=False)
        await page.call("Page.navigate", url=url)
        await page.wait_for("Page.loadEventFired")
        await asyncio.sleep(0.5)
        figures = await page.evaluate(
            "[...document.querySelectorAll('[data-figure]')].map(e => ({figure: e.dataset.figure,"
            " policy: e.dataset.policy, exact: e.dataset.exact, text: e.textContent}))"
        )
        height = await page.evaluate("document.documentElement.scrollHeight")
        shot = await page.call("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                               clip={"x": 0, "y": 0, "width": 1280, "height": height, "scale": 1})
        with open(os.path.join(WORK, f"{stem}.png"), "wb") as f:
            f.write(base64.b64decode(shot["data"]))
        # A phone: 390 CSS pixels wide; the page itself must not scroll sideways.
        await page.call("Emulation.setDeviceMetricsOverride", width=390, height=844,
                        deviceScaleFactor=2, mobile=True)
        await asyncio.sleep(0.3)
        overflow = await page.evaluate("document.documentElement.scrollWidth")
        phone = await page.call("Page.captureScreenshot", format="png")
        with open(os.path.join(WORK, f"{stem}-phone.png"), "wb") as f:
            f.write(base64.b64decode(phone["data"]))
        await page.call("Emulation.clearDeviceMetricsOverride")
        pdf = await page.call("Page.printToPDF", preferCSSPageSize=True, printBackground=True)
        pdf_path = os.path.join(WORK, f"{stem}.pdf")
        with open(pdf_path, "wb") as f:
            f.write(base64.b64decode(pdf["data"]))
        await asyncio.sleep(0.3)
        try:
            while True:
                page.events.append(json.loads(await asyncio.wait_for(socket.recv(), 0.2)))
        except (asyncio.TimeoutError, TimeoutError):
            pass

    requests = [e["params"]["request"]["url"] for e in page.events
                if e.get("method") == "Network.requestWillBeSent"]
    console = [e["params"] for e in page.events if e.get("method") == "Runtime.consoleAPICalled"]
    exceptions = [e["params"] for e in page.events if e.get("method") == "Runtime.exceptionThrown"]
    logs = [e["params"]["entry"] for e in page.events if e.get("method") == "Log.entryAdded"]
    print(f"{stem}: requests logged: {requests}")
    for request in requests:
        if request != url:
            failures.append(f"{stem}: network request to {request}")
    if not requests:
        failures.append(f"{stem}: not even the page's own load was logged; the request log is not working")
    for item in console:
        if item.get("type") in ("error", "assert"):
            failures.append(f"{stem}: console {item['type']}: {item.get('args')}")
    for item in exceptions:
        failures.append(f"{stem}: exception {item.get('exceptionDetails', {}).get('text')}")
    for entry in logs:
        if entry.get("level") == "error":
            failures.append(f"{stem}: log error: {entry.get('text')} {entry.get('url', '')}")
    print(f"{stem}: console messages {len(console)}, exceptions {len(exceptions)}, log entries {len(logs)}")
    if overflow > 391:
        failures.append(f"{stem}: at phone width the page is {overflow} px wide (scrolls sideways)")

    compare_figures(stem, figures, expected)

    pages = int(next(line.split()[-1] for line in
                     subprocess.run(["pdfinfo", pdf_path], check=True, capture_output=True,
                                    text=True).stdout.splitlines() if line.startswith("Pages:")))
    first = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-layout", pdf_path, "-"],
                           check=True, capture_output=True, text=True).stdout
    print(f"{stem}: PDF {pages} pages")
    return pages, first


def compare_figures(stem, figures, expected):
    """Each marked figure equals compare --format json: exact value and the shown cents."""
    by_policy = {p["name"]: p for p in expected["policies"]}
    workflow = {p["name"]: p for p in (expected.get("workflow") or {}).get("policies", [])}
    seen = {"monthly_cost": 0, "expected_cost": 0}
    for item in figures:
        kind, policy = item["figure"], item["policy"]
        if kind == "monthly_cost":
            truth = by_policy.get(policy)
            exact, shown = (truth or {}).get("monthly_cost_exact"), (truth or {}).get("monthly_cost")
        elif kind == "expected_cost":
            truth = workflow.get(policy)
            exact, shown = (truth or {}).get("expected_cost_exact"), (truth or {}).get("expected_cost")
        elif kind in ("month", "annual"):
            truth = workflow.get(policy) if workflow else by_policy.get(policy)
            key = "expected_cost_exact" if workflow else "monthly_cost_exact"
            base = Decimal((truth or {}).get(key, "0"))
            value = base * (12 if kind == "annual" else 1)
            exact, shown = str(value.normalize()), str(value.quantize(Decimal("0.01")))
        else:
            failures.append(f"{stem}: unknown figure kind {kind}")
            continue
        if truth is None:
            failures.append(f"{stem}: the page shows policy {policy!r}, unknown to compare")
            continue
        if Decimal(item["exact"]) != Decimal(exact):
            failures.append(f"{stem}: {kind} {policy}: page {item['exact']} != json {exact}")
        if money(item["text"]) != Decimal(shown):
            failures.append(f"{stem}: {kind} {policy}: page shows {item['text']} != json {shown}")
        if kind in seen:
            seen[kind] += 1
    if seen["monthly_cost"] != len(by_policy):
        failures.append(f"{stem}: {seen['monthly_cost']} monthly costs on the page, {len(by_policy)} policies")
    if workflow and seen["expected_cost"] != len(workflow):
        failures.append(f"{stem}: {seen['expected_cost']} expected costs on the page, {len(workflow)} policies")
    print(f"{stem}: {len(figures)} figures in the DOM equal compare --format json")


def main():
    os.makedirs(WORK, exist_ok=True)
    reports = [
        ("seed", "scenarios/seed.yaml", ["--sweep", "workloads.*.cache_hit_rate=0:0.6:0.1",
                                          "--simulate", "2000", "--seed", "1"]),
        ("cascade-wins", "scenarios/cascade-wins.yaml",
         ["--sweep", "workloads.invoices.volume=x0.5:x2:x0.25", "--simulate", "2000", "--seed", "1"]),
    ]
    for stem, scenario, extra in reports:
        html = os.path.join(WORK, f"{stem}.html")
        if os.path.exists(html):
            os.remove(html)
        mixcost("report", scenario, "-o", html, "--title", f"{stem} <script>alert(1)</script>",
                "--client", "Client & Co", *extra)
        expected = json.loads(mixcost("compare", scenario, "--format", "json"))["scenarios"][0]
        profile = tempfile.mkdtemp(prefix="chromium-profile-")
        process, port = start_chromium(profile)
        try:
            pages, first = asyncio.run(inspect(port, html, stem, expected))
        finally:
            process.terminate()
            process.wait(timeout=30)
            shutil.rmtree(profile, ignore_errors=True)
        # The print stylesheet puts the executive summary alone on page 1, and the rest after.
        if "Executive summary" not in first or "Where the money goes" in first:
            failures.append(f"{stem}: page 1 of the PDF is not the executive summary alone")
        if not 3 <= pages <= 14:
            failures.append(f"{stem}: the PDF has {pages} pages; expected 3 to 14")
    if failures:
        print("FAILED:", *failures, sep="\n  ")
        sys.exit(1)
    print("report-chromium: ok; screenshots in", WORK)


main()
