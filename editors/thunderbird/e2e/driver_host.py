#!/usr/bin/python3
"""Native-messaging host of the end-to-end driver add-on (test only).

Thunderbird starts it once per runtime.sendNativeMessage; it answers one command:
  log         append the record to results.jsonl (the test reads it)
  config      the tactful binary under test
  break       install a host manifest whose program fails at once (broken_host.sh)
  run         run a shell command as a person would in a terminal (the install
              command the popup shows; HOME is the test's)
  received    the messages the SMTP sink has saved so far
  screenshot  `import -window root` of the Xvfb screen into the artifact path
The run directory comes from TACTFUL_E2E_DIR, set by e2e.py for Thunderbird.
"""
import json
import os
import struct
import subprocess
import sys
from pathlib import Path

RUN = Path(os.environ["TACTFUL_E2E_DIR"])


def read():
    length = struct.unpack("=I", sys.stdin.buffer.read(4))[0]
    return json.loads(sys.stdin.buffer.read(length))


def reply(value):
    data = json.dumps(value).encode()
    sys.stdout.buffer.write(struct.pack("=I", len(data)) + data)
    sys.stdout.buffer.flush()


def main():
    message = read()
    command = message.get("cmd")
    if command == "log":
        with open(RUN / "results.jsonl", "a", encoding="utf-8") as out:
            out.write(json.dumps(message["record"]) + "\n")
        reply({"ok": True})
    elif command == "break":
        manifest = {"name": "tactful", "description": "e2e: a host that fails", "path": str(Path(__file__).resolve().parent / "broken_host.sh"), "type": "stdio", "allowed_extensions": ["tactful@tactful"]}
        target = Path(os.environ["HOME"]) / ".mozilla/native-messaging-hosts/tactful.json"
        target.write_text(json.dumps(manifest))
        reply({"ok": True, "manifest": str(target)})
    elif command == "config":
        reply({"binary": os.environ["TACTFUL_BIN"]})
    elif command == "run":
        done = subprocess.run(["sh", "-c", message["command"]], capture_output=True, text=True)
        reply({"ok": done.returncode == 0, "stdout": done.stdout, "stderr": done.stderr})
    elif command == "received":
        files = sorted((RUN / "smtp").glob("*.eml"))
        reply({"messages": [f.read_text(encoding="utf-8", errors="replace") for f in files]})
    elif command == "screenshot":
        target = os.environ["TACTFUL_E2E_SCREENSHOT"]
        done = subprocess.run(["import", "-window", "root", target], capture_output=True, text=True)
        reply({"ok": done.returncode == 0, "stderr": done.stderr})
    else:
        reply({"ok": False, "error": f"unknown command {command!r}"})


main()
