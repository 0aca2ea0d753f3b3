// Command taxii measures detente's TAXII 2.1 server on a real workload,
// the MITRE ATT&CK releases of the STIX test data (ICS 17.0, 18.0, 18.1;
// Mobile 17.0, 17.1: about 9,600 objects, 18 MB):
//
//  1. ingest: each release POSTed over loopback HTTP into one collection,
//     as a State's point of contact with an API token;
//  2. page: every version of every object read back with limit/next,
//     each compared with what was posted (canonical JSON);
//  3. queries: filtered reads as clients make them (by id, type, first
//     and last version, added_after, manifest, versions), each kind
//     timed on its own, with random ids and types.
//
// For each it prints objects or requests per second and latency
// percentiles, and for the first two the ratio to reading the same bytes
// straight from disk (the files written out beforehand, so in the page
// cache).
//
//	go run ./bench/taxii [-engine sqlite|postgres] [-dsn URL] [-limit 1000] [-queries 2000] [-c 4]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"
)

func main() {
	var o Options
	flag.StringVar(&o.Engine, "engine", "sqlite", "sqlite or postgres")
	flag.StringVar(&o.DSN, "dsn", os.Getenv("DETENTE_TEST_POSTGRES"), "PostgreSQL server URL; a database of the benchmark's own is made on it and dropped after")
	flag.IntVar(&o.Limit, "limit", 1000, "objects per page when paging through everything")
	flag.IntVar(&o.Queries, "queries", 2000, "filtered queries")
	flag.IntVar(&o.Clients, "c", 4, "concurrent clients for the filtered queries")
	flag.Parse()
	o.Progress = os.Stderr
	res, err := Run(context.Background(), o)
	Print(os.Stdout, res)
	if err != nil {
		fmt.Fprintln(os.Stderr, "taxii:", err)
		os.Exit(1)
	}
	if !res.OK() {
		os.Exit(1)
	}
}

// Print writes the figures and the checks of a run.
func Print(w io.Writer, r Result) {
	fmt.Fprintf(w, "taxii: %s, %d bundles, %d objects (%d distinct versions), %.1f MB; page size %d; %d clients for queries\n\n",
		r.Opt.Engine, r.Bundles, r.Objects, r.Versions, float64(r.Bytes)/1e6, r.Opt.Limit, r.Opt.Clients)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "phase\trequests\tobjects\tobjects/s\treq/s\tp50\tp90\tp99\tmax\tdisk objects/s\tratio to disk\t")
	for _, p := range r.Phases {
		disk, ratio := "", ""
		if p.Disk > 0 {
			disk = fmt.Sprintf("%.0f", float64(p.Objects)/p.Disk.Seconds())
			ratio = fmt.Sprintf("%.4f", p.Disk.Seconds()/p.Elapsed.Seconds())
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.0f\t%.1f\t%s\t%s\t%s\t%s\t%s\t%s\t\n", p.Name, len(p.Latencies), p.Objects,
			float64(p.Objects)/p.Elapsed.Seconds(), float64(len(p.Latencies))/p.Elapsed.Seconds(),
			ms(p.Percentile(50)), ms(p.Percentile(90)), ms(p.Percentile(99)), ms(p.Percentile(100)), disk, ratio)
	}
	tw.Flush()
	fmt.Fprintln(w, "\nratio to disk: the time to read the same bytes from the files (os.ReadFile) over the time through TAXII")
	fmt.Fprintln(w, "\nchecks:")
	for _, c := range r.Checks {
		mark := "ok  "
		if !c.OK {
			mark = "FAIL"
		}
		fmt.Fprintf(w, "  %s %s: %s\n", mark, c.Name, c.Detail)
	}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d.Microseconds())/1000) }
