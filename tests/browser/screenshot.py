#!/usr/bin/python3
"""Takes docs/dashboard.png: a headless Chromium on a seeded server.

SWITCHBOARD_BIN=build/tools/switchboard /usr/bin/python3 tests/browser/screenshot.py [VIEW] [OUT]
"""

import sys
import time

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from dashboard_test import Server, make_driver

PLATFORMS = ["telegram", "discord", "slack", "whatsapp", "signal"]
TYPES = ["dm", "group", "dm", "channel", "dm"]


def main():
    view = sys.argv[1] if len(sys.argv) > 1 else "overview"
    out = sys.argv[2] if len(sys.argv) > 2 else "docs/dashboard.png"
    server = Server()
    driver = make_driver()
    try:
        driver.set_window_size(1280, 860)
        driver.get(f"{server.url}/#/{view}")
        WebDriverWait(driver, 20).until(lambda d: d.find_element(
            By.CSS_SELECTOR, "[data-testid=health]").get_attribute(
                "data-state") == "up")
        end = time.monotonic() + 25
        i = 0
        while time.monotonic() < end:  # traffic for the charts
            p = i % len(PLATFORMS)
            server.route(PLATFORMS[p], str(i % 40), f"message {i} about the deploy",
                         TYPES[p])
            i += 1
        driver.save_screenshot(out)
    finally:
        driver.quit()
        server.stop()


if __name__ == "__main__":
    main()
