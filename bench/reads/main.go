// Command reads measures what detente's full stack costs on its main read
// paths under concurrent load: for each page and API list, C clients in
// this process send requests over loopback HTTP, as the right signed-in
// person, to detente and to a bare handler that answers the very bytes
// detente answered, the two taking turns. It prints each side's throughput and
// latency, their throughput ratio, the process CPU time per request and
// the peak resident memory.
//
// Every answer is checked (status 200, same size as the captured page),
// so a redirect to the sign-in page or a refusal cannot pass for speed.
//
//	go run ./bench/reads [-c 8] [-d 2s | -n 2000] [-rounds 4] [-endpoints directory] [-cpuprofile cpu.pprof] [-memprofile mem.pprof]
//	                     [-engine sqlite|postgres] [-dsn URL] [-scale 100] [-cache DIR] [-save DIR]
//
// By default the demo data is seeded in a temporary SQLite database. With
// -scale N the run uses the dataset of bench/internal/dataset N times the
// demo's size (100: about 42,000 POCs, 100,000 communications, a million
// audit entries, 12,000 library documents, 2,400 capacity-building needs,
// 200 exercise runs and a report of every participating State in each
// survey cycle), on SQLite or PostgreSQL, built on first use and cached.
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
	flag.IntVar(&o.Clients, "c", 8, "concurrent clients per side")
	flag.DurationVar(&o.Duration, "d", 2*time.Second, "timed run per side and endpoint")
	flag.IntVar(&o.Requests, "n", 0, "requests per side and endpoint (instead of -d)")
	flag.IntVar(&o.Rounds, "rounds", 4, "cut each side's run in this many turns, detente and bare alternately")
	flag.StringVar(&o.Filter, "endpoints", "", "only endpoints whose name or path contains this")
	flag.StringVar(&o.CPUProfile, "cpuprofile", "", "write a CPU profile of the timed runs here (detente's requests are labelled side=detente and path=/…)")
	flag.StringVar(&o.MemProfile, "memprofile", "", "write a heap profile here at the end")
	flag.StringVar(&o.Engine, "engine", "sqlite", "sqlite or postgres (postgres needs a -scale)")
	flag.StringVar(&o.DSN, "dsn", defaultDSN(), "PostgreSQL server URL; the dataset's database is created on it and kept")
	flag.Float64Var(&o.Scale, "scale", 0, "0: the demo seeded afresh; N: the cached dataset N times the demo's size (built on first use)")
	flag.StringVar(&o.CacheDir, "cache", "", "where datasets on SQLite are kept (default the dataset's cache directory)")
	flag.StringVar(&o.Save, "save", "", "write each captured answer in this directory, to look at what was measured")
	flag.Parse()
	o.Progress = os.Stderr
	res, err := Run(context.Background(), o)
	Print(os.Stdout, res)
	if err != nil {
		fmt.Fprintln(os.Stderr, "reads:", err)
		os.Exit(1)
	}
}

// Print writes the table of a run, including the endpoints measured
// before a failure.
func Print(w io.Writer, r Result) {
	o := r.Opt
	how := fmt.Sprintf("%s per side", o.Duration)
	if o.Requests > 0 {
		how = fmt.Sprintf("%d requests per side", o.Requests)
	}
	if o.Rounds > 1 {
		how += fmt.Sprintf(" in %d alternating turns", o.Rounds)
	}
	fmt.Fprintf(w, "reads: %s; %d clients, %s, loopback HTTP\n", r.Data, o.Clients, how)
	fmt.Fprintf(w, "load average before %s, after %s\n\n", r.Load[0], r.Load[1])
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "endpoint\tas\tbytes\tdetente req/s\tp50\tp99\tbare req/s\tp50\tp99\tratio\tgoal\tCPU/req detente\tbare\trequests\tconns\t")
	for _, m := range r.Measures {
		goal := ""
		if m.Goal {
			goal = "met"
			if m.Ratio() < GoalRatio {
				goal = "MISSED"
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%.3f\t%s\t%s\t%s\t%d/%d\t%d/%d\t\n",
			m.Name, m.As, m.Bytes,
			rate(m.Detente.RPS()), ms(m.Detente.P50), ms(m.Detente.P99),
			rate(m.Bare.RPS()), ms(m.Bare.P50), ms(m.Bare.P99),
			m.Ratio(), goal, us(m.Detente.CPUPerRequest()), us(m.Bare.CPUPerRequest()),
			m.Detente.Requests, m.Bare.Requests, m.Detente.NewConns, m.Bare.NewConns)
	}
	tw.Flush()
	fmt.Fprintf(w, "\nratio: detente's throughput over the bare handler's (goal >= %.1f where marked).\n", GoalRatio)
	fmt.Fprintln(w, "requests: timed per side (detente/bare); a request still running at the end of -d is waited for and counted.")
	fmt.Fprintln(w, "CPU/req: process CPU (user+system, clients and GC included) over the run, per request.")
	fmt.Fprintln(w, "conns: connections the server accepted during the timed run (detente/bare); the clients keep at most -c open and reuse them.")
	if r.PeakRSS > 0 {
		fmt.Fprintf(w, "peak RSS: %.1f MiB\n", float64(r.PeakRSS)/(1<<20))
	}
	fmt.Fprintln(w, "\npaths:")
	for _, m := range r.Measures {
		fmt.Fprintf(w, "  %-15s GET %s (%s)\n", m.Name, m.Path, m.ContentType)
	}
}

// defaultDSN is the PostgreSQL server the repository's tests use.
func defaultDSN() string {
	if v := os.Getenv("DETENTE_TEST_POSTGRES"); v != "" {
		return v
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
}

// rate writes a throughput with a decimal where it is small.
func rate(r float64) string {
	if r < 10 {
		return fmt.Sprintf("%.1f", r)
	}
	return fmt.Sprintf("%.0f", r)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond)) }

func us(d time.Duration) string { return fmt.Sprintf("%.0fµs", float64(d)/float64(time.Microsecond)) }
