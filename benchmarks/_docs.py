"""The generated parts of docs/performance.md, written from benchmarks/results/*.json.

Every number in a generated block comes from a results file; nothing is copied
by hand. `python benchmarks/run_all.py` rewrites the blocks after a run, and
`python benchmarks/run_all.py --docs-only` rewrites them from the results files
already there. tests/unit_tests/test_performance_page.py fails when the page
and the files disagree.

A block is everything between `<!-- generated: NAME -->` and
`<!-- end generated: NAME -->`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from benchmarks import _harness

PAGE = _harness.ROOT / "docs" / "performance.md"
BENCHMARKS = ("big_input", "stream", "concurrency", "overhead", "audiobook")
"""The results files run_all.py writes (one per benchmark), plus summary.json."""
_BLOCK = re.compile(
    r"(<!-- generated: (?P<name>[\w-]+) -->\n)(?P<body>.*?)(<!-- end generated: (?P=name) -->)",
    re.S,
)
CLIENTS = {
    "raw": "raw `openai` SDK",
    "ours": "**langchain-azure-audio**",
    "lc-openai": "langchain-openai `AzureChatOpenAI`",
    "httpx2 only": "reference: `httpx2` transport only",
}

WORDS = {"<": "below", "<=": "at most", ">=": "at least"}

Results = Mapping[str, Mapping[str, Any]]


def load_results(folder: Path = _harness.RESULTS_DIR) -> dict[str, dict[str, Any]]:
    return {
        name: json.loads((folder / f"{name}.json").read_text()) for name in (*BENCHMARKS, "summary")
    }


def md_table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _x(value: float | None, *, ours: bool = False) -> str:
    text = _harness.times(value)
    return f"**{text}**" if ours else text


def _client(name: str) -> str:
    return CLIENTS.get(name, name)


def _quick(report: Mapping[str, Any]) -> str:
    return " **(a `--quick` smoke run: not for comparison)**" if report.get("quick") else ""


# ------------------------------------------------------------------- summary


def verdict(target: Mapping[str, Any]) -> str:
    """The "met?" cell, decided here from the target's value, limit and direction."""
    return "yes" if _harness.met(target) else "**no**"


def _target_row(t: Mapping[str, Any], results: Results) -> list[str]:
    bench, what, value, limit = t["benchmark"], t["what"], t["value"], t["limit"]
    met, sym = verdict(t), _harness.SYMBOLS[t["compare"]]
    if bench == "big_input":
        if "above baseline" in what:
            return ["big input: peak RSS above the process baseline",
                    f"{sym} {limit:g}× the input", _x(value), met]  # fmt: skip
        label = "big input: time" if "time" in what else "big input: whole-process peak RSS"
        return [label, f"{sym} {limit:g}× raw", _x(value), met]
    if bench == "stream":
        if "delivered" in what:
            lc = [s["clients"].get("lc-openai", {}).get("audio_delivered")
                  for s in results["stream"]["sweep"]]  # fmt: skip
            other = f" (langchain-openai: {min(lc):.0%})" if all(v is not None for v in lc) else ""
            return [f"streaming: {what}, every length", f"{sym} {limit:.0%}",
                    f"{value:.0%}{other}", met]  # fmt: skip
        if "max/min" in what:
            return [f"streaming: {what}", f"{sym} {limit:g} (flat)", _x(value), met]
        raw = "raw-async" if "async" in what else "raw"
        return [f"streaming: {what.replace(' / raw', '')}", f"{sym} {limit:g}× {raw}", _x(value),
                met]  # fmt: skip
    if bench == "concurrency":
        c = results["concurrency"]
        if "in flight" in what:
            return ["concurrency: most requests in flight", f"{sym} {limit:g}", f"{value:g}", met]
        raw = c["clients"]["ours"]["raw_ratio"]
        return [
            f"concurrency: {c['requests']} requests, max {c['max_concurrency']} in flight",
            f"{sym} {limit:g}× ideal ({c['ideal_s']:g} s)",
            f"{_x(value)}; {_x(raw)} the raw SDK",
            met,
        ]
    if bench == "overhead":
        return ["per-request overhead (added over raw)",
                f"{WORDS[t['compare']]} langchain-openai's {limit:+.0f} µs",
                f"{value:+.0f} µs", met]  # fmt: skip
    if bench == "audiobook":
        a = results["audiobook"]["throughput"]
        if "stitch" in what:
            return ["audiobook: stitching memory, 60 min / 10 min", f"{sym} {limit:g}× (flat)",
                    _x(value), met]  # fmt: skip
        return [
            f"audiobook: {a['segments']} segments, {a['latency_s'] * 1000:.0f} ms, "
            f"concurrency {a['concurrency']}",
            f"{sym} {limit:g}× ideal ({a['ideal_s']:g} s)",
            f"{_x(value)}; {_x(a['ratio_to_raw_sdk'])} the raw SDK's same requests "
            f"(raw: {_x(a['raw_sdk_ratio_to_ideal'])} ideal)",
            met,
        ]
    return [f"{bench}: {what}", f"{sym} {limit:g}", f"{value:.3g}", met]  # pragma: no cover


def _tally(rows: Sequence[Sequence[str]]) -> str:
    """The sentence under the summary table, counted from its "met?" column."""
    missed = [row[0] for row in rows if row[-1] != "yes"]
    if not missed:
        return f"All {len(rows)} targets met.\n"
    return (f"{len(rows) - len(missed)} of {len(rows)} targets met; missed: "
            f"{'; '.join(missed)}.\n")  # fmt: skip


def summary(results: Results) -> str:
    env = results["summary"]
    packages = env["packages"]
    measured = (
        f"`python benchmarks/run_all.py` run of {env['date'][:10]} "
        f"({env['seconds']['total']:.0f} s; Python {env['python']}, {env['cpus']} CPUs, "
        f"openai {packages.get('openai')} on httpx2 "
        f"{packages.get('httpx2')}, langchain-core {packages.get('langchain-core')}, "
        f"langchain-openai {packages.get('langchain-openai')}){_quick(env)}. Targets as each "
        "benchmark's results file records them (met or not is decided from the value and "
        "the limit when this page is written):\n\n"
    )
    rows = [_target_row(t, results) for name in BENCHMARKS for t in results[name]["targets"]]
    later = [
        name for name in BENCHMARKS
        if results[name]["targets"] != [t for t in env["targets"] if t["benchmark"] == name]
    ]  # fmt: skip
    note = (
        f"\nThe {', '.join(later)} results are from a later run of its own script, not from "
        "that `run_all.py` run.\n"
        if later
        else ""
    )
    table = md_table(["benchmark", "target", "ours", "met?"], rows)
    return measured + table + "\n" + _tally(rows) + note


def _against(results: Results, bench: str, fragment: str) -> Mapping[str, Any]:
    """The results file's target of `bench` whose `what` contains `fragment`."""
    return next(t for t in results[bench]["targets"] if fragment in t["what"])


# ---------------------------------------------------------------- benchmarks


def big_input(results: Results) -> str:
    r = results["big_input"]
    n = r["requests_per_client"]
    head = (
        f"One {r['wav_bytes']:,}-byte WAV, sent as {r['base64_chars']:,} base64 characters; "
        f"{n['time']} timed requests and {n['rss']} memory measurements per client"
        f"{_quick(r)}:\n\n"
    )
    rows = [
        [_client(name), f"{_harness.ms(c['seconds'])} ({_x(c['time_ratio'], ours=name == 'ours')})",
         f"{_harness.mib(c['process_peak_bytes'])} "
         f"({_x(c['process_peak_ratio'], ours=name == 'ours')})",
         f"{_harness.mib(c['above_baseline_bytes'])} ({c['above_baseline_per_input']:.1f}×)",
         f"{_harness.mib(c['peak_rss_delta_bytes'])}",
         f"{_harness.mib(c['peak_traced_bytes'])} ({_x(c['traced_ratio'])})"]
        for name, c in r["clients"].items()
    ]  # fmt: skip
    header = ["client", "time", "whole-process peak RSS",
              "peak above the process baseline (× the input)", "peak RSS increase per request",
              "traced peak"]  # fmt: skip
    return head + md_table(header, rows)


def stream(results: Results) -> str:
    r = results["stream"]
    first = r["sweep"][0]
    lengths = ", ".join(f"{s['audio_seconds'] / 60:.0f}" for s in r["sweep"])
    head = (
        f"Answers of {lengths} minutes "
        f"of audio, made by repeating the real recording ({first['source']}); ratios: ours to "
        f"raw, ours-async to raw-async, langchain-openai to raw{_quick(r)}:\n\n"
    )
    rows = [
        [f"{s['audio_seconds'] / 60:.0f} min", _client(name),
         f"{_harness.ms(c['ttfb_s'])} ({_x(c.get('ttfb_ratio'), ours=name.startswith('ours'))})"
         if c["ttfb_s"] is not None else "never",
         f"{_harness.ms(c['total_s'])} ({_x(c.get('total_ratio'), ours=name.startswith('ours'))})",
         f"{c['seconds_per_audio_second'] * 1000:.1f} ms",
         f"{_harness.mib(c['peak_rss_bytes'])} ({_x(c.get('rss_ratio'))})",
         f"{c['rss_bytes_per_audio_second'] / 1024:.0f} KiB",
         f"{c['audio_delivered']:.0%}"]
        for s in r["sweep"]
        for name, c in s["clients"].items()
    ]  # fmt: skip
    header = ["length", "client", "first audio byte", "total time", "time per audio-second",
              "whole-process peak RSS", "RSS growth per audio-second",
              "audio delivered"]  # fmt: skip
    flat = ", ".join(f"{k}: {_x(v)}" for k, v in r["flatness"].items())
    plot = f"\n\nPer audio-second, largest over smallest across the lengths: {flat}.\n\n"
    return head + md_table(header, rows) + plot + f"![the sweep](img/{Path(r['plot']).name})"


def concurrency(results: Results) -> str:
    r = results["concurrency"]
    head = (
        f"{r['requests']} requests, {r['latency_s'] * 1000:.0f} ms server latency, at most "
        f"{r['max_concurrency']} in flight (ideal {r['ideal_s']:g} s), answers of "
        f"{r['answer_bytes'] / 1e3:.1f} kB, {r['batches_per_client']} batches per client"
        f"{_quick(r)}:\n\n"
    )
    rows = [
        [_client(name), _harness.ms(c["seconds"]), _x(c["ideal_ratio"], ours=name == "ours"),
         _x(c["raw_ratio"], ours=name == "ours"), _harness.us(c["cpu_per_request_s"]),
         str(c["max_in_flight"])]
        for name, c in r["clients"].items()
    ]  # fmt: skip
    header = ["client", "batch time", "/ ideal", "/ raw", "client CPU per request",
              "most in flight at the server"]  # fmt: skip
    target = _against(results, "concurrency", "ideal")
    sym, limit = _harness.SYMBOLS[target["compare"]], target["limit"]
    each = "; ".join(
        f"{_client(name)} {_x(c['ideal_ratio'])}: "
        f"{'met' if _harness.met({**target, 'value': c['ideal_ratio']}) else 'missed'}"
        for name, c in r["clients"].items()
    )
    verdicts = f"\nTarget {sym} {limit:g}× ideal, the same limit for every client: {each}.\n"
    return head + md_table(header, rows) + verdicts


def overhead(results: Results) -> str:
    r = results["overhead"]
    head = (
        f"{r['requests_per_client']:,} sequential requests per client "
        f"({r['requests_per_process']} per process), answers of "
        f"{r['answer_bytes'] / 1e3:.1f} kB, medians{_quick(r)}:\n\n"
    )
    rows = [
        [_client(name),
         f"{_harness.us(c['per_request_s'])} ({_x(c['raw_ratio'], ours=name == 'ours')})",
         "—" if name == "raw" else (f"**{c['added_s'] * 1e6:+.0f} µs**" if name == "ours"
                                    else f"{c['added_s'] * 1e6:+.0f} µs")]
        for name, c in r["clients"].items()
    ]  # fmt: skip
    target = results["overhead"]["targets"]
    verdicts = "".join(
        f"\nTarget: ours {WORDS[t['compare']]} langchain-openai's added time "
        f"({t['value']:+.0f} µs against {t['limit']:+.0f} µs): "
        f"{'met' if _harness.met(t) else 'missed'}.\n"
        for t in target
    )
    return head + md_table(["client", "per request", "added over raw"], rows) + verdicts


def audiobook(results: Results) -> str:
    t, m = results["audiobook"]["throughput"], results["audiobook"]["stitching"]
    head = (
        f"{t['segments']} segments, {t['latency_s'] * 1000:.0f} ms server latency, concurrency "
        f"{t['concurrency']} (ideal {t['ideal_s']:g} s); the median of {len(t['runs'])} runs:\n\n"
    )
    rows = [
        [f"raw `openai` SDK, {t['segments']} requests", f"{t['raw_sdk_s']:.3f} s",
         _x(t["raw_sdk_ratio_to_ideal"]), _x(1.0)],
        [f"`narrate_book`, {t['segments']} segments", f"{t['wall_s']:.3f} s",
         _x(t["ratio_to_ideal"], ours=True), _x(t["ratio_to_raw_sdk"], ours=True)],
    ]  # fmt: skip
    wall, stitch = (_against(results, "audiobook", k) for k in ("ideal", "stitch"))

    def said(t: Mapping[str, Any]) -> str:
        return f"target {_harness.SYMBOLS[t['compare']]} {t['limit']:g}×: " + (
            "met" if _harness.met(t) else "missed"
        )

    throughput = (
        f"\nWall time / ideal {_x(wall['value'])} ({said(wall)}); the raw SDK's same requests: "
        f"{_x(t['raw_sdk_ratio_to_ideal'])} ideal.\n"
    )
    stitching = (
        f"\n**Stitching memory.** Segments totalling 10 and 60 minutes of audio stitched in "
        f"fresh processes: peak RSS grows by {m['10_min']['peak_growth_kib'] / 1024:.1f} MiB and "
        f"{m['60_min']['peak_growth_kib'] / 1024:.1f} MiB (60 min / 10 min: "
        f"{_x(stitch['value'])}; {said(stitch)}).\n"
    )
    return head + md_table(["", "wall time", "/ ideal", "/ raw SDK"], rows) + throughput + stitching


BLOCKS: dict[str, Callable[[Results], str]] = {
    "summary": summary,
    "big-input": big_input,
    "stream": stream,
    "concurrency": concurrency,
    "overhead": overhead,
    "audiobook": audiobook,
}


def write_block(page: Path, name: str, body: str) -> bool:
    """Rewrite one generated block of `page` (`<!-- generated: NAME -->` ...) with `body`;
    True when the page changed. A page without the block is an error, not a no-op."""
    text = page.read_text()
    found = {m["name"]: m for m in _BLOCK.finditer(text)}
    if name not in found:
        raise ValueError(f"{page.name} lacks the generated block {name!r}")
    match = found[name]
    after = text[: match.start()] + match[1] + body + match[4] + text[match.end() :]
    if after != text:
        page.write_text(after)
    return after != text


def page_blocks(text: str) -> dict[str, str]:
    """The generated blocks in a page, by name."""
    return {m["name"]: m["body"] for m in _BLOCK.finditer(text)}


def render(text: str, results: Results) -> str:
    """`text` with every generated block rewritten from `results`."""
    missing = set(BLOCKS) - set(page_blocks(text))
    if missing:
        raise ValueError(f"{PAGE.name} lacks generated blocks {sorted(missing)}")
    return _BLOCK.sub(lambda m: m[1] + BLOCKS[m["name"]](results) + m[4], text)


def write_page(page: Path = PAGE, results: Results | None = None) -> bool:
    """Rewrite the page's generated blocks; True when something changed."""
    before = page.read_text()
    after = render(before, results if results is not None else load_results())
    if after != before:
        page.write_text(after)
    return after != before


def publish(name: str, report: dict[str, Any], rendered: str) -> None:
    """Print a benchmark's table and targets, save its results, and rewrite the page's
    tables from the results files."""
    print(rendered)
    print("\n".join(_harness.target_lines(_harness.Target(**t) for t in report["targets"])))
    print(f"saved {_harness.save(name, report)}")
    write_page()
