#!/usr/bin/env python3
"""Render a `whosaid report` page in headless Chromium and check it.

    check_report.py REPORT.html [--screenshot OUT.png] [--size 1280x900 --size 420x900]
                    [--search WORD] [--max-height PX] [--json OUT.json] [--timeout S]

For each window size, the page is loaded from its file and these must hold:

  * no console error, no uncaught exception, no failed or external network request
    (the page is self-contained: it fetches nothing);
  * every chart (`section svg`) is on screen and has at least one mark: a rect,
    circle, polyline or path with a nonzero size;
  * the page is no wider than the window (documentElement.scrollWidth <= innerWidth);
  * typing in the search box (#q) hides the claims (#claims rows) that do not match,
    shows those that do, and clearing it shows them all again.

A full-page PNG is saved per size: OUT.png for the first, OUT-WxH.png for the others
(pages taller than --max-height, default 16000 px, are cut there). Exit status: 0 all
checks pass; 1 a check failed (each failure is printed); 2 the page or Chromium could
not be used (missing file, Chromium did not start, timeout).

Chromium is /usr/bin/chromium (or $CHROMIUM; Debian: apt-get install chromium), started
with --remote-debugging-port=0 and a temporary profile; the port is read from the
profile's DevToolsActivePort file and the DevTools protocol is spoken over a loopback
websocket (the websocket-client package). Chromium is always killed at the end.
"""

import argparse
import base64
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import websocket  # websocket-client


class Failure(Exception):
    """The page or the browser could not be used at all (exit 2)."""


class Timeout(Failure):
    pass


# ---------------------------------------------------------------- the browser


class Chromium:
    """A headless Chromium with a temporary profile, killed on close."""

    def __init__(self, binary, deadline):
        self.deadline = deadline
        self.profile = Path(tempfile.mkdtemp(prefix="whosaid-chromium-"))
        self.log = open(self.profile.parent / (self.profile.name + ".log"), "w+b")
        args = [
            binary, "--headless", "--no-sandbox", "--disable-gpu",
            "--remote-debugging-port=0", f"--user-data-dir={self.profile}",
            "--no-first-run", "--no-default-browser-check", "--disable-extensions",
            "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--disable-default-apps", "--mute-audio",
            "--hide-scrollbars", "--force-color-profile=srgb", "about:blank",
        ]
        # Its own process group, so that closing it ends its helpers too.
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=self.log,
                                     stderr=subprocess.STDOUT, start_new_session=True)

    def endpoint(self):
        """The browser's websocket URL, from DevToolsActivePort."""
        port_file = self.profile / "DevToolsActivePort"
        limit = min(self.deadline, time.monotonic() + 30)
        while time.monotonic() < limit:
            if self.proc.poll() is not None:
                raise Failure(f"chromium exited with status {self.proc.returncode} before it "
                              f"opened a DevTools port:\n{self.log_tail()}")
            try:
                port, path = port_file.read_text().split("\n")[:2]
                if port.strip() and path.strip():
                    return f"ws://127.0.0.1:{int(port)}{path.strip()}"
            except (FileNotFoundError, ValueError):
                pass
            time.sleep(0.05)
        raise Timeout(f"chromium wrote no {port_file.name} in time:\n{self.log_tail()}")

    def log_tail(self, n=2000):
        try:
            self.log.flush()
            self.log.seek(0)
            return self.log.read().decode("utf-8", "replace")[-n:]
        except (OSError, ValueError):
            return ""

    def close(self):
        if self.proc.poll() is None:
            for sig, wait in ((signal.SIGTERM, 5), (signal.SIGKILL, 5)):
                try:
                    os.killpg(self.proc.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    self.proc.wait(timeout=wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        # Helpers left in the group (the group is ours: it was made for this browser).
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.log.close()
        shutil.rmtree(self.profile, ignore_errors=True)
        Path(self.log.name).unlink(missing_ok=True)


class DevTools:
    """The DevTools protocol over one websocket, with flat sessions."""

    def __init__(self, url, deadline, on_event):
        self.deadline = deadline
        self.on_event = on_event
        self.next_id = 0
        self.events = []
        # No Origin header: Chromium refuses websocket origins it was not told to allow.
        self.ws = websocket.create_connection(url, timeout=10, suppress_origin=True)

    def _recv(self, until):
        left = min(until, self.deadline) - time.monotonic()
        if left <= 0:
            raise Timeout("timed out waiting for Chromium")
        self.ws.settimeout(left)
        try:
            raw = self.ws.recv()
        except websocket.WebSocketTimeoutException:
            raise Timeout("timed out waiting for Chromium") from None
        except (websocket.WebSocketException, OSError) as e:
            raise Failure(f"lost the DevTools connection: {e}") from None
        msg = json.loads(raw)
        if "method" in msg:
            self.on_event(msg)
            self.events.append(msg)
        return msg

    def call(self, method, params=None, session=None, timeout=30):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        self.ws.send(json.dumps(msg))
        until = time.monotonic() + timeout
        while True:
            reply = self._recv(until)
            if reply.get("id") == msg["id"]:
                if "error" in reply:
                    raise Failure(f"{method}: {reply['error'].get('message')}")
                return reply.get("result", {})

    def wait_for(self, method, session, timeout=30):
        until = time.monotonic() + timeout
        for k, ev in enumerate(self.events):
            if ev["method"] == method and ev.get("sessionId") == session:
                del self.events[: k + 1]
                return ev
        self.events.clear()
        while True:
            ev = self._recv(until)
            if ev.get("method") == method and ev.get("sessionId") == session:
                self.events.clear()
                return ev

    def settle(self, seconds):
        """Take events for a while (late errors, pending requests)."""
        until = time.monotonic() + seconds
        try:
            while True:
                self._recv(until)
        except Timeout:
            if time.monotonic() >= self.deadline:
                raise

    def close(self):
        try:
            self.ws.close()
        except Exception:
            pass


# ---------------------------------------------------------------- the checks

# Runs in the page; returns plain data.
INSPECT = r"""
(() => {
  const W = window.innerWidth;
  const sections = [];
  for (const svg of document.querySelectorAll('section svg')) {
    const sec = svg.closest('section');
    let marks = 0;
    for (const m of svg.querySelectorAll('rect, circle, polyline, path')) {
      let b; try { b = m.getBBox(); } catch (e) { continue; }
      const line = m.tagName === 'polyline' || m.tagName === 'path';
      if (line ? (b.width > 0 || b.height > 0) : (b.width > 0 && b.height > 0)) marks++;
    }
    const r = svg.getBoundingClientRect();
    const vb = svg.viewBox && svg.viewBox.baseVal;
    const scale = vb && vb.width ? r.width / vb.width : 1;
    let font = Infinity;
    for (const t of svg.querySelectorAll('text')) {
      font = Math.min(font, parseFloat(getComputedStyle(t).fontSize) * scale);
    }
    // A chart in a box that scrolls sideways shows only what the box shows: it
    // is that visible part that must fit the window.
    let left = r.left, right = r.right;
    for (let el = svg.parentElement; el && el !== document.body; el = el.parentElement) {
      const ox = getComputedStyle(el).overflowX;
      if (ox === 'auto' || ox === 'scroll' || ox === 'hidden') {
        const c = el.getBoundingClientRect();
        left = Math.max(left, c.left); right = Math.min(right, c.right);
        break;
      }
    }
    sections.push({section: sec.id, marks, width: r.width, height: r.height,
                   left, right, font: isFinite(font) ? font : null});
  }
  // The widest elements, to name what makes the page too wide.
  const wide = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.right > W + 0.5 && wide.length < 5) {
      wide.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                (el.className && typeof el.className === 'string' ? '.' + el.className : '') +
                ` (right edge ${Math.round(r.right)} px)`);
    }
  }
  return {
    innerWidth: W, scrollWidth: document.documentElement.scrollWidth,
    scrollHeight: document.documentElement.scrollHeight,
    title: document.title, sections,
    notes: [...document.querySelectorAll('section > p.note')].map(p => p.textContent),
    sectionIds: [...document.querySelectorAll('section')].map(s => s.id),
    hasSearch: !!document.getElementById('q'),
    rows: document.querySelectorAll('#claims tbody tr').length,
    wide,
  };
})()
"""

# Types `term` (or a word picked from the table) into #q; returns what is shown.
SEARCH = r"""
((given) => {
  const q = document.getElementById('q');
  const rows = [...document.querySelectorAll('#claims tbody tr')];
  const text = rows.map(r => r.textContent.toLowerCase());
  const matching = t => text.filter(x => x.includes(t)).length;
  let term = given ? given.toLowerCase() : null;
  if (!term) {
    // A cell value that some rows have and others not: an actor, else a stance, cue, ...
    outer: for (const col of [1, 4, 3, 2, 5]) {
      for (const r of rows.slice(0, 200)) {
        const td = r.querySelectorAll('td')[col];
        const t = td ? td.textContent.trim().toLowerCase() : '';
        const n = t.length >= 3 ? matching(t) : 0;
        if (n > 0 && n < rows.length) { term = t; break outer; }
      }
    }
  }
  if (!term) return {term: null, total: rows.length};
  const visible = () => rows.filter(r => !r.hidden && r.getClientRects().length > 0).length;
  const type = v => { q.value = v; q.dispatchEvent(new Event('input', {bubbles: true})); };
  type(term);
  const shown = visible(), counter = (document.getElementById('shown') || {}).textContent;
  type('');
  return {term, total: rows.length, expected: matching(term), shown, counter,
          afterClear: visible()};
})
"""


def check_size(dt, session, url, width, height, opts, problems, info):
    """Load the page at one window size and check it; returns the page's height."""
    tag = f"{width}x{height}"
    dt.call("Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
            session)
    dt.call("Page.navigate", {"url": url}, session)
    dt.wait_for("Page.loadEventFired", session, timeout=opts.load_timeout)
    dt.settle(0.3)

    page = dt.call("Runtime.evaluate", {"expression": INSPECT, "returnByValue": True}, session)
    if "exceptionDetails" in page:
        raise Failure(f"{tag}: the page check threw: {page['exceptionDetails'].get('text')}")
    page = page["result"]["value"]
    info[tag] = page
    svgs = page["sections"]
    if not svgs:  # an empty run: every section says so in words
        info.setdefault("notes", []).append(f"{tag}: no charts (no `section svg` elements)")
    for s in svgs:
        if s["marks"] == 0:
            problems.append(f"{tag}: a chart in section #{s['section']} draws no mark "
                            "(no rect, circle, polyline or path with a nonzero size)")
        if s["width"] <= 0 or s["height"] <= 0:
            problems.append(f"{tag}: a chart in section #{s['section']} has no size on screen "
                            f"({s['width']:.0f}x{s['height']:.0f} px)")
        elif s["left"] < -0.5 or s["right"] > width + 0.5:
            problems.append(f"{tag}: a chart in section #{s['section']} sticks out of the window "
                            f"({s['left']:.0f}..{s['right']:.0f} px of {width})")
    if page["scrollWidth"] > page["innerWidth"]:
        problems.append(f"{tag}: the page is wider than the window: scrollWidth "
                        f"{page['scrollWidth']} > innerWidth {page['innerWidth']}; too wide: "
                        + ("; ".join(page["wide"]) or "?"))
    if not page["hasSearch"]:
        problems.append(f"{tag}: no search box #q")
    elif page["rows"] < 2:
        info.setdefault("notes", []).append(f"{tag}: {page['rows']} claim rows, search not tried")
    else:
        res = dt.call("Runtime.evaluate", {
            "expression": f"({SEARCH})({json.dumps(opts.search)})", "returnByValue": True}, session)
        if "exceptionDetails" in res:
            problems.append(f"{tag}: searching threw: {res['exceptionDetails'].get('text')}")
        else:
            s = res["result"]["value"]
            info[tag]["search"] = s
            if s["term"] is None:
                info.setdefault("notes", []).append(f"{tag}: no word tells the rows apart; search not tried")
            elif not 0 < s["shown"] < s["total"] and opts.search is None:
                problems.append(f"{tag}: typing {s['term']!r} in #q shows {s['shown']} of "
                                f"{s['total']} rows (expected some hidden, some shown)")
            elif s["shown"] != s["expected"]:
                problems.append(f"{tag}: typing {s['term']!r} in #q shows {s['shown']} rows, "
                                f"but {s['expected']} contain it")
            elif s["counter"] is not None and s["counter"] != str(s["shown"]):
                problems.append(f"{tag}: after searching, #shown says {s['counter']!r}, "
                                f"but {s['shown']} rows are shown")
            if s["term"] is not None and s["afterClear"] != s["total"]:
                problems.append(f"{tag}: clearing #q shows {s['afterClear']} of {s['total']} rows")
    return page["scrollHeight"]


def screenshot(dt, session, width, path, max_height):
    metrics = dt.call("Page.getLayoutMetrics", {}, session)
    size = metrics.get("cssContentSize") or metrics["contentSize"]
    full = int(size["height"] + 0.999)
    height = min(full, max_height)
    shot = dt.call("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True, "fromSurface": True,
        "clip": {"x": 0, "y": 0, "width": max(width, int(size["width"])), "height": height,
                 "scale": 1}}, session, timeout=60)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(base64.b64decode(shot["data"]))
    return full, height


def run(opts):
    report = Path(opts.report).resolve()
    if not report.is_file():
        raise Failure(f"{report}: no such file")
    binary = opts.chromium or os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(binary).exists() and not shutil.which(binary):
        raise Failure(f"{binary}: Chromium not found (Debian: apt-get install -y chromium)")
    url = report.as_uri()
    deadline = time.monotonic() + opts.timeout
    problems, info = [], {"report": str(report), "bytes": report.stat().st_size, "screenshots": []}

    urls = {}

    def on_event(ev):
        m, p = ev["method"], ev.get("params", {})
        if m == "Runtime.exceptionThrown":
            d = p.get("exceptionDetails", {})
            text = (d.get("exception") or {}).get("description") or d.get("text")
            problems.append(f"uncaught exception: {text} (line {d.get('lineNumber')})")
        elif m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            args = " ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", []))
            problems.append(f"console.{p['type']}: {args}")
        elif m == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
            e = p["entry"]
            problems.append(f"console error ({e.get('source')}): {e.get('text')} {e.get('url', '')}".rstrip())
        elif m == "Network.requestWillBeSent":
            u = p.get("request", {}).get("url", "")
            urls[p.get("requestId")] = u
            if not u.startswith(("file:", "data:", "about:", "blob:")):
                problems.append(f"the page fetched {u[:200]} (it should be self-contained)")
        elif m == "Network.loadingFailed" and not p.get("canceled"):
            u = urls.get(p.get("requestId"), f"request {p.get('requestId')}")
            problems.append(f"failed request ({p.get('type', '?')}): {p.get('errorText')}: {u[:200]}")
        elif m == "Network.responseReceived":
            r = p.get("response", {})
            if r.get("status", 0) >= 400:
                problems.append(f"request failed with HTTP {r['status']}: {r.get('url')}")

    browser = Chromium(binary, deadline)
    dt = None
    try:
        dt = DevTools(browser.endpoint(), deadline, on_event)
        target = dt.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = dt.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            dt.call(f"{domain}.enable", {}, session)
        for k, (w, h) in enumerate(opts.size):
            check_size(dt, session, url, w, h, opts, problems, info)
            if opts.screenshot:
                out = Path(opts.screenshot)
                if k:
                    out = out.with_name(f"{out.stem}-{w}x{h}{out.suffix}")
                full, kept = screenshot(dt, session, w, out, opts.max_height)
                info["screenshots"].append({"path": str(out), "width": w, "page_height": full,
                                            "height": kept, "bytes": out.stat().st_size})
        dt.settle(0.2)
    finally:
        if dt:
            dt.close()
        browser.close()
    return problems, info


def size(text):
    try:
        w, h = (int(x) for x in text.lower().split("x"))
        assert w > 0 and h > 0
        return w, h
    except (ValueError, AssertionError):
        raise argparse.ArgumentTypeError(f"{text!r}: give a size as WIDTHxHEIGHT, e.g. 1280x900")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("report", help="the HTML page (whosaid report's report.html)")
    ap.add_argument("--screenshot", help="save a full-page PNG here (OUT-WxH.png for other sizes)")
    ap.add_argument("--size", type=size, action="append",
                    help="window size, repeatable (default: 1280x900 and 420x900)")
    ap.add_argument("--search", help="word to type in the search box (default: picked from the table)")
    ap.add_argument("--max-height", type=int, default=16000, help="cut screenshots at this height")
    ap.add_argument("--json", help="write the findings as JSON here")
    ap.add_argument("--timeout", type=float, default=90, help="for everything, in seconds (default 90)")
    ap.add_argument("--load-timeout", type=float, default=30, help="for one page load (default 30)")
    ap.add_argument("--chromium", help="the browser (default $CHROMIUM, else chromium on PATH)")
    opts = ap.parse_args(argv)
    opts.size = opts.size or [(1280, 900), (420, 900)]

    # A SIGTERM (a test runner's timeout) still closes the browser, via the finally above.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(2))
    started = time.monotonic()
    try:
        problems, info = run(opts)
    except Failure as e:
        print(f"check_report: {opts.report}: {e}", file=sys.stderr)
        return 2
    info["problems"] = problems
    info["seconds"] = round(time.monotonic() - started, 2)
    if opts.json:
        Path(opts.json).write_text(json.dumps(info, indent=1))
    for w, h in opts.size:
        page = info[f"{w}x{h}"]
        fonts = [s["font"] for s in page["sections"] if s["font"]]
        search = page.get("search") or {}
        print(f"{w}x{h}: {len(page['sections'])} charts in sections "
              f"{', '.join(dict.fromkeys(s['section'] for s in page['sections'])) or '(none)'}; "
              f"page {page['scrollWidth']}x{page['scrollHeight']} px", end="")
        if fonts:
            print(f"; smallest chart text {min(fonts):.1f} px", end="")
        if search.get("term"):
            print(f"; search {search['term']!r}: {search['shown']} of {search['total']} rows", end="")
        print()
    for note in info.get("notes", []):
        print(f"note: {note}")
    for s in info["screenshots"]:
        cut = f", cut from {s['page_height']} px" if s["height"] < s["page_height"] else ""
        print(f"screenshot: {s['path']} ({s['width']}x{s['height']}{cut}, {s['bytes']} bytes)")
    if problems:
        print(f"check_report: {opts.report}: {len(problems)} problem(s):", file=sys.stderr)
        for p in problems:
            print(f"  - {p}", file=sys.stderr)
        return 1
    print(f"check_report: {opts.report}: ok ({info['bytes']} bytes, {info['seconds']} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
