#!/usr/bin/python3
"""End-to-end test of the tactful add-on in a real Thunderbird (under Xvfb).

A fresh profile with two add-ons: tactful (the .xpi `npm run build` makes) and a
test driver (driver/) that opens compose windows, works the tactful add-on the way
its popup does, and reports what it saw through its native host (driver_host.py).
Mail goes to an SMTP sink on 127.0.0.1. HOME is a temporary folder, so the host
manifest that `tactful thunderbird install` writes (step 2 of the driver) is the
test's own. This script checks the reports:

- a missing host is reported in the popup with the install command;
- findings have the rules and UTF-16 ranges of `tactful check` on the same text;
- a rewrite changes exactly the flagged span (plain text and HTML);
- sending is held while a warning remains, and nothing is delivered;
- "Send anyway" and a clean draft are delivered with the body as composed;
- the keystroke-to-underline time on a 5 KB draft (printed, not asserted).

Usage: e2e.py XPI TACTFUL_BINARY ARTIFACT_DIR
"""
import email
import email.policy
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from aiosmtpd.controller import Controller

HERE = Path(__file__).resolve().parent
PRODUCT_ID = "tactful@tactful"
DRIVER_ID = "tactful-e2e-driver@tactful"
TIMEOUT_S = 150

failures = []


def check(condition, what, detail=""):
    print(("ok   " if condition else "FAIL ") + what + ("" if condition or not detail else f"\n     {detail}"))
    if not condition:
        failures.append(what)


class Sink:
    """Saves each message it receives as smtp/N.eml."""

    def __init__(self, folder):
        self.folder = folder
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        (self.folder / f"{self.count:03}.eml").write_bytes(envelope.content)
        return "250 OK"


def prefs(smtp_port):
    values = {
        "extensions.autoDisableScopes": 0,
        "xpinstall.signatures.required": False,
        "mail.shell.checkDefaultClient": False,
        "mail.provider.suppress_dialog_on_startup": True,
        "mailnews.start_page.enabled": False,
        "mail.rights.version": 1,
        "mail.spotlight.firstRunDone": True,
        "mail.winsearch.firstRunDone": True,
        "datareporting.policy.dataSubmissionEnabled": False,
        "toolkit.telemetry.reportingpolicy.firstRun": False,
        "app.update.disabledForTesting": True,
        "devtools.console.stdout.chrome": True,
        "devtools.console.stdout.content": True,
        "browser.dom.window.dump.enabled": True,
        "mail.accountmanager.accounts": "account1,account2",
        "mail.accountmanager.defaultaccount": "account1",
        "mail.accountmanager.localfoldersserver": "server2",
        "mail.account.account1.identities": "id1",
        "mail.account.account1.server": "server1",
        "mail.account.account2.server": "server2",
        "mail.server.server1.type": "none",
        "mail.server.server1.hostname": "e2e",
        "mail.server.server1.userName": "nobody",
        "mail.server.server1.name": "E2E",
        "mail.server.server2.type": "none",
        "mail.server.server2.hostname": "Local Folders",
        "mail.server.server2.userName": "nobody",
        "mail.server.server2.name": "Local Folders",
        "mail.identity.id1.fullName": "Ann Writer",
        "mail.identity.id1.useremail": "ann@example.com",
        "mail.identity.id1.valid": True,
        "mail.identity.id1.compose_html": False,
        "mail.identity.id1.smtpServer": "smtp1",
        "mail.smtpservers": "smtp1",
        "mail.smtp.defaultserver": "smtp1",
        "mail.smtpserver.smtp1.hostname": "127.0.0.1",
        "mail.smtpserver.smtp1.port": smtp_port,
        "mail.smtpserver.smtp1.authMethod": 1,
        "mail.smtpserver.smtp1.try_ssl": 0,
        "mail.smtpserver.smtp1.username": "",
    }
    return "".join(f"user_pref({json.dumps(k)}, {json.dumps(v)});\n" for k, v in values.items())


def utf16_len(text):
    return len(text.encode("utf-16-le")) // 2


def cli_findings(binary, text):
    """(rule, start, end) in UTF-16 units of `text`, from `tactful check`."""
    out = subprocess.run([binary, "check", "--no-config", "--format", "json"], input=text.encode(), capture_output=True, check=False)
    found = set()
    data = text.encode()
    for d in json.loads(out.stdout)[0]["diagnostics"]:
        start = utf16_len(data[: d["start"]].decode())
        end = utf16_len(data[: d["end"]].decode())
        found.add((d["rule"], start, end))
    return found


def addon_findings(record):
    """(rule, start, end) in UTF-16 units of the document, from the add-on's report."""
    text = record["text"]
    header = text.index("\n\n") + 2
    subject_at = len("Subject: ")
    out = set()
    for f in record["findings"]:
        base = header if f["field"] == "body" else subject_at
        out.add((f["rule"], base + f["start"], base + f["end"]))
    return out


def in_context(text, start, end):
    """Whether a UTF-16 span of `text` lies in lines the add-on sends as context (quote, reply header)."""
    units = text.encode("utf-16-le")
    before = units[: start * 2].decode("utf-16-le")
    line = before[before.rfind("\n") + 1 :] + units[start * 2 : end * 2].decode("utf-16-le")
    return line.startswith(">") or line.rstrip().endswith("wrote:")


def unflow(body):
    """A format=flowed text/plain body back to its lines (RFC 3676, DelSp=no)."""
    out = []
    for line in body.split("\n"):
        if line.startswith(" "):
            line = line[1:]
        if out and out[-1].endswith(" ") and out[-1] != "-- ":
            out[-1] += line
        else:
            out.append(line)
    return "\n".join(out)


def delivered_body(raw):
    message = email.message_from_bytes(raw.encode("utf-8"), policy=email.policy.default)
    part = message.get_body(preferencelist=("plain",))
    text = part.get_content().replace("\r\n", "\n")
    return unflow(text) if str(part.get_param("format", "")).lower() == "flowed" else text


def same_text(composed, delivered):
    return composed.replace("\r\n", "\n").rstrip() == delivered.rstrip()


def one_span_changed(before, after, flagged, replacement):
    """Whether `after` is `before` with one occurrence of `flagged` replaced, nothing else."""
    at = before.find(flagged)
    while at != -1:
        if before[:at] + replacement + before[at + len(flagged) :] == after:
            return True
        at = before.find(flagged, at + 1)
    return False


def compare_findings(binary, record, label):
    got = addon_findings(record)
    want = {f for f in cli_findings(binary, record["text"]) if not in_context(record["text"], f[1], f[2])}
    check(got == want, f"{label}: findings have the rules and UTF-16 ranges of `tactful check`", f"add-on {sorted(got)}\n     check  {sorted(want)}")
    check(len(got) > 0, f"{label}: the risky draft has findings")


def main():
    # A stopped run still stops Thunderbird and the sink (the `finally` below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    xpi, binary, artifacts = Path(sys.argv[1]).resolve(), str(Path(sys.argv[2]).resolve()), Path(sys.argv[3]).resolve()
    artifacts.mkdir(parents=True, exist_ok=True)
    run = Path(tempfile.mkdtemp(prefix="tactful-tb-e2e-"))
    home, profile = run / "home", run / "profile"
    (run / "smtp").mkdir()
    (profile / "extensions").mkdir(parents=True)
    hosts = home / ".mozilla/native-messaging-hosts"
    hosts.mkdir(parents=True)

    sink = Sink(run / "smtp")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()

    (profile / "user.js").write_text(prefs(port))
    shutil.copy(xpi, profile / "extensions" / f"{PRODUCT_ID}.xpi")
    (profile / "extensions" / DRIVER_ID).write_text(str(HERE / "driver"))
    driver_host = {"name": "tactful_e2e", "description": "e2e driver", "path": str(HERE / "driver_host.py"), "type": "stdio", "allowed_extensions": [DRIVER_ID]}
    (hosts / "tactful_e2e.json").write_text(json.dumps(driver_host))
    # No tactful.json yet: the driver reports the missing host, then installs it.

    screenshot = artifacts / "compose-popup.png"
    env = dict(os.environ, HOME=str(home), TACTFUL_E2E_DIR=str(run), TACTFUL_BIN=binary, TACTFUL_E2E_SCREENSHOT=str(screenshot), MOZ_CRASHREPORTER_DISABLE="1")
    env.pop("XDG_CONFIG_HOME", None)
    log = open(artifacts / "thunderbird.log", "w")
    started = time.monotonic()
    tb = subprocess.Popen(
        ["xvfb-run", "-a", "-s", "-screen 0 1280x900x24", "thunderbird", "-profile", str(profile), "-no-remote"],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    results = run / "results.jsonl"
    records = {}
    try:
        while time.monotonic() - started < TIMEOUT_S:
            if results.exists():
                records = {r["phase"]: r for r in map(json.loads, results.read_text().splitlines())}
                if "done" in records:
                    break
            if tb.poll() is not None:
                break
            time.sleep(0.2)
    finally:
        os.killpg(tb.pid, signal.SIGTERM)
        try:
            tb.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(tb.pid, signal.SIGKILL)
        controller.stop()
    elapsed = time.monotonic() - started
    shutil.copy(results, artifacts / "results.jsonl") if results.exists() else None

    if "error" in records:
        check(False, "the driver ran to the end", records["error"]["error"])
    check("done" in records, f"the driver finished within {TIMEOUT_S} s (took {elapsed:.1f} s)", "see " + str(artifacts / "thunderbird.log"))

    if "missing" in records:
        banner = records["missing"]["model"]["banner"]
        check(banner["command"] == "tactful thunderbird install", "a missing host is reported in the popup with the install command", json.dumps(banner))
        check("No such native application tactful" in banner["detail"], "the popup says why (Thunderbird's own error)", banner["detail"])
        check(records["missing"]["model"]["retry"], "the popup offers Retry")
    if "installed" in records:
        r = records["installed"]
        check(r["install"]["ok"] and r["model"]["banner"] is None, "after `tactful thunderbird install` and Retry, the add-on is connected", json.dumps(r["install"]))

    if "plain-findings" in records:
        compare_findings(binary, records["plain-findings"], "plain text")
    for label, phase in (("plain text", "plain-rewrite"), ("HTML", "html-rewrite"), ("Subject", "subject-rewrite")):
        if phase in records:
            r = records[phase]
            replacement = r["finding"]["suggestions"][0]["replacement"]
            check(r["result"]["ok"], f"{label}: the rewrite was applied", json.dumps(r["result"]))
            check(one_span_changed(r["before"], r["after"], r["finding"]["text"], replacement), f"{label}: the rewrite changed exactly the flagged span", f"before {r['before']!r}\n     after  {r['after']!r}")
            check(all(f["rule"] != r["finding"]["rule"] or f["field"] != r["finding"]["field"] for f in r["afterFindings"]), f"{label}: the finding is gone after the rewrite")
    if "ignore" in records:
        r = records["ignore"]
        check(r["result"]["ok"] and r["before"] == r["after"], "Ignore here: the draft is unchanged", json.dumps(r["result"]))
        check(all(f["rule"] != "overclaim.guarantee" for f in r["afterFindings"]), "Ignore here: the finding is gone")
    if "fix-all" in records:
        r = records["fix-all"]
        changed = r["before"] != r["after"] or r["subjectBefore"] != r["subjectAfter"]
        check(r["result"]["ok"] and changed, "Fix all safe: the server's fix-all edits were applied", json.dumps(r["result"]))
        check(len(r["findingsAfter"]) < len(r["findingsBefore"]), "Fix all safe: fewer findings after", f"{len(r['findingsBefore'])} -> {len(r['findingsAfter'])}")
        check("moz-signature" in r["after"] and '<blockquote type="cite"><p>Reply ASAP please, we guarantee it.</p></blockquote>' in r["after"], "Fix all safe: quote and signature untouched", r["after"])
    if "html-findings" in records:
        r = records["html-findings"]
        compare_findings(binary, r, "HTML")
        check(not any(f["rule"] for f in r["findings"] if "Reply ASAP please" in r["text"][r["text"].index("\n\n") + 2 + f["start"] - 20 : r["text"].index("\n\n") + 2 + f["end"]]), "HTML: nothing in the quote is reported")
        check("> Reply ASAP please" in r["text"], "HTML: the quote is sent as context", r["text"])
        check("Ann Writer" not in r["text"], "HTML: the signature is not checked", r["text"])
    if "reply" in records:
        r = records["reply"]
        check("\n> Reply ASAP please" in r["text"] and "wrote:" in r["text"], "plain-text reply: the quote (once) and reply header are sent as context", repr(r["text"]))
        check(r["findings"] == [], "plain-text reply: nothing in the quote or reply header is reported", json.dumps(r["findings"]))
    if "held" in records:
        r = records["held"]
        check(not r["attempt"]["sent"] and "onBeforeSend" in r["attempt"].get("error", ""), "sending is held while a warning remains", json.dumps(r["attempt"]))
        check(r["received"] == 0, "the SMTP sink received nothing while held")
        same = all(r["beforeHold"][k] == r["afterHold"][k] for k in ("subject", "plainTextBody", "to"))
        check(same, "the held draft is still open and unchanged", f"{r['beforeHold']}\n     {r['afterHold']}")
        check(r["model"]["hold"] is not None and r["model"]["hold"]["action"] == "Send anyway", "the popup offers Send anyway", json.dumps(r["model"]["hold"]))
    if "sent-anyway" in records:
        r = records["sent-anyway"]
        body = delivered_body(r["received"][0])
        check(same_text(r["composed"], body), "Send anyway: the received body equals the composed one", f"composed {r['composed']!r}\n     received {body!r}")
        check("highlight" not in r["received"][0], "nothing of the add-on is in the sent message")
    if "clean" in records:
        r = records["clean"]
        check(r["findings"]["findings"] == [] and r["send"]["sent"], "a clean draft is sent at once", json.dumps(r["send"]))
        body = delivered_body(r["received"])
        check(same_text(r["composed"], body), "clean draft: the received body equals the composed one", f"composed {r['composed']!r}\n     received {body!r}")
    if "screenshot" in records:
        check(records["screenshot"]["result"]["ok"] and screenshot.stat().st_size > 10000, f"screenshot of compose + popup: {screenshot}")
    if "latency" in records:
        r = records["latency"]
        ms = sorted(s["ms"] for s in r["samples"])
        print(f"info keystroke to underline on a {r['draftBytes']}-byte draft: median {ms[len(ms) // 2]:.0f} ms, max {ms[-1]:.0f} ms ({', '.join(f'{m:.0f}' for m in ms)})")

    shutil.rmtree(run, ignore_errors=True)
    print(f"{'FAILED' if failures else 'passed'}: Thunderbird end to end ({elapsed:.1f} s)")
    return 1 if failures else 0


sys.exit(main())
