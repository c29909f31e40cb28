"""``python -m golive merge SHARD.json ... [--report-dir DIR]``: one report from CI shards.

Exit status as a run's: 0, 1 when the merged run fails its gate, 4 on bad input.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from golive import html_report, record
from golive.errors import InventoryError
from golive.merge import load_records, merge


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m golive", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    merging = commands.add_parser("merge", help="combine the readiness.json of --shard K/N runs")
    merging.add_argument("records", nargs="+", type=Path, help="readiness.json of every shard")
    merging.add_argument("--report-dir", type=Path, default=Path("reports"))
    merging.add_argument("--fail-under", type=float, metavar="SCORE")
    merging.add_argument("--gate", action="store_true", help="only critical failures and --fail-under decide")
    args = parser.parse_args(argv)
    try:
        merged = merge(load_records(args.records), [str(p) for p in args.records])
    except InventoryError as exc:
        print(f"ERROR: {exc}", file=sys.stderr)
        return 4
    html_path = args.report_dir / "readiness.html"
    record.write_json(merged, args.report_dir / "readiness.json")
    record.write_atomically(html_path, html_report.page(merged))
    print(record.verdict_line(merged, str(html_path)))
    return record.exit_status(merged, args.fail_under, args.gate)


if __name__ == "__main__":
    sys.exit(main())
