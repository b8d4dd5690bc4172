#!/usr/bin/env python3
"""Make configs/devices/*.json from the reference table (shared/reference/devices.csv).

A maintainer's tool, run by hand when the reference table changes; eaves itself
never needs Python. Every figure keeps its basis (published / derived) and the
sources listed in the table. Usage: scripts/devices-from-csv.py CSV OUTDIR
"""
import csv, json, re, sys

def num(s):
    try:
        return float(s)
    except (TypeError, ValueError):
        return None

def basis(text):
    t = (text or "").strip().lower()
    for b in ("published", "derived", "not found"):
        if t.startswith(b):
            return b
    return "derived"

def ram_max(notes):
    """Largest RAM size the notes list ("RAM: 2/4/8/16 GB" or "512 MB")."""
    m = re.search(r"RAM:\s*([\d/ .]+)\s*(GB|MB)", notes or "")
    if not m:
        return None
    sizes = [float(x) for x in re.findall(r"[\d.]+", m.group(1))]
    return max(sizes) / (1024 if m.group(2) == "MB" else 1) if sizes else None

def cpu_parse(cpu):
    groups = re.findall(r"(\d+)\s*[xX]\s*([A-Za-z][\w\- ]*?)\s*@\s*([\d.]+)\s*GHz", cpu)
    if not groups:
        return None, None, None
    cores = sum(int(g[0]) for g in groups)
    name = groups[0][1].strip().lower().replace(" ", "-")
    return cores, name, float(groups[0][2])

def main(csv_path, outdir):
    with open(csv_path, newline="") as f:
        for row in csv.DictReader(f):
            cores, uarch, ghz = cpu_parse(row["cpu"])
            d = {
                "schema": "eaves.device", "schema_version": 1,
                "id": row["id"], "name": row["name"], "soc": row["soc"],
                "memory": {
                    "type": row["mem_type"],
                    "bus_bits": num(row["bus_bits"]) and int(num(row["bus_bits"])),
                    "mts": num(row["mts"]),
                    "peak_bw_gbs": num(row["peak_bw_gbs"]),
                    "bw_basis": basis(row["bw_source"]),
                    "bw_note": row["bw_source"],
                },
                "cpu": {
                    "desc": row["cpu"], "uarch": uarch, "cores": cores, "max_ghz": ghz,
                    "simd": row["simd"],
                    "peak_fp32_gflops": num(row["cpu_peak_gflops_fp32"]),
                    "peak_basis": "derived: cores x FP32 FLOP/cycle x max clock (upper bound)",
                },
                "accelerator": ({"name": row["accel"],
                                 "peak": " ".join(x for x in (row["accel_peak"], row["accel_precision"]) if x)}
                                if row["accel"] else None),
                "ram_gb_max": ram_max(row["notes"]),
                "tdp_w": num(row["tdp_w"]),
                "notes": row["notes"],
                "sources": row["source_urls"].split(),
            }
            with open(f"{outdir}/{row['id']}.json", "w") as out:
                json.dump(d, out, indent=2)
                out.write("\n")

if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
