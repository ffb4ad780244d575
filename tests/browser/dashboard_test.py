#!/usr/bin/python3
"""Browser tests of the dashboard (issue 15): a real Chromium (headless,
Debian's chromium + chromium-driver, Selenium from python3-selenium) against
a real `switchboard serve --clock manual` on 127.0.0.1 with seeded sessions.

Every scenario fails on any browser console error. Waits are explicit
(WebDriverWait); nothing sleeps for a fixed time.

Run: SWITCHBOARD_BIN=build/tools/switchboard /usr/bin/python3 tests/browser/dashboard_test.py
(CTest runs it under the `browser` label.) SWITCHBOARD_UI_DIR=web serves the
files from disk (serve --ui-dir) instead of the copy in the binary.
"""

import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
import time
import unittest
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

BIN = os.environ.get("SWITCHBOARD_BIN", "build/tools/switchboard")
WAIT = 20


class Server:
    """A `switchboard serve` on a free loopback port and a temp data dir."""

    def __init__(self, token=None, prepare=None):
        """`prepare(data_dir)` runs before the server starts."""
        self.dir = tempfile.mkdtemp(prefix="sb-browser-")
        self.token = token
        if prepare:
            prepare(os.path.join(self.dir, "var"))
        # The daily reset 12 hours from now, whatever the time of day: with
        # the default (04:00 UTC) a run between 04:00 and 05:00 UTC saw no
        # session due in the dashboard's 24 forecast buckets.
        config = os.path.join(self.dir, "config.json")
        with open(config, "w") as f:
            json.dump({"reset": {"default": {
                "mode": "both", "idle_minutes": 1440,
                "at_hour": (time.gmtime().tm_hour + 12) % 24}}}, f)
        args = [BIN, "serve", "--clock", "manual", "--listen", "127.0.0.1:0",
                "--data-dir", os.path.join(self.dir, "var"),
                "--config", config]
        if os.environ.get("SWITCHBOARD_UI_DIR"):  # develop without rebuilding
            args += ["--ui-dir", os.environ["SWITCHBOARD_UI_DIR"]]
        if token:
            path = os.path.join(self.dir, "token")
            with open(path, "w") as f:
                f.write(token + "\n")
            os.chmod(path, 0o600)
            args += ["--token-file", path]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline().strip()
        prefix = "switchboard listening on "
        if not line.startswith(prefix):
            raise RuntimeError("server did not start: " + line)
        self.url = line[len(prefix):]

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method)
        req.add_header("Content-Type", "application/json")
        if self.token:
            req.add_header("Authorization", "Bearer " + self.token)
        with urllib.request.urlopen(req, timeout=10) as res:
            return json.loads(res.read() or b"{}")

    def route(self, platform, chat, text, chat_type="dm"):
        return self.call("POST", "/v1/messages", {
            "source": {"platform": platform, "chat_id": chat,
                       "chat_type": chat_type, "user_id": "u" + chat},
            "message": {"role": "user", "content": text}})

    def stop(self):
        self.proc.terminate()
        # A clean stop exits 0; a sanitizer finding at shutdown (make
        # test-asan: a leak, a UBSan report) exits non-zero and must fail.
        code = self.proc.wait(timeout=30)
        self.proc.stdout.close()
        shutil.rmtree(self.dir, ignore_errors=True)
        assert code == 0, "switchboard exited %r on SIGTERM" % code


PARENT = "20260301_000000_aaaa0001"
CHILD = "20260301_010000_bbbb0002"


def import_lineage(data_dir):
    """Imports a Hermes home whose session PARENT was compressed into CHILD
    (SPEC 11b), the way a Hermes user's history arrives."""
    home = tempfile.mkdtemp(prefix="sb-hermes-")
    try:
        db = sqlite3.connect(os.path.join(home, "state.db"))
        db.executescript("""
            CREATE TABLE schema_version (version INTEGER NOT NULL);
            INSERT INTO schema_version VALUES (6);
            CREATE TABLE sessions (id TEXT PRIMARY KEY, source TEXT NOT NULL,
                parent_session_id TEXT, started_at REAL NOT NULL,
                ended_at REAL, end_reason TEXT, title TEXT);
            CREATE TABLE messages (id INTEGER PRIMARY KEY AUTOINCREMENT,
                session_id TEXT NOT NULL, role TEXT NOT NULL, content TEXT,
                timestamp REAL NOT NULL);""")
        db.execute("INSERT INTO sessions VALUES (?, 'cli', NULL, 1000, 1500,"
                   " 'compression', 'plan')", (PARENT,))
        db.execute("INSERT INTO sessions VALUES (?, 'cli', ?, 1500, NULL,"
                   " NULL, 'plan #2')", (CHILD, PARENT))
        db.executemany("INSERT INTO messages (session_id, role, content,"
                       " timestamp) VALUES (?, 'user', ?, ?)",
                       [(PARENT, "before compression", 1001),
                        (CHILD, "after compression", 1501)])
        db.commit()
        db.close()
        subprocess.run([BIN, "import-hermes", "--hermes-home", home,
                        "--data-dir", data_dir], check=True,
                       stdout=subprocess.DEVNULL)
    finally:
        shutil.rmtree(home, ignore_errors=True)


def make_driver():
    opts = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--window-size=1280,900"):
        opts.add_argument(arg)
    opts.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver_path = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    return webdriver.Chrome(service=Service(driver_path), options=opts)


class DashboardTest(unittest.TestCase):
    server = None
    driver = None

    @classmethod
    def setUpClass(cls):
        cls.server = Server()
        cls.seeded = {}
        seeds = [("telegram", "1", "the quick zebra jumps", "dm"),
                 ("telegram", "2", "hello from telegram", "dm"),
                 ("telegram", "3", "another telegram chat", "group"),
                 ("discord", "4", "discord says hi", "group"),
                 ("discord", "5", "a discord thread", "dm"),
                 ("slack", "6", "slack standup notes", "channel")]
        for platform, chat, text, kind in seeds:
            cls.seeded[chat] = cls.server.route(platform, chat, text, kind)
        cls.driver = make_driver()
        cls.loads = 0

    @classmethod
    def tearDownClass(cls):
        if cls.driver:
            cls.driver.quit()
        if cls.server:
            cls.server.stop()

    def setUp(self):
        self.driver.get_log("browser")  # start each scenario with a clean log

    def tearDown(self):
        errors = [e for e in self.driver.get_log("browser")
                  if e["level"] == "SEVERE"]
        self.assertEqual(errors, [], "browser console errors")

    # -- helpers ----------------------------------------------------------
    def open(self, hash_part, server=None):
        """Loads the page fresh (a new query string forces a reload)."""
        type(self).loads += 1
        base = (server or self.server).url
        self.driver.get(f"{base}/?load={self.loads}#/{hash_part}")
        self.wait_for(lambda d: d.find_element(
            By.CSS_SELECTOR, '[data-testid=health]').get_attribute(
                "data-state") == "up")

    def wait_for(self, cond, timeout=WAIT):
        try:
            return WebDriverWait(self.driver, timeout,
                                 poll_frequency=0.1).until(cond)
        except TimeoutException:
            logs = self.driver.get_log("browser")
            logs.append(self.driver.execute_script(
                "return document.body.innerText.slice(0, 1500)"))
            if os.environ.get("SWITCHBOARD_BROWSER_DEBUG"):  # the feed too
                self.driver.execute_script("location.hash = '#/events'")
                time.sleep(0.5)
                logs.append(self.driver.execute_script(
                    "return document.querySelector('main').innerText"))
            raise AssertionError(
                f"timed out (line {cond.__code__.co_firstlineno}) at "
                f"{self.driver.current_url}; browser log: {logs}") from None

    def by_testid(self, name):
        return self.driver.find_elements(By.CSS_SELECTOR,
                                         f'[data-testid="{name}"]')

    # -- scenarios --------------------------------------------------------
    def test_1_rows_appear_and_the_platform_filter_narrows_them(self):
        self.open("sessions")
        self.wait_for(lambda d: len(self.by_testid("session-row")) == 6)
        select = Select(self.by_testid("session-filter-platform")[0])
        self.wait_for(lambda d: len(select.options) >= 4)
        select.select_by_value("discord")
        self.wait_for(lambda d: len(self.by_testid("session-row")) == 2)
        keys = [r.get_attribute("data-session-key")
                for r in self.by_testid("session-row")]
        self.assertTrue(all(":discord:" in k for k in keys), keys)
        self.assertIn("platform=discord", self.driver.current_url)
        text = self.by_testid("session-filter-text")[0]
        text.send_keys("group")
        self.wait_for(lambda d: len(self.by_testid("session-row")) == 1)

    def test_2_a_search_hit_opens_the_transcript_at_the_hit(self):
        self.open("search")
        self.by_testid("search-input")[0].send_keys("zebra")
        self.wait_for(lambda d: len(self.by_testid("search-result")) == 1)
        hit = self.by_testid("search-result")[0]
        self.assertIn("zebra", hit.find_element(By.TAG_NAME, "mark").text)
        hit.click()
        self.wait_for(lambda d: d.find_elements(
            By.CSS_SELECTOR, '[data-testid=transcript-message].hit'))
        msg = self.driver.find_element(
            By.CSS_SELECTOR, '[data-testid=transcript-message].hit')
        self.assertIn("the quick zebra jumps", msg.text)

    def test_3_a_posted_message_appears_in_the_transcript_and_the_feed(self):
        sid = self.seeded["2"]["session_id"]
        self.open(f"sessions?open={sid}")
        self.wait_for(lambda d: len(self.by_testid("transcript-message")) == 1)
        self.server.route("telegram", "2", "live message 42")
        self.wait_for(lambda d: any("live message 42" in m.text for m in
                                    self.by_testid("transcript-message")))
        self.by_testid("nav-events")[0].click()  # no reload: same page
        self.wait_for(lambda d: any(
            e.get_attribute("data-event-type") == "message_appended" and
            "telegram:dm:2" in e.text for e in self.by_testid("event")))

    def test_4_charts_draw_paths_after_traffic(self):
        self.open("overview")
        deadline = time.monotonic() + WAIT

        def drawn(d):
            if time.monotonic() < deadline:
                self.server.route("slack", "6", "traffic")
            # Read every path at once: the charts redraw each second.
            ds = d.execute_script(
                "return [...document.querySelectorAll("
                "'[data-testid=chart-path]')].map(p => p.getAttribute('d'))")
            return ds and all(x.count("L") >= 2 for x in ds) and any(
                self.has_height(x) for x in ds)
        self.wait_for(drawn)

    @staticmethod
    def has_height(d):
        ys = {round(float(pt.split(",")[1]))
              for pt in d.replace("M", "L").split("L") if "," in pt}
        return len(ys) > 1

    def test_5_a_published_load_test_shows_its_verdict(self):
        summary = {"messages": 1000, "acked": 1000, "errors": 0,
                   "seconds": 2.0, "msgs_per_s": 500.0, "sessions": 50,
                   "latency_ms": {"p50": 1.5, "p90": 3.0, "p99": 9.0,
                                  "max": 12.0},
                   "target_rate": 500, "resets": 0}
        self.open("loadtest")
        self.server.call("POST", "/v1/admin/loadtests",
                         {"run_id": "bt-1", "state": "running",
                          "summary": summary})
        self.wait_for(lambda d: any(r.get_attribute("data-state") == "running"
                                    for r in self.by_testid("loadtest-run")))
        done = dict(summary, verdict="pass",
                    report_html="<html><body>report</body></html>")
        self.server.call("POST", "/v1/admin/loadtests",
                         {"run_id": "bt-1", "state": "done", "summary": done})
        self.wait_for(lambda d: any(
            r.get_attribute("data-state") == "done" and "pass" in r.text
            for r in self.by_testid("loadtest-run")))
        run = self.by_testid("loadtest-run")[0]
        self.assertIn("download HTML report", run.text)

    def test_6_expiry_sweep_shows_in_the_feed_and_moves_the_forecast(self):
        self.open("expiry")
        box = lambda: self.by_testid("expiry-forecast")[0]
        self.wait_for(lambda d: box().get_attribute("data-first"))
        first = box().get_attribute("data-first")
        due = int(box().get_attribute("data-idle")) + int(
            box().get_attribute("data-daily"))
        self.assertGreater(due, 0)
        self.server.call("POST", "/v1/admin/clock", {"advance_seconds": 3 * 86400})
        report = self.server.call("POST", "/v1/admin/expire", {})
        self.assertGreater(report["expired"], 0)
        self.wait_for(lambda d: box().get_attribute("data-first") != first)
        self.wait_for(lambda d: int(box().get_attribute("data-idle")) +
                      int(box().get_attribute("data-daily")) < due)
        self.by_testid("nav-events")[0].click()
        self.wait_for(lambda d: any(
            e.get_attribute("data-event-type") == "session_expired"
            for e in self.by_testid("event")))

    def test_7_token_mode_works_end_to_end(self):
        server = Server(token="browser-s3cret")
        try:
            server.route("telegram", "9", "secret chat")
            type(self).loads += 1
            self.driver.execute_script("sessionStorage.clear()")
            self.driver.get(f"{server.url}/?load={self.loads}#/sessions")
            field = self.wait_for(lambda d: d.find_element(
                By.CSS_SELECTOR, '[data-testid=token-input]'))
            self.wait_for(lambda d: field.is_displayed())
            field.send_keys("browser-s3cret")
            self.by_testid("token-submit")[0].click()
            self.wait_for(lambda d: len(self.by_testid("session-row")) == 1)
            self.wait_for(lambda d: d.find_element(
                By.CSS_SELECTOR, '[data-testid=health]').get_attribute(
                    "data-state") == "up")
        finally:
            self.driver.get("about:blank")  # no reconnects to a stopped server
            server.stop()

    # -- the session drawer ---------------------------------------------
    # The drawer re-renders when an event for its session arrives: read what
    # a check needs in one script, never through elements that may go stale.
    def rows(self):
        return [tuple(r) for r in self.driver.execute_script(
            "return [...document.querySelectorAll("
            "'[data-testid=transcript-message]')].map("
            "m => [m.dataset.active, m.innerText])")]

    def summary(self):
        return self.driver.execute_script(
            "const s = document.querySelector("
            "'[data-testid=session-summary]'); return s ? s.innerText : ''")

    def test_8a_rewritten_rows_show_behind_the_toggle(self):
        sid = self.server.route("telegram", "81", "first draft")["session_id"]
        key = "agent%3Amain%3Atelegram%3Adm%3A81"
        self.server.call("PUT", f"/v1/sessions/{key}/transcript", {
            "messages": [{"role": "user", "content": "clean copy"}]})
        self.open(f"sessions?open={sid}")
        self.wait_for(lambda d: len(self.rows()) == 1)
        self.assertEqual(self.rows()[0][0], "true")
        self.by_testid("transcript-show-rewritten")[0].click()
        self.wait_for(lambda d: len(self.rows()) == 2)
        old, new = self.rows()
        self.assertEqual(old[0], "false")
        self.assertIn("first draft", old[1])
        self.assertIn("REWRITTEN", old[1].upper())
        self.assertEqual(new[0], "true")
        self.assertNotIn("REWRITTEN", new[1].upper())
        self.assertIn("rewritten=1", self.driver.current_url)
        self.by_testid("transcript-show-rewritten")[0].click()
        self.wait_for(lambda d: len(self.rows()) == 1)

    def test_8b_a_child_link_opens_the_child_session(self):
        server = Server(prepare=import_lineage)
        try:
            self.open(f"sessions?open={PARENT}", server)
            link = self.wait_for(lambda d: self.by_testid("session-child"))[0]
            self.assertEqual(link.get_attribute("data-session-id"), CHILD)
            self.assertIn("plan #2", link.text)
            link.click()
            self.wait_for(lambda d: any("after compression" in text
                                        for _, text in self.rows()))
            self.assertIn(f"open={CHILD}", self.driver.current_url)
            back = self.wait_for(lambda d: self.by_testid("session-parent"))[0]
            self.assertEqual(back.get_attribute("data-session-id"), PARENT)
            self.assertEqual(self.by_testid("session-child"), [])
        finally:
            self.driver.get("about:blank")  # no reconnects to a stopped server
            server.stop()

    def test_8c_expire_now_asks_then_expires_only_this_session(self):
        self.server.route("telegram", "83", "a bystander")
        sid = self.server.route("telegram", "82", "expire me")["session_id"]
        key = "agent%3Amain%3Atelegram%3Adm%3A82"
        self.open(f"sessions?open={sid}")
        button = self.wait_for(lambda d: self.by_testid("session-expire"))[0]
        button.click()
        alert = self.wait_for(EC.alert_is_present())
        self.assertIn("Expire session " + sid, alert.text)
        alert.dismiss()  # cancelled: nothing happens
        entry = self.server.call("GET", f"/v1/sessions/{key}")
        self.assertFalse(entry["expiry_finalized"])
        self.by_testid("session-expire")[0].click()
        self.wait_for(EC.alert_is_present()).accept()
        self.wait_for(lambda d: "ended (manual)" in self.summary())
        self.assertEqual(self.by_testid("session-expire"), [])
        entry = self.server.call("GET", f"/v1/sessions/{key}")
        self.assertTrue(entry["expiry_finalized"])
        other = self.server.call(
            "GET", "/v1/sessions/agent%3Amain%3Atelegram%3Adm%3A83")
        self.assertFalse(other["expiry_finalized"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
