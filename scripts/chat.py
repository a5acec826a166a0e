#!/usr/bin/env python3
"""Chat with the running assistant in the terminal, through the REST channel.

Usage: python scripts/chat.py [--url http://127.0.0.1:5005] [--sender ID]
Buttons are shown numbered: type the number to press one.
Only the standard library is used, so any Python 3 runs it.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.request
import uuid


def send(url: str, sender: str, message: str) -> list:
    body = json.dumps({"sender": sender, "message": message}).encode("utf-8")
    request = urllib.request.Request(
        f"{url}/webhooks/rest/webhook", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read().decode("utf-8"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:5005")
    parser.add_argument("--sender", default=f"terminal-{uuid.uuid4().hex[:8]}")
    args = parser.parse_args()
    print("Escriba su mensaje (Ctrl-D o /salir para terminar).")
    buttons: list = []
    while True:
        try:
            text = input("Usted: ").strip()
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if text in ("/salir", "/exit"):
            return 0
        if text.isdigit() and buttons and 1 <= int(text) <= len(buttons):
            choice = buttons[int(text) - 1]
            print(f"  (elige: {choice['title']})")
            text = choice["payload"]
        if not text:
            continue
        try:
            replies = send(args.url, args.sender, text)
        except OSError as exc:
            print(f"  [no hay respuesta del asistente en {args.url}: {exc}]", file=sys.stderr)
            continue
        buttons = []
        for reply in replies:
            if reply.get("text"):
                print(f"Asistente: {reply['text']}")
            for button in reply.get("buttons") or []:
                buttons.append(button)
                print(f"   [{len(buttons)}] {button['title']}")


if __name__ == "__main__":
    sys.exit(main())
