#!/usr/bin/python3
"""End-to-end test of the tactful add-on in a real Thunderbird (under Xvfb).

A fresh profile with two add-ons: tactful (the .xpi `npm run build` makes) and a
test driver (driver/) that opens compose windows, works the tactful add-on the way
its popup does, and reports what it saw through its native host (driver_host.py).
Mail goes to an SMTP sink on 127.0.0.1. HOME is a temporary folder, so the host
manifest that `tactful thunderbird install` writes (step 2 of the driver) is the
test's own. This script checks the reports:

- `tactful thunderbird install --system` writes and removes the system-wide manifest
  (as root, when there is none already);
- a missing host, then one that fails at once, are reported in the popup as drawn
  (and the missing one on the options page), with the install command; the binary's path set in the options goes into that command, and
  running it then Retry connects;
- findings have the rules and UTF-16 ranges of `tactful check` on the same text, are
  underlined (exactly those spans) and counted on the badge; the quote, the reply
  header and Thunderbird's own signature are never checked;
- typing is checked (one check for a burst of keys) and underlined, and underlining
  leaves the editor's HTML as it was;
- a rewrite changes exactly the flagged span (plain text and HTML);
- sending is held while a warning remains: the popup opens with the findings, their
  why (the hover text), rewrite buttons, Ignore here, Fix all safe and Send anyway,
  and nothing is delivered;
- "Send anyway" clicked in the popup, and a clean draft, are delivered with the body
  as composed;
- options saved on the options page reach the server and the hold;
- keystroke to underline on a 5 KB draft is measured and printed (a figure, never a
  pass/fail: a timing would fail on a loaded machine, not on a slow add-on).

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
SYSTEM_MANIFEST = Path("/usr/lib/mozilla/native-messaging-hosts/tactful.json")
# The identity's signature: risky on purpose, so a check of it would show.
SIGNATURE = "Ann Writer\nSent in a hurry, reply ASAP and we guarantee it"
SIGNATURE_MARK = "Sent in a hurry"

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
        "mail.identity.id1.htmlSigText": SIGNATURE,
        "mail.identity.id1.htmlSigFormat": False,
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


def cli_diagnostics(binary, text):
    out = subprocess.run([binary, "check", "--no-config", "--format", "json"], input=text.encode(), capture_output=True, check=False)
    return json.loads(out.stdout)[0]["diagnostics"]


def cli_findings(binary, text):
    """(rule, start, end) in UTF-16 units of `text`, from `tactful check`."""
    found = set()
    data = text.encode()
    for d in cli_diagnostics(binary, text):
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


def utf16_slice(text, start, end):
    return text.encode("utf-16-le")[start * 2 : end * 2].decode("utf-16-le")


def body_spans(record):
    """The body text each body finding flags (no-break spaces as spaces, as the add-on reads them)."""
    header = record["text"].index("\n\n") + 2
    return sorted(utf16_slice(record["text"], header + f["start"], header + f["end"]) for f in record["findings"] if f["field"] == "body")


def check_underlines_and_badge(record, label):
    stats = record["underlines"]
    drawn = sorted(t.replace("\xa0", " ") for t in stats["texts"])
    check(drawn == body_spans(record) and drawn, f"{label}: exactly the body findings are underlined", f"underlined {drawn}\n     findings   {body_spans(record)}")
    check(stats["highlighted"] == stats["revision"], f"{label}: the underlines are those of the draft as it is")
    want = str(len(record["findings"])) if record["findings"] else ""
    check(record["badge"] == want, f"{label}: the badge shows the number of findings", f"badge {record['badge']!r}, {len(record['findings'])} findings")


def check_signature_left_out(record, label):
    check(SIGNATURE_MARK in record["draft"], f"{label}: Thunderbird put the identity's signature in the draft", record["draft"][-300:])
    check(SIGNATURE_MARK not in record["text"], f"{label}: the signature is not checked", record["text"][-300:])


def system_install(binary):
    """`install --system` and `uninstall --system` report and do what they say; skipped unless root with no system manifest."""
    if os.geteuid() != 0 or SYSTEM_MANIFEST.exists():
        print(f"skip `tactful thunderbird install --system` (needs root and no {SYSTEM_MANIFEST})")
        return
    made = [d for d in (SYSTEM_MANIFEST.parent.parent, SYSTEM_MANIFEST.parent) if not d.exists()]
    try:
        out = subprocess.run([binary, "thunderbird", "install", "--system"], capture_output=True, text=True)
        written = SYSTEM_MANIFEST.read_text() if SYSTEM_MANIFEST.exists() else ""
        ok = out.returncode == 0 and written and json.loads(written)["path"] == binary and out.stdout.startswith(f"wrote {SYSTEM_MANIFEST}:")
        check(ok, f"install --system writes {SYSTEM_MANIFEST} with the binary's path and says so", out.stdout + out.stderr)
        out = subprocess.run([binary, "thunderbird", "uninstall", "--system"], capture_output=True, text=True)
        check(out.stdout == f"removed {SYSTEM_MANIFEST}\n" and not SYSTEM_MANIFEST.exists(), "uninstall --system removes it and says so", out.stdout + out.stderr)
    finally:
        SYSTEM_MANIFEST.unlink(missing_ok=True)
        for folder in reversed(made):
            folder.rmdir()


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


def check_held_popup(binary, r):
    """The popup that opened on the held send, as drawn: each finding with its why, rewrites as buttons, the actions."""
    model, drawn = r["model"], r["drawn"]
    labels = [b["label"] for b in drawn["buttons"]]
    check(model["hold"]["text"] in drawn["text"] and "Send anyway" in labels, "the popup opened on the held send, saying so, with Send anyway", json.dumps(drawn))
    whys = {d["rule"]: d["why"] for d in cli_diagnostics(binary, r["doc"]["text"])}
    for item in model["items"]:
        rewrites = [f"“{w['label']}”" if w["label"] else f"{w['title']} (remove it)" for w in item["rewrites"]]
        shown = item["message"] in drawn["text"] and item["why"] in drawn["text"] and all(w in labels for w in rewrites)
        check(shown and item["rewrites"], f"held popup: {item['rule']} with its message, why and {len(rewrites)} rewrite button(s)", json.dumps(item))
        check(item["why"] and item["why"] == whys.get(item["rule"]), f"held popup: the why of {item['rule']} is the server's hover text (as `tactful check` gives it)", f"{item['why']!r} vs {whys.get(item['rule'])!r}")
    check(labels.count("Ignore here") == len(model["items"]) > 0 and model["fixAll"]["label"] in labels, "held popup: Ignore here on each finding, and Fix all safe", json.dumps(labels))
    check(r["badge"] == str(len(model["items"])), "held: the badge counts the findings", r["badge"])


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

    # Before Thunderbird starts: it reads the system manifest too.
    system_install(binary)

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
    broken_ran = (run / "broken-host-ran").exists()

    if "error" in records:
        check(False, "the driver ran to the end", records["error"]["error"])
    check("done" in records, f"the driver finished within {TIMEOUT_S} s (took {elapsed:.1f} s)", "see " + str(artifacts / "thunderbird.log"))

    if "missing" in records:
        r = records["missing"]
        banner = r["model"]["banner"]
        check(banner["command"] == "tactful thunderbird install", "a missing host is reported in the popup with the install command", json.dumps(banner))
        check("No such native application tactful" in banner["detail"], "the popup says why (Thunderbird's own error)", banner["detail"])
        check("~/.mozilla/native-messaging-hosts/tactful.json" in banner["detail"], "the popup names the manifest Thunderbird reads", banner["detail"])
        drawn = r["drawn"]
        shown = all(part in drawn["text"] for part in (banner["title"], banner["command"], "No such native application tactful"))
        check(shown and {"label": "Retry", "disabled": False} in drawn["buttons"], "the popup as drawn shows the problem, the command and Retry", json.dumps(drawn))
        before, after = r["optionsBefore"], r["optionsAfter"]
        check(before["status"].startswith("Not connected: No such native application tactful") and before["installCommand"] == "tactful thunderbird install", "the options page says the program is not connected and shows the command", json.dumps(before))
        check(after["saved"] == "Saved." and after["problems"] == "" and after["installCommand"] == f"{r['binary']} thunderbird install", "the binary's path saved in the options goes into the install command", json.dumps(after))
    if "failed" in records:
        r = records["failed"]
        banner = r["model"]["banner"]
        check(banner["title"] == "tactful stopped" and banner["command"] == f"{binary} thunderbird install" and r["model"]["retry"], "a host that fails is reported as stopped, with the install command and Retry", json.dumps(banner))
        check(all(part in r["drawn"]["text"] for part in (banner["title"], banner["command"])) and {"label": "Retry", "disabled": False} in r["drawn"]["buttons"], "the popup as drawn shows the failed host", json.dumps(r["drawn"]))
        check(broken_ran, "the failing host was started (the failure is the program's, not a missing manifest)")
    if "installed" in records:
        r = records["installed"]
        manifest = home / ".mozilla/native-messaging-hosts/tactful.json"
        check(r["command"] == f"{binary} thunderbird install" and r["command"] in r["drawnCommand"]["text"], "the popup shows the command with the binary's path", json.dumps(r["drawnCommand"]))
        check(r["install"]["ok"] and r["install"]["stdout"].startswith(f"wrote {manifest}:"), "the popup's command, run in a shell, writes the host manifest and says where", json.dumps(r["install"]))
        check("not set up" not in r["drawn"]["text"] and "finding" in r["drawn"]["text"], "after Retry in the popup, the add-on is connected and shows findings", json.dumps(r["drawn"]))
        check(r["options"]["status"].startswith("Connected: tactful "), "the options page says it is connected", json.dumps(r["options"]))

    if "plain-findings" in records:
        compare_findings(binary, records["plain-findings"], "plain text")
        check_underlines_and_badge(records["plain-findings"], "plain text")
        check_signature_left_out(records["plain-findings"], "plain text")
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
        signature = r["before"][r["before"].index('<pre class="moz-signature"') :]
        quote = '<blockquote type="cite"><p>Reply ASAP please, we guarantee it.</p></blockquote>'
        check(r["after"].endswith(signature) and quote in r["before"] and quote in r["after"], "Fix all safe: quote and signature untouched", r["after"])
    if "html-findings" in records:
        r = records["html-findings"]
        compare_findings(binary, r, "HTML")
        check_underlines_and_badge(r, "HTML")
        check_signature_left_out(r, "HTML")
        check(not any(f["rule"] for f in r["findings"] if "Reply ASAP please" in r["text"][r["text"].index("\n\n") + 2 + f["start"] - 20 : r["text"].index("\n\n") + 2 + f["end"]]), "HTML: nothing in the quote is reported")
        check("> Reply ASAP please" in r["text"], "HTML: the quote is sent as context", r["text"])
    if "html-typing" in records:
        r = records["html-typing"]
        check(r["afterTyping"]["draftsSent"] == r["beforeTyping"]["draftsSent"] + 1, "typing is checked as it happens, once for a burst of keys (debounced)", f"drafts sent {r['beforeTyping']['draftsSent']} -> {r['afterTyping']['draftsSent']}")
        check(r["htmlUnderlined"] == r["htmlTyped"], "underlining leaves the editor's HTML as it was", f"typed      {r['htmlTyped']!r}\n     underlined {r['htmlUnderlined']!r}")
    for label, phase in (("plain-text reply", "reply"), ("HTML reply", "html-reply")):
        if phase in records:
            r = records[phase]
            check("\n> Reply ASAP please" in r["text"] and "wrote:" in r["text"], f"{label}: the quote (once) and reply header are sent as context", repr(r["text"]))
            check(r["findings"] == [], f"{label}: nothing in the quote or reply header is reported", json.dumps(r["findings"]))
            check(SIGNATURE_MARK in r["body"] and SIGNATURE_MARK not in r["text"], f"{label}: Thunderbird's signature is in the reply and not checked", repr(r["body"][-400:]))
    if "held" in records:
        r = records["held"]
        check(not r["attempt"]["sent"] and "onBeforeSend" in r["attempt"].get("error", ""), "sending is held while a warning remains", json.dumps(r["attempt"]))
        check(r["received"] == 0, "the SMTP sink received nothing while held")
        same = all(r["beforeHold"][k] == r["afterHold"][k] for k in ("subject", "plainTextBody", "to"))
        check(same, "the held draft is still open and unchanged", f"{r['beforeHold']}\n     {r['afterHold']}")
        check(r["model"]["hold"] is not None and r["model"]["hold"]["action"] == "Send anyway", "the popup offers Send anyway", json.dumps(r["model"]["hold"]))
        check_held_popup(binary, r)
    if "sent-anyway" in records:
        r = records["sent-anyway"]
        body = delivered_body(r["received"][0])
        check(same_text(r["composed"], body), "Send anyway (clicked in the popup): the received body equals the composed one", f"composed {r['composed']!r}\n     received {body!r}")
        check("highlight" not in r["received"][0], "nothing of the add-on is in the sent message")
    if "clean" in records:
        r = records["clean"]
        check(r["findings"]["findings"] == [] and r["send"]["sent"], "a clean draft is sent at once", json.dumps(r["send"]))
        body = delivered_body(r["received"])
        check(same_text(r["composed"], body), "clean draft: the received body equals the composed one", f"composed {r['composed']!r}\n     received {body!r}")
    if "settings" in records:
        r = records["settings"]
        check(r["saved"]["saved"] == "Saved." and r["saved"]["form"]["categories"]["pressure"] == "off", "the options page saves a category toggle and the hold severity", json.dumps(r["saved"]))
        before = {f["rule"] for f in r["before"]["findings"]}
        after = {f["rule"] for f in r["after"]["findings"]}
        check("pressure.asap" in before and not any(x.startswith("pressure.") for x in after) and "blame.per-my-last-email" in after, "options reach the server: a category turned off is no longer reported, the others are", f"{sorted(before)} -> {sorted(after)}")
        check(r["send"]["sent"] and same_text(r["composed"], delivered_body(r["received"])), "holding at error only: a draft with warnings is sent as composed", json.dumps(r["send"]))
    if "screenshot" in records:
        check(records["screenshot"]["result"]["ok"] and screenshot.stat().st_size > 10000, f"screenshot of compose + popup: {screenshot}")
    if "latency" in records:
        r = records["latency"]
        ms = sorted(s["ms"] for s in r["samples"])
        median = ms[len(ms) // 2]
        print(f"info keystroke to underline on a {r['draftBytes']}-byte draft: median {median:.0f} ms, max {ms[-1]:.0f} ms ({', '.join(f'{m:.0f}' for m in ms)})")
        check(r["draftBytes"] >= 5000, f"the latency draft is at least 5 KB ({r['draftBytes']} bytes)")

    shutil.rmtree(run, ignore_errors=True)
    print(f"{'FAILED' if failures else 'passed'}: Thunderbird end to end ({elapsed:.1f} s)")
    return 1 if failures else 0


sys.exit(main())
