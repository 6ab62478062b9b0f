#!/usr/bin/env python3
"""Writes ngcpctl manifests that match a live NGCP (the benchmark's emulator), then drifts 1%.

Usage: export_manifests.py BASE_URL USER PASSWORD OUT_DIR [DRIFT_EVERY]

Customers and subscribers become Customer and Subscriber documents, 100 customers per file.
Subscribers with a call forward declare it and their extra preferences. Every DRIFT_EVERY-th
customer (default 100) gets a different contact e-mail and every DRIFT_EVERY-th subscriber a
different concurrent_max, so the plan has about 1% updates to find.
"""
import base64
import json
import os
import sys
import urllib.request
from concurrent.futures import ThreadPoolExecutor


def fetch(base, auth, path):
    request = urllib.request.Request(base + path, headers={"Authorization": auth})
    with urllib.request.urlopen(request) as response:
        return json.load(response)


def collection(base, auth, name, rows=1000):
    first = fetch(base, auth, f"/api/{name}/?page=1&rows={rows}&order_by=id")
    total = first.get("total_count", 0)
    pages = [first]
    numbers = range(2, (total + rows - 1) // rows + 1)
    with ThreadPoolExecutor(4) as pool:
        pages += pool.map(
            lambda n: fetch(base, auth, f"/api/{name}/?page={n}&rows={rows}&order_by=id"),
            numbers)
    items = []
    for page in pages:
        items += page.get("_embedded", {}).get(f"ngcp:{name}", [])
    return items


def block_id(item):
    if "id" in item:
        return item["id"]
    return int(item["_links"]["self"]["href"].rstrip("/").split("/")[-1])


def quoted(text):
    return json.dumps(text)


def main():
    base, user, password, out = sys.argv[1:5]
    drift_every = int(sys.argv[5]) if len(sys.argv) > 5 else 100
    auth = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()

    profiles = {p["id"]: p["handle"] for p in collection(base, auth, "billingprofiles")}
    contacts = {c["id"]: c for c in collection(base, auth, "customercontacts")}
    customers = collection(base, auth, "customers")
    subscribers = collection(base, auth, "subscribers")
    forwards = {block_id(f): f for f in collection(base, auth, "callforwards")}
    preferences = {block_id(p): p for p in collection(base, auth, "subscriberpreferences")}

    by_customer = {}
    for subscriber in subscribers:
        by_customer.setdefault(subscriber["customer_id"], []).append(subscriber)

    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "domains.yaml"), "w") as handle:
        documents = []
        for domain in collection(base, auth, "domains"):
            documents.append("\n".join([
                "apiVersion: ngcpctl/v1", "kind: Domain", "metadata:",
                f"  name: {quoted(domain['domain'])}", "spec: {}"]))
        handle.write("\n---\n".join(documents) + "\n")
    drifted = {"customers": 0, "subscribers": 0}
    managed_preferences = 0
    lines = []
    file_index = 0
    for index, customer in enumerate(customers):
        email = contacts[customer["contact_id"]]["email"]
        if index % drift_every == drift_every - 1:
            email = "drift-" + email
            drifted["customers"] += 1
        lines += [
            "---", "apiVersion: ngcpctl/v1", "kind: Customer", "metadata:",
            f"  name: {quoted(customer['external_id'])}", "spec:",
            f"  billing_profile: {quoted(profiles[customer['billing_profile_id']])}",
            f"  status: {customer['status']}", "  contact:", f"    email: {quoted(email)}",
        ]
        for subscriber in by_customer.get(customer["id"], []):
            sid = subscriber["id"]
            number = subscriber["primary_number"]
            lines += [
                "---", "apiVersion: ngcpctl/v1", "kind: Subscriber", "metadata:",
                f"  name: {quoted(subscriber['username'] + '@' + subscriber['domain'])}",
                "spec:", f"  customer: {quoted(customer['external_id'])}",
                f"  primary_number: {{cc: {number['cc']}, ac: {quoted(number['ac'])}, "
                f"sn: {quoted(number['sn'])}}}",
            ]
            forward = forwards.get(sid, {})
            active = {k: v for k, v in forward.items()
                      if k.startswith("cf") and v and v.get("destinations")}
            prefs = preferences.get(sid, {})
            drift = sid % drift_every == 0
            if active:
                lines.append("  callforwards:")
                for kind, value in sorted(active.items()):
                    lines.append(f"    {kind}:")
                    lines.append("      destinations:")
                    for destination in value["destinations"]:
                        lines.append(
                            f"        - {{destination: {quoted(destination['destination'])}, "
                            f"priority: {destination.get('priority', 1)}, "
                            f"timeout: {destination.get('timeout', 300)}}}")
            managed = {}
            if "concurrent_max" in prefs:
                managed["concurrent_max"] = prefs["concurrent_max"]
                managed["block_in_mode"] = prefs.get("block_in_mode", False)
            if drift:
                managed["concurrent_max"] = managed.get("concurrent_max", 0) % 10 + 1
                drifted["subscribers"] += 1
            if managed:
                managed_preferences += 1
                lines.append("  preferences:")
                for name, value in sorted(managed.items()):
                    lines.append(f"    {name}: {json.dumps(value)}")
        if index % 100 == 99 or index == len(customers) - 1:
            with open(os.path.join(out, f"customers-{file_index:04d}.yaml"), "w") as handle:
                handle.write("\n".join(lines[1:]) + "\n")
            lines = []
            file_index += 1

    summary = {
        "customers": len(customers), "subscribers": len(subscribers),
        "forwards_declared": sum(1 for f in forwards.values()
                                 if any(v and v.get("destinations")
                                        for k, v in f.items() if k.startswith("cf"))),
        "preferences_declared": managed_preferences,
        "drifted": drifted, "files": file_index,
    }
    json.dump(summary, sys.stdout)
    print()


if __name__ == "__main__":
    main()
