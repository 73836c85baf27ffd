#!/usr/bin/env python3
"""Check a `kvick run --report-json` report against a topology's expectations.

    check_report.py REPORT.json FILE.topo

FILE.topo states what must hold in comment lines:

    # expect: app('snk')['packets'] == 1000
    # expect: app('snk')['packets'] + total_txdrop() == 2 * app('src')['packets']

Each expression is Python, evaluated with:
    app(NAME)        the app's counters (a dict)
    link(SPEC)       a link's counters, SPEC as in the report: 'a.output -> b.input'
    total_txdrop()   txdrop summed over every link
    packets          {'allocated': N, 'free': N, ...}
    seconds          run time

Every report is also checked for conservation, whatever the file says:
  - no leak: every packet allocated is back on the freelist at exit;
  - per link: txpackets == rxpackets + drained (packets still in the link
    at the end are drained back to the freelist and counted), when the
    report has "drained".
Prints one line per check; exits 1 if any failed.
"""
import json
import re
import sys


def main():
    report_path, topo_path = sys.argv[1], sys.argv[2]
    r = json.load(open(report_path))
    env = {
        'app': lambda name: r['apps'][name],
        'link': lambda spec: r['links'][spec],
        'total_txdrop': lambda: sum(l['txdrop'] for l in r['links'].values()),
        'packets': r['packets'],
        'seconds': r['seconds'],
    }
    checks = [m.group(1).strip() for m in
              re.finditer(r'^#\s*expect:\s*(.+)$', open(topo_path).read(), re.M)]
    if not checks:
        print(f'FAIL: {topo_path} states no "# expect:" lines')
        return 1
    failed = 0

    def report(ok, what):
        nonlocal failed
        failed += not ok
        print(('ok:   ' if ok else 'FAIL: ') + what)

    p = r['packets']
    report(p['allocated'] == p['free'],
           f"no leak: {p['allocated']} packets allocated, {p['free']} free at exit")
    for spec, l in r['links'].items():
        if 'drained' in l:
            report(l['txpackets'] == l['rxpackets'] + l['drained'],
                   f"link {spec}: tx {l['txpackets']} = rx {l['rxpackets']} + drained {l['drained']}"
                   f" (txdrop {l['txdrop']})")
    for expr in checks:
        try:
            ok = bool(eval(expr, {}, env))
            report(ok, expr)
        except Exception as e:  # a typo in a file is a failure, not a crash
            report(False, f'{expr}: {type(e).__name__}: {e}')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
