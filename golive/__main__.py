"""golive's commands besides pytest.

``python -m golive merge SHARD.json ... [--report-dir DIR]``: one report from CI shards.
Exit status as a run's: 0, 1 when the merged run fails its gate, 4 on bad input.

``python -m golive init [--host [NAME=]SPEC ...] [--output hosts.yaml] [--force]``: a
starter inventory from what the hosts run (read-only), then one run of the suite.
Exit status 0 once written and graded (whatever the verdict), 4 on bad input.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from golive import html_report, markdown_summary, record
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
    merging.add_argument("--summary-md", type=Path, metavar="FILE", help="also write a Markdown summary")
    starting = commands.add_parser("init", help="write a starter hosts.yaml from what the hosts run, then grade")
    starting.add_argument(
        "--host", dest="hosts", action="append", default=[], metavar="[NAME=]SPEC",
        help="a testinfra backend spec (ssh://user@web1, docker://box, local://); repeat for more (default local://)",
    )  # fmt: skip
    starting.add_argument("--output", type=Path, default=Path("hosts.yaml"), help="default: hosts.yaml")
    starting.add_argument("--force", action="store_true", help="replace an existing --output")
    starting.add_argument("--ssh-config", metavar="PATH", help="the ssh_config every host is reached with")
    starting.add_argument("--no-run", action="store_true", help="write the inventory only; do not run the suite")
    args = parser.parse_args(argv)
    if args.command == "init":
        from golive import init

        return init.main(args.hosts, args.output, args.force, args.ssh_config, not args.no_run)
    try:
        merged = merge(load_records(args.records), [str(p) for p in args.records])
    except InventoryError as exc:
        print(f"ERROR: {exc}", file=sys.stderr)
        return 4
    html_path = args.report_dir / "readiness.html"
    record.write_json(merged, args.report_dir / "readiness.json")
    record.write_atomically(html_path, html_report.page(merged))
    if args.summary_md:
        record.write_atomically(args.summary_md, markdown_summary.render(merged, str(html_path)))
    print(record.verdict_line(merged, str(html_path)))
    return record.exit_status(merged, args.fail_under, args.gate)


if __name__ == "__main__":
    sys.exit(main())
