#!/usr/bin/env python3
"""Render a pairing report.html in headless Chromium, offline, and check that it
shows the report and that the page asked for nothing over the network.

    .venv/bin/python scripts/check_report_in_browser.py plan-anqiu/report.html [--screenshot shot.png]

Needs Debian's ``chromium`` (``apt-get install -y chromium``) and Pillow (which
matplotlib brings). Exit 0 when the screenshot is not blank, shows the map's
group colours, and the page made no request; 1 when a check fails; 2 when
Chromium is missing.

How "no request" is checked: Chromium writes every request it starts to a
NetLog (``--log-net-log``). Requests the page starts carry the page's origin
(``initiator`` ``null`` for a file:// page); Chromium's own background requests
(update checks, time sync) carry ``not an origin`` and are not the report's.
Every host name resolves to nothing (``--host-resolver-rules``), so no request
leaves the machine either way, and the screenshot shows what an office without
internet sees.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from pairing.report.layers import GROUP_COLOURS

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--no-first-run", "--disable-sync", "--host-resolver-rules=MAP * ~NOTFOUND", "--hide-scrollbars"]


def page_requests(net_log: Path) -> list[str]:
    """URLs of the requests the page itself started, from a Chromium NetLog."""
    text = net_log.read_text(encoding="utf-8", errors="replace").rstrip()
    try:
        log = json.loads(text)
    except json.JSONDecodeError:  # a log cut short at exit lacks its closing brackets
        log = json.loads(text.rstrip(",") + "]}")
    start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    starts = [event.get("params", {}) for event in log["events"] if event["type"] == start_job]
    return sorted({params["url"] for params in starts if "url" in params and params.get("initiator") != "not an origin"})


def looks_rendered(screenshot: Path) -> tuple[bool, str]:
    """Not blank (enough non-white pixels and colours) and the map's group fills are there."""
    image = Image.open(screenshot).convert("RGB")
    counts = image.getcolors(image.width * image.height)  # [(pixels, (r, g, b)), ...]
    inked = sum(count for count, pixel in counts if sum(pixel) < 3 * 245) / (image.width * image.height)
    colours = {pixel for _, pixel in counts}
    fills = {tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5)) for colour in GROUP_COLOURS}
    shown = fills & colours
    detail = f"{inked:.1%} of the page inked, {len(colours):,} colours, {len(shown)} of the map's {len(fills)} group colours"
    return inked > 0.02 and len(colours) > 50 and len(shown) >= 2, detail


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", type=Path, help="report.html to render")
    parser.add_argument("--screenshot", type=Path, help="where to save the PNG (default: beside the report, .png)")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=2600)
    args = parser.parse_args()
    browser = next((shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome") if shutil.which(name)), None)
    if browser is None:
        print("no Chromium: apt-get install -y chromium", file=sys.stderr)
        return 2
    report = args.report.resolve()
    screenshot = (args.screenshot or report.with_suffix(".screenshot.png")).resolve()
    with tempfile.TemporaryDirectory() as profile:
        net_log = Path(profile) / "net-log.json"
        run = subprocess.run([browser, *FLAGS, f"--user-data-dir={profile}/user-data", f"--log-net-log={net_log}",
                              f"--window-size={args.width},{args.height}", f"--screenshot={screenshot}", report.as_uri()],
                             capture_output=True, text=True, timeout=120)
        if run.returncode != 0 or not screenshot.is_file():
            print(f"FAIL: Chromium exited with {run.returncode} and no screenshot\n{run.stderr[-2000:]}", file=sys.stderr)
            return 1
        requests = page_requests(net_log)
    rendered, detail = looks_rendered(screenshot)
    print(f"screenshot {screenshot}: {detail}")
    print(f"requests made by the page: {len(requests)}" + "".join(f"\n  {url}" for url in requests))
    ok = rendered and not requests
    print("OK: the report renders offline and fetched nothing" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
